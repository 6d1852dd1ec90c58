/**
 * Slows password guessing at the panel without letting one address lock out another (issue #14):
 * failures are counted per (name, address) and per address, never per name alone, so five wrong
 * passwords for `operator` from a LAN laptop do not stop the right one from the panel. After 5
 * failures for one name from one address, or 10 for any names from one address (a sprayer),
 * that key waits 30 s, doubling with each further failure up to 15 min, on the injected clock.
 */
import type { Clock } from '../core/clock.js';

interface FailureRecord {
  failures: number;
  first: number;
  lockedUntil: number;
}

export interface ThrottleSettings {
  /** failures for one name from one address before it waits */
  freeFailures: number;
  /** failures for any names from one address before the whole address waits */
  freeFailuresPerAddress: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  freeFailures: 5,
  // twice the per-name allowance: a few people mistyping at one panel do not lock each other out
  freeFailuresPerAddress: 10,
  windowMs: 15 * 60_000,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
};

/** Who is trying: the name typed and the address it came from. */
export interface LoginAttempt {
  name: string;
  address: string;
}

/** A key that has just started to wait; the page's server reports each as an event. */
export interface Lockout {
  scope: 'name' | 'address';
  /** the name whose failure locked it (for an address lockout, the last one tried) */
  name: string;
  address: string;
  failures: number;
  lockedForMs: number;
}

export class LoginThrottle {
  private readonly records = new Map<string, FailureRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: ThrottleSettings = DEFAULT_THROTTLE,
  ) {}

  /** ms to wait before this attempt may be checked; 0 if allowed now. */
  retryAfter(attempt: LoginAttempt): number {
    const now = this.clock.now();
    let wait = 0;
    for (const [key] of this.keys(attempt)) {
      const r = this.records.get(key);
      if (r && r.lockedUntil > now) wait = Math.max(wait, r.lockedUntil - now);
    }
    return wait;
  }

  /** Counts a wrong password; returns the keys it locked (none while under the allowance). */
  failed(attempt: LoginAttempt): Lockout[] {
    const now = this.clock.now();
    const s = this.settings;
    const lockouts: Lockout[] = [];
    for (const [key, scope, free] of this.keys(attempt)) {
      let r = this.records.get(key);
      if (!r || now - r.first > s.windowMs) {
        r = { failures: 0, first: now, lockedUntil: 0 };
        this.records.set(key, r);
      }
      r.failures += 1;
      const over = r.failures - free;
      if (over >= 0) {
        const lockedForMs = Math.min(s.maxLockMs, s.baseLockMs * 2 ** over);
        r.lockedUntil = now + lockedForMs;
        lockouts.push({ scope, name: attempt.name, address: attempt.address, failures: r.failures, lockedForMs });
      }
    }
    this.prune(now);
    return lockouts;
  }

  /** The right password clears that name's count from that address, not the address's own. */
  succeeded(attempt: LoginAttempt): void {
    this.records.delete(this.keys(attempt)[0][0]);
  }

  private keys(a: LoginAttempt): [[string, 'name', number], [string, 'address', number]] {
    return [
      [`name:${a.address} ${a.name}`, 'name', this.settings.freeFailures],
      [`addr:${a.address}`, 'address', this.settings.freeFailuresPerAddress],
    ];
  }

  // Bounded memory against a flood of invented names.
  private prune(now: number): void {
    if (this.records.size < 10_000) return;
    for (const [key, r] of this.records) {
      if (now - r.first > this.settings.windowMs && r.lockedUntil <= now) this.records.delete(key);
    }
  }
}
