/**
 * The shared machinery of a provincial HTTP uplink: a destination with its own outbox cursor
 * and two lanes, one request in flight on each.
 *
 * - periods: every `periodMs`, every mapped point's state at the boundary, rebuilt from the
 *   buffered samples (PeriodRollup), so after an outage each missed period goes up in order;
 *   progress (last boundary, state) lives in a sidecar file next to the buffer.
 * - events: the events stream read through the cursor in seq order; the province keeps what
 *   concerns it; a message is acknowledged only when the platform took the request.
 *
 * A request is done only when the province says the answer is a success; otherwise it is sent
 * again after a backoff capped at 5 minutes. One destination being down never holds back
 * another: each reads the same buffer through its own cursor.
 */
import type { Cursor } from '../../buffer/cursor.js';
import type { Outbox } from '../../buffer/outbox.js';
import type { Clock, Timer } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { PlantEvent, Sample } from '../../core/types.js';
import { Backoff, type BackoffOptions } from '../backoff.js';
import type { Destination, DestinationStatus } from '../destination.js';
import { httpPost, type HttpPost } from './http-post.js';
import { PeriodRollup, type RollupPoint } from './period-rollup.js';
import { loadProgress, saveProgress, type Progress } from './progress-file.js';
import type { Province, ProvincialRequest } from './province.js';

export interface ProvincialUplinkOptions {
  province: Province;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  /** the sidecar progress file, e.g. next to the buffer: `/var/lib/firebreak/buffer.db.hebei.json` */
  progressPath: string;
  /** every mapped point, with how old its value may be at a boundary */
  points: ReadonlyMap<string, RollupPoint>;
  /** the current value of every point, to start from on the very first run */
  snapshot?: () => Sample[];
  /** how long after a boundary its period is built, so samples up to it are committed (ms) */
  graceMs?: number;
  /** how long a request may take before it counts as failed (ms) */
  timeoutMs?: number;
  backoff?: BackoffOptions;
  post?: HttpPost;
}

/** the buffer commits samples every 250 ms by default; 2 s covers a slow SD card */
const DEFAULT_GRACE_MS = 2000;
const DEFAULT_TIMEOUT_MS = 20_000;
/** the issue asks for retries capped at about 5 minutes, the platform's own longest reporting gap */
const MAX_BACKOFF_MS = 300_000;
/** events messages (each up to 200 events) gathered into one request */
const EVENT_MESSAGES_PER_REQUEST = 16;
/** a fallback wake-up for the events lane, in case a commit notice was missed */
const EVENTS_IDLE_MS = 5000;

export class ProvincialUplink implements Destination {
  readonly name: string;
  private readonly p: Province;
  private readonly log: Logger;
  private readonly post: HttpPost;
  private readonly graceMs: number;
  private readonly timeoutMs: number;
  private readonly backoffOpts: BackoffOptions;
  private stopped = true;
  private connected = false;
  private cursor: Cursor | undefined;
  private rollup: PeriodRollup | undefined;
  private progress: Progress | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly aborts = new Set<AbortController>();
  private readonly sleepers = new Set<{ wake: () => void; backoff: boolean }>();
  private eventsWaiter: (() => void) | undefined;
  private lanes: Promise<void>[] = [];
  /** when the oldest events message being sent was committed */
  private oldestEventMs: number | undefined;

