/**
 * Dust-cleaning check-ins (粉尘清理制度) of one gateway: each area of the site file's `cleaning`
 * is checked in as cleaned by a logged-in operator or supervisor (a note and a photo if they
 * like) at least every `everyH`. Past `everyH` it is due; past `graceMin` more it is overdue:
 * one `cleaning` overdue event and a hidden-hazard record under the area's clause (粉尘-10 by
 * default), which cannot be rectified until the area is checked in again (the condition is
 * present while it stays uncleaned). An area's clock starts at its first check-in, or when the
 * gateway first knew of it, so a new site is not overdue the moment it is installed.
 */
import type { CleaningAreaConfig } from '../config/closed-loop.js';
import { SerialQueue } from '../buffer/serial.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent } from '../core/types.js';
import { GATEWAY, isPerson } from './actors.js';
import type { AreaState, CleaningStore } from './cleaning-store.js';
import type { Actor } from './hazard-machine.js';
import type { Finding, FindResult } from './hazard-records.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The deadline of the hazard record a missed cleaning opens: a day, as for a person's finding. */
export const CLEANING_RECTIFY_WITHIN_H = 24;
export const MAX_CHECKIN_NOTE = 500;

export type CleaningState = 'ok' | 'due' | 'overdue';

/** An area as the page shows it. */
export interface AreaView {
  id: string;
  name: string;
  everyH: number;
  graceMin: number;
  clause: string;
  state: CleaningState;
  /** the last check-in, absent before the first */
  lastCleanedAt?: number;
  lastBy?: string;
  /** due then (everyH after the last check-in), overdue after overdueAt (graceMin more) */
  dueAt: number;
  overdueAt: number;
}

export type CheckInRefusal = 'unknown-area' | 'not-permitted' | 'too-long';
export type CheckInResult = { ok: true; area: AreaView; event: PlantEvent } | { ok: false; refusal: CheckInRefusal; reason: { zh: string; en: string } };

export interface CheckIn {
  by: Actor;
  note?: string;
  photos?: string[];
}

export interface CleaningRecordsOptions {
  areas: readonly CleaningAreaConfig[];
  store: CleaningStore;
  clock: Clock;
  log: Logger;
  /** commits the event to the buffer */
  emit: (e: PlantEvent) => Promise<void>;
  /** opens the hazard record of an overdue area (HazardRecords.find) */
  find: (f: Finding) => Promise<FindResult>;
}

export class CleaningRecords {
  private readonly state = new Map<string, AreaState>();
  private readonly queue = new SerialQueue();
  private readonly listeners = new Set<() => void>();
  private timer?: Timer;
  private closed = false;

  private constructor(private readonly o: CleaningRecordsOptions) {}

  /** Load each area's clock (starting it for an area new to this gateway), send what a power cut left unsent, report what fell overdue while the gateway was off. */
  static async open(o: CleaningRecordsOptions): Promise<CleaningRecords> {
    const c = new CleaningRecords(o);
    const stored = new Map((await o.store.areas()).map((a) => [a.area, a]));
    const now = o.clock.now();
    for (const area of o.areas) {
      const s = stored.get(area.id) ?? { area: area.id, since: now };
      if (!stored.has(area.id)) await o.store.write(s);
      c.state.set(area.id, s);
    }
    for (const e of await o.store.unemitted()) await c.send(e);
    // an overdue reported before a power cut whose hazard record may not have been opened: find is idempotent
    for (const area of o.areas) if (c.state.get(area.id)!.overdueFor === c.state.get(area.id)!.since) await c.openRecord(area);
    await c.checkOverdue();
    return c;
  }

  /** Whether the gateway still sees this area uncleaned past its grace: the hazard record's condition. */
  present(areaId: string): boolean | undefined {
    const area = this.area(areaId);
    return area ? this.view(area, this.o.clock.now()).state === 'overdue' : undefined;
  }

  /** When the area was last checked in as cleaned (hot-work tickets ask). */
  lastCleanedAt(areaId: string): number | undefined {
    const s = this.state.get(areaId);
    return s?.lastBy !== undefined ? s.since : undefined;
  }

  has(areaId: string): boolean {
    return this.area(areaId) !== undefined;
  }

  list(): AreaView[] {
    const now = this.o.clock.now();
    return this.o.areas.map((a) => this.view(a, now));
  }

