/**
 * Early warning (issue #18): for each `digests.earlyWarning` entry, the point's good values of
 * the last window are averaged per bucket and fitted with Theil–Sen; when the line reaches the
 * limit within horizonH, a low-priority predictive alarm is raised on the plant's alarm list
 * ("预计 3.2 小时后达到高限 1800 Pa"); it clears when the forecast recedes past horizonH by a
 * tenth (hysteresis, so a forecast hovering at the horizon does not chatter).
 */
import type { EarlyWarningConfig } from '../config/schema.js';
import type { AlarmList } from '../alarms/alarm-list.js';
import type { Sample } from '../core/types.js';
import { theilSen, type Fit } from './theil-sen.js';

/** at most this many buckets per window: Theil–Sen is O(n²) pairs (240 → 28,680) */
const MAX_BUCKETS = 240;
/** fewer buckets than this is no trend */
const MIN_BUCKETS = 10;
const LIMIT_WORDS: Record<EarlyWarningConfig['limit'], string> = { lowLow: '低低限', low: '低限', high: '高限', highHigh: '高高限' };
const LIMIT_EN: Record<EarlyWarningConfig['limit'], string> = { lowLow: 'low-low limit', low: 'low limit', high: 'high limit', highHigh: 'high-high limit' };

export interface Forecast {
  point: string;
  limit: EarlyWarningConfig['limit'];
  limitValue: number;
  fit: Fit;
  /** hours until the line reaches the limit; undefined when it heads away */
  hours: number | undefined;
  /** ms since the epoch of the fit's origin: value(t) = intercept + slope·(t − origin)/3.6e6 */
  origin: number;
}

interface Watch {
  cfg: EarlyWarningConfig;
  alarm: string;
  limitValue: number;
  unit: string;
  bucketMs: number;
  windowMs: number;
  /** bucket start → [sum, count] */
  buckets: Map<number, [number, number]>;
  active: boolean;
  last?: Forecast;
}

export interface EarlyWarningOptions {
  entries: readonly EarlyWarningConfig[];
  defaultWindowMin: number;
  points: ReadonlyMap<string, { name: string; unit: string; limits: Partial<Record<EarlyWarningConfig['limit'], number>> }>;
  alarms: AlarmList;
  /** each time a predictive alarm is raised (the digest counts them) */
  onRaise?: (point: string) => void;
}

export class EarlyWarnings {
  private readonly watches = new Map<string, Watch[]>();

  constructor(private readonly o: EarlyWarningOptions) {
    for (const cfg of o.entries) {
      const p = o.points.get(cfg.point);
      const limitValue = p?.limits[cfg.limit];
      if (!p || limitValue === undefined) continue; // refused by the site-file check already
      const windowMs = (cfg.windowMin ?? o.defaultWindowMin) * 60_000;
      const alarm = `${cfg.point}.forecast.${cfg.limit}`;
      o.alarms.define({ id: alarm, source: cfg.point, name: `${p.name}趋势预警`, nameEn: `${cfg.point} trend warning`, priority: 'low' });
      const list = this.watches.get(cfg.point) ?? [];
      list.push({ cfg, alarm, limitValue, unit: p.unit, windowMs, bucketMs: Math.max(60_000, Math.ceil(windowMs / MAX_BUCKETS)), buckets: new Map(), active: false });
      this.watches.set(cfg.point, list);
    }
  }

  sample(s: Sample): void {
    if (s.q !== 'good' || typeof s.v !== 'number') return;
    for (const w of this.watches.get(s.p) ?? []) {
      const b = Math.floor(s.t / w.bucketMs) * w.bucketMs;
      const x = w.buckets.get(b);
      if (x) {
        x[0] += s.v;
        x[1]++;
      } else w.buckets.set(b, [s.v, 1]);
    }
  }

  /** Fit every entry at `now` and raise or clear its alarm (once a minute in the agent). */
  evaluate(now: number): Forecast[] {
    const out: Forecast[] = [];
    for (const list of this.watches.values()) {
      for (const w of list) {
        for (const b of w.buckets.keys()) if (b + w.bucketMs <= now - w.windowMs) w.buckets.delete(b);
        const f = forecast(w, now);
        w.last = f;
        if (f) out.push(f);
        this.judge(w, f, now);
      }
    }
    return out;
  }

  /** The latest forecasts, for the trend chart's forecast line. */
  forecasts(): Forecast[] {
    return [...this.watches.values()].flat().flatMap((w) => (w.last ? [w.last] : []));
  }

  private judge(w: Watch, f: Forecast | undefined, now: number): void {
    const h = f?.hours;
    const raise = h !== undefined && h <= w.cfg.horizonH;
    const clear = h === undefined || h > w.cfg.horizonH * 1.1;
    if (!w.active && raise) {
      w.active = true;
      const hours = h.toFixed(1);
      this.o.alarms.set(w.alarm, true, {
        t: now,
        value: Math.round((f!.fit.intercept + f!.fit.slope * ((now - f!.origin) / 3_600_000)) * 100) / 100,
        limit: w.limitValue,
        limitKind: w.cfg.limit,
        message: `预计 ${hours} 小时后达到${LIMIT_WORDS[w.cfg.limit]} ${w.limitValue} ${w.unit}`.trimEnd(),
        messageEn: `${LIMIT_EN[w.cfg.limit]} ${w.limitValue} ${w.unit} expected in ${hours} h`.replace(/ {2}/, ' '),
      });
      this.o.onRaise?.(w.cfg.point);
    } else if (w.active && clear) {
      w.active = false;
      this.o.alarms.set(w.alarm, false, { t: now, message: `趋势预警解除: ${w.cfg.point}`, messageEn: `trend warning cleared: ${w.cfg.point}` });
    }
  }
}

function forecast(w: Watch, now: number): Forecast | undefined {
  if (w.buckets.size < MIN_BUCKETS) return undefined;
  const origin = now;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [b, [sum, n]] of [...w.buckets].sort((x, y) => x[0] - y[0])) {
    // a bucket's mean sits at its middle, in hours before now
    xs.push((b + w.bucketMs / 2 - origin) / 3_600_000);
    ys.push(sum / n);
  }
  const fit = theilSen(xs, ys);
  if (!fit) return undefined;
  const up = w.cfg.limit === 'high' || w.cfg.limit === 'highHigh';
  const gap = w.limitValue - fit.intercept; // value now is the intercept (x = 0 is now)
  const heading = up ? fit.slope > 0 && gap > 0 : fit.slope < 0 && gap < 0;
  return { point: w.cfg.point, limit: w.cfg.limit, limitValue: w.limitValue, fit, hours: heading ? gap / fit.slope : undefined, origin };
}
