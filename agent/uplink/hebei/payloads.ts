/**
 * Hebei V1.1 plain payloads (docs/HEBEI.md, "What the gateway sends"): rtsData carries every
 * mapped point at one period boundary, eventsData the alarms and clears of mapped points. These
 * are the texts that get encrypted into the envelope's `data`.
 */
import type { PlantEvent } from '../../core/types.js';
import type { PeriodValue } from '../provincial/province.js';
import { chinaTime } from './china-time.js';
import type { HebeiScdConfig } from './config.js';

export interface HebeiRts {
  tnm: string;
  ts: string;
  val: string;
}

export interface HebeiEvent {
  ts: string;
  oname: string;
  avx: string;
  scd: number;
  threshold: number;
  content: string;
}

export type LimitKind = 'lowLow' | 'low' | 'high' | 'highHigh';

/** the words of agent/alarms/limits.ts, so the platform reads what the operator page shows */
export const LIMIT_ZH: Record<LimitKind, string> = { highHigh: '超上上限', high: '超上限', low: '低于下限', lowLow: '低于下下限' };
const ABOVE: Record<LimitKind, boolean> = { highHigh: true, high: true, low: false, lowLow: false };

/** what a point is called in `content` when the site file gives it no name */
export const KIND_ZH: Record<string, string> = {
  differential_pressure: '压差',
  temperature: '温度',
  dust_concentration: '粉尘浓度',
  pressure: '压力',
  air_velocity: '风速',
  level: '液位',
  flow: '流量',
  current: '电流',
  gas_o2: '氧气浓度',
  gas_combustible: '可燃气体浓度',
  gas_h2s: '硫化氢浓度',
  gas_co: '一氧化碳浓度',
  hydrogen: '氢气浓度',
};

export interface HebeiPoint {
  tnm: string;
  /** Chinese name used in `content`, e.g. 粉尘浓度 */
  label: string;
}

/**
 * A decimal string, never exponent notation: at least 2 decimals as in the spec's "27.20",
 * at most `max` (small dust concentrations need more than 2). Contacts are "1" and "0".
 */
export function decimal(v: number | boolean, min = 2, max = 4): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  const s = v.toFixed(max);
  const dot = s.indexOf('.');
  let end = s.length;
  while (end > dot + 1 + min && s[end - 1] === '0') end--;
  const out = s.slice(0, end);
  return /^-0\.0*$/.test(out) ? out.slice(1) : out;
}

export function rtsPayload(qybm: string, boundaryMs: number, values: PeriodValue[], points: ReadonlyMap<string, HebeiPoint>) {
  const ts = chinaTime(boundaryMs);
  const rts: HebeiRts[] = [];
  for (const v of values) {
    const point = points.get(v.p);
    if (!point || (typeof v.v === 'number' && !Number.isFinite(v.v))) continue;
    rts.push({ tnm: point.tnm, ts, val: decimal(v.v) });
  }
  return { qybm, data: { rts } };
}

/** A limit alarm raised or cleared on a mapped point, as AlarmList reports it; undefined for anything else. */
export function limitTransition(e: PlantEvent, points: ReadonlyMap<string, HebeiPoint>): { point: string; kind: LimitKind; active: boolean } | undefined {
  if (e.type !== 'alarm' || e.user !== undefined || !e.source || !e.limitKind || !(e.limitKind in LIMIT_ZH)) return undefined;
  // an acknowledgement or a shelving carries a user and no limit; a raise and a clear carry both value and limit
  if (typeof e.value !== 'number' || typeof e.limit !== 'number') return undefined;
  const kind = e.limitKind as LimitKind;
  const suffix = `.${kind}`;
  if (!e.source.endsWith(suffix)) return undefined;
  const point = e.source.slice(0, -suffix.length);
  if (!points.has(point)) return undefined;
  let active: boolean;
  if (e.state === 'unack' || e.state === 'ack') active = true;
  else if (e.state === 'rtn_unack' || e.state === 'normal') active = false;
  // shelved: the state hides it, the value does not (limits.ts raises only beyond the limit and clears only inside it)
  else active = ABOVE[kind] ? e.value > e.limit : e.value < e.limit;
  return { point, kind, active };
}

export function hebeiEvent(e: PlantEvent, points: ReadonlyMap<string, HebeiPoint>, scd: HebeiScdConfig): HebeiEvent | undefined {
  const tr = limitTransition(e, points);
  if (!tr) return undefined;
  const point = points.get(tr.point)!;
  const what = `${point.label}${LIMIT_ZH[tr.kind]}报警`;
  return {
    ts: chinaTime(e.t),
    oname: point.tnm,
    avx: (e.value as number).toFixed(4),
    scd: tr.active ? scd[tr.kind] : scd.clear,
    threshold: e.limit as number,
    content: tr.active ? what : `${what}解除`,
  };
}

export function eventsPayload(qybm: string, events: HebeiEvent[]) {
  return { qybm, data: { events } };
}
