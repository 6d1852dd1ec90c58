/**
 * Alarms straight from contacts: a spark (any spark is an event the operator must see), a spark
 * system fault (protection unavailable), an explosion vent burst, a suppression system not ready.
 */
import type { GpioInputConfig } from '../config/schema.js';
import type { Priority, Sample } from '../core/types.js';
import type { AlarmList } from './alarm-list.js';

interface ContactRule {
  /** the contact level that means trouble */
  activeWhen: boolean;
  priority: Priority;
  zh: string;
  en: string;
}

const RULES: Partial<Record<GpioInputConfig['kind'], ContactRule>> = {
  spark: { activeWhen: true, priority: 'medium', zh: '检测到火花', en: 'spark detected' },
  fault: { activeWhen: true, priority: 'high', zh: '故障, 保护不可用', en: 'fault, protection unavailable' },
  vent_burst: { activeWhen: true, priority: 'critical', zh: '泄爆片动作', en: 'explosion vent burst' },
  suppression_ready: { activeWhen: false, priority: 'high', zh: '抑爆系统未就绪', en: 'suppression not ready' },
};

export class ContactAlarms {
  private readonly watched = new Map<string, { cfg: GpioInputConfig; rule: ContactRule }>();

  constructor(
    inputs: GpioInputConfig[],
    private readonly alarms: AlarmList,
  ) {
    for (const cfg of inputs) {
      const rule = RULES[cfg.kind];
      if (!rule) continue;
      const name = cfg.name ?? cfg.id;
      alarms.define({ id: `${cfg.id}.alarm`, source: cfg.id, name: `${name}${rule.zh}`, nameEn: `${name}: ${rule.en}`, priority: rule.priority });
      this.watched.set(cfg.id, { cfg, rule });
    }
  }

  update(s: Sample): void {
    const w = this.watched.get(s.p);
    if (!w || typeof s.v !== 'boolean') return;
    const name = w.cfg.name ?? w.cfg.id;
    const active = s.q !== 'good' || s.v === w.rule.activeWhen;
    this.alarms.set(`${w.cfg.id}.alarm`, active, {
      t: s.t,
      value: s.v,
      message: active ? `${name}${w.rule.zh}` : `${name}恢复正常`,
      messageEn: active ? `${name}: ${w.rule.en}` : `${name}: back to normal`,
    });
  }
}
