/**
 * Each time an alarm becomes active the list names the occurrence by the event that reported it
 * (the disposition records' `alarm`): once per activation, not for an acknowledgement, a return
 * to normal or an alarm out of service.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmActivation } from '../../agent/alarms/alarm-list.js';
import { FakeClock } from '../../agent/core/clock.js';
import { recordedAlarms } from '../helpers/alarms.js';

const dpHigh = { id: 'dc1.dp.highHigh', source: 'dc1.dp', name: '除尘器进出口压差超上上限', nameEn: 'differential pressure high-high', priority: 'high' as const };

describe('alarm activations', () => {
  it('names each occurrence of the differential-pressure alarm by its activation event', () => {
    const clock = new FakeClock();
    const { alarms, events } = recordedAlarms(clock);
    alarms.define(dpHigh);
    const seen: AlarmActivation[] = [];
    alarms.onActivation((a) => seen.push(a));

    alarms.set(dpHigh.id, true, { t: clock.now(), value: 2600, message: '压差 2600 Pa' });
    alarms.acknowledge(dpHigh.id, '张师傅');
    clock.advance(60_000);
    alarms.set(dpHigh.id, false, { t: clock.now(), value: 2400, message: '压差恢复' });
    clock.advance(60_000);
    alarms.set(dpHigh.id, true, { t: clock.now(), value: 2700, message: '压差 2700 Pa' });

    const activations = events.filter((e) => e.type === 'alarm' && e.state === 'unack');
    expect(seen.map((a) => a.event)).toEqual(activations.map((e) => e.id));
    expect(seen[1]).toMatchObject({ alarm: dpHigh.id, source: 'dc1.dp', priority: 'high', t: clock.now(), message: '压差 2700 Pa', shelved: false });
  });

  it('reports no activation while the alarm is out of service, and says when it fired shelved', () => {
    const clock = new FakeClock();
    const { alarms } = recordedAlarms(clock);
    alarms.define(dpHigh);
    const seen: AlarmActivation[] = [];
    const stop = alarms.onActivation((a) => seen.push(a));

    alarms.setOutOfService(dpHigh.id, '王主管', true, '更换变送器');
    alarms.set(dpHigh.id, true, { t: clock.now(), message: '压差高' });
    alarms.set(dpHigh.id, false, { t: clock.now(), message: '压差恢复' });
    alarms.setOutOfService(dpHigh.id, '王主管', false, '更换完毕');
    expect(seen).toEqual([]);

    alarms.shelve(dpHigh.id, '王主管', '滤袋更换中', clock.now() + 3_600_000);
    alarms.set(dpHigh.id, true, { t: clock.now(), message: '压差高' });
    expect(seen.map((a) => a.shelved)).toEqual([true]);

    stop();
    alarms.set(dpHigh.id, false, { t: clock.now(), message: '压差恢复' });
    alarms.set(dpHigh.id, true, { t: clock.now(), message: '压差高' });
    expect(seen).toHaveLength(1);
  });
});
