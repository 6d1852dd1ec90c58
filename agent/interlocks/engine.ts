/**
 * The interlock engine: permits held on only while every condition holds, alarm rules, latches,
 * first-out, and lockouts. It runs in memory on the event loop: a sample in, an output written,
 * with no disk, network or browser on the way (docs/ARCHITECTURE.md, the safety path).
 */
import type { GpioInputConfig, InterlockConfig } from '../config/schema.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Sample, Value } from '../core/types.js';
import type { AlarmList } from '../alarms/alarm-list.js';
import { refused, type Outcome } from '../core/outcome.js';
import type { LockoutView, PermitView, ResetRefusal } from './permit-view.js';
import type { EventReporter } from '../plant/events.js';
import type { PointTable } from '../plant/points.js';
import { Condition, describeCondition } from './condition.js';

export interface PermitOutputs {
  set(id: string, on: boolean): void;
  /** a write to the output that failed and is being retried (agent/outputs/outputs.ts) */
  fault?(id: string): { reason: string; since: number } | undefined;
}

interface FirstOut {
  key: string;
  /** what happened, e.g. `除尘器进出口压差: 1955 Pa > 1800 Pa` (failure-words.ts) */
  text: string;
  textEn: string;
  /** the value that broke the condition */
  value?: Value;
  /** the condition that stopped holding, e.g. `除尘器进出口压差 在 300–1800 Pa` */
  rule: string;
  ruleEn: string;
  t: number;
  simultaneous: string[];
}

interface Rule {
  cfg: InterlockConfig;
  conditions: Condition[];
  /** permit on (permit rules) or alarm active (alarm rules) */
  on: boolean;
  latched: boolean;
  firstOut?: FirstOut;
  timer?: Timer;
  timerAt?: number;
}

interface Lockout {
  cfg: GpioInputConfig;
  applied: boolean;
  since?: number;
  /** the machine is running under the applied lockout now: the energy alarm's condition */
  energized: boolean;
  /** it ran at some time during this lockout; the lockout board keeps that until removal */
  energySeen: boolean;
}

export class InterlockEngine {
  private readonly rules: Rule[];
  private readonly bySource = new Map<string, Rule[]>();
  private readonly lockouts = new Map<string, Lockout>();

  constructor(
    configs: InterlockConfig[],
    inputs: GpioInputConfig[],
    private readonly points: PointTable,
    private readonly outputs: PermitOutputs,
    private readonly alarms: AlarmList,
    private readonly clock: Clock,
    private readonly report: EventReporter,
  ) {
    this.rules = configs.map((cfg) => {
      const list = cfg.permitWhen ?? cfg.alarmWhen ?? [];
      const field = cfg.permitWhen ? 'permitWhen' : 'alarmWhen';
      const conditions = list.map((c, i) => {
        const words = describeCondition(c, points);
        return new Condition(c, `${field}[${i}]`, words.zh, words.en);
      });
      const rule: Rule = { cfg, conditions, on: false, latched: false };
      for (const c of conditions) this.bySource.set(c.source, [...(this.bySource.get(c.source) ?? []), rule]);
      const name = cfg.name ?? cfg.id;
      alarms.define({
        id: cfg.output ? `${cfg.id}.trip` : cfg.id,
        source: cfg.id,
        name: cfg.output ? `${name}联锁跳闸` : name,
        nameEn: cfg.output ? `${name} tripped` : name,
        priority: cfg.priority,
        ...(cfg.output ? { shelvable: false } : {}),
      });
      return rule;
    });
    for (const cfg of inputs.filter((i) => i.kind === 'lockout')) {
      this.lockouts.set(cfg.id, { cfg, applied: false, energized: false, energySeen: false });
      alarms.define({
        id: `${cfg.id}.energy`,
        source: cfg.id,
        name: `${lockedOut(cfg.name ?? cfg.id)}期间设备带电`,
        nameEn: `${cfg.name ?? cfg.id}: energy seen while locked out`,
        priority: 'critical',
      });
    }
  }

  /** Every permit starts off and must prove its conditions for their full time. */
  start(): void {
    for (const r of this.rules) if (r.cfg.output) this.outputs.set(r.cfg.output, false);
  }

  stop(): void {
    for (const r of this.rules) r.timer?.cancel();
  }

