import { createRequire } from 'node:module';
import type { Clock as FakeTimersClock, withGlobal as WithGlobal } from '@sinonjs/fake-timers';

/**
 * Time comes in from outside: every rule, alarm and driver takes a Clock, so tests run on
 * fake time and no rule ever reads Date.now() itself (STYLE.md).
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** ms since the Unix epoch */
  now(): number;
  /** a monotonic reading in ms, for measuring durations */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  setInterval(fn: () => void, ms: number): Timer;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  monotonic(): number {
    return performance.now();
  }
  /**
   * `ms <= 0` runs `fn` on the next turn of the event loop, after pending I/O: Node's own
   * setTimeout(fn, 0) waits a whole millisecond, a wake-up of its own on an otherwise idle
   * process (a poller whose next read is already due, a limit whose delay has passed).
   */
  setTimeout(fn: () => void, ms: number): Timer {
    if (ms <= 0) {
      const i = setImmediate(fn);
      return { cancel: () => clearImmediate(i) };
    }
    const h = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(h) };
  }
  setInterval(fn: () => void, ms: number): Timer {
    const h = setInterval(fn, ms);
    return { cancel: () => clearInterval(h) };
  }
}

/** A clock that moves only when a test says so, on @sinonjs/fake-timers (never installed globally). */
export class FakeClock implements Clock {
  private readonly timers: FakeTimersClock;
  private readonly start: number;

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
    return this.timers.now - this.start;
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
