/**
 * Limit alarms on analog points: low-low, low, high, high-high, each with its delay (the limit
 * must stay crossed that long) and hysteresis (it clears only once back inside by that much).
 * Every number comes from the site file: no national standard fixes them (docs/DOMAIN.md, "Limits are site settings").
 */
import type { PointConfig } from '../config/schema.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Priority, Sample } from '../core/types.js';
import type { AlarmList } from './alarm-list.js';

type Level = 'lowLow' | 'low' | 'high' | 'highHigh';

const LEVELS: { key: Level; above: boolean; priority: Priority; zh: string; en: string }[] = [
  { key: 'highHigh', above: true, priority: 'high', zh: '超上上限', en: 'high-high' },
  { key: 'high', above: true, priority: 'medium', zh: '超上限', en: 'high' },
  { key: 'low', above: false, priority: 'medium', zh: '低于下限', en: 'low' },
  { key: 'lowLow', above: false, priority: 'high', zh: '低于下下限', en: 'low-low' },
];

interface Watch {
  alarmId: string;
  limit: number;
  above: boolean;
  zh: string;
  en: string;
  key: Level;
  active: boolean;
  pendingSince?: number;
  timer?: Timer;
  /** the latest value while pending or active, reported when the delay runs out */
  lastValue?: number;
}

/** Why a point's bad quality is already accounted for: the id of the alarm it follows from, if any. */
export type FaultCause = (pointId: string, q: Sample['q']) => string | undefined;

export class LimitAlarms {
  private readonly watches = new Map<string, { point: PointConfig; levels: Watch[]; faultId: string }>();
  /** points whose fault is held under another alarm, with the sample that would have raised it */
  private readonly held = new Map<string, Sample>();

  constructor(
    points: PointConfig[],
    private readonly alarms: AlarmList,
    private readonly clock: Clock,
    /** e.g. a stale point on an overloaded bus (bus-overload.ts): its fault is that alarm's consequence */
    private readonly causeOf: FaultCause = () => undefined,
  ) {
    for (const p of points) {
      const name = p.name ?? p.id;
      const levels: Watch[] = [];
      for (const l of LEVELS) {
        const limit = p.limits?.[l.key];
        if (limit === undefined) continue;
        const alarmId = `${p.id}.${l.key}`;
        alarms.define({ id: alarmId, source: p.id, name: `${name}${l.zh}`, nameEn: `${name} ${l.en}`, priority: l.priority });
        levels.push({ alarmId, limit, above: l.above, zh: l.zh, en: l.en, key: l.key, active: false });
      }
      const faultId = `${p.id}.fault`;
      alarms.define({ id: faultId, source: p.id, name: `${name}传感器故障`, nameEn: `${name} sensor fault`, priority: 'high' });
      this.watches.set(p.id, { point: p, levels, faultId });
    }
  }

  update(s: Sample): void {
    const w = this.watches.get(s.p);
    if (!w) return;
    const good = s.q === 'good' && typeof s.v === 'number';
    const name = w.point.name ?? w.point.id;
    this.held.delete(s.p);
    if (!good && this.causeOf(s.p, s.q) !== undefined) {
      this.held.set(s.p, s);
      return;
    }
    this.alarms.set(w.faultId, !good, {
      t: s.t,
      value: s.v,
      message: good ? `${name}传感器恢复正常` : `${name}传感器故障 (${s.q})`,
      messageEn: good ? `${name} sensor back to normal` : `${name} sensor fault (${s.q})`,
    });
    if (!good) return; // a limit alarm neither raises nor clears on a value we cannot trust
    const v = s.v as number;
    const delay = w.point.limits?.delayMs ?? 0;
    const hyst = w.point.limits?.hysteresis ?? 0;
    for (const l of w.levels) {
      const crossed = l.above ? v > l.limit : v < l.limit;
      const clear = l.above ? v < l.limit - hyst : v > l.limit + hyst;
      if (!l.active && crossed) {
        if (l.pendingSince === undefined) {
          l.pendingSince = s.t;
          l.timer = this.clock.setTimeout(() => this.raise(w.point, l, v), Math.max(0, s.t + delay - this.clock.now()));
        }
      } else if (!crossed && l.pendingSince !== undefined) {
        l.timer?.cancel();
        l.pendingSince = undefined;
      }
      if (l.active && clear) {
        l.active = false;
        this.alarms.set(l.alarmId, false, { t: s.t, value: v, limit: l.limit, limitKind: l.key, message: `${name}恢复正常`, messageEn: `${name} back to normal` });
      }
      if (l.active || l.pendingSince !== undefined) l.lastValue = v;
    }
  }

  /** The cause went away: a point still not good is now a fault of its own. */
  releaseHeld(): void {
    for (const s of [...this.held.values()]) if (this.causeOf(s.p, s.q) === undefined) this.update({ ...s, t: this.clock.now() });
  }

  private raise(point: PointConfig, l: Watch, first: number): void {
    l.pendingSince = undefined;
    l.active = true;
    const value = l.lastValue ?? first;
    this.alarms.set(l.alarmId, true, {
      t: this.clock.now(),
      value,
      limit: l.limit,
      limitKind: l.key,
      message: `${point.name ?? point.id}${l.zh}报警 (${value}${point.unit ?? ''}, 限值 ${l.limit})`,
      messageEn: `${point.name ?? point.id} ${l.en} alarm (${value}${point.unit ?? ''}, limit ${l.limit})`,
    });
  }
}
