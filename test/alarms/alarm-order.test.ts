/** The order of the alarm list: present before returned-to-normal, then priority, then time. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import type { Priority } from '../../agent/core/types.js';
import { recordedAlarms } from '../helpers/alarms.js';

function list() {
  const clock = new FakeClock();
  const { alarms } = recordedAlarms(clock);
  const raise = (id: string, priority: Priority) => {
    alarms.define({ id, source: id, name: id, priority });
    alarms.set(id, true, { t: clock.now(), message: id });
    clock.advance(2_000); // apart, so no flood marks a first-out
  };
  const clear = (id: string) => alarms.set(id, false, { t: clock.now(), message: `${id} normal` });
  return { alarms, clock, raise, clear, order: () => alarms.views().map((a) => a.id) };
}

describe('the alarm list order', () => {
  it('puts an acknowledged critical alarm still present above medium ones that have cleared', () => {
    const l = list();
    l.raise('dust.high', 'medium');
    l.raise('vent.burst', 'critical');
    l.raise('temp.high', 'medium');
    l.clear('dust.high');
    l.clear('temp.high');
    expect(l.alarms.acknowledge('vent.burst', 'li.na')).toEqual({ ok: true });
    expect(l.alarms.views().map((a) => [a.id, a.state])).toEqual([
      ['vent.burst', 'ack'],
      ['temp.high', 'rtn_unack'],
      ['dust.high', 'rtn_unack'],
    ]);
  });

  it('puts a present medium alarm above a critical one that has returned to normal, and orders by priority then newest within each', () => {
    const l = list();
    l.raise('vent.burst', 'critical');
    l.raise('dust.high', 'medium');
    l.raise('fan.fault', 'high');
    l.raise('temp.high', 'medium');
    l.clear('vent.burst');
    expect(l.order()).toEqual(['fan.fault', 'temp.high', 'dust.high', 'vent.burst']);
  });
});
