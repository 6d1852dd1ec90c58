/**
 * Alarm handling feedback (处置反馈) on the workshop's settings (high and critical alarms, 30 min):
 * each time the differential pressure goes high-high an occurrence asks for a cause and an action;
 * none in 30 min is one overdue event and it stays listed until recorded. Real SQLite files, a
 * fake clock, and every event checked against both uplink schemas.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmList } from '../../agent/alarms/alarm-list.js';
import { FakeClock } from '../../agent/core/clock.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { closeDb, openDb } from '../../agent/buffer/sqlite.js';
import { DispositionStore } from '../../agent/records/disposition-store.js';
import { DispositionRecords } from '../../agent/records/disposition-records.js';
import { DISPOSITION_ACTIONS, DISPOSITION_CAUSES } from '../../agent/records/disposition-presets.js';
import type { EventsMessage } from '../../agent/uplink/messages.js';
import { recordedAlarms } from '../helpers/alarms.js';
import { schemaProblems } from '../uplink/schemas.js';

const MIN = 60_000;
const operator = { user: '张师傅', role: 'operator' } as const;
const supervisor = { user: '王主管', role: 'supervisor' } as const;
const dpHighHigh = { id: 'dc1.dp.highHigh', source: 'dc1.dp', name: '除尘器进出口压差超上上限', nameEn: '除尘器进出口压差 high-high', priority: 'high' as const };
const dpHigh = { id: 'dc1.dp.high', source: 'dc1.dp', name: '除尘器进出口压差超上限', priority: 'medium' as const };
const ventBurst = { id: 'vent1.alarm', source: 'vent1', name: '1号泄爆片动作', priority: 'critical' as const };
const workshopDisposition = { priorities: ['high', 'critical'] as ('high' | 'critical')[], withinMin: 30 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A gateway's alarm list and disposition records on one buffer file; `restart` opens the same file again. */
async function gateway(file = join(mkdtempSync(join(tmpdir(), 'fb-disposition-')), 'buffer.db'), clock = new FakeClock(Date.UTC(2026, 11, 2, 1, 0, 0)), emit?: (e: PlantEvent) => Promise<void>) {
  const db = await openDb(file);
  const store = await DispositionStore.open(db);
  const sent: PlantEvent[] = [];
  const { alarms, events } = recordedAlarms(clock);
  for (const a of [dpHighHigh, dpHigh, ventBurst]) alarms.define(a);
  const records = await DispositionRecords.open({ config: workshopDisposition, store, clock, log: createLogger('silent'), emit: emit ?? (async (e) => void sent.push(e)) });
  records.watch(alarms);
  let open = true;
  const shut = async () => {
    if (!open) return;
    open = false;
    await records.close();
    await store.close();
    await closeDb(db);
  };
  cleanups.push(shut);
  return { file, clock, alarms, alarmEvents: events, records, sent, shut, restart: async (e?: (e: PlantEvent) => Promise<void>) => (await shut(), gateway(file, clock, e)) };
}

function fire(alarms: AlarmList, clock: FakeClock, id: string, value: number): void {
  alarms.set(id, true, { t: clock.now(), value, message: `压差 ${value} Pa` });
}
function clear(alarms: AlarmList, clock: FakeClock, id: string): void {
  alarms.set(id, false, { t: clock.now(), message: '压差恢复正常' });
}

/** what the platform would receive: the events in one events message, checked against both schemas */
function platformProblems(events: PlantEvent[]): string[] {
  const m: EventsMessage = { kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events };
  return schemaProblems(m);
}

