/**
 * The agent's time: the Clock every rule and alarm takes and the system clock live with the
 * drivers (drivers/clock.ts, the bottom layer); the fake twin the tests move by hand is here.
 */
import { createRequire } from 'node:module';
import type { Clock as FakeTimersClock, withGlobal as WithGlobal } from '@sinonjs/fake-timers';
import type { Clock, Timer } from '../../drivers/clock.js';

export { SystemClock, type Clock, type Timer } from '../../drivers/clock.js';

/** A clock that moves only when a test says so, on @sinonjs/fake-timers (never installed globally). */
export class FakeClock implements Clock {
  private readonly timers: FakeTimersClock;
  private readonly start: number;
  /** the sum of wall-clock steps: monotonic time does not take them */
  private stepped = 0;

  constructor(startMs = Date.UTC(2026, 5, 21, 0, 0, 0)) {
    // Loaded here, not imported: @sinonjs/fake-timers is a dev dependency and the gateway's
    // install (npm ci --omit=dev) loads this file for SystemClock. withGlobal only reads the
    // real timers, to yield to the event loop in the async methods; nothing global is replaced.
    const { withGlobal } = createRequire(import.meta.url)('@sinonjs/fake-timers') as { withGlobal: typeof WithGlobal };
    this.timers = withGlobal(globalThis).createClock(startMs);
    this.start = startMs;
  }

  now(): number {
    return this.timers.now;
  }
  monotonic(): number {
    return this.timers.now - this.start - this.stepped;
  }
  /**
   * The library keeps whole milliseconds and truncates a delay; rounding up keeps a timer from
   * firing before its time, as Node's never does (a simulator's 41.6 ms wire time fires at 42).
   */
  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.timers.setTimeout(fn, Math.max(0, Math.ceil(ms)));
    return { cancel: () => this.timers.clearTimeout(id) };
  }
  setInterval(fn: () => void, ms: number): Timer {
    const id = this.timers.setInterval(fn, Math.max(1, Math.ceil(ms)));
    return { cancel: () => this.timers.clearInterval(id) };
  }

  /**
   * Step the wall clock by `ms` (either way), as NTP or a person setting the date does: now()
   * jumps, monotonic() does not, and armed timers fire after the same delays as before.
   */
  stepWallClock(ms: number): void {
    this.stepped += ms;
    this.timers.setSystemTime(this.timers.now + ms);
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    this.timers.tick(ms);
  }

  /**
   * Move time forward by `ms` like advance(), but let promises settle (and the event loop turn
   * once) after each timer, so async work a timer starts runs before the next one fires.
   */
  async advanceAsync(ms: number): Promise<void> {
    await this.timers.tickAsync(ms);
  }

  /** Fire every timer already armed, in order, with promises settling between them. */
  async runToLastAsync(): Promise<void> {
    await this.timers.runToLastAsync();
  }
}
