/**
 * Builds one shift's aggregate from the plant's samples and events as they come, O(1) each.
 * Durations (time beyond a limit, protection unavailable, time to acknowledge) are measured
 * on the monotonic clock, so a wall-clock step mid-shift changes none of them; the wall clock
 * only names the period. A value is held until the next sample, at most the point's holdMs:
 * time the gateway did not see (stopped, a device silent) is not counted as seen.
 */
import type { PlantEvent, Priority, Sample } from '../core/types.js';
import { emptyAggregate, emptyPoint, LIMIT_KINDS, MAX_ACK_SAMPLES, type Aggregate, type LimitKind } from './aggregate.js';
import type { Period } from './periods.js';
import type { SiteFacts } from './site-facts.js';

/** ISA-18.2 §16.5: more than 10 alarms in 10 minutes is a flood */
const FLOOD_WINDOW_MS = 10 * 60_000;
const FLOOD_COUNT = 10;

interface Held {
  v: number;
  good: boolean;
  /** monotonic ms of the sample, and through when its time is counted */
  at: number;
  mark: number;
}

export interface Activation {
  alarm: string;
  priority: Priority;
}

const beyond = (k: LimitKind, v: number, limit: number): boolean => (k === 'high' || k === 'highHigh' ? v > limit : v < limit);

export class ShiftBuilder {
  readonly agg: Aggregate;
  private readonly held = new Map<string, Held>();
  private readonly activations = new Map<string, number>();
  private readonly floodBuckets = new Map<number, number>();
  private readonly faults = new Set<string>();
  private readonly permitsOn = new Set<string>();
  private readonly inputs = new Map<string, boolean>();
  private protectionMark: number;
  private runningMark: number;

  constructor(
    private readonly site: SiteFacts,
    readonly period: Period,
    /** monotonic now */
    mono: number,
    /** the stored aggregate of this shift, after a restart */
    resumed?: Aggregate,
  ) {
    this.agg = resumed ? structuredClone(resumed) : emptyAggregate(period.to - period.from);
    this.protectionMark = mono;
    this.runningMark = mono;
  }

  sample(s: Sample, mono: number): void {
    const p = this.site.points.get(s.p);
    if (p) {
      this.hold(s.p, mono);
      const a = (this.agg.points[s.p] ??= emptyPoint());
      a.count++;
      const good = s.q === 'good' && typeof s.v === 'number';
      if (good) {
        const v = s.v as number;
        a.good++;
        a.sum += v;
        a.min = a.min === null ? v : Math.min(a.min, v);
        a.max = a.max === null ? v : Math.max(a.max, v);
      }
      this.held.set(s.p, { v: typeof s.v === 'number' ? s.v : NaN, good, at: mono, mark: mono });
      return;
    }
    if (typeof s.v !== 'boolean') return;
    if (this.site.faults.has(s.p)) {
      this.protection(mono);
      if (s.v && s.q === 'good') this.faults.add(s.p);
      else this.faults.delete(s.p);
    } else if (this.site.permits.has(s.p)) {
      this.protection(mono);
      if (s.v) this.permitsOn.add(s.p);
      else this.permitsOn.delete(s.p);
    } else {
      this.protection(mono);
      this.inputs.set(s.p, s.v && s.q === 'good');
    }
  }

  /** An alarm became active (AlarmList.onActivation). */
  activation(a: Activation, t: number, mono: number): void {
    const al = this.agg.alarms;
    al.byPriority[a.priority]++;
    al.bySource[a.alarm] = (al.bySource[a.alarm] ?? 0) + 1;
    this.activations.set(a.alarm, mono);
    if (a.alarm.endsWith('.energy')) this.agg.lockouts.energyWhileLocked++;
    const bucket = Math.floor(t / FLOOD_WINDOW_MS);
    const n = (this.floodBuckets.get(bucket) ?? 0) + 1;
    this.floodBuckets.set(bucket, n);
    if (n === FLOOD_COUNT) al.floods++;
  }

