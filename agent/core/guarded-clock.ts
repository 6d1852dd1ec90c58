/**
 * A Clock whose timers cannot take the agent down (issue #14, item 5): with every file handle in
 * use, `process.memoryUsage()` in the health timer threw EMFILE and the uncaught exception ended
 * the process, relays and all. Every callback scheduled through it, periodic or one-off, sync or
 * returning a promise, is caught here: each distinct failure (its message and the line it came
 * from) is logged once, then at most every 10 min with how often it happened since, and counted.
 * A failing timer keeps its schedule; the next tick tries again.
 */
import type { Clock, Timer } from './clock.js';
import type { Logger } from './log.js';

/** a failure that keeps recurring is logged again this often, with its count, not on every tick */
const RELOG_MS = 10 * 60_000;

interface Failure {
  count: number;
  /** count when it was last logged */
  logged: number;
  loggedAt: number;
}

export class GuardedClock implements Clock {
  private readonly failures = new Map<string, Failure>();
  private total = 0;
  private readonly log: Logger;

  constructor(
    private readonly inner: Clock,
    log: Logger,
  ) {
    this.log = log.child({ component: 'timers' });
  }

  now(): number {
    return this.inner.now();
  }
  monotonic(): number {
    return this.inner.monotonic();
  }
  setTimeout(fn: () => void, ms: number): Timer {
    return this.inner.setTimeout(this.guard(fn), ms);
  }
  setInterval(fn: () => void, ms: number): Timer {
    return this.inner.setInterval(this.guard(fn), ms);
  }

  /** how many timer callbacks have thrown or rejected since start (health's `timerFailures`) */
  get failureCount(): number {
    return this.total;
  }

  private guard(fn: () => void): () => void {
    return () => {
      try {
        // a callback typed void may still hand back a promise (an async check): its rejection is caught too
        const result = fn() as unknown;
        if (result instanceof Promise) result.catch((err: unknown) => this.failed(err));
      } catch (err) {
        this.failed(err);
      }
    };
  }

  private failed(err: unknown): void {
    this.total += 1;
    const key = whereFrom(err);
    const now = this.inner.monotonic();
    let f = this.failures.get(key);
    if (!f) {
      // bounded: a failure whose message changes every time (a counter in it) must not grow the map forever
      if (this.failures.size >= 100) this.failures.clear();
      f = { count: 0, logged: 0, loggedAt: -Infinity };
      this.failures.set(key, f);
    }
    f.count += 1;
    if (now - f.loggedAt < RELOG_MS) return;
    this.log.error({ err, failures: f.count, since: f.count - f.logged }, 'timer callback failed');
    f.logged = f.count;
    f.loggedAt = now;
  }
}

/** The error's message and the first frame of its stack: the same fault at the same place is one failure. */
function whereFrom(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const frame = err.stack?.split('\n').find((l) => l.trimStart().startsWith('at ')) ?? '';
  return `${err.message}|${frame.trim()}`;
}
