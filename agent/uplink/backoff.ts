/**
 * Reconnect delays: exponential with random jitter, so a district's gateways coming back after
 * a broker outage do not all reconnect in the same second.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** 0..1, injectable for tests */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 1000;
    this.maxMs = o.maxMs ?? 60_000;
    this.random = o.random ?? Math.random;
  }

  /** the next delay: between half and all of min(max, initial * 2^attempt) */
  next(): number {
    const cap = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(cap / 2 + (cap / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}
