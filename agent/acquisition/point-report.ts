/**
 * What one point reports: its engineering value when it moved by more than its deadband, when
 * its quality changed, and at least every heartbeatS even if nothing changed, so the platform
 * can tell a steady value from a dead gateway (docs/DOMAIN.md, "What the platform expects": at least every 5 min).
 * The heartbeat is a promise, not a comparison of two sample times: a value is sent again when
 * waiting for the next poll would break it (with `heartbeatS: 1` at 1 s polls, every poll; a
 * comparison of jittered times let 2,248 ms go by, issue 21). `heartbeatS: 0` is every poll.
 */
import type { PointConfig } from '../config/schema.js';
import type { Quality, Sample, Value } from '../core/types.js';
import { engineeringValue } from './decode.js';
import { fromLoopCurrent } from './namur.js';

export class PointReporter {
  private last: { v: Value; q: Quality; t: number } | undefined;
  private lastValue: number | boolean | null = null;

  /** `pollMs`: the point's poll period, the tolerance of the heartbeat (0: compare times only) */
  constructor(
    readonly point: PointConfig,
    private readonly pollMs = 0,
  ) {}

  /** A value read from the device: raw register value (scaled here) or a bit. */
  reading(raw: number | boolean, t: number): Sample | null {
    if (typeof raw === 'boolean') return this.offer(raw, 'good', t);
    const v = engineeringValue(raw, this.point);
    // A float32 register holding NaN or infinity is a sensor fault, not a reading.
    if (!Number.isFinite(v)) return this.offer(this.lastValue, 'bad', t);
    // A 4–20 mA point: v is the loop current; outside the NE43 band it is a sensor fault (namur.ts).
    if (this.point.signal) {
      const loop = fromLoopCurrent(v, this.point.signal);
      return loop.ok ? this.offer(loop.v, 'good', t) : this.offer(this.lastValue, 'bad', t);
    }
    return this.offer(v, 'good', t);
  }

  /**
   * The point could not be read: `comm` (no reply) or `bad` (the device refused). The last good
   * value travels along so a trend does not drop to zero, but the quality says not to trust it.
   */
  failed(q: 'comm' | 'bad', t: number): Sample | null {
    return this.offer(this.lastValue, q, t);
  }

  get quality(): Quality | undefined {
    return this.last?.q;
  }

  private offer(v: Value, q: Quality, t: number): Sample | null {
    if (q === 'good' && v !== null) this.lastValue = v;
    const last = this.last;
    const due = !last || last.q !== q || this.heartbeatDue(t - last.t) || this.moved(last.v, v);
    if (!due) return null;
    this.last = { v, q, t };
    return { p: this.point.id, t, v, q };
  }

  /** The next poll, one period on, would come later than the heartbeat promises. */
  private heartbeatDue(sinceMs: number): boolean {
    const heartbeatMs = this.point.heartbeatS * 1000;
    return sinceMs >= heartbeatMs || sinceMs + this.pollMs > heartbeatMs;
  }

  private moved(before: Value, now: Value): boolean {
    if (typeof before === 'number' && typeof now === 'number') return Math.abs(now - before) > this.point.deadband;
    return before !== now;
  }
}
