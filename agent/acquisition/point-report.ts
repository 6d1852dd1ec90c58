/**
 * What one point reports: its engineering value when it moved by more than its deadband, when
 * its quality changed, and at least every heartbeatS even if nothing changed, so the platform
 * can tell a steady value from a dead gateway (docs/DOMAIN.md, "What the platform expects": at least every 5 min).
 */
import type { PointConfig } from '../config/schema.js';
import type { Quality, Sample, Value } from '../core/types.js';
import { engineeringValue } from './decode.js';
import { fromLoopCurrent } from './namur.js';

export class PointReporter {
  private last: { v: Value; q: Quality; t: number } | undefined;
  private lastValue: number | boolean | null = null;

  constructor(readonly point: PointConfig) {}

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
    const due = !last || last.q !== q || t - last.t >= this.point.heartbeatS * 1000 || this.moved(last.v, v);
    if (!due) return null;
    this.last = { v, q, t };
    return { p: this.point.id, t, v, q };
  }

  private moved(before: Value, now: Value): boolean {
    if (typeof before === 'number' && typeof now === 'number') return Math.abs(now - before) > this.point.deadband;
    return before !== now;
  }
}