  constructor(private readonly o: ProvincialUplinkOptions) {
    this.p = o.province;
    this.name = o.province.name;
    this.log = o.log.child({ component: 'uplink', destination: o.province.name });
    this.post = o.post ?? httpPost;
    this.graceMs = o.graceMs ?? DEFAULT_GRACE_MS;
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.backoffOpts = { initialMs: 1000, maxMs: MAX_BACKOFF_MS, ...o.backoff };
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    // a destination seen for the first time starts with what is committed from now on
    const cursor = await this.o.outbox.cursor(this.name, { from: 'now' });
    this.cursor = cursor;
    let progress: Progress | undefined;
    try {
      progress = await loadProgress(this.o.progressPath);
    } catch (err) {
      this.log.error({ err: (err as Error).message, path: this.o.progressPath }, 'progress file unreadable; starting from the current period');
    }
    const P = this.p.periodMs;
    const fresh = progress === undefined;
    this.progress = progress ?? { boundary: Math.floor(this.o.clock.now() / P) * P, values: {} };
    this.rollup = new PeriodRollup(cursor, () => this.o.outbox.nextSeq('data'), this.o.points, this.progress.values);
    if (fresh && this.o.snapshot) this.rollup.seed(this.o.snapshot());
    this.unsubscribe = this.o.outbox.onCommit((m) => {
      if (m.stream === 'events') this.eventsWaiter?.();
    });
    this.log.info(
      { baseUrl: this.p.baseUrl, periodMs: P, points: this.p.points.length, resumeFrom: this.progress.boundary, pending: this.status().pending },
      'provincial uplink starting',
    );
    this.lanes = [this.runLane('periods', () => this.periodStep()), this.runLane('events', () => this.eventsStep())];
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    for (const a of this.aborts) a.abort();
    for (const s of [...this.sleepers]) s.wake();
    this.eventsWaiter?.();
    await Promise.all(this.lanes);
    this.lanes = [];
    this.connected = false;
    this.log.info('provincial uplink stopped');
  }

  /**
   * What the platform is owed: periods due and not yet sent, plus events messages not yet taken.
   * Not the cursor's count: the data messages of the current period wait in the buffer by design
   * until its boundary, and would show a backlog that is none.
   */
  status(): DestinationStatus {
    const now = this.o.clock.now();
    const P = this.p.periodMs;
    let pending = 0;
    let oldest: number | null = null;
    if (this.progress && this.cursor) {
      const firstOwed = Math.floor(this.progress.boundary / P) * P + P;
      const periods = Math.max(0, Math.floor((now - this.graceMs - firstOwed) / P) + 1);
      if (periods > 0) {
        pending += periods;
        oldest = now - firstOwed;
      }
      const events = Math.max(0, this.o.outbox.nextSeq('events') - this.cursor.firstPending('events'));
      if (events > 0) {
        pending += events;
        oldest = Math.max(oldest ?? 0, now - (this.oldestEventMs ?? now));
      }
    }
    return { name: this.name, connected: this.connected, pending, oldestPendingMs: oldest };
  }

  // ---- lanes ----

  private async runLane(lane: string, step: () => Promise<void>): Promise<void> {
    const backoff = new Backoff(this.backoffOpts);
    while (!this.stopped) {
      try {
        await this.prepare(backoff);
        if (this.stopped) return;
        await step();
      } catch (err) {
        // a read of the buffer failed (the file is closing, or the disk): try again shortly
        if (this.stopped) return;
        this.log.error({ err, lane }, 'provincial lane failed; retrying');
        await this.sleep(backoff.next(), true);
      }
    }
  }

  private prepared = false;

