/**
 * A period's figures in a form that merges: a day is the merge of its shifts, a week of its
 * days' shifts, a month of its shifts (the buffer keeps raw samples only for keepSentHours, so
 * a month is never recomputed from them). Every field is a count, a sum, a min, a max, a
 * bounded list or a snapshot at the period's end (the later one wins a merge).
 */
import type { Priority } from '../core/types.js';

export const LIMIT_KINDS = ['lowLow', 'low', 'high', 'highHigh'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

export interface PointAggregate {
  /** samples, and those of good quality */
  count: number;
  good: number;
  /** polls the device's pollMs asks for in the observed time */
  expected: number;
  /** ms observed (the agent running), and of those with a good value */
  observedMs: number;
  goodMs: number;
  /** over good samples; null until one */
  min: number | null;
  max: number | null;
  sum: number;
  /** ms the good value was beyond each limit the point has */
  beyondMs: Partial<Record<LimitKind, number>>;
}

export interface TripRecord {
  t: number;
  interlock: string;
  firstOut: string;
}

export interface ResetRecord {
  t: number;
  interlock: string;
  by: string;
}

/** ack durations kept per period: beyond this, only the count and the worst are kept */
export const MAX_ACK_SAMPLES = 2000;

export interface HazardSnapshot {
  /** open records at the period's end: id → found at, grade, due */
  open: Record<string, { foundAt: number; grade?: string; due?: number; overdue?: boolean }>;
}

export interface Aggregate {
  /** ms the period spans, and the ms the gateway was running in it */
  spanMs: number;
  runningMs: number;
  points: Record<string, PointAggregate>;
  alarms: {
    byPriority: Record<Priority, number>;
    /** activations per alarm id, for the most frequent */
    bySource: Record<string, number>;
    /** 10-minute windows with 10 or more activations (ISA-18.2 flood) */
    floods: number;
    acked: number;
    /** ms from activation to acknowledgement, at most MAX_ACK_SAMPLES */
    ackMs: number[];
    ackWorstMs: number | null;
  };
  dispositions: { recorded: number; overdue: number };
  trips: TripRecord[];
  resets: ResetRecord[];
  lockouts: { applied: number; energyWhileLocked: number };
  /** ms with protection unavailable, and of those with a production permit on */
  unavailableMs: number;
  productionUnavailableMs: number;
  hazards: { found: number; closed: number; overdue: number; majorOverdue: number };
  /** due is worked out from the period's span when a digest is made (digest.ts) */
  cleaning: { done: number; overdue: number; due: number };
  tickets: { byKind: Record<string, number>; refused: number; evacuations: number };
  uplink: { samples: number; connected: number; maxBacklog: number } | null;
  earlyWarnings: { raised: number; points: string[] };
  /** snapshot at the end: open hidden hazards */
  end: HazardSnapshot;
}

export function emptyAggregate(spanMs = 0): Aggregate {
  return {
    spanMs,
    runningMs: 0,
    points: {},
    alarms: { byPriority: { low: 0, medium: 0, high: 0, critical: 0 }, bySource: {}, floods: 0, acked: 0, ackMs: [], ackWorstMs: null },
    dispositions: { recorded: 0, overdue: 0 },
    trips: [],
    resets: [],
    lockouts: { applied: 0, energyWhileLocked: 0 },
    unavailableMs: 0,
    productionUnavailableMs: 0,
    hazards: { found: 0, closed: 0, overdue: 0, majorOverdue: 0 },
    cleaning: { done: 0, overdue: 0, due: 0 },
    tickets: { byKind: {}, refused: 0, evacuations: 0 },
    uplink: null,
    earlyWarnings: { raised: 0, points: [] },
    end: { open: {} },
  };
}

export function emptyPoint(): PointAggregate {
  return { count: 0, good: 0, expected: 0, observedMs: 0, goodMs: 0, min: null, max: null, sum: 0, beyondMs: {} };
}

const addCounts = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};
const minOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

export function mergePoint(a: PointAggregate, b: PointAggregate): PointAggregate {
  return {
    count: a.count + b.count,
    good: a.good + b.good,
    expected: a.expected + b.expected,
    observedMs: a.observedMs + b.observedMs,
    goodMs: a.goodMs + b.goodMs,
    min: minOf(a.min, b.min),
    max: maxOf(a.max, b.max),
    sum: a.sum + b.sum,
    beyondMs: addCounts(a.beyondMs, b.beyondMs),
  };
}

/** `b` is the later period: its end snapshot wins. */
export function merge(a: Aggregate, b: Aggregate): Aggregate {
  const points: Record<string, PointAggregate> = { ...a.points };
  for (const [p, x] of Object.entries(b.points)) points[p] = points[p] ? mergePoint(points[p], x) : x;
  const ackMs = [...a.alarms.ackMs, ...b.alarms.ackMs];
  return {
    spanMs: a.spanMs + b.spanMs,
    runningMs: a.runningMs + b.runningMs,
    points,
    alarms: {
      byPriority: addCounts(a.alarms.byPriority, b.alarms.byPriority) as Record<Priority, number>,
      bySource: addCounts(a.alarms.bySource, b.alarms.bySource),
      floods: a.alarms.floods + b.alarms.floods,
      acked: a.alarms.acked + b.alarms.acked,
      // a month of shifts: the median of what each kept (bounded per shift, so per month too)
      ackMs,
      ackWorstMs: maxOf(a.alarms.ackWorstMs, b.alarms.ackWorstMs),
    },
    dispositions: { recorded: a.dispositions.recorded + b.dispositions.recorded, overdue: a.dispositions.overdue + b.dispositions.overdue },
    trips: [...a.trips, ...b.trips],
    resets: [...a.resets, ...b.resets],
    lockouts: { applied: a.lockouts.applied + b.lockouts.applied, energyWhileLocked: a.lockouts.energyWhileLocked + b.lockouts.energyWhileLocked },
    unavailableMs: a.unavailableMs + b.unavailableMs,
    productionUnavailableMs: a.productionUnavailableMs + b.productionUnavailableMs,
    hazards: addCounts(a.hazards, b.hazards) as Aggregate['hazards'],
    cleaning: addCounts(a.cleaning, b.cleaning) as Aggregate['cleaning'],
    tickets: { byKind: addCounts(a.tickets.byKind, b.tickets.byKind), refused: a.tickets.refused + b.tickets.refused, evacuations: a.tickets.evacuations + b.tickets.evacuations },
    uplink: a.uplink && b.uplink ? { samples: a.uplink.samples + b.uplink.samples, connected: a.uplink.connected + b.uplink.connected, maxBacklog: Math.max(a.uplink.maxBacklog, b.uplink.maxBacklog) } : (b.uplink ?? a.uplink),
    earlyWarnings: { raised: a.earlyWarnings.raised + b.earlyWarnings.raised, points: [...new Set([...a.earlyWarnings.points, ...b.earlyWarnings.points])] },
    end: b.end,
  };
}

export function mergeAll(list: Aggregate[]): Aggregate {
  return list.reduce((acc, x) => merge(acc, x), emptyAggregate());
}

/** The middle ack time (the lower middle of an even count), or null without any. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)]!;
}
