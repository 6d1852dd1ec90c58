/** The fake clock the tests run on: timers in time order, and promises settled between them when asked. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';

describe('FakeClock', () => {
  it('fires timers in time order, each at its own time, and intervals again and again', () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 21, 8, 0, 0));
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.monotonic()}`), 300);
    clock.setTimeout(() => fired.push(`a@${clock.monotonic()}`), 100);
    const every = clock.setInterval(() => fired.push(`i@${clock.monotonic()}`), 250);
    clock.setTimeout(() => fired.push('cancelled'), 200).cancel();
    clock.advance(500);
    every.cancel();
    clock.advance(500);
    expect(fired).toEqual(['a@100', 'i@250', 'b@300', 'i@500']);
    expect(clock.now()).toBe(Date.UTC(2026, 5, 21, 8, 0, 1));
  });

  it('never fires a timer before its time: a 41.6 ms delay fires at 42 ms', () => {
    const clock = new FakeClock();
    let fired = false;
    clock.setTimeout(() => (fired = true), 41.6);
    clock.advance(41);
    expect(fired).toBe(false);
    clock.advance(1);
    expect(fired).toBe(true);
  });

  it('with advanceAsync, lets the async work one timer starts finish before the next timer fires', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    // a poller: each round awaits its (already answered) read, then arms the next round
    const round = (n: number) => {
      void Promise.resolve(n).then((v) => {
        seen.push(`read ${v} at ${clock.monotonic()}`);
        if (v < 3) clock.setTimeout(() => round(v + 1), 100);
      });
    };
    clock.setTimeout(() => round(1), 100);
    await clock.advanceAsync(1000);
    expect(seen).toEqual(['read 1 at 100', 'read 2 at 200', 'read 3 at 300']);
  });
});
