/**
 * Refuses a replayed action: each action carries an Idempotency-Key chosen by the page, and a key
 * seen before is refused with 409. Keys are kept as long as a session can live (12 h): after that
 * a replay fails anyway, for want of a live session and its CSRF token.
 */
import type { Clock } from '../core/clock.js';

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,128}$/;

export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly keepMs = 12 * 3600_000,
    private readonly max = 50_000,
  ) {}

  /** True if the key is new (and is now taken); false if it was used before. */
  claim(key: string): boolean {
    this.expire();
    if (this.seen.has(key)) return false;
    while (this.seen.size >= this.max) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    this.seen.set(key, this.clock.now());
    return true;
  }

  private expire(): void {
    const cutoff = this.clock.now() - this.keepMs;
    // Insertion order is time order, so stop at the first key still inside the window.
    for (const [key, t] of this.seen) {
      if (t > cutoff) break;
      this.seen.delete(key);
    }
  }
}
