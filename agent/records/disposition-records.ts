/**
 * Alarm handling feedback (处置反馈) of one gateway: every time an alarm of the site's
 * `alarms.disposition.priorities` becomes active, an occurrence opens and waits for a cause and
 * an action from a logged-in person; none by `withinMin` sends one overdue event, and the
 * occurrence stays pending until someone records it. Occurrences move through
 * disposition-machine.ts only, are stored first (disposition-store.ts), then sent as
 * `disposition` events. One change at a time, so two pages recording at once get one record and
 * one refusal.
 */
import type { AlarmActivation } from '../alarms/alarm-list.js';
import type { SiteConfig } from '../config/schema.js';
import { SerialQueue } from '../buffer/serial.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent } from '../core/types.js';
import { GATEWAY } from './actors.js';
import { actionWords, applyDisposition, awaitsFeedback, causeWords, dispositionWords, type DispositionAccepted, type DispositionRefused, type Occurrence } from './disposition-machine.js';
import type { DispositionChange, DispositionStore, HistoryQuery } from './disposition-store.js';
import type { Actor } from './hazard-machine.js';

export type DispositionConfig = NonNullable<NonNullable<SiteConfig['alarms']>['disposition']>;

const MIN = 60_000;
/** Deadlines are re-read at least this often, so a step of the system clock (NTP) is caught within a minute. */
const RECHECK_MS = MIN;

export interface Feedback {
  /** a preset's code (disposition-presets.ts) or what the person wrote */
  cause: string;
  action: string;
  note?: string;
  by: Actor;
}

export type RecordResult = DispositionAccepted | DispositionRefused | { ok: false; refusal: 'unknown-occurrence'; reason: { zh: string; en: string } };

/** Where alarm activations come from: the alarm list (AlarmList.onActivation). */
export interface AlarmActivations {
  onActivation(listener: (a: AlarmActivation) => void): () => void;
}

export interface DispositionRecordsOptions {
  config: DispositionConfig;
  store: DispositionStore;
  clock: Clock;
  log: Logger;
  /** commits the event to the buffer; resolves once it is on disk */
  emit: (e: PlantEvent) => Promise<void>;
}

export class DispositionRecords {
  /** occurrences waiting for feedback, by id */
  private readonly waiting = new Map<string, Occurrence>();
  private readonly queue = new SerialQueue();
  private readonly listeners = new Set<() => void>();
  private readonly unwatch: (() => void)[] = [];
  private timer?: Timer;
  private closed = false;

  private constructor(private readonly o: DispositionRecordsOptions) {}

  /** Load what still waits for feedback, send what a power cut left unsent, and watch the deadlines. */
  static async open(o: DispositionRecordsOptions): Promise<DispositionRecords> {
    const d = new DispositionRecords(o);
    for (const occ of await o.store.awaiting()) d.waiting.set(occ.id, occ);
    for (const c of await o.store.unemitted()) await d.send(c);
    d.arm();
    return d;
  }

