/**
 * The hidden-hazard records of one gateway: found by a rule, an overdue cleaning, the
 * lockout-energy case or a person; moved through hazard-machine.ts only; every change stored
 * (hazard-store.ts) and then sent as a `hazard` event. One change at a time, so two pages
 * closing the same record at once get one close and one refusal.
 */
import { dayId, dayPrefix } from '../core/local-date.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent } from '../core/types.js';
import { applyHazardAction, isOpen, isOverdue, stateWords, type Accepted, type Grade, type HazardAction, type HazardRecord, type Refused } from './hazard-machine.js';
import type { HazardChange, HazardStore } from './hazard-store.js';

export const MANUAL_RULE = 'manual';
const HOUR = 3_600_000;

export interface Finding {
  /** the site file's hazard, cleaning or confined-space id; MANUAL_RULE for a person's entry */
  rule: string;
  clause: string;
  grade: Grade;
  title: string;
  description?: string;
  /** `gateway`, or the logged-in user who entered it */
  by: string;
  /** default deadline, hours from now (the rule's rectifyWithinH) */
  rectifyWithinH: number;
  photos?: string[];
}

export type FindResult = Accepted | (Accepted & { already: true });
export type ActResult = Accepted | Refused | { ok: false; refusal: 'unknown-record'; reason: { zh: string; en: string } };

export interface HazardSummary {
  openMajor: number;
  /** age of the oldest open major record, ms; undefined at zero (动态清零) */
  oldestOpenMajorMs?: number;
  open: number;
  overdue: number;
  awaitingVerification: number;
  closedToday: number;
}

export interface HazardRecordsOptions {
  store: HazardStore;
  clock: Clock;
  log: Logger;
  /** commits the event to the buffer; resolves once it is on disk */
  emit: (e: PlantEvent) => Promise<void>;
  /** does the gateway still see what this rule watches? (false for what it cannot see) */
  conditionPresent: (rule: string) => boolean;
  /** the local day starts at 00:00 in this time zone, for ids and "closed today" */
  timeZone?: string;
}

