/**
 * Slows password guessing at the panel: after 5 failures within 15 min for one name or one
 * client address, further logins wait 30 s, doubling with each failure up to 15 min.
 */
import type { Clock } from '../core/clock.js';

interface FailureRecord {
  failures: number;
  first: number;
  lockedUntil: number;
}

export interface ThrottleSettings {
  freeFailures: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = { freeFailures: 5, windowMs: 15 * 60_000, baseLockMs: 30_000, maxLockMs: 15 * 60_000 };

export class LoginThrottle {
  private readonly records = new Map<string, FailureRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: ThrottleSettings = DEFAULT_THROTTLE,
  ) {}

  /** ms to wait before another attempt under any of these keys; 0 if allowed now. */
  retryAfter(keys: readonly string[]): number {
    const now = this.clock.now();
    let wait = 0;
    for (const key of keys) {
      const r = this.records.get(key);
      if (r && r.lockedUntil > now) wait = Math.max(wait, r.lockedUntil - now);
    }
    return wait;
  }

  failed(keys: readonly string[]): void {
    const now = this.clock.now();
    const s = this.settings;
    for (const key of keys) {
      let r = this.records.get(key);
      if (!r || now - r.first > s.windowMs) {
        r = { failures: 0, first: now, lockedUntil: 0 };
        this.records.set(key, r);
      }
      r.failures += 1;
      const over = r.failures - s.freeFailures;
      if (over >= 0) r.lockedUntil = now + Math.min(s.maxLockMs, s.baseLockMs * 2 ** over);
    }
    this.prune(now);
  }

  succeeded(keys: readonly string[]): void {
    for (const key of keys) this.records.delete(key);
  }

  // Bounded memory against a flood of invented names.
  private prune(now: number): void {
    if (this.records.size < 10_000) return;
    for (const [key, r] of this.records) {
      if (now - r.first > this.settings.windowMs && r.lockedUntil <= now) this.records.delete(key);
    }
  }
}
