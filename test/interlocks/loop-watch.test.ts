import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { LOOP_ALARM_ID, LoopDelayWatch } from '../../agent/plant/loop-watch.js';
import { recordedAlarms } from '../helpers/alarms.js';

describe('the event-loop watch', () => {
  it('raises a system alarm when the loop stalls past its threshold, and clears it only well below', () => {
    const clock = new FakeClock();
    const { alarms, events } = recordedAlarms(clock);
    const watch = new LoopDelayWatch(alarms, clock, 100);
    watch.observe(40);
    expect(events).toEqual([]);
    watch.observe(180);
    expect(events).toEqual([expect.objectContaining({ source: LOOP_ALARM_ID, state: 'unack', value: 180, limit: 100 })]);
    watch.observe(70); // below the threshold but not yet well below: still raised
    expect(events).toHaveLength(1);
    watch.observe(20);
    expect(events.at(-1)).toMatchObject({ source: LOOP_ALARM_ID, state: 'rtn_unack' });
  });
});
