/**
 * The digests of a running agent, built in one place (app.ts calls DigestLoop.start): a shift
 * builder fed by the plant's samples and events, checkpointed into the buffer's database every
 * minute and closed at the shift's end; at each period's end (shift, day, week, month) a
 * `summary` event, in order, also for periods that ended while the gateway was off; and the
 * early warnings, evaluated once a minute. The plant knows nothing of it: the loop listens.
 */
import type { SiteConfig } from '../config/schema.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent } from '../core/types.js';
import type { Db } from '../buffer/sqlite.js';
import type { Plant } from '../plant/plant.js';
import { emptyAggregate } from './aggregate.js';
import type { Digest } from './digest.js';
import { DigestStore, type Serial } from './digest-store.js';
import { EarlyWarnings } from './early-warning.js';
import { periodDigest } from './period-digest.js';
import { reportHtml } from './report-html.js';
import { Calendar, type Period, type PeriodKind } from './periods.js';
import { ShiftBuilder } from './shift-builder.js';
import { siteFacts, type SiteFacts } from './site-facts.js';
import { summaryEvent } from './summary-event.js';

/** A power cut loses at most this much of the running shift's figures (the SD card's wear: one row a minute). */
export const CHECKPOINT_MS = 60_000;
/** early warnings and the uplink's state are sampled this often */
const EVALUATE_MS = 60_000;

export interface DigestLoopOptions {
  plant: Plant;
  config: SiteConfig;
  /** the buffer's connection and its queue (Outbox.shared()) */
  db: { db: Db; serial: Serial };
  /** commits the event to the buffer */
  emit: (e: Omit<PlantEvent, 'id'> & { id: string }) => Promise<void>;
  clock: Clock;
  log: Logger;
  /** the uplink's state, when the site has one */
  uplink?: () => { connected: boolean; backlog: number };
}

export class DigestLoop {
  private builder!: ShiftBuilder;
  private timer: Timer | undefined;
  private evaluateTimer: Timer | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  readonly calendar: Calendar;
  readonly site: SiteFacts;
  readonly warnings: EarlyWarnings | undefined;

  private constructor(
    private readonly o: DigestLoopOptions,
    readonly store: DigestStore,
    private readonly log: Logger,
  ) {
    const digests = o.config.digests!;
    this.calendar = new Calendar(digests, o.config.site.timezone);
    this.site = siteFacts(o.config);
    this.warnings =
      digests.earlyWarning.length > 0
        ? new EarlyWarnings({ entries: digests.earlyWarning, defaultWindowMin: digests.trendWindowMin, points: this.site.points, alarms: o.plant.alarms, onRaise: (p) => this.builder.earlyWarning(p) })
        : undefined;
  }

  /** Undefined for a site without a `digests` section. */
  static async start(o: DigestLoopOptions): Promise<DigestLoop | undefined> {
    if (!o.config.digests) return undefined;
    const log = o.log.child({ component: 'digests' });
    const store = await DigestStore.open(o.db.db, o.db.serial);
    const loop = new DigestLoop(o, store, log);
    await loop.resume();
    loop.listen();
    loop.arm();
    return loop;
  }

  /** The running shift's figures so far (the page's briefing, a report of the current shift). */
  async current(): Promise<Digest> {
    await this.checkpoint();
    return this.digest(this.builder.period);
  }

  /**
   * Before a shift (班组日预判): the last finished shift's digest and the early warnings now.
   * The page adds the open hazards and tickets from their own records.
   */
  async briefing(): Promise<{ lastShift: Digest; forecasts: ReturnType<EarlyWarnings['forecasts']> }> {
    const last = this.calendar.shiftAt(this.builder.period.from - 1);
    return { lastShift: await this.digest(last), forecasts: this.warnings?.forecasts() ?? [] };
  }

  /**
   * The team leader (logged in on the page) signs the briefing of a shift's digest: an
   * `operator` event naming the summary (docs/UPLINK.md, "Closed-loop records").
   */
  signBriefing(summaryOf: string, user: string): PlantEvent {
    return this.o.plant.events.report({ t: this.o.clock.now(), type: 'operator', source: 'digests', state: 'briefing_signed', user, message: `${user} 已签阅班前风险预判 ${summaryOf} / briefing signed`, detail: { summary: `summary-${summaryOf}` } });
  }

  /** The printable report (report-html.ts, as `firebreak report` writes it) of the period of this kind that holds `at`. */
  async report(kind: PeriodKind, at: number): Promise<string> {
    await this.checkpoint();
    const period = this.calendar.at(kind, at);
    const digest = await this.digest(period);
    const shifts: Digest[] = [];
    for (const s of kind === 'shift' ? [period] : this.calendar.shiftsIn(period)) shifts.push(await this.digest(s));
    return reportHtml({ digest, siteName: this.site.siteName, gateway: this.site.gateway, calendar: this.calendar, shifts, generatedAt: this.o.clock.now() });
  }

  /** Any period's digest from what is stored. */
  async digest(p: Period): Promise<Digest> {
    return (await periodDigest(this.deps(), p)).digest;
  }