  /** Whether the site file has any cleaning area. */
  hasAreas(): boolean {
    return this.o.areas.length > 0;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  history(areaId: string): Promise<PlantEvent[]> {
    return this.o.store.history(areaId);
  }

  /** A person checks the area in as cleaned: stored, then sent as a `cleaning` done event. */
  checkIn(areaId: string, c: CheckIn): Promise<CheckInResult> {
    return this.queue.run(async () => {
      const area = this.area(areaId);
      const refused = (refusal: CheckInRefusal, zh: string, en: string): CheckInResult => {
        this.o.log.warn({ area: areaId, user: c.by.user, refusal }, 'cleaning check-in refused');
        return { ok: false, refusal, reason: { zh, en } };
      };
      if (!area) return refused('unknown-area', `没有清扫区域 ${areaId}`, `no cleaning area ${areaId}`);
      if (!isPerson(c.by) || (c.by.role !== 'operator' && c.by.role !== 'supervisor')) return refused('not-permitted', '请登录操作员或主管账号后签到', 'only a logged-in operator or supervisor may check an area in');
      const note = c.note?.trim() ?? '';
      if (note.length > MAX_CHECKIN_NOTE) return refused('too-long', `备注不超过 ${MAX_CHECKIN_NOTE} 字`, `a note takes at most ${MAX_CHECKIN_NOTE} characters`);
      const now = this.o.clock.now();
      const by = c.by.user.trim();
      const name = area.name ?? area.id;
      const next: AreaState = { area: area.id, since: now, lastBy: by };
      const event: PlantEvent = {
        id: `cleaning-${area.id}-${now}-done`,
        t: now,
        type: 'cleaning',
        source: area.id,
        area: area.id,
        state: 'done',
        by,
        user: by,
        message: `${name} 已清扫签到 / ${area.id} checked in as cleaned`,
        ...(note ? { note } : {}),
        ...(c.photos?.length ? { photos: c.photos } : {}),
        detail: { everyH: area.everyH, nextDueAt: now + area.everyH * HOUR },
      };
      await this.o.store.write(next, event);
      this.state.set(area.id, next);
      this.changed();
      this.arm();
      await this.send(event);
      return { ok: true, area: this.view(area, now), event };
    });
  }

  /** Report each area past its grace, once per missed check-in; the timer calls it, tests may too. */
  checkOverdue(): Promise<AreaView[]> {
    return this.queue.run(async () => {
      const now = this.o.clock.now();
      const late: AreaView[] = [];
      for (const area of this.o.areas) {
        const s = this.state.get(area.id)!;
        const v = this.view(area, now);
        if (v.state !== 'overdue' || s.overdueFor === s.since) continue;
        const next: AreaState = { ...s, overdueFor: s.since };
        const name = area.name ?? area.id;
        const event: PlantEvent = {
          id: `cleaning-${area.id}-${s.since}-overdue`,
          t: now,
          type: 'cleaning',
          source: area.id,
          area: area.id,
          state: 'overdue',
          priority: 'high',
          by: GATEWAY,
          due: v.overdueAt,
          message: `${name} 超过 ${area.everyH} 小时${area.graceMin ? `（另宽限 ${area.graceMin} 分钟）` : ''}未清扫签到 / ${area.id}: not checked in as cleaned within ${area.everyH} h${area.graceMin ? ` + ${area.graceMin} min` : ''}`,
          detail: { everyH: area.everyH, graceMin: area.graceMin, ...(s.lastBy !== undefined ? { lastCleanedAt: s.since, lastBy: s.lastBy } : { since: s.since }) },
        };
        await this.o.store.write(next, event);
        this.state.set(area.id, next);
        late.push(v);
        this.changed();
        await this.send(event);
        await this.openRecord(area);
      }
      this.arm();
      return late;
    });
  }

  settled(): Promise<void> {
    return this.queue.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    await this.queue.idle();
  }

  private area(id: string): CleaningAreaConfig | undefined {
    return this.o.areas.find((a) => a.id === id);
  }

  private view(area: CleaningAreaConfig, now: number): AreaView {
    const s = this.state.get(area.id)!;
    const dueAt = s.since + area.everyH * HOUR;
    const overdueAt = dueAt + area.graceMin * MIN;
    return {
      id: area.id,
      name: area.name ?? area.id,
      everyH: area.everyH,
      graceMin: area.graceMin,
      clause: area.clause,
      state: now > overdueAt ? 'overdue' : now > dueAt ? 'due' : 'ok',
      ...(s.lastBy !== undefined ? { lastCleanedAt: s.since, lastBy: s.lastBy } : {}),
      dueAt,
      overdueAt,
    };
  }

  private async openRecord(area: CleaningAreaConfig): Promise<void> {
    const s = this.state.get(area.id)!;
    try {
      const r = await this.o.find({
        rule: area.id,
        clause: area.clause,
        grade: area.grade,
        title: `${area.name ?? area.id}未按规定清扫积尘`,
        description: `应每 ${area.everyH} 小时清扫签到一次；${s.lastBy !== undefined ? `上次由 ${s.lastBy} 签到` : '自网关启用起未签到'}`,
        by: GATEWAY,
        rectifyWithinH: CLEANING_RECTIFY_WITHIN_H,
      });
      if (!('already' in r)) this.o.log.warn({ record: r.record.id, area: area.id }, 'hidden hazard found: cleaning overdue');
    } catch (err) {
      this.o.log.error({ err, area: area.id }, 'hidden hazard of an overdue cleaning not recorded');
    }
  }

  private async send(e: PlantEvent): Promise<void> {
    try {
      await this.o.emit(e);
      await this.o.store.markEmitted(e.id);
    } catch (err) {
      // stored with emitted = 0: the next start sends it again
      this.o.log.error({ err, event: e.id }, 'cleaning event not buffered');
    }
  }

  /** One timer, for the earliest area yet to fall overdue; re-read every minute in case the clock stepped. */
  private arm(): void {
    this.timer?.cancel();
    delete this.timer;
    if (this.closed) return;
    const now = this.o.clock.now();
    let next = Infinity;
    for (const area of this.o.areas) {
      const s = this.state.get(area.id)!;
      if (s.overdueFor !== s.since) next = Math.min(next, this.view(area, now).overdueAt);
    }
    if (!Number.isFinite(next)) return;
    const wait = Math.min(Math.max(0, next + 1 - now), MIN);
    this.timer = this.o.clock.setTimeout(() => {
      this.checkOverdue().catch((err: unknown) => this.o.log.error({ err }, 'cleaning deadlines not checked'));
    }, wait);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
