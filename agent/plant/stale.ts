/**
 * A value that stops arriving is not a good value (docs/DOMAIN.md, "A reading that cannot be
 * trusted is a fault": its quality goes bad and every permit it feeds drops). Acquisition marks `comm` when a device stops
 * answering; this catches everything else that stalls, e.g. a poller that never runs.
 */
import type { DeviceConfig } from '../config/schema.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Sample } from '../core/types.js';
import type { PointTable } from './points.js';

export class StaleWatch {
  private readonly maxAge = new Map<string, number>();
  private timer?: Timer;

  constructor(
    devices: DeviceConfig[],
    private readonly points: PointTable,
    private readonly clock: Clock,
    private readonly ingest: (s: Sample) => void,
  ) {
    for (const d of devices) {
      for (const p of d.points) {
        // An unchanged value is re-sent every heartbeatS; three missed polls on top of that
        // is when acquisition itself would have said `comm`.
        this.maxAge.set(p.id, p.heartbeatS * 1000 + 3 * d.pollMs);
      }
    }
  }

  start(checkEveryMs = 1000): void {
    this.timer = this.clock.setInterval(() => this.check(), checkEveryMs);
  }

  stop(): void {
    this.timer?.cancel();
  }

  check(): void {
    const now = this.clock.now();
    for (const [id, maxAge] of this.maxAge) {
      const cur = this.points.get(id);
      if (cur && cur.q === 'good' && now - cur.t > maxAge) this.ingest({ p: id, t: now, v: cur.v, q: 'stale' });
    }
  }
}
