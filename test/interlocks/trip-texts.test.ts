/**
 * A trip and its first-out say what happened, with the value and the time, on the page (the
 * permit board and the trip alarm) and in the events that go up, Chinese first, then English.
 */
import { describe, expect, it } from 'vitest';
import type { PlantEvent } from '../../agent/core/types.js';
import type { EventsMessage } from '../../agent/uplink/messages.js';
import { schemaProblems } from '../uplink/schemas.js';
import { workshop } from './workshop.js';

/** A running sander on a healthy collector, its permit on. */
function running() {
  const w = workshop();
  w.healthy();
  w.advance(31_000);
  expect(w.relay('sander1.permit')).toBe(true);
  return w;
}

/** What the page and the platform are told of the trip that has just happened. */
function told(w: ReturnType<typeof workshop>) {
  const snapshot = w.page.snapshot();
  const trip = w.eventsOf('interlock', 'sander1-permit').at(-1)!;
  const tripAlarm = w.eventsOf('alarm', 'sander1-permit.trip').at(-1)!;
  const sent: EventsMessage = { kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events: [trip, tripAlarm] };
  return {
    firstOut: snapshot.permits[0]!.firstOut!,
    alarm: snapshot.alarms.find((a) => a.id === 'sander1-permit.trip')!,
    trip,
    tripAlarm,
    problems: schemaProblems(sent),
  };
}

const detailOf = (e: PlantEvent) => e.detail as { firstOut: Record<string, unknown> };

describe('what a trip says', () => {
  it('names the three sparks within 10 s, not the rule they broke', () => {
    const w = running();
    for (let i = 0; i < 3; i++) {
      w.spark();
      w.advance(500);
    }
    const { firstOut, alarm, trip, tripAlarm, problems } = told(w);
    expect(firstOut).toMatchObject({ key: 'permitWhen[4]', text: '1号风管火花探测: 10 s 内 3 次火花', textEn: '1号风管火花探测: 3 sparks within 10 s', value: 3 });
    expect(firstOut.t).toBe(trip.t);
    expect(alarm).toMatchObject({ message: '1号砂光机启动许可跳闸: 1号风管火花探测: 10 s 内 3 次火花', messageEn: '1号砂光机启动许可 tripped: 1号风管火花探测: 3 sparks within 10 s', t: trip.t });
    expect(trip.message).toBe('1号砂光机启动许可跳闸: 1号风管火花探测: 10 s 内 3 次火花 / 1号砂光机启动许可 tripped: 1号风管火花探测: 3 sparks within 10 s');
    expect(detailOf(trip).firstOut).toMatchObject({ value: 3, rule: '1号风管火花探测 10 s 内少于 3 次', t: trip.t });
    expect(tripAlarm.message).toBe('1号砂光机启动许可跳闸: 1号风管火花探测: 10 s 内 3 次火花 / 1号砂光机启动许可 tripped: 1号风管火花探测: 3 sparks within 10 s');
    expect(problems).toEqual([]);
  });

  it('says the sander is locked out, not "lockout = no"', () => {
    const w = running();
    w.contact('loto.sander1', true);
    w.advance(100);
    const { firstOut, trip, problems } = told(w);
    expect(firstOut).toMatchObject({ key: 'permitWhen[2]', text: '1号砂光机上锁: 已上锁', textEn: '1号砂光机上锁: locked out', value: true, rule: '1号砂光机上锁 = 否' });
    expect(trip.message).toContain('1号砂光机上锁: 已上锁 / ');
    expect(problems).toEqual([]);
  });

  it('gives the differential pressure that left its band against the limit it crossed', () => {
    const w = running();
    w.reading('dc1.dp', 1955);
    const { firstOut, trip, problems } = told(w);
    expect(firstOut).toMatchObject({ key: 'permitWhen[1]', text: '除尘器进出口压差: 1955 Pa > 1800 Pa', textEn: '除尘器进出口压差: 1955 Pa > 1800 Pa', value: 1955 });
    expect(detailOf(trip).firstOut).toMatchObject({ text: '除尘器进出口压差: 1955 Pa > 1800 Pa', value: 1955 });
    expect(problems).toEqual([]);

    const low = running();
    low.reading('dc1.dp', 120.4999);
    expect(told(low).firstOut.text).toBe('除尘器进出口压差: 120.5 Pa < 300 Pa');
  });

  it('says the fan stopped, and a reading it cannot trust by its quality', () => {
    const w = running();
    w.contact('fan1.run', false);
    w.advance(100);
    expect(told(w).firstOut).toMatchObject({ text: '除尘风机运行: 停止', textEn: '除尘风机运行: stopped', value: false });

    const v = running();
    v.reading('dc1.dp', 650, 'comm');
    expect(told(v).firstOut).toMatchObject({ text: '除尘器进出口压差: 通讯中断', textEn: '除尘器进出口压差: comm lost' });
  });
});
