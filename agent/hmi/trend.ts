/** Trend queries of the page: last hour or last day of one point, thinned for a chart. */
import { HttpError } from './http.js';

export const RANGES = { '1h': 3600_000, '24h': 24 * 3600_000 } as const;
export type TrendRange = keyof typeof RANGES;

export function parseRange(value: string | null): TrendRange {
  if (value === '1h' || value === '24h') return value;
  throw new HttpError(400, 'invalid', 'range: must be 1h or 24h');
}

// 720 buckets: 5 s per bucket over an hour, 2 min over a day; about one per pixel of a panel-wide chart.
export const TREND_BUCKETS = 720;

/**
 * Keeps the lowest and the highest sample of each time bucket (in time order), so a short
 * excursion past a limit still shows on the chart; a bucket holding only gaps keeps one gap.
 */
export function thin(samples: readonly { t: number; v: number | null }[], from: number, to: number, buckets = TREND_BUCKETS): { t: number[]; v: (number | null)[] } {
  const out = { t: [] as number[], v: [] as (number | null)[] };
  if (samples.length <= buckets * 2) {
    for (const s of samples) {
      out.t.push(s.t);
      out.v.push(s.v);
    }
    return out;
  }
  const width = Math.max(1, (to - from) / buckets);
  let i = 0;
  while (i < samples.length) {
    const first = samples[i];
    if (!first) break;
    const bucket = Math.floor((first.t - from) / width);
    let lo: { t: number; v: number } | undefined;
    let hi: { t: number; v: number } | undefined;
    let gap: number | undefined;
    for (; i < samples.length; i++) {
      const s = samples[i];
      if (!s || Math.floor((s.t - from) / width) !== bucket) break;
      if (s.v === null) {
        gap ??= s.t;
        continue;
      }
      if (!lo || s.v < lo.v) lo = { t: s.t, v: s.v };
      if (!hi || s.v > hi.v) hi = { t: s.t, v: s.v };
    }
    if (lo && hi) {
      const [a, b] = lo.t <= hi.t ? [lo, hi] : [hi, lo];
      out.t.push(a.t);
      out.v.push(a.v);
      if (b !== a) {
        out.t.push(b.t);
        out.v.push(b.v);
      }
    } else if (gap !== undefined) {
      out.t.push(gap);
      out.v.push(null);
    }
  }
  return out;
}
