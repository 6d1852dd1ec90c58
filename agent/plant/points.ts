/**
 * The latest value of every point and contact, with what the site file says about it.
 * Interlocks, alarms, the operator page and the uplink's snapshot all read this one table.
 */
import type { SiteConfig } from '../config/schema.js';
import type { Quality, Sample, Value } from '../core/types.js';

export interface PointInfo {
  id: string;
  name?: string;
  kind: string;
  unit?: string;
  /** analog (Modbus), contact (GPIO input) or output (GPIO output) */
  role: 'analog' | 'contact' | 'output';
  limits?: { lowLow?: number; low?: number; high?: number; highHigh?: number };
}

export interface PointValue {
  v: Value;
  q: Quality;
  t: number;
}

export class PointTable {
  readonly info = new Map<string, PointInfo>();
  private readonly values = new Map<string, PointValue>();

  constructor(config: SiteConfig) {
    for (const d of config.devices) {
      for (const p of d.points) this.info.set(p.id, { id: p.id, name: p.name, kind: p.kind, unit: p.unit, role: 'analog', limits: p.limits });
    }
    for (const i of config.gpio?.inputs ?? []) this.info.set(i.id, { id: i.id, name: i.name, kind: i.kind, role: 'contact' });
    for (const o of config.gpio?.outputs ?? []) this.info.set(o.id, { id: o.id, name: o.name, kind: 'output', role: 'output' });
  }

  update(s: Sample): void {
    this.values.set(s.p, { v: s.v, q: s.q, t: s.t });
  }

  get(id: string): PointValue | undefined {
    return this.values.get(id);
  }

  name(id: string): string {
    return this.info.get(id)?.name ?? id;
  }

  /** Every point's current value, as samples (the `snapshot` command, the page's first paint). */
  samples(): Sample[] {
    return [...this.values].map(([p, { v, q, t }]) => ({ p, v, q, t }));
  }
}
