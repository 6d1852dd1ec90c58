/**
 * What happened, in words, when a condition stopped holding: the value against the limit it
 * crossed, the state a contact is in, how many sparks came within the window. A first-out and a
 * trip say this, not the rule (the rule is in describeCondition): an operator reads
 * `1号风管火花探测: 10 s 内 3 次火花`, not `1号风管火花探测 10 s 内少于 3 次`.
 */
import type { ConditionConfig } from '../config/schema.js';
import type { Quality, Value } from '../core/types.js';
import type { PointTable } from '../plant/points.js';

export interface FailureWords {
  zh: string;
  en: string;
  /** the value that broke the condition: a reading, a contact's state, a count of activations */
  value?: Value;
}

/** A contact's state in plant words by its kind (as the page's value cards say it). */
const CONTACT_WORDS: Record<string, { on: [string, string]; off: [string, string] }> = {
  lockout: { on: ['已上锁', 'locked out'], off: ['未上锁', 'not locked out'] },
  run_feedback: { on: ['运行', 'running'], off: ['停止', 'stopped'] },
  fault: { on: ['故障', 'fault'], off: ['正常', 'normal'] },
  spark: { on: ['检测到火花', 'spark detected'], off: ['无火花', 'no spark'] },
  vent_burst: { on: ['泄爆片已动作', 'vent burst'], off: ['泄爆片正常', 'vent intact'] },
  suppression_ready: { on: ['抑爆系统就绪', 'suppression ready'], off: ['抑爆系统未就绪', 'suppression not ready'] },
  valve: { on: ['开', 'open'], off: ['关', 'closed'] },
};

const QUALITY_WORDS: Record<Quality, [string, string]> = {
  good: ['正常', 'good'],
  uncertain: ['数值可疑', 'value uncertain'],
  bad: ['坏值', 'bad value'],
  comm: ['通讯中断', 'comm lost'],
  stale: ['数据过期', 'value stale'],
};

/** At most two decimals, never an exponent: a float32 reading of 3.2 arrives as 3.2000000476. */
const num = (v: number): string => String(Math.round(v * 100) / 100);
const secs = (ms: number): string => `${ms / 1000} s`;

/**
 * `count` is the activations within the window for an event condition; `heldMs` how long the
 * predicate has held, for one that has not yet held its `forMs`.
 */
export function describeFailure(c: ConditionConfig, points: PointTable, o: { count: number; heldMs?: number }): FailureWords {
  if ('events' in c) {
    const name = points.name(c.events);
    const sparks = points.info.get(c.events)?.kind === 'spark';
    return {
      zh: `${name}: ${secs(c.withinMs)} 内 ${o.count} 次${sparks ? '火花' : '动作'}`,
      en: `${name}: ${o.count} ${sparks ? 'sparks' : 'activations'} within ${secs(c.withinMs)}`,
      value: o.count,
    };
  }
  const id = 'input' in c ? c.input : c.point;
  const name = points.name(id);
  const cur = points.get(id);
  if (!cur) return { zh: `${name}: 无值`, en: `${name}: no value`, value: null };
  if (cur.q !== 'good') {
    const [zh, en] = QUALITY_WORDS[cur.q];
    return { zh: `${name}: ${zh}`, en: `${name}: ${en}`, value: cur.v };
  }
  // the predicate holds but not yet for its forMs (a fan restarted 2 s ago of the 5 it needs)
  const short = o.heldMs !== undefined && c.forMs ? { zh: ` (仅 ${secs(o.heldMs)}, 需 ${secs(c.forMs)})`, en: ` (only ${secs(o.heldMs)} of ${secs(c.forMs)})` } : { zh: '', en: '' };
  if ('input' in c) {
    const words = CONTACT_WORDS[points.info.get(id)?.kind ?? ''] ?? { on: ['通', 'on'], off: ['断', 'off'] };
    const [zh, en] = cur.v === true ? words.on : words.off;
    return { zh: `${name}: ${zh}${short.zh}`, en: `${name}: ${en}${short.en}`, value: cur.v };
  }
  const unit = points.info.get(id)?.unit;
  const withUnit = (v: number) => (unit ? `${num(v)} ${unit}` : num(v));
  if (typeof cur.v !== 'number') return { zh: `${name}: 无数值`, en: `${name}: not a number`, value: cur.v };
  const v = cur.v;
  const [lo, hi] = c.between ?? [c.above, c.below];
  const breach =
    lo !== undefined && (c.between ? v < lo : v <= lo)
      ? `${withUnit(v)} ${c.between ? '<' : '≤'} ${withUnit(lo)}`
      : hi !== undefined && (c.between ? v > hi : v >= hi)
        ? `${withUnit(v)} ${c.between ? '>' : '≥'} ${withUnit(hi)}`
        : withUnit(v);
  return { zh: `${name}: ${breach}${short.zh}`, en: `${name}: ${breach}${short.en}`, value: v };
}