  event(e: PlantEvent, mono: number): void {
    const a = this.agg;
    const state = e.state ?? '';
    switch (e.type) {
      case 'alarm': {
        const since = e.source ? this.activations.get(e.source) : undefined;
        if (e.user && since !== undefined && (state === 'ack' || state === 'normal')) {
          this.activations.delete(e.source!);
          const ms = mono - since;
          a.alarms.acked++;
          if (a.alarms.ackMs.length < MAX_ACK_SAMPLES) a.alarms.ackMs.push(ms);
          a.alarms.ackWorstMs = Math.max(a.alarms.ackWorstMs ?? 0, ms);
        }
        return;
      }
      case 'interlock':
        if (state === 'tripped') {
          const fo = (e.detail?.firstOut as { text?: string } | undefined)?.text ?? '';
          a.trips.push({ t: e.t, interlock: e.source ?? '', firstOut: fo });
        }
        return;
      case 'operator':
        if (state === 'reset') a.resets.push({ t: e.t, interlock: e.source ?? '', by: e.user ?? '' });
        return;
      case 'lockout':
        if (state === 'applied') a.lockouts.applied++;
        return;
      case 'disposition':
        if (state === 'recorded') a.dispositions.recorded++;
        else if (state === 'overdue') a.dispositions.overdue++;
        return;
      case 'cleaning':
        if (state === 'done') a.cleaning.done++;
        else if (state === 'overdue') a.cleaning.overdue++;
        return;
      case 'hazard':
        this.hazard(e);
        return;
      case 'ticket': {
        const kind = String((e as { kind?: unknown }).kind ?? e.detail?.kind ?? 'other');
        if (state === 'opened') a.tickets.byKind[kind] = (a.tickets.byKind[kind] ?? 0) + 1;
        else if (state === 'refused') a.tickets.refused++;
        else if (state === 'evacuate') a.tickets.evacuations++;
        return;
      }
      default:
        return;
    }
  }

  /** The uplink's state, sampled (once a minute in the agent). */
  uplink(connected: boolean, backlog: number): void {
    const u = (this.agg.uplink ??= { samples: 0, connected: 0, maxBacklog: 0 });
    u.samples++;
    if (connected) u.connected++;
    u.maxBacklog = Math.max(u.maxBacklog, backlog);
  }

  earlyWarning(point: string): void {
    this.agg.earlyWarnings.raised++;
    if (!this.agg.earlyWarnings.points.includes(point)) this.agg.earlyWarnings.points.push(point);
  }

  /**
   * Count every held span through `mono` and return the aggregate as it now stands (to store
   * as a checkpoint, or as the shift's figures at its end).
   */
  flush(mono: number): Aggregate {
    for (const id of this.held.keys()) this.hold(id, mono);
    this.protection(mono);
    this.agg.runningMs += Math.max(0, mono - this.runningMark);
    this.runningMark = mono;
    return { ...this.agg };
  }

  /** The state of the plant carried into the next shift: held values, open activations, inputs. */
  carryInto(next: ShiftBuilder): void {
    for (const [id, h] of this.held) next.held.set(id, { ...h });
    for (const [id, m] of this.activations) next.activations.set(id, m);
    for (const f of this.faults) next.faults.add(f);
    for (const p of this.permitsOn) next.permitsOn.add(p);
    for (const [i, v] of this.inputs) next.inputs.set(i, v);
    next.agg.end = structuredClone(this.agg.end);
  }

  private hold(id: string, mono: number): void {
    const h = this.held.get(id);
    const p = this.site.points.get(id);
    const a = this.agg.points[id];
    if (!h || !p || !a) return;
    const until = Math.min(mono, h.at + p.holdMs);
    const span = until - h.mark;
    h.mark = Math.max(h.mark, mono);
    if (span <= 0) return;
    a.observedMs += span;
    a.expected += span / p.pollMs;
    if (!h.good) return;
    a.goodMs += span;
    for (const k of LIMIT_KINDS) {
      const limit = p.limits[k];
      if (limit !== undefined && beyond(k, h.v, limit)) a.beyondMs[k] = (a.beyondMs[k] ?? 0) + span;
    }
  }

  private protection(mono: number): void {
    const span = mono - this.protectionMark;
    this.protectionMark = mono;
    if (span <= 0) return;
    let fanOffUnderPermit = false;
    for (const out of this.permitsOn) if ((this.site.permits.get(out) ?? []).some((fan) => this.inputs.get(fan) !== true)) fanOffUnderPermit = true;
    const unavailable = this.faults.size > 0 || fanOffUnderPermit;
    if (!unavailable) return;
    this.agg.unavailableMs += span;
    if (this.permitsOn.size > 0) this.agg.productionUnavailableMs += span;
  }

  private hazard(e: PlantEvent): void {
    const a = this.agg;
    const id = e.record ?? '';
    const open = a.end.open;
    switch (e.state) {
      case 'found':
        a.hazards.found++;
        open[id] = { foundAt: e.t, ...(e.grade ? { grade: e.grade } : {}), ...(e.due !== undefined ? { due: e.due } : {}) };
        return;
      case 'closed':
        a.hazards.closed++;
        delete open[id];
        return;
      case 'overdue':
        a.hazards.overdue++;
        if ((e.grade ?? open[id]?.grade) === 'major') a.hazards.majorOverdue++;
        if (open[id]) open[id].overdue = true;
        return;
      default:
        if (open[id] && e.due !== undefined) open[id].due = e.due;
    }
  }
}
