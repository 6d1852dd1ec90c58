import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { eventLoopDelay, LOOP_ALARM_ID, LoopDelayWatch, type LoopDelaySource } from '../../agent/plant/loop-watch.js';
import { recordedAlarms } from '../helpers/alarms.js';

/** A loop whose delay the test sets, window by window. */
function scriptedLoop(): LoopDelaySource & { delayMs: number } {
  return { delayMs: 0, start() {}, takeMaxMs() { return this.delayMs; }, stop() {} };
}

describe('the event-loop watch', () => {
  it('raises a system alarm when the loop stalls past its threshold, and clears it after 10 s back under the limit', () => {
    const clock = new FakeClock();
    const { alarms, events } = recordedAlarms(clock);
    const loop = scriptedLoop();
    const watch = new LoopDelayWatch(alarms, clock, 100, loop);
    watch.start(1000);
    loop.delayMs = 40;
    clock.advance(5_000);
    expect(events).toEqual([]);

    loop.delayMs = 180; // a loaded start-up
    clock.advance(1_000);
    expect(events).toEqual([expect.objectContaining({ source: LOOP_ALARM_ID, state: 'unack', value: 180, limit: 100 })]);

    loop.delayMs = 70; // under the limit: the off-delay starts
    clock.advance(5_000);
    loop.delayMs = 130; // one more stall starts it again
    clock.advance(1_000);
    loop.delayMs = 3;
    clock.advance(10_000);
    expect(events).toHaveLength(1);
    clock.advance(1_000);
    expect(events.at(-1)).toMatchObject({ source: LOOP_ALARM_ID, state: 'rtn_unack' });
    expect(events.at(-1)!.message).toContain('网关事件循环延迟恢复正常: 已连续 10 s 低于 100 ms');
    expect(alarms.views().find((a) => a.id === LOOP_ALARM_ID)).toMatchObject({ active: false, state: 'rtn_unack' });
    watch.stop();
  });

  it('reads an idle loop as no delay, not as its own sampling interval', async () => {
    // Real time by nature: this measures the process. Three windows of 200 ms at 50 ms resolution.
    const loop = eventLoopDelay(50);
    loop.start();
    const windows: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 200));
      windows.push(loop.takeMaxMs());
    }
    loop.stop();
    // Node records each 50 ms sampling interval whole: a loop that kept up read ≥ 50 ms before.
    expect(Math.min(...windows)).toBeLessThan(25);
  });
});
