/**
 * Time comes in from outside: every driver, rule and alarm takes a Clock, so tests run on
 * fake time and nothing reads Date.now() itself (docs/ARCHITECTURE.md). It is defined here, under the
 * drivers, because they are the bottom layer and import nothing from the agent; the agent takes
 * it from agent/core/clock.ts, beside its fake twin.
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