export class HazardRecords {
  private readonly records = new Map<string, HazardRecord>();
  private readonly history = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly o: HazardRecordsOptions) {}

  /** Load the open records (and today's closed ones) and send what a power cut left unsent. */
  static async open(o: HazardRecordsOptions): Promise<HazardRecords> {
    const h = new HazardRecords(o);
    for (const r of await o.store.current(h.startOfDay(o.clock.now()))) h.records.set(r.id, r);
    for (const r of h.records.values()) h.history.set(r.id, await o.store.changeCount(r.id));
    for (const c of await o.store.unemitted()) {
      const r = h.records.get(c.record);
      if (r) await h.send(r, c);
    }
    return h;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): HazardRecord[] {
    return [...this.records.values()].sort((a, b) => b.foundAt - a.foundAt);
  }

  get(id: string): HazardRecord | undefined {
    return this.records.get(id);
  }

  changes(id: string): Promise<HazardChange[]> {
    return this.o.store.history(id);
  }

  /** The open record of a rule, if there is one: a rule that keeps holding opens no second record. */
  openOf(rule: string): HazardRecord | undefined {
    for (const r of this.records.values()) if (r.rule === rule && isOpen(r)) return r;
    return undefined;
  }

  /** A finding: a new record, or the open one of the same rule. */
  find(f: Finding): Promise<FindResult> {
    return this.serial(async () => {
      const existing = f.rule === MANUAL_RULE ? undefined : this.openOf(f.rule);
      if (existing) return { ok: true, record: existing, already: true } as const;
      const now = this.o.clock.now();
      const last = f.rule === MANUAL_RULE ? undefined : await this.o.store.lastOfRule(f.rule);
      const record: HazardRecord = {
        id: await this.nextId(now),
        rule: f.rule,
        clause: f.clause,
        grade: f.grade,
        title: f.title,
        ...(f.description ? { description: f.description } : {}),
        state: 'found',
        foundAt: now,
        foundBy: f.by,
        due: now + f.rectifyWithinH * HOUR,
        ...(last && last.state === 'closed' ? { previous: last.id } : {}),
        photos: f.photos ?? [],
      };
      await this.commit(record, { t: now, state: 'found', by: f.by, ...(f.description ? { note: f.description } : {}), ...(f.photos?.length ? { photos: f.photos } : {}) });
      return { ok: true, record };
    });
  }

  /** A person's action on a record: the machine decides, the store keeps it, the event follows. */
  act(id: string, action: HazardAction): Promise<ActResult> {
    return this.serial(async () => {
      const r = this.records.get(id);
      if (!r) return { ok: false, refusal: 'unknown-record', reason: { zh: `没有隐患记录 ${id}`, en: `no hazard record ${id}` } } as const;
      const now = this.o.clock.now();
      const conditionPresent = r.rule !== MANUAL_RULE && this.o.conditionPresent(r.rule);
      const result = applyHazardAction(r, action, { now, conditionPresent });
      if (!result.ok) {
        this.o.log.warn({ record: id, action: action.kind, user: action.by.user, refusal: result.refusal }, 'hazard record change refused');
        return result;
      }
      const note = 'note' in action ? action.note : undefined;
      const photos = action.kind === 'rectify' ? action.photos : undefined;
      await this.commit(result.record, { t: now, state: result.record.state, by: action.by.user, ...(note ? { note } : {}), ...(photos?.length ? { photos } : {}) });
      return result;
    });
  }

  /** Mark what is past its deadline, once per record and deadline; call every minute or so. */
  checkOverdue(): Promise<HazardRecord[]> {
    return this.serial(async () => {
      const now = this.o.clock.now();
      const late: HazardRecord[] = [];
      for (const r of this.records.values()) {
        if (!isOverdue(r, now) || r.overdueAt !== undefined) continue;
        const next = { ...r, overdueAt: now };
        await this.commit(next, { t: now, state: 'overdue', by: 'gateway' });
        late.push(next);
      }
      return late;
    });
  }

  summary(): HazardSummary {
    const now = this.o.clock.now();
    const today = this.startOfDay(now);
    const s: HazardSummary = { openMajor: 0, open: 0, overdue: 0, awaitingVerification: 0, closedToday: 0 };
    for (const r of this.records.values()) {
      if (!isOpen(r)) {
        if ((r.closedAt ?? 0) >= today) s.closedToday++;
        continue;
      }
      s.open++;
      if (r.state === 'rectified') s.awaitingVerification++;
      if (isOverdue(r, now)) s.overdue++;
      if (r.grade === 'major') {
        s.openMajor++;
        s.oldestOpenMajorMs = Math.max(s.oldestOpenMajorMs ?? 0, now - r.foundAt);
      }
    }
    return s;
  }

  private async commit(record: HazardRecord, c: Omit<HazardChange, 'record' | 'n'>): Promise<void> {
    const n = (this.history.get(record.id) ?? 0) + 1;
    const change: HazardChange = { record: record.id, n, ...c };
    await this.o.store.write(record, change);
    this.history.set(record.id, n);
    this.records.set(record.id, record);
    for (const l of this.listeners) l();
    await this.send(record, change);
  }

  /** The event of one change; the same id if a power cut makes it go twice. */
  private async send(r: HazardRecord, c: HazardChange): Promise<void> {
    const words = c.state === 'overdue' ? { zh: '已超期', en: 'overdue' } : stateWords(c.state);
    const event: PlantEvent = {
      id: `${r.id}#${c.n}`,
      t: c.t,
      type: 'hazard',
      source: r.rule,
      state: c.state,
      message: `隐患 ${r.id}「${r.title}」${words.zh} / hazard ${r.id} ${words.en}`,
      hazard: r.grade === 'major',
      record: r.id,
      rule: r.rule,
      clause: r.clause,
      grade: r.grade,
      by: c.by,
      ...(c.by !== 'gateway' ? { user: c.by } : {}),
      ...(r.due !== undefined ? { due: r.due } : {}),
      ...(r.previous && c.state === 'found' ? { previous: r.previous } : {}),
      ...(c.note ? { note: c.note } : {}),
      ...(c.photos?.length ? { photos: c.photos } : {}),
    };
    try {
      await this.o.emit(event);
      await this.o.store.markEmitted(c);
    } catch (err) {
      // stored with emitted = 0: the next start sends it again
      this.o.log.error({ err, record: r.id, n: c.n }, 'hazard event not buffered');
    }
  }

  private async nextId(now: number): Promise<string> {
    return dayId('HZ', now, await this.o.store.countWithPrefix(dayPrefix('HZ', now, this.o.timeZone)), this.o.timeZone);
  }

  /** Local midnight before `t`, in the site's time zone: the start of "closed today". */
  startOfDay(t: number): number {
    // local midnight: step back by the local time of day, read through the same time zone
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: this.o.timeZone ?? 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(t);
    const get = (k: string) => Number(parts.find((p) => p.type === k)?.value ?? 0);
    return t - ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 - (t % 1000);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