  /** A sample arrived (already in the point table). Synchronous, on the safety path. */
  update(s: Sample): void {
    this.updateLockout(s);
    const rules = this.bySource.get(s.p);
    if (!rules) return;
    for (const r of rules) {
      for (const c of r.conditions) if (c.source === s.p) c.observe(s, this.points);
      this.evaluate(r, s.t);
    }
  }

  private evaluate(r: Rule, causeT: number): void {
    const now = this.clock.now();
    const failing: Condition[] = [];
    for (const c of r.conditions) {
      if (c.holds(now)) c.failedSince = undefined;
      else {
        c.failedSince ??= causeT;
        failing.push(c);
      }
    }
    const allHold = failing.length === 0;
    // Conditions that fail in the very instant of a trip, but arrive as later samples of that
    // same millisecond, belong to the first-out too: "several failed together".
    if (!r.on && r.firstOut) {
      for (const c of failing) {
        if (c.failedSince === r.firstOut.t && c.key !== r.firstOut.key && !r.firstOut.simultaneous.includes(c.key)) r.firstOut.simultaneous.push(c.key);
      }
    }
    if (r.cfg.output) this.evaluatePermit(r, allHold, failing, causeT);
    else this.evaluateAlarmRule(r, allHold, causeT);
    this.scheduleNext(r, now);
  }

  private evaluatePermit(r: Rule, allHold: boolean, failing: Condition[], t: number): void {
    const output = r.cfg.output!;
    const name = r.cfg.name ?? r.cfg.id;
    if (r.on && !allHold) {
      r.on = false;
      this.outputs.set(output, false); // the relay first; everything below is reporting
      const first = Math.min(...failing.map((c) => c.failedSince!));
      const leaders = failing.filter((c) => c.failedSince === first);
      const lead = leaders[0]!;
      const failure = lead.failure(this.points, this.clock.now());
      r.firstOut = {
        key: lead.key,
        text: failure.zh,
        textEn: failure.en,
        ...(failure.value !== undefined ? { value: failure.value } : {}),
        rule: lead.text,
        ruleEn: lead.textEn,
        t: first,
        simultaneous: leaders.slice(1).map((c) => c.key),
      };
      r.latched = r.cfg.latch;
      const together = leaders.length > 1 ? { zh: ` (同时 ${leaders.length} 个条件)`, en: ` (${leaders.length} conditions at once)` } : { zh: '', en: '' };
      this.report({
        t,
        type: 'interlock',
        source: r.cfg.id,
        priority: r.cfg.priority,
        state: 'tripped',
        message: `${name}跳闸: ${r.firstOut.text}${together.zh} / ${name} tripped: ${r.firstOut.textEn}${together.en}`,
        detail: { output, firstOut: r.firstOut, latched: r.latched },
      });
      this.alarms.set(`${r.cfg.id}.trip`, true, { t, message: `${name}跳闸: ${r.firstOut.text}`, messageEn: `${name} tripped: ${r.firstOut.textEn}` });
    } else if (!r.on && allHold && !r.latched) {
      r.on = true;
      this.outputs.set(output, true);
      r.firstOut = undefined;
      this.report({ t, type: 'interlock', source: r.cfg.id, priority: r.cfg.priority, state: 'permitted', message: `${name}允许启动 / ${name} permitted`, detail: { output } });
      this.alarms.set(`${r.cfg.id}.trip`, false, { t, message: `${name}恢复许可`, messageEn: `${name} permitted again` });
    }
  }

  private evaluateAlarmRule(r: Rule, allHold: boolean, t: number): void {
    if (r.on === allHold) return;
    r.on = allHold;
    const name = r.cfg.name ?? r.cfg.id;
    this.alarms.set(r.cfg.id, allHold, {
      t,
      message: allHold ? `${name}报警` : `${name}恢复正常`,
      messageEn: allHold ? `${name}: alarm` : `${name}: back to normal`,
    });
  }

  /** A forMs or an event window runs out with no new sample: look again then. */
  private scheduleNext(r: Rule, now: number): void {
    const next = Math.min(...r.conditions.map((c) => c.nextChange(now) ?? Infinity));
    if (next === r.timerAt) return;
    r.timer?.cancel();
    r.timer = undefined;
    r.timerAt = undefined;
    if (next === Infinity) return;
    r.timerAt = next;
    r.timer = this.clock.setTimeout(() => {
      r.timer = undefined;
      r.timerAt = undefined;
      this.evaluate(r, this.clock.now());
    }, Math.max(0, next - now));
  }

