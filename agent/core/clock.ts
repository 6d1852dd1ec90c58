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

interface Scheduled {
  at: number;
  order: number;
  fn: () => void;
  every?: number;
  cancelled: boolean;
}

/** A clock that moves only when a test says so; timers fire in time order. */
export class FakeClock implements Clock {
  private t: number;
  private readonly start: number;
  private order = 0;
  private queue: Scheduled[] = [];

  constructor(startMs = Date.UTC(2026, 5, 21, 0, 0, 0)) {
    this.t = startMs;
    this.start = startMs;
  }

  now(): number {
    return this.t;
  }
  monotonic(): number {
    return this.t - this.start;
  }
  setTimeout(fn: () => void, ms: number): Timer {
    return this.schedule(fn, ms);
  }
  setInterval(fn: () => void, ms: number): Timer {
    return this.schedule(fn, ms, Math.max(1, ms));
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.t = next.at;
      if (next.every !== undefined) {
        next.at += next.every;
      } else {
        next.cancelled = true;
      }
      next.fn();
      this.queue = this.queue.filter((s) => !s.cancelled);
    }
    this.t = end;
  }

  private nextDue(end: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of this.queue) {
      if (s.cancelled || s.at > end) continue;
      if (!best || s.at < best.at || (s.at === best.at && s.order < best.order)) best = s;
    }
    return best;
  }

  private schedule(fn: () => void, ms: number, every?: number): Timer {
    const s: Scheduled = { at: this.t + Math.max(0, ms), order: this.order++, fn, every, cancelled: false };
    this.queue.push(s);
    return { cancel: () => (s.cancelled = true) };
  }
}