  private async prepare(backoff: Backoff): Promise<void> {
    while (!this.prepared && !this.stopped) {
      try {
        await this.p.prepare();
        this.prepared = true;
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'cannot prepare the provincial uplink');
        await this.sleep(backoff.next(), true);
      }
    }
  }

  /** the next period: wait for its boundary, build it, send it (retrying), then record it */
  private async periodStep(): Promise<void> {
    const P = this.p.periodMs;
    const progress = this.progress!;
    const rollup = this.rollup!;
    // aligned, in case periodSeconds changed since the progress file was written
    const b = Math.floor(progress.boundary / P) * P + P;
    const now = this.o.clock.now();
    if (b > now + 2 * P + this.graceMs) {
      // the clock went back (a gateway without RTC corrected by NTP): resume from the current period
      this.log.warn({ boundary: b, now }, 'clock is behind the last period sent; periods restart from now');
      progress.boundary = Math.floor(now / P) * P - P;
      return;
    }
    if (now < b + this.graceMs) {
      // at most a period at a time, so a clock that jumps is noticed
      await this.sleep(Math.min(b + this.graceMs - now, P), false);
      return;
    }
    await rollup.advanceTo(b, this.graceMs);
    const values = rollup.valuesAt(b);
    let through = b;
    if (rollup.worthSending(values)) {
      const ok = await this.deliver('periods', this.p.periodRequest(b, values));
      if (!ok) return;
    } else {
      const latest = Math.floor((now - this.graceMs) / P) * P;
      through = rollup.skipTo(b, P, latest);
      this.log.debug({ from: b, through }, 'no fresh value: periods skipped');
    }
    progress.boundary = through;
    progress.values = rollup.snapshot();
    // the progress file first: after a crash the cursor may be behind it (harmless), never ahead
    await saveProgress(this.o.progressPath, progress);
    const cursor = this.cursor!;
    const upTo = rollup.foldedBefore();
    for (let s = cursor.firstPending('data'); s < upTo; s = cursor.firstPending('data', s + 1)) cursor.ack('data', s);
  }

  /** the next events messages, in seq order; acknowledged once the platform took them (or none concerned it) */
  private async eventsStep(): Promise<void> {
    const cursor = this.cursor!;
    const next = this.o.outbox.nextSeq('events');
    const first = cursor.firstPending('events');
    const msgs = first < next ? await cursor.readPending('events', first, next, EVENT_MESSAGES_PER_REQUEST) : [];
    if (msgs.length === 0) {
      // nothing pending (or what was pending is no longer stored): wait for the next commit
      await this.waitForEvents(next);
      return;
    }
    this.oldestEventMs = msgs[0]!.createdMs;
    const events: PlantEvent[] = msgs.flatMap((m) => (m.stream === 'events' ? m.events : []));
    const req = this.p.eventsRequest(events);
    if (req) {
      if (!(await this.deliver('events', req))) return;
    }
    for (const m of msgs) cursor.ack('events', m.seq);
    this.oldestEventMs = undefined;
  }

  /** POST until the platform takes it; false only when stopped first */
  private async deliver(lane: string, req: ProvincialRequest): Promise<boolean> {
    const backoff = new Backoff(this.backoffOpts);
    const url = `${this.p.baseUrl.replace(/\/+$/, '')}${req.path}`;
    for (let attempt = 1; !this.stopped; attempt++) {
      const abort = new AbortController();
      this.aborts.add(abort);
      let problem: string;
      try {
        const answer = await this.post(url, req.body, { timeoutMs: this.timeoutMs, signal: abort.signal });
        if (this.p.accepted(answer.status, answer.body)) {
          if (!this.connected || attempt > 1) this.log.info({ lane, path: req.path, attempt, ...req.summary }, 'platform accepted');
          this.setConnected(true);
          return true;
        }
        problem = `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
      } catch (err) {
        problem = (err as Error).message;
      } finally {
        this.aborts.delete(abort);
      }
      if (this.stopped) return false;
      this.setConnected(false);
      const delay = backoff.next();
      this.log.warn({ lane, path: req.path, attempt, problem, retryInMs: delay, ...req.summary }, 'platform did not accept; retrying');
      await this.sleep(delay, true);
    }
    return false;
  }

  private setConnected(up: boolean): void {
    const was = this.connected;
    this.connected = up;
    // the platform is back: the other lane need not sit out the rest of its backoff
    if (up && !was) for (const s of [...this.sleepers]) if (s.backoff) s.wake();
  }

  private sleep(ms: number, backoff: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      // eslint-disable-next-line prefer-const -- wake() may run before the timer is set; a const would throw there
      let timer: Timer | undefined;
      const entry = {
        backoff,
        wake: () => {
          timer?.cancel();
          this.sleepers.delete(entry);
          resolve();
        },
      };
      this.sleepers.add(entry);
      timer = this.o.clock.setTimeout(() => entry.wake(), ms);
    });
  }

  /** until an events message is committed (or a while, as a fallback) */
  private waitForEvents(seenNext: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.o.clock.setTimeout(() => done(), EVENTS_IDLE_MS);
      const done = () => {
        timer.cancel();
        if (this.eventsWaiter === done) this.eventsWaiter = undefined;
        resolve();
      };
      // committed while the buffer was being read: no need to wait
      if (this.stopped || this.o.outbox.nextSeq('events') !== seenNext) return done();
      this.eventsWaiter = done;
    });
  }
}