  /**
   * An event that does not pass through the plant's event log: the closed-loop records'
   * (hazard, disposition, cleaning, ticket), which their loops commit straight to the buffer.
   * app.ts hands each one here beside its outbox.addEvent.
   */
  observe(e: PlantEvent): void {
    if (this.stopped || e.type === 'summary') return;
    this.rollIfDue();
    this.builder.event(e, this.o.clock.monotonic());
  }

  /** Resolves once every write and summary queued so far is done. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Check the running shift in and close the store; the plant's listeners then do nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.evaluateTimer?.cancel();
    await this.checkpoint();
    await this.chain;
    await this.store.close();
  }

  private deps() {
    return { store: this.store, calendar: this.calendar, site: this.site, thresholds: this.o.config.digests!.risk, hasUplink: this.o.uplink !== undefined };
  }

  /** Reopen the running shift where its checkpoint left it; close what ended while the gateway was off. */
  private async resume(): Promise<void> {
    const now = this.o.clock.now();
    const mono = this.o.clock.monotonic();
    const last = await this.store.lastShift();
    let current = this.calendar.shiftAt(now);
    if (last && !last.closed && last.period.from > current.from) current = last.period; // the clock stepped back below a shift already open
    if (last && last.period.id !== current.id) {
      if (!last.closed) await this.store.save(last.period, last.aggregate ?? emptyAggregate(last.period.to - last.period.from), true);
      // shifts the gateway missed entirely: rows with no running time, so each is still one digest
      for (let s = this.calendar.next(last.period); s.from < current.from; s = this.calendar.next(s)) await this.store.save(s, emptyAggregate(s.to - s.from), true);
      await this.closeLongerPeriods(last.period.to, current.from);
    }
    const stored = last?.period.id === current.id ? last : await this.store.get(current.id);
    this.builder = new ShiftBuilder(this.site, current, mono, stored?.closed ? undefined : stored?.aggregate);
    if (stored?.aggregate && !stored.closed) this.builder.agg.end = stored.aggregate.end;
    else if (last?.aggregate) this.builder.agg.end = structuredClone(last.aggregate.end);
    await this.store.save(current, this.builder.flush(mono), false);
    await this.emitPending();
  }

  private listen(): void {
    const { plant, clock } = this.o;
    plant.onSample((s) => {
      if (this.stopped) return;
      this.rollIfDue();
      this.builder.sample(s, clock.monotonic());
      this.warnings?.sample(s);
    });
    plant.onEvent((e) => {
      if (this.stopped || e.type === 'summary') return;
      this.rollIfDue();
      this.builder.event(e, clock.monotonic());
    });
    plant.alarms.onActivation((a) => {
      if (!this.stopped) this.builder.activation({ alarm: a.alarm, priority: a.priority }, a.t, clock.monotonic());
    });
  }

  private arm(): void {
    if (this.stopped) return;
    const delay = Math.max(0, Math.min(CHECKPOINT_MS, this.builder.period.to - this.o.clock.now()));
    this.timer = this.o.clock.setTimeout(() => {
      this.rollIfDue();
      void this.checkpoint();
      this.arm();
    }, delay);
    this.evaluateTimer ??= this.o.clock.setInterval(() => {
      if (this.stopped) return;
      this.warnings?.evaluate(this.o.clock.now());
      const u = this.o.uplink?.();
      if (u) this.builder.uplink(u.connected, u.backlog);
    }, EVALUATE_MS);
  }

  /** In memory and at once: the next sample already belongs to the next shift; the writes queue behind. */
  private rollIfDue(): void {
    const now = this.o.clock.now();
    const ended = this.builder;
    // the clock stepped back: stay in the open shift, never reopen a closed one
    if (now < ended.period.to) return;
    const mono = this.o.clock.monotonic();
    const figures = ended.flush(mono);
    const next = this.calendar.shiftAt(now);
    this.builder = new ShiftBuilder(this.site, next, mono);
    ended.carryInto(this.builder);
    this.queue(async () => {
      await this.store.save(ended.period, figures, true);
      for (let s = this.calendar.next(ended.period); s.from < next.from; s = this.calendar.next(s)) await this.store.save(s, emptyAggregate(s.to - s.from), true);
      await this.closeLongerPeriods(ended.period.to, next.from);
      await this.store.save(next, this.builder.flush(this.o.clock.monotonic()), false);
      await this.emitPending();
    });
  }

  private checkpoint(): Promise<void> {
    const b = this.builder;
    return this.queue(() => this.store.save(b.period, b.flush(this.o.clock.monotonic()), false));
  }

  /** Days, weeks and months whose end falls in (after, upTo]: closed rows, their summaries pending. */
  private async closeLongerPeriods(after: number, upTo: number): Promise<void> {
    for (const kind of ['day', 'week', 'month'] as PeriodKind[]) {
      for (let p = this.calendar.at(kind, after - 1); p.to <= upTo; p = this.calendar.next(p)) if (p.to > after - 1) await this.store.save(p, undefined, true);
    }
  }

  private async emitPending(): Promise<void> {
    for (const s of await this.store.unemitted()) {
      const d = await this.digest(s.period);
      await this.o.emit(summaryEvent(d, this.calendar));
      await this.store.markEmitted(s.period.id);
      this.log.info({ period: d.id, risk: d.risk, reasons: d.reasons.length }, 'summary sent');
    }
  }

  private queue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((err: unknown) => this.log.error({ err }, 'digest not stored'));
    return this.chain;
  }
}
