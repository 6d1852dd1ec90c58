/**
 * The site file's `hazards` rules, judged on the plant's samples in the interlocks' condition
 * language (fail-safe the other way round: a point of bad quality never makes a hazard hold,
 * so a dead sensor raises its own alarm rather than a hazard record). When every condition of a
 * rule holds, the rule is found; while it holds, `present(rule)` is true, and a record of it
 * cannot be rectified.
 */
import type { HazardRuleConfig } from '../config/schema.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Sample } from '../core/types.js';
import { Condition, describeCondition } from '../interlocks/condition.js';
import type { PointTable } from '../plant/points.js';

interface RuleState {
  cfg: HazardRuleConfig;
  conditions: Condition[];
  holding: boolean;
  timer?: Timer;
}

export class HazardRules {
  private readonly rules: RuleState[];

  constructor(
    rules: readonly HazardRuleConfig[],
    private readonly points: PointTable,
    private readonly clock: Clock,
    /** called once each time a rule starts to hold */
    private readonly onFound: (rule: HazardRuleConfig, words: { zh: string; en: string }) => void,
  ) {
    this.rules = rules.map((cfg) => ({
      cfg,
      holding: false,
      conditions: cfg.when.map((c, i) => {
        const w = describeCondition(c, points);
        return new Condition(c, `when[${i}]`, w.zh, w.en);
      }),
    }));
    // what the table already holds: contacts report edges only, so a rule made after start-up
    // would otherwise wait for the next change of a contact that may never change
    for (const r of this.rules) {
      for (const c of r.conditions) {
        const cur = 'events' in c.cfg ? undefined : points.get(c.source);
        if (cur) c.observe({ p: c.source, ...cur }, points);
      }
      this.judge(r);
    }
  }

  /** A sample already in the point table. */
  observe(s: Sample): void {
    for (const r of this.rules) {
      let touched = false;
      for (const c of r.conditions) {
        if (c.source === s.p) {
          c.observe(s, this.points);
          touched = true;
        }
      }
      if (touched) this.judge(r);
    }
  }

  /** Does the gateway see this rule's condition now? */
  present(rule: string): boolean {
    const r = this.rules.find((x) => x.cfg.id === rule);
    if (!r) return false;
    const now = this.clock.now();
    return r.conditions.every((c) => c.holds(now));
  }

  stop(): void {
    for (const r of this.rules) r.timer?.cancel();
  }

  private judge(r: RuleState): void {
    const now = this.clock.now();
    const holds = r.conditions.every((c) => c.holds(now));
    if (holds && !r.holding) this.onFound(r.cfg, this.words(r));
    r.holding = holds;
    // a forMs or an event window that will change the answer with no new sample
    r.timer?.cancel();
    delete r.timer;
    const next = Math.min(...r.conditions.map((c) => c.nextChange(now) ?? Infinity));
    if (Number.isFinite(next)) r.timer = this.clock.setTimeout(() => this.judge(r), Math.max(0, next - now));
  }

  private words(r: RuleState): { zh: string; en: string } {
    return { zh: r.conditions.map((c) => c.text).join('，'), en: r.conditions.map((c) => c.textEn).join(', ') };
  }
}
