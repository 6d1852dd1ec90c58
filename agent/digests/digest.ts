/**
 * A period's digest: the figures an inspector reads, computed from a (merged) aggregate, with
 * "not configured" (null) for what the site does not have, and the risk level with its reasons.
 */
import type { RiskThresholdsConfig } from '../config/schema.js';
import type { Priority } from '../core/types.js';
import { LIMIT_KINDS, median, type Aggregate, type LimitKind, type ResetRecord, type TripRecord } from './aggregate.js';
import type { Period } from './periods.js';
import { judgeRisk, type RiskLevel, type RiskReason } from './risk-rules.js';
import type { SiteFacts } from './site-facts.js';

export const NOT_CONFIGURED = 'not configured' as const;
type Maybe<T> = T | typeof NOT_CONFIGURED;

export interface PointFigures {
  id: string;
  name: string;
  unit: string;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** minutes beyond each limit the point has */
  beyondMin: Partial<Record<LimitKind, number>>;
  limits: Partial<Record<LimitKind, number>>;
  /** share of expected polls with a good value, 0..100 */
  completenessPct: number;
  samples: number;
  goodSamples: number;
  expectedPolls: number;
}

export interface DigestFigures {
  points: PointFigures[];
  alarms: {
    byPriority: Record<Priority, number>;
    floods: number;
    top: { alarm: string; count: number }[];
    ackMedianMin: number | null;
    ackWorstMin: number | null;
    acked: number;
  };
  dispositions: Maybe<{ recorded: number; overdue: number }>;
  trips: TripRecord[];
  resets: ResetRecord[];
  lockouts: { applied: number; energyWhileLocked: number };
  protectionUnavailableMin: number;
  productionUnavailableMin: number;
  hazards: Maybe<{ found: number; closed: number; openAtEnd: number; overdue: number; majorOverdue: number; openMajorOverdue: number; oldestOpenH: number | null }>;
  cleaning: Maybe<{ done: number; due: number; overdue: number }>;
  tickets: Maybe<{ byKind: Record<string, number>; refused: number; evacuations: number }>;
  uplink: Maybe<{ availabilityPct: number; maxBacklog: number }>;
  earlyWarnings: Maybe<{ raised: number; points: string[] }>;
  runningPct: number;
}

export interface Digest {
  id: string;
  period: Period['kind'];
  name: string;
  from: number;
  to: number;
  risk: RiskLevel;
  reasons: RiskReason[];
  figures: DigestFigures;
}

const min1 = (ms: number): number => Math.round(ms / 6000) / 10;
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

export function digestOf(period: Period, agg: Aggregate, site: SiteFacts, thresholds: RiskThresholdsConfig, opts: { hasUplink?: boolean } = {}): Digest {
  const f = site.features;
  const points: PointFigures[] = [...site.points.values()].map((p) => {
    const a = agg.points[p.id];
    const beyondMin: Partial<Record<LimitKind, number>> = {};
    for (const k of LIMIT_KINDS) if (p.limits[k] !== undefined) beyondMin[k] = min1(a?.beyondMs[k] ?? 0);
    const expected = agg.spanMs / p.pollMs;
    return {
      id: p.id,
      name: p.name,
      unit: p.unit,
      min: a?.min ?? null,
      max: a?.max ?? null,
      mean: a && a.good > 0 ? round(a.sum / a.good, 3) : null,
      beyondMin,
      limits: p.limits,
      // time with a good value against the whole period: a stopped gateway or a silent device counts against it
      completenessPct: agg.spanMs > 0 ? round((100 * (a?.goodMs ?? 0)) / agg.spanMs, 1) : 0,
      samples: a?.count ?? 0,
      goodSamples: a?.good ?? 0,
      expectedPolls: Math.round(expected),
    };
  });
  const now = period.to;
  const open = Object.values(agg.end.open);
  const figures: DigestFigures = {
    points,
    alarms: {
      byPriority: agg.alarms.byPriority,
      floods: agg.alarms.floods,
      top: Object.entries(agg.alarms.bySource)
        .map(([alarm, count]) => ({ alarm, count }))
        .sort((x, y) => y.count - x.count || x.alarm.localeCompare(y.alarm))
        .slice(0, 5),
      ackMedianMin: nullable(median(agg.alarms.ackMs), min1),
      ackWorstMin: nullable(agg.alarms.ackWorstMs, min1),
      acked: agg.alarms.acked,
    },
    dispositions: f.dispositions ? agg.dispositions : NOT_CONFIGURED,
    trips: agg.trips,
    resets: agg.resets,
    lockouts: agg.lockouts,
    protectionUnavailableMin: min1(agg.unavailableMs),
    productionUnavailableMin: min1(agg.productionUnavailableMs),
    hazards: f.hazards
      ? {
          ...agg.hazards,
          openAtEnd: open.length,
          openMajorOverdue: open.filter((h) => h.grade === 'major' && (h.overdue === true || (h.due !== undefined && h.due < now))).length,
          oldestOpenH: open.length > 0 ? round((now - Math.min(...open.map((h) => h.foundAt))) / 3_600_000, 1) : null,
        }
      : NOT_CONFIGURED,
    // due over the whole period (not the sum of the stored shifts': a shift never stored was due too)
    cleaning: f.cleaning ? { done: agg.cleaning.done, due: Math.floor(agg.spanMs * site.cleaning.reduce((n, c) => n + 1 / (c.everyH * 3_600_000), 0) + 1e-9), overdue: agg.cleaning.overdue } : NOT_CONFIGURED,
    tickets: f.tickets ? agg.tickets : NOT_CONFIGURED,
    uplink: opts.hasUplink === false ? NOT_CONFIGURED : agg.uplink ? { availabilityPct: round((100 * agg.uplink.connected) / Math.max(1, agg.uplink.samples), 1), maxBacklog: agg.uplink.maxBacklog } : NOT_CONFIGURED,
    earlyWarnings: f.earlyWarning ? agg.earlyWarnings : NOT_CONFIGURED,
    runningPct: agg.spanMs > 0 ? round((100 * agg.runningMs) / agg.spanMs, 1) : 0,
  };
  const { level, reasons } = judgeRisk(figures, thresholds);
  return { id: period.id, period: period.kind, name: period.name, from: period.from, to: period.to, risk: level, reasons, figures };
}

function nullable<T, U>(x: T | null, f: (x: T) => U): U | null {
  return x === null ? null : f(x);
}
