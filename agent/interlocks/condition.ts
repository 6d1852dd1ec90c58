/**
 * One condition of a permit or alarm rule, as the site file declares it, with the state needed
 * to judge it over time: since when its predicate has held (for `forMs`), since when it has
 * failed (for first-out), and the recent edges of a contact (for `fewerThan ... withinMs`).
 * Fail-safe: a point with any quality other than good never satisfies a condition.
 */
import type { ConditionConfig } from '../config/schema.js';
import type { Sample } from '../core/types.js';
import type { PointTable } from '../plant/points.js';
import { describeFailure, type FailureWords } from './failure-words.js';

export class Condition {
  /** time the predicate last became true; undefined while it is false */
  private trueSince?: number;
  /** time the condition last stopped holding; undefined while it holds */
  failedSince?: number;
  /** activation times of the counted contact, oldest first */
  private edges: number[] = [];

  constructor(
    readonly cfg: ConditionConfig,
    readonly key: string,
    readonly text: string,
    readonly textEn: string,
  ) {}

  /** since when the predicate has held (forMs aside); undefined while it does not */
  get heldSince(): number | undefined {
    return this.trueSince;
  }

  /** the point or input this condition reads */
  get source(): string {
    const c = this.cfg;
    return 'input' in c ? c.input : 'point' in c ? c.point : c.events;
  }

  /** A new sample of the source arrived (already in the table): update the predicate. */
  observe(s: Sample, points: PointTable): void {
    if ('events' in this.cfg) {
      // contacts report edges only, so each good `true` sample is one activation (one spark)
      if (s.q === 'good' && s.v === true) this.edges.push(s.t);
      return;
    }
    const now = this.predicate(points);
    if (now && this.trueSince === undefined) this.trueSince = s.t;
    if (!now) this.trueSince = undefined;
  }

  private predicate(points: PointTable): boolean {
    const c = this.cfg;
    const cur = points.get(this.source);
    if (!cur || cur.q !== 'good') return false;
    if ('input' in c) return cur.v === c.is;
    if ('point' in c) {
      if (typeof cur.v !== 'number') return false;
      if (c.between) return cur.v >= c.between[0] && cur.v <= c.between[1];
      if (c.above !== undefined) return cur.v > c.above;
      if (c.below !== undefined) return cur.v < c.below;
    }
    return false;
  }

  /** Does the condition hold at `now`? */
  holds(now: number): boolean {
    const c = this.cfg;
    if ('events' in c) {
      this.edges = this.edges.filter((e) => e > now - c.withinMs);
      return this.edges.length < c.fewerThan;
    }
    return this.trueSince !== undefined && now - this.trueSince >= (c.forMs ?? 0);
  }

  /** What happened that breaks it now, with the value: the words of a first-out and a trip. */
  failure(points: PointTable, now: number): FailureWords {
    return describeFailure(this.cfg, points, {
      count: this.edges.length,
      ...(this.trueSince !== undefined ? { heldMs: now - this.trueSince } : {}),
    });
  }

  /** When, if nothing else happens, the answer of holds() will next change; for a timer. */
  nextChange(now: number): number | undefined {
    const c = this.cfg;
    if ('events' in c) return this.edges.length >= c.fewerThan ? this.edges[0]! + c.withinMs : undefined;
    if (this.trueSince !== undefined && c.forMs && now - this.trueSince < c.forMs) return this.trueSince + c.forMs;
    return undefined;
  }
}

/** Words for a condition, Chinese and English, as the operator page and events show them. */
export function describeCondition(c: ConditionConfig, points: PointTable): { zh: string; en: string } {
  const held = (ms: number | undefined, word: string) => (ms ? ` ${word} ${ms / 1000} s` : '');
  if ('input' in c) {
    const name = points.name(c.input);
    return { zh: `${name} = ${c.is ? '是' : '否'}${held(c.forMs, '持续')}`, en: `${name} is ${c.is ? 'on' : 'off'}${held(c.forMs, 'for')}` };
  }
  if ('point' in c) {
    const unit = points.info.get(c.point)?.unit ?? '';
    const name = points.name(c.point);
    if (c.between) {
      return {
        zh: `${name} 在 ${c.between[0]}–${c.between[1]} ${unit}${held(c.forMs, '持续')}`,
        en: `${name} within ${c.between[0]}–${c.between[1]} ${unit}${held(c.forMs, 'for')}`,
      };
    }
    const [op, limit] = c.above !== undefined ? ['>', c.above] : ['<', c.below];
    return { zh: `${name} ${op} ${limit} ${unit}${held(c.forMs, '持续')}`, en: `${name} ${op} ${limit} ${unit}${held(c.forMs, 'for')}` };
  }
  const name = points.name(c.events);
  return {
    zh: `${name} ${c.withinMs / 1000} s 内少于 ${c.fewerThan} 次`,
    en: `${name} fewer than ${c.fewerThan} within ${c.withinMs / 1000} s`,
  };
}
