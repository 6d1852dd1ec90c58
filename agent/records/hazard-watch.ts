/**
 * The gateway's own findings: the site file's hazard rules feed the records (one record per
 * occurrence, the rule's clause, grade and rectifyWithinH), a rule's record cannot be rectified
 * while the rule still holds, and deadlines are checked every minute.
 */
import type { HazardRuleConfig } from '../config/schema.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/types.js';
import type { PointTable } from '../plant/points.js';
import { HazardRules } from './hazard-rules.js';
import type { HazardRecords } from './hazard-records.js';

/** Deadlines are hours long: a minute's lateness in marking one overdue is well inside the loop's needs. */
const OVERDUE_CHECK_MS = 60_000;

export class HazardWatch {
  readonly rules: HazardRules;
  private readonly overdueTimer: Timer;

  constructor(
    config: readonly HazardRuleConfig[],
    points: PointTable,
    private readonly records: HazardRecords,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.rules = new HazardRules(config, points, clock, (rule, words) => void this.found(rule, words));
    this.overdueTimer = clock.setInterval(() => {
      records.checkOverdue().catch((err: unknown) => this.log.error({ err }, 'hazard deadlines not checked'));
    }, OVERDUE_CHECK_MS);
  }

  observe(s: Sample): void {
    this.rules.observe(s);
  }

  stop(): void {
    this.overdueTimer.cancel();
    this.rules.stop();
  }

  private async found(rule: HazardRuleConfig, words: { zh: string; en: string }): Promise<void> {
    try {
      const r = await this.records.find({
        rule: rule.id,
        clause: rule.clause,
        grade: rule.grade,
        title: rule.name ?? rule.id,
        description: `${words.zh} / ${words.en}`,
        by: 'gateway',
        rectifyWithinH: rule.rectifyWithinH,
      });
      if (!('already' in r)) this.log.warn({ record: r.record.id, rule: rule.id, clause: rule.clause }, 'hidden hazard found');
    } catch (err) {
      this.log.error({ err, rule: rule.id }, 'hidden hazard not recorded');
    }
  }
}