  /** Open an occurrence for each activation of a configured priority; returns the unsubscribe. */
  watch(alarms: AlarmActivations): () => void {
    const stop = alarms.onActivation((a) => {
      // a shelved alarm fired out of the operator's sight: shelving already carries who and why
      if (a.shelved || !this.o.config.priorities.includes(a.priority)) return;
      void this.queue.run(() => this.occur(a));
    });
    this.unwatch.push(stop);
    return stop;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Occurrences waiting for feedback, pending or overdue, oldest first: the page lists them until recorded. */
  pending(): Occurrence[] {
    return [...this.waiting.values()].sort((a, b) => a.t - b.t || a.id.localeCompare(b.id));
  }

  counts(): { pending: number; overdue: number } {
    let overdue = 0;
    for (const occ of this.waiting.values()) if (occ.state === 'overdue') overdue++;
    return { pending: this.waiting.size, overdue };
  }

  /** A person's feedback on one occurrence: the machine decides, the store keeps it, the event follows. */
  record(occurrenceId: string, f: Feedback): Promise<RecordResult> {
    return this.queue.run(async () => {
      const occ = this.waiting.get(occurrenceId) ?? (await this.o.store.get(occurrenceId));
      if (!occ) {
        this.o.log.warn({ occurrence: occurrenceId, user: f.by.user }, 'disposition for an unknown alarm occurrence refused');
        return { ok: false, refusal: 'unknown-occurrence', reason: { zh: `没有报警记录 ${occurrenceId}`, en: `no alarm occurrence ${occurrenceId}` } } as const;
      }
      const now = this.o.clock.now();
      const result = applyDisposition(occ, { kind: 'record', by: f.by, cause: f.cause, action: f.action, ...(f.note !== undefined ? { note: f.note } : {}) }, now);
      if (!result.ok) {
        this.o.log.warn({ occurrence: occurrenceId, alarm: occ.alarm, user: f.by.user, refusal: result.refusal }, 'disposition refused');
        return result;
      }
      await this.commit(result.occurrence, { state: 'recorded', t: now, by: result.occurrence.by ?? f.by.user, occurrence: result.occurrence });
      return result;
    });
  }

  /** Occurrences, newest first, from the database: recorded, pending and overdue alike. */
  history(q: HistoryQuery = {}): Promise<Occurrence[]> {
    return this.queue.run(() => this.o.store.history(q));
  }

  /** Mark what is past its deadline, once per occurrence; the timer calls it, tests and the CLI may too. */
  checkOverdue(): Promise<Occurrence[]> {
    return this.queue.run(async () => {
      const now = this.o.clock.now();
      const late: Occurrence[] = [];
      for (const occ of this.pending()) {
        if (occ.state !== 'pending' || now <= occ.due) continue;
        const r = applyDisposition(occ, { kind: 'overdue' }, now);
        if (!r.ok) continue;
        await this.commit(r.occurrence, { state: 'overdue', t: now, by: GATEWAY, occurrence: r.occurrence });
        late.push(r.occurrence);
      }
      this.arm();
      return late;
    });
  }

  /** Resolves once every occurrence and change queued so far is stored and its event handed on. */
  settled(): Promise<void> {
    return this.queue.idle();
  }

  /** Stop watching and wait for what is under way; the owner closes the store after. */
  async close(): Promise<void> {
    this.closed = true;
    for (const stop of this.unwatch.splice(0)) stop();
    this.timer?.cancel();
    await this.queue.idle();
  }

  private async occur(a: AlarmActivation): Promise<void> {
    if (this.waiting.has(a.event)) return;
    const occ: Occurrence = {
      id: a.event,
      alarm: a.alarm,
      source: a.source,
      name: a.name,
      ...(a.nameEn ? { nameEn: a.nameEn } : {}),
      priority: a.priority,
      t: a.t,
      message: a.messageEn ? `${a.message} / ${a.messageEn}` : a.message,
      due: a.t + this.o.config.withinMin * MIN,
      state: 'pending',
    };
    // listed at once, even if the disk refuses it: the page must still ask for the feedback
    this.waiting.set(occ.id, occ);
    this.changed();
    this.arm();
    try {
      await this.o.store.write(occ);
    } catch (err) {
      this.o.log.error({ err, occurrence: occ.id, alarm: occ.alarm }, 'alarm occurrence not stored');
    }
  }

  private async commit(occ: Occurrence, change: DispositionChange): Promise<void> {
    await this.o.store.write(occ, change);
    if (awaitsFeedback(occ)) this.waiting.set(occ.id, occ);
    else this.waiting.delete(occ.id);
    this.changed();
    await this.send(change);
  }

  /** The event of one change; the same id if a power cut makes it go twice. */
  private async send(c: DispositionChange): Promise<void> {
    const occ = c.occurrence;
    const name = { zh: occ.name, en: occ.nameEn ?? occ.name };
    const cause = occ.cause !== undefined ? causeWords(occ.cause) : undefined;
    const action = occ.action !== undefined ? actionWords(occ.action) : undefined;
    const message =
      c.state === 'overdue'
        ? `报警「${name.zh}」${Math.round((occ.due - occ.t) / MIN)} 分钟内无处置反馈 / alarm ${name.en}: no handling feedback within ${Math.round((occ.due - occ.t) / MIN)} min`
        : `报警「${name.zh}」${dispositionWords('recorded').zh}：${cause?.zh ?? ''}；${action?.zh ?? ''} / alarm ${name.en}: ${cause?.en ?? ''}; ${action?.en ?? ''}`;
    const presets = { ...(cause?.preset ? { cause: cause.preset } : {}), ...(action?.preset ? { action: action.preset } : {}) };
    const event: PlantEvent = {
      id: `${occ.id}#${c.state}`,
      t: c.t,
      type: 'disposition',
      source: occ.alarm,
      priority: occ.priority,
      state: c.state,
      message,
      alarm: occ.id,
      by: c.by,
      ...(c.by !== GATEWAY ? { user: c.by } : {}),
      due: occ.due,
      ...(c.state === 'recorded' && cause && action ? { cause: cause.zh, action: action.zh } : {}),
      ...(c.state === 'recorded' && occ.note ? { note: occ.note } : {}),
      // when the alarm fired, and the presets' codes a platform counts by
      detail: { alarmT: occ.t, ...(c.state === 'recorded' ? { presets } : {}) },
    };
    try {
      await this.o.emit(event);
      await this.o.store.markEmitted(c);
    } catch (err) {
      // stored with emitted = 0: the next start sends it again
      this.o.log.error({ err, occurrence: occ.id, state: c.state }, 'disposition event not buffered');
    }
  }

  /** One timer, for the earliest deadline still pending; re-read every minute in case the clock stepped. */
  private arm(): void {
    this.timer?.cancel();
    delete this.timer;
    if (this.closed) return;
    let next = Infinity;
    for (const occ of this.waiting.values()) if (occ.state === 'pending') next = Math.min(next, occ.due);
    if (!Number.isFinite(next)) return;
    // overdue is strictly past due: fire 1 ms after it
    const wait = Math.min(Math.max(0, next + 1 - this.o.clock.now()), RECHECK_MS);
    this.timer = this.o.clock.setTimeout(() => {
      this.checkOverdue().catch((err: unknown) => this.o.log.error({ err }, 'disposition deadlines not checked'));
    }, wait);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