describe('alarm handling feedback (处置反馈)', () => {
  it('asks for feedback when the differential pressure goes high-high, is overdue once after 30 min and stays pending until recorded', async () => {
    const g = await gateway();
    fire(g.alarms, g.clock, dpHighHigh.id, 2600);
    await g.records.settled();
    const activation = g.alarmEvents.find((e) => e.type === 'alarm' && e.state === 'unack')!;
    expect(g.records.pending()).toMatchObject([{ id: activation.id, alarm: dpHighHigh.id, priority: 'high', state: 'pending', due: g.clock.now() + 30 * MIN }]);

    await g.clock.advanceAsync(30 * MIN);
    await g.records.settled();
    expect(g.sent).toEqual([]);
    await g.clock.advanceAsync(1);
    await g.records.settled();
    expect(g.sent).toMatchObject([{ id: `${activation.id}#overdue`, type: 'disposition', state: 'overdue', alarm: activation.id, source: dpHighHigh.id, by: 'gateway', due: activation.t + 30 * MIN }]);
    expect(g.records.counts()).toEqual({ pending: 1, overdue: 1 });

    // hours later: still listed, still one overdue event
    await g.clock.advanceAsync(3 * 60 * MIN);
    await g.records.settled();
    expect(g.sent).toHaveLength(1);
    expect(g.records.pending().map((o) => o.state)).toEqual(['overdue']);

    const done = await g.records.record(activation.id, { cause: 'bags-blinding', action: 'bags-replaced', note: '3号滤袋板结', by: operator });
    expect(done).toMatchObject({ ok: true, occurrence: { state: 'recorded', by: '张师傅', cause: 'bags-blinding', action: 'bags-replaced', note: '3号滤袋板结' } });
    expect(g.records.pending()).toEqual([]);
    expect(g.sent[1]).toMatchObject({ id: `${activation.id}#recorded`, state: 'recorded', by: '张师傅', user: '张师傅', cause: '滤袋堵塞', action: '更换滤袋', note: '3号滤袋板结', detail: { alarmT: activation.t, presets: { cause: 'bags-blinding', action: 'bags-replaced' } } });
    expect(platformProblems([...g.alarmEvents, ...g.sent])).toEqual([]);
  });

  it('asks again at every occurrence, for high and critical alarms only, and not for one that fired while shelved', async () => {
    const g = await gateway();
    fire(g.alarms, g.clock, dpHighHigh.id, 2600);
    g.clock.advance(5 * MIN);
    clear(g.alarms, g.clock, dpHighHigh.id);
    g.clock.advance(5 * MIN);
    fire(g.alarms, g.clock, dpHighHigh.id, 2700);
    fire(g.alarms, g.clock, dpHigh.id, 1900);
    g.alarms.set(ventBurst.id, true, { t: g.clock.now(), message: '泄爆片动作' });
    g.alarms.shelve(dpHighHigh.id, supervisor.user, '更换滤袋期间', g.clock.now() + 60 * MIN);
    clear(g.alarms, g.clock, dpHighHigh.id);
    fire(g.alarms, g.clock, dpHighHigh.id, 2800);
    await g.records.settled();
    expect(g.records.pending().map((o) => [o.alarm, o.t])).toEqual([
      [dpHighHigh.id, Date.UTC(2026, 11, 2, 1, 0, 0)],
      [dpHighHigh.id, Date.UTC(2026, 11, 2, 1, 10, 0)],
      [ventBurst.id, Date.UTC(2026, 11, 2, 1, 10, 0)],
    ]);
  });

  it('refuses an unknown occurrence, a second record, an empty cause or action, "other" without a note and anyone not logged in, changing nothing', async () => {
    const g = await gateway();
    fire(g.alarms, g.clock, dpHighHigh.id, 2600);
    await g.records.settled();
    const [occ] = g.records.pending();
    const id = occ!.id;

    expect(await g.records.record('t-999', { cause: 'sensor-fault', action: 'inspected', by: operator })).toMatchObject({ ok: false, refusal: 'unknown-occurrence' });
    expect(await g.records.record(id, { cause: '  ', action: 'inspected', by: operator })).toMatchObject({ ok: false, refusal: 'cause-required' });
    expect(await g.records.record(id, { cause: 'sensor-fault', action: '', by: operator })).toMatchObject({ ok: false, refusal: 'action-required' });
    expect(await g.records.record(id, { cause: 'other', action: 'inspected', by: operator })).toMatchObject({ ok: false, refusal: 'note-required' });
    expect(await g.records.record(id, { cause: 'sensor-fault', action: 'inspected', note: 'x'.repeat(2001), by: operator })).toMatchObject({ ok: false, refusal: 'too-long' });
    expect(await g.records.record(id, { cause: 'sensor-fault', action: 'inspected', by: { user: '', role: 'operator' } })).toMatchObject({ ok: false, refusal: 'not-permitted' });
    expect(await g.records.record(id, { cause: 'sensor-fault', action: 'inspected', by: { user: 'gateway', role: 'supervisor' } })).toMatchObject({ ok: false, refusal: 'not-permitted' });
    expect(g.sent).toEqual([]);
    expect(g.records.pending()).toMatchObject([{ id, state: 'pending' }]);

    // free text where no preset fits is sent as written
    const first = await g.records.record(id, { cause: '压差变送器取压管被粉尘堵塞', action: 'other', note: '疏通取压管后压差恢复 650 Pa', by: operator });
    expect(first).toMatchObject({ ok: true });
    const second = await g.records.record(id, { cause: 'false-alarm', action: 'inspected', by: supervisor });
    expect(second).toMatchObject({ ok: false, refusal: 'already-recorded' });
    expect(second.ok ? '' : second.reason.zh).toContain('张师傅');
    expect(g.sent).toMatchObject([{ state: 'recorded', cause: '压差变送器取压管被粉尘堵塞', action: '其他', by: '张师傅', detail: { presets: { action: 'other' } } }]);
    expect(platformProblems(g.sent)).toEqual([]);
  });

  it('gives one record and one refusal when two pages record the same occurrence at once', async () => {
    const g = await gateway();
    fire(g.alarms, g.clock, dpHighHigh.id, 2600);
    await g.records.settled();
    const id = g.records.pending()[0]!.id;
    const [a, b] = await Promise.all([
      g.records.record(id, { cause: 'bags-blinding', action: 'cleaned', by: operator }),
      g.records.record(id, { cause: 'process', action: 'inspected', by: supervisor }),
    ]);
    expect([a.ok, b.ok]).toEqual([true, false]);
    expect(b).toMatchObject({ refusal: 'already-recorded' });
    expect(g.sent).toHaveLength(1);
  });

  it('keeps pending occurrences across a restart and marks them overdue on time after it', async () => {
    const g = await gateway();
    fire(g.alarms, g.clock, dpHighHigh.id, 2600);
    await g.records.settled();
    const [occ] = g.records.pending();
    await g.clock.advanceAsync(20 * MIN);

    const after = await g.restart();
    expect(after.records.pending()).toEqual([occ]);
    await after.clock.advanceAsync(10 * MIN + 1);
    await after.records.settled();
    expect(after.sent).toMatchObject([{ id: `${occ!.id}#overdue`, state: 'overdue' }]);

    expect(await after.records.record(occ!.id, { cause: 'airlock-jammed', action: 'repaired', by: operator })).toMatchObject({ ok: true });
    const again = await after.restart();
    expect(again.records.pending()).toEqual([]);
    expect(await again.records.history()).toMatchObject([{ id: occ!.id, state: 'recorded', cause: 'airlock-jammed', by: '张师傅', overdueAt: occ!.due + 1 }]);
    expect(await again.records.record(occ!.id, { cause: 'process', action: 'inspected', by: supervisor })).toMatchObject({ ok: false, refusal: 'already-recorded' });
    expect(again.sent).toEqual([]);
  });

  it('sends again, with the same id, a record whose event the buffer never confirmed', async () => {
    const g = await gateway(undefined, undefined, () => Promise.reject(new Error('disk gone')));
    fire(g.alarms, g.clock, dpHighHigh.id, 2600);
    await g.records.settled();
    const id = g.records.pending()[0]!.id;
    expect(await g.records.record(id, { cause: 'spark-upstream', action: 'stopped', by: operator })).toMatchObject({ ok: true });

    const after = await g.restart();
    expect(after.sent).toMatchObject([{ id: `${id}#recorded`, state: 'recorded', cause: '上游工序产生火花', action: '停机处置', by: '张师傅' }]);
    const third = await after.restart();
    expect(third.sent).toEqual([]);
    expect(platformProblems(after.sent)).toEqual([]);
  });

  it('lists its history newest first, by alarm and time', async () => {
    const g = await gateway();
    fire(g.alarms, g.clock, dpHighHigh.id, 2600);
    g.alarms.set(ventBurst.id, true, { t: g.clock.now(), message: '泄爆片动作' });
    g.clock.advance(10 * MIN);
    clear(g.alarms, g.clock, dpHighHigh.id);
    fire(g.alarms, g.clock, dpHighHigh.id, 2700);
    await g.records.settled();
    const start = Date.UTC(2026, 11, 2, 1, 0, 0);
    expect((await g.records.history()).map((o) => [o.alarm, o.t])).toEqual([
      [dpHighHigh.id, start + 10 * MIN],
      [ventBurst.id, start],
      [dpHighHigh.id, start],
    ]);
    expect((await g.records.history({ alarm: dpHighHigh.id, since: start + MIN })).map((o) => o.t)).toEqual([start + 10 * MIN]);
    expect(await g.records.history({ limit: 1 })).toHaveLength(1);
  });

  it('offers presets with Chinese and English words and distinct codes', () => {
    for (const list of [DISPOSITION_CAUSES, DISPOSITION_ACTIONS]) {
      expect(new Set(list.map((p) => p.code)).size).toBe(list.length);
      for (const p of list) expect(p.zh && p.en).toBeTruthy();
      expect(list.at(-1)?.code).toBe('other');
    }
  });
});