  /** A logged-in operator resets a latched trip on site; refused while the cause is present. */
  reset(id: string, user: string): Outcome<ResetRefusal> {
    const r = this.rules.find((x) => x.cfg.id === id && x.cfg.output);
    if (!r) return refused('unknown-permit', `no permit interlock ${id}`);
    if (!r.latched) return refused('not-latched', `${id} is not latched`);
    const now = this.clock.now();
    const failing = r.conditions.filter((c) => !c.holds(now));
    if (failing.length > 0) {
      return refused('conditions-fail', `cannot reset while these still fail: ${failing.map((c) => c.text).join('; ')}`);
    }
    r.latched = false;
    this.report({ t: now, type: 'operator', source: id, user, state: 'reset', message: `${r.cfg.name ?? id}由 ${user} 复位` });
    this.evaluate(r, now);
    return { ok: true };
  }

  private updateLockout(s: Sample): void {
    const lock = this.lockouts.get(s.p);
    if (lock && s.q === 'good' && typeof s.v === 'boolean' && s.v !== lock.applied) {
      lock.applied = s.v;
      lock.since = s.t;
      if (!s.v) lock.energySeen = false;
      const name = lock.cfg.name ?? lock.cfg.id;
      this.report({ t: s.t, type: 'lockout', source: lock.cfg.id, state: s.v ? 'applied' : 'removed', message: s.v ? `${name}: 已上锁 / ${name}: locked out` : `${name}: 已解锁 / ${name}: lockout removed` });
    }
    for (const l of this.lockouts.values()) {
      if (l.cfg.machine !== s.p && l.cfg.id !== s.p) continue;
      const running = l.cfg.machine ? this.points.get(l.cfg.machine) : undefined;
      const energized = l.applied && running?.q === 'good' && running.v === true;
      if (energized === l.energized) continue;
      // Each run under a lockout is an occurrence of its own, raised with its own time; it
      // returns to normal when the machine stops or the lockout is removed.
      l.energized = energized;
      if (energized) l.energySeen = true;
      this.alarms.set(`${l.cfg.id}.energy`, energized, { t: s.t, ...energyWords(l, this.points), ...(energized ? { hazard: true } : {}) });
    }
  }

  permits(): PermitView[] {
    const now = this.clock.now();
    return this.rules
      .filter((r) => r.cfg.output)
      .map((r) => {
        const conditions = r.conditions.map((c) => {
          const holds = c.holds(now);
          return { key: c.key, text: c.text, textEn: c.textEn, holds, ...(holds || c.failedSince === undefined ? {} : { since: c.failedSince }) };
        });
        return {
          id: r.cfg.id,
          name: r.cfg.name,
          output: r.cfg.output!,
          on: r.on,
          latched: r.latched,
          resettable: r.latched && conditions.every((c) => c.holds),
          conditions,
          ...(r.firstOut ? { firstOut: r.firstOut } : {}),
          ...outputFault(this.outputs, r.cfg.output!),
        };
      });
  }

  lockoutViews(): LockoutView[] {
    return [...this.lockouts.values()].map((l) => ({
      id: l.cfg.id,
      name: l.cfg.name,
      applied: l.applied,
      ...(l.since !== undefined ? { since: l.since } : {}),
      energySeen: l.energySeen,
    }));
  }
}

function outputFault(outputs: PermitOutputs, id: string): { outputFault?: { reason: string; since: number } } {
  const f = outputs.fault?.(id);
  return f ? { outputFault: { reason: f.reason, since: f.since } } : {};
}

/** `1号砂光机上锁`, whether the installer named the lockout after the machine or after the lock. */
function lockedOut(name: string): string {
  return /上锁(挂牌)?$/.test(name) ? name : `${name}上锁`;
}

/** What the energy alarm says as it is raised, and as it returns to normal (which of the two ended). */
function energyWords(l: Lockout, points: PointTable): { message: string; messageEn: string } {
  const lock = l.cfg.name ?? l.cfg.id;
  const machine = l.cfg.machine ? points.name(l.cfg.machine) : '设备';
  if (l.energized) {
    return {
      message: `${lockedOut(lock)}期间检测到${machine} (重大事故隐患)`,
      messageEn: `${machine} seen while ${lock} is applied (hidden hazard)`,
    };
  }
  return l.applied
    ? { message: `${machine}已停止, 仍在上锁`, messageEn: `${machine} stopped, still locked out` }
    : { message: `${lock}: 已解锁`, messageEn: `${lock}: lockout removed` };
}
