/**
 * What the gateway sees of one confined space, from the plant's samples: its lockouts, since
 * when ventilation has run, the attendant, the hatch, and each fixed gas detector's reading.
 * The ticket loop asks it for the facts before entry (entry-machine.ts's SpaceFacts) and, during
 * entry, for the first thing that means evacuate. Fail-safe as every condition: a reading of
 * any quality other than good is out of range.
 */
import type { ConfinedSpaceConfig } from '../config/closed-loop.js';
import type { ConditionConfig } from '../config/conditions.js';
import type { Sample } from '../core/types.js';
import { Condition, describeCondition } from '../interlocks/condition.js';
import type { PointTable } from '../plant/points.js';
import type { GasReading, SpaceFacts, SpaceLimits } from './entry-machine.js';

type Words = { zh: string; en: string };

export class SpaceWatch {
  readonly sources = new Set<string>();
  readonly limits: SpaceLimits;
  private readonly ventilation: Condition;
  private readonly attendant: Condition;
  private readonly hatch: Condition | undefined;
  private readonly gas: { cfg: Extract<ConfinedSpaceConfig['gas'][number], { point: string }>; cond: Condition }[];
  /** every condition above, by the source it reads: a sample updates only its own */
  private readonly bySource = new Map<string, Condition[]>();

  constructor(
    readonly cfg: ConfinedSpaceConfig,
    private readonly points: PointTable,
  ) {
    const cond = (c: ConditionConfig, key: string) => {
      const w = describeCondition(c, points);
      this.sources.add('input' in c ? c.input : 'point' in c ? c.point : c.events);
      return new Condition(c, `${cfg.id}.${key}`, w.zh, w.en);
    };
    this.ventilation = cond(this.cfg.ventilation, 'ventilation');
    this.attendant = cond(this.cfg.attendant, 'attendant');
    this.hatch = this.cfg.hatch && cond(this.cfg.hatch, 'hatch');
    this.gas = this.cfg.gas.flatMap((g, i) => ('point' in g ? [{ cfg: g, cond: cond(g, `gas${i}`) }] : []));
    for (const c of [this.ventilation, this.attendant, this.hatch, ...this.gas.map((g) => g.cond)]) {
      if (c) this.bySource.set(c.source, [...(this.bySource.get(c.source) ?? []), c]);
    }
    for (const lock of this.cfg.isolation) this.sources.add(lock);
    this.limits = { maxEntrants: cfg.maxEntrants, ventilationMs: cfg.ventilation.forMs ?? 0, testValidMin: cfg.testValidMin, retestAfterPauseMin: cfg.retestAfterPauseMin };
  }

  get name(): string {
    return this.cfg.name ?? this.cfg.id;
  }

  observe(s: Sample): void {
    for (const c of this.bySource.get(s.p) ?? []) c.observe(s, this.points);
  }

  facts(now: number): SpaceFacts {
    const since = this.ventilation.heldSince;
    return {
      notIsolated: this.cfg.isolation.filter((id) => !this.applied(id)).map((id) => this.points.name(id)),
      ventilatedForMs: since === undefined ? undefined : now - since,
      attendantPresent: this.attendant.heldSince !== undefined,
    };
  }

  /** The fixed detectors' readings now, each judged; portable ones are typed in by the tester. */
  readings(): GasReading[] {
    return this.gas.map(({ cfg, cond }) => {
      const cur = this.points.get(cfg.point);
      const value = typeof cur?.v === 'number' ? cur.v : NaN;
      return { name: cfg.point, value, ok: cond.heldSince !== undefined && cur?.q === 'good' };
    });
  }

  /** The portable readings a test of this space asks the tester to type in. */
  portable(): Extract<ConfinedSpaceConfig['gas'][number], { portable: string }>[] {
    return this.cfg.gas.flatMap((g) => ('portable' in g ? [g] : []));
  }

  /** A typed-in reading, judged against its range. */
  judgePortable(name: string, value: number): GasReading | undefined {
    const g = this.portable().find((p) => p.portable === name);
    if (!g || !Number.isFinite(value)) return undefined;
    const ok = g.between ? value >= g.between[0] && value <= g.between[1] : g.above !== undefined ? value > g.above : value < g.below!;
    return { name, value, portable: true, ok };
  }

  /** During entry: the first reading out of range, ventilation stopped or the attendant gone. */
  danger(): Words | undefined {
    for (const { cfg, cond } of this.gas) {
      if (cond.heldSince !== undefined) continue;
      const cur = this.points.get(cfg.point);
      if (!cur) continue; // nothing read yet since the start: the stale watch marks it if nothing comes
      const w = describeCondition({ ...cfg }, this.points);
      const v = cur.q === 'good' ? String(cur.v) : cur.q;
      return { zh: `${this.points.name(cfg.point)} = ${v}，超出 ${w.zh}`, en: `${this.points.name(cfg.point)} = ${v}, outside ${w.en}` };
    }
    if (this.points.get(this.ventilation.source) && this.ventilation.heldSince === undefined) return { zh: '通风停止', en: 'ventilation stopped' };
    if (this.points.get(this.attendant.source) && this.attendant.heldSince === undefined) return { zh: '监护人离开', en: 'the attendant left' };
    return undefined;
  }

  hatchOpen(): boolean {
    return this.hatch?.heldSince !== undefined;
  }

  private applied(lockout: string): boolean {
    const cur = this.points.get(lockout);
    return cur?.q === 'good' && cur.v === true;
  }
}
