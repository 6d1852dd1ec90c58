/**
 * The risk rules in one table (docs/DIGESTS.md, "Risk rules"): each rule names its level and
 * the figure it reads; every rule that holds is a reason, and the level is the highest of them.
 * Thresholds come from the site file (digests.risk); the defaults are the documented ones.
 */
import type { RiskThresholdsConfig } from '../config/schema.js';
import type { DigestFigures } from './digest.js';

export type RiskLevel = 'red' | 'orange' | 'yellow' | 'blue';

export const LEVEL_NAMES: Record<RiskLevel, string> = { red: '重大风险 (红)', orange: '较大风险 (橙)', yellow: '一般风险 (黄)', blue: '低风险 (蓝)' };
const RANK: Record<RiskLevel, number> = { red: 3, orange: 2, yellow: 1, blue: 0 };

export interface RiskReason {
  rule: string;
  level: RiskLevel;
  /** Chinese first */
  text: string;
}

interface Rule {
  id: string;
  level: RiskLevel;
  /** the reason's text when it holds, undefined when not */
  when: (f: DigestFigures, th: RiskThresholdsConfig) => string | undefined;
}

const n = (x: number | 'not configured' | undefined): number => (typeof x === 'number' ? x : 0);

export const RISK_RULES: readonly Rule[] = [
  { id: 'major-hazard-overdue', level: 'red', when: (f) => (f.hazards !== 'not configured' && f.hazards.openMajorOverdue > 0 ? `重大事故隐患逾期未整改 ${f.hazards.openMajorOverdue} 项 / overdue major hazards` : undefined) },
  { id: 'evacuation', level: 'red', when: (f) => (f.tickets !== 'not configured' && f.tickets.evacuations > 0 ? `有限空间紧急撤离 ${f.tickets.evacuations} 次 / evacuations` : undefined) },
  { id: 'production-unprotected', level: 'red', when: (f) => (f.productionUnavailableMin > 0 ? `防护失效期间仍在生产 ${f.productionUnavailableMin} 分钟 / production while protection unavailable` : undefined) },
  { id: 'trips', level: 'orange', when: (f, th) => (f.trips.length >= th.tripsOrange ? `联锁跳闸 ${f.trips.length} 次 / interlock trips` : undefined) },
  { id: 'critical-alarms', level: 'orange', when: (f, th) => (f.alarms.byPriority.critical >= th.criticalAlarmsOrange ? `紧急报警 ${f.alarms.byPriority.critical} 次 / critical alarms` : undefined) },
  { id: 'dispositions-overdue', level: 'orange', when: (f) => (f.dispositions !== 'not configured' && f.dispositions.overdue > 0 ? `报警处置反馈逾期 ${f.dispositions.overdue} 条 / overdue dispositions` : undefined) },
  { id: 'energy-while-locked', level: 'orange', when: (f) => (f.lockouts.energyWhileLocked > 0 ? `上锁期间设备带电运行 ${f.lockouts.energyWhileLocked} 次 / energy while locked out` : undefined) },
  { id: 'protection-unavailable', level: 'orange', when: (f, th) => (f.protectionUnavailableMin >= th.unavailableMinOrange ? `防护失效 ${f.protectionUnavailableMin} 分钟 / protection unavailable` : undefined) },
  { id: 'high-alarms', level: 'yellow', when: (f, th) => (f.alarms.byPriority.high >= th.highAlarmsYellow ? `高级报警 ${f.alarms.byPriority.high} 次 / high alarms` : undefined) },
  { id: 'floods', level: 'yellow', when: (f, th) => (f.alarms.floods >= th.floodsYellow ? `报警泛滥 ${f.alarms.floods} 次 / alarm floods` : undefined) },
  { id: 'cleaning-missed', level: 'yellow', when: (f) => (f.cleaning !== 'not configured' && (f.cleaning.overdue > 0 || f.cleaning.done < f.cleaning.due) ? `粉尘清理未按时完成 (完成 ${f.cleaning.done}/${f.cleaning.due}, 逾期 ${f.cleaning.overdue}) / cleaning missed` : undefined) },
  {
    id: 'completeness',
    level: 'yellow',
    when: (f, th) => {
      const low = f.points.filter((p) => p.completenessPct < th.completenessYellowPct);
      return low.length > 0 ? `数据完整率低于 ${th.completenessYellowPct}%: ${low.map((p) => `${p.name} ${p.completenessPct}%`).join(', ')} / data completeness` : undefined;
    },
  },
  { id: 'ack-slow', level: 'yellow', when: (f, th) => (f.alarms.ackMedianMin !== null && f.alarms.ackMedianMin > th.ackMedianMinYellow ? `报警确认中位时间 ${f.alarms.ackMedianMin} 分钟 / slow acknowledgement` : undefined) },
  { id: 'early-warning', level: 'yellow', when: (f) => (f.earlyWarnings !== 'not configured' && n(f.earlyWarnings.raised) > 0 ? `趋势预警 ${f.earlyWarnings.raised} 次 (${f.earlyWarnings.points.join(', ')}) / early warnings` : undefined) },
];

export function judgeRisk(f: DigestFigures, th: RiskThresholdsConfig): { level: RiskLevel; reasons: RiskReason[] } {
  const reasons: RiskReason[] = [];
  for (const r of RISK_RULES) {
    const text = r.when(f, th);
    if (text !== undefined) reasons.push({ rule: r.id, level: r.level, text });
  }
  const level = reasons.reduce<RiskLevel>((l, r) => (RANK[r.level] > RANK[l] ? r.level : l), 'blue');
  return { level, reasons };
}
