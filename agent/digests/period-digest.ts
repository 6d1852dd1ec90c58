/**
 * Any period's digest from the stored shift aggregates: a shift's own row, or the merge of the
 * shifts that start in a day, a week or a month. The CLI's report and the summary events read
 * this; nothing here touches raw samples.
 */
import type { RiskThresholdsConfig } from '../config/schema.js';
import { emptyAggregate, mergeAll } from './aggregate.js';
import { digestOf, type Digest } from './digest.js';
import type { DigestStore } from './digest-store.js';
import type { Calendar, Period } from './periods.js';
import type { SiteFacts } from './site-facts.js';

export interface PeriodDigestDeps {
  store: DigestStore;
  calendar: Calendar;
  site: SiteFacts;
  thresholds: RiskThresholdsConfig;
  hasUplink?: boolean;
}

export async function periodDigest(d: PeriodDigestDeps, p: Period, onShift?: (done: number, of: number) => void): Promise<{ digest: Digest; shifts: number }> {
  const stored = p.kind === 'shift' ? [await d.store.get(p.id)].filter((x) => x !== undefined) : await d.store.shifts(p.from, p.to);
  const aggs = stored.map((s, i) => {
    onShift?.(i + 1, stored.length);
    return s.aggregate ?? emptyAggregate(s.period.to - s.period.from);
  });
  // shifts never stored (before the first, or the gateway off the whole shift) still span time
  const merged = mergeAll(aggs);
  merged.spanMs = p.to - p.from;
  return { digest: digestOf(p, merged, d.site, d.thresholds, { hasUplink: d.hasUplink }), shifts: stored.length };
}
