/**
 * The SQLite outbox: the agent's only durable queue (docs/ARCHITECTURE.md). Every sample and event
 * is committed here before its first send; each uplink destination reads it through its own
 * cursor and marks what its far end acknowledged.
 */
import type { Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent, Sample } from '../core/types.js';
import { corruptFileEvent, countDropped, droppedEvent, lostFileGapEvent, newSeriesEvent, type DroppedRange } from './buffer-events.js';
import { Budget } from './budget.js';
import { decodeData, decodeEvents, encodeBody, encodeData, writeDataJson } from './codec.js';
import { Cursor, type CursorHost } from './cursor.js';
import { whichSeries } from './epoch.js';
import { openBufferFile } from './open.js';
import { PointDictionary } from './point-dictionary.js';
import type { Range } from './seq-set.js';
import { SeqReserve } from './seq-reserve.js';
import { SerialQueue } from './serial.js';
import { closeDb, type Db } from './sqlite.js';
import { LAYOUT, Store, type MessageRow } from './store.js';
import { readTrend } from './trend.js';
import { STREAMS, type CursorOptions, type OutboxOptions, type PendingSummary, type StoredMessage, type Stream, type TrendPoint } from './types.js';

/**
 * One data message holds at most this many samples (~25 KB of JSON on the wire). Encoding a
 * message is one task on the event loop: 2,000 samples took 3-5 ms here (and more on a Pi),
 * too long beside the interlock path while a backlog drains (uplink.drainMaxLoopStallMs).
 */
const MAX_SAMPLES_PER_MESSAGE = 500;
/** events added in the same tick share one message, up to this many */
const MAX_EVENTS_PER_MESSAGE = 200;
/** samples held in memory while the disk refuses writes; beyond this the oldest are dropped and reported */
const MAX_WAITING_SAMPLES = 100_000;
/** events held in memory while the disk refuses writes (a day of a busy alarm flood); beyond this the oldest are dropped and reported */
const MAX_WAITING_EVENTS = 20_000;
/** how often events the disk refused are tried again */
const EVENT_RETRY_MS = 1000;
/**
 * How often acknowledgements are written: each write is one WAL frame for the cursor page, 2.7
 * bytes per sample at 2 s; after a power cut at most this much is sent again (duplicates).
 */
const ACK_FLUSH_MS = 5000;
/** the longest replay answered from one read */
export const MAX_RANGE = 10_000;

interface WaitingEvent {
  e: PlantEvent;
  done: (err?: Error) => void;
}

export class Outbox {
  private samples: Sample[] = [];
  private waitingEvents: WaitingEvent[] = [];
  private eventsScheduled = false;
  private eventsDrain: Promise<void> | undefined;
  private flushChain: Promise<void> = Promise.resolve();
  private flushesQueued = 0;
  private readonly cursors = new Map<string, Cursor>();
  private readonly listeners = new Set<(m: StoredMessage) => void>();
  private readonly timers: Timer[] = [];
  /** armed by the first sample after a commit: commits come commitMs after data, never on an idle tick */
  private commitTimer: Timer | undefined;
  private readonly queue = new SerialQueue();
  private readonly log: Logger;
  private readonly budget: Budget;
  /** given up from memory and not yet reported: samples past MAX_WAITING_SAMPLES, events past MAX_WAITING_EVENTS */
  private readonly dropped: Partial<Record<Stream, DroppedRange>> = {};
  /** set while commits fail (disk full, read-only file system, failing card) */
  private writeTrouble: { since: number; failures: number; error: string } | undefined;
  private eventRetry: Timer | undefined;
  private closed = false;

  private constructor(
    private readonly opts: OutboxOptions,
    private readonly db: Db,
    private readonly store: Store,
    private readonly reserve: SeqReserve,
    private readonly next: Record<Stream, number>,
    private readonly floors: Record<Stream, number>,
    walReserveBytes: number,
    private readonly dict: PointDictionary,
    /** the seq series of this file (epoch.ts): on every message, with its seq */
    readonly epoch: string,
  ) {
    this.log = opts.log.child({ component: 'buffer' });
    this.budget = new Budget({
      store,
      queue: this.queue,
      log: this.log,
      limitBytes: opts.maxBytes - walReserveBytes,
      now: () => opts.clock.now(),
      floors,
      next,
      allDone: (s) => this.allDone(s),
      insertEvents: (events) => this.insertEvents(events),
      afterEvict: (stream, through, gap, msg) => {
        for (const c of this.cursors.values()) c.forget(stream, through);
        this.announce([msg]);
        this.opts.onSystemEvent(gap);
      },
    });
  }

  static async open(opts: OutboxOptions): Promise<Outbox> {
    const log = opts.log.child({ component: 'buffer' });
    // 512-byte pages: a 250 ms commit rewrites one page in the WAL, not one of 1 KiB or 4 KiB
    // (bytes per sample 123 at 1 KiB, see bench/buffer-io.ts)
    const pageSize = opts.pageSize ?? 512;
    // WAL checkpoints every ~1/16 of the budget, at most every 4000 frames (~2 MiB, ~10 min at
    // 100 samples/s): each checkpoint rewrites page 1, the tree's inner pages and the cursor page
    // wherever they lie, so fewer checkpoints write less. The WAL and one transaction of slack
    // are held back from the data budget.
    const walPages = Math.max(32, Math.min(4000, Math.floor(opts.maxBytes / 16 / pageSize)));
    const walReserve = 2 * walPages * (pageSize + 24) + 64 * 1024;
    if (opts.maxBytes - walReserve < 64 * 1024) throw new Error(`buffer maxBytes ${opts.maxBytes} is too small (need at least ${walReserve + 64 * 1024})`);

    const now = opts.clock.now();
    const { db, corrupt } = await openBufferFile(opts.path, now, { pageSize, walPages }, log);
    const store = await Store.create(db);
    const reserve = new SeqReserve(`${opts.path}.seq`);
    const sidecar = await reserve.load();
    const reserved = sidecar.reserved;
    const isNew = (await store.meta('created')) === undefined;
    const stored = await store.series();
    const series = stored ?? whichSeries(isNew, sidecar.epoch);
    if (stored && sidecar.epoch && sidecar.epoch !== stored.epoch) log.warn({ epoch: stored.epoch, sidecarEpoch: sidecar.epoch }, 'seq sidecar names another series; rewritten for this file');
    if (isNew) {
      // one transaction: a power cut leaves either no file content or all of it, never a file without its series
      await store.begin();
      try {
        await store.setMeta('layout', LAYOUT);
        await store.setMeta('created', now);
        // a new file where seqs were used before: start above every seq the old file may have sent
        for (const s of STREAMS) if (reserved[s] > 0) await store.setMeta(`floor.${s}`, reserved[s]);
        await store.setSeries(series);
        await store.commit();
      } catch (err) {
        await store.rollback();
        throw err;
      }
    } else if (!stored) {
      await store.setSeries(series);
    }
    store.relativeTimes = ((await store.meta('layout')) ?? 1) >= 2;
    const floors = { data: 0, events: 0 };
    const next = { data: 1, events: 1 };
    for (const s of STREAMS) {
      floors[s] = (await store.meta(`floor.${s}`)) ?? 0;
      next[s] = Math.max((await store.bounds(s)).hi ?? 0, floors[s]) + 1;
    }
    await reserve.claim(series.epoch, { data: next.data - 1, events: next.events - 1 });
    const outbox = new Outbox(opts, db, store, reserve, next, floors, walReserve, new PointDictionary(await store.pointRows()), series.epoch);
    const done = new Map<string, Record<Stream, Range[]>>();
    for (const r of await store.cursorRows()) {
      const d = done.get(r.dest) ?? { data: [], events: [] };
      d[r.stream].push([r.lo, r.hi]);
      done.set(r.dest, d);
    }
    for (const [dest, ranges] of done) outbox.cursors.set(dest, new Cursor(dest, outbox.host, ranges));

    outbox.startTimers();
    if (corrupt) {
      await outbox.recordSystemEvent(corruptFileEvent(now, corrupt.movedTo, corrupt.problem, { ...next }));
    }
    if (isNew) {
      for (const s of STREAMS) {
        if (reserved[s] > 0) await outbox.recordSystemEvent(lostFileGapEvent(now, s, reserved[s], corrupt ? 'buffer file corrupt' : 'buffer file missing'));
      }
    }
    if (!series.announced) {
      // both streams' events in one message, the first of the new series' events stream
      await Promise.all(STREAMS.map((s) => outbox.recordSystemEvent(newSeriesEvent(now, s, series.epoch, floors[s] + 1))));
      await outbox.queue.run(() => store.setSeries({ epoch: series.epoch, announced: true }));
      log.info({ path: opts.path, epoch: series.epoch, fromSeq: { data: floors.data + 1, events: floors.events + 1 } }, 'new seq series started');
    }
    log.info({ path: opts.path, epoch: series.epoch, next, floors, cursors: [...outbox.cursors.keys()] }, 'buffer open');
    await outbox.budget.check();
    return outbox;
  }

  /** Collect a sample; it is committed with its batch within commitMs. Never blocks. */
  addSample(s: Sample): void {
    if (this.closed) return;
    const tq = s.tq ?? this.opts.timeQuality?.();
    this.samples.push(tq && !s.tq ? { ...s, tq } : s);
    if (this.samples.length > MAX_WAITING_SAMPLES) {
      this.dropped.data = countDropped(this.dropped.data, this.samples.shift()!.t);
    }
    this.armCommit();
  }

  /**
   * A commit commitMs after the first sample not yet committed. (A fixed interval woke the agent
   * every commitMs with nothing to commit between polls; each wake-up costs ~0.1 ms of CPU on a
   * small gateway.)
   */
  private armCommit(): void {
    if (this.commitTimer || this.closed) return;
    this.commitTimer = this.opts.clock.setTimeout(() => {
      this.commitTimer = undefined;
      // a slow card must not pile up commits: while one is still queued, try again a period later
      if (this.flushesQueued > 0) return this.armCommit();
      void this.flush()
        .catch(() => undefined)
        .finally(() => {
          // a failed commit keeps its batch: try it again
          if (this.samples.length > 0) this.armCommit();
        });
    }, this.opts.commitMs);
  }

  /** Commit an event at once; resolves when it is on disk (before any destination may report it sent). */
  addEvent(e: PlantEvent): Promise<void> {
    if (this.closed) return Promise.reject(new Error('buffer closed'));
    const tq = e.tq ?? this.opts.timeQuality?.();
    const event = tq && !e.tq ? { ...e, tq } : e;
    return new Promise((resolve, reject) => {
      this.waitingEvents.push({ e: event, done: (err) => (err ? reject(err) : resolve()) });
      if (this.waitingEvents.length > MAX_WAITING_EVENTS) this.dropOldestEvent();
      if (!this.eventsScheduled) {
        this.eventsScheduled = true;
        // events raised in the same tick (an alarm flood, a trip with its first-out) share one message
        setImmediate(() => void this.flushEvents());
      }
    });
  }

  /** Commit these samples as one data message now (the `snapshot` command); resolves with its seq. */
  async commitBatch(samples: Sample[]): Promise<number> {
    if (samples.length === 0) throw new Error('empty batch');
    const msgs = await this.queue.run(() => this.insertData(samples.slice(0, MAX_SAMPLES_PER_MESSAGE)));
    this.announce(msgs);
    return msgs[0]!.seq;
  }

  /** Commit the samples collected so far (the commit timer calls this commitMs after the first of them). */
  flush(): Promise<void> {
    // chained, so every sample added before this call is in a commit that has finished when it resolves
    const run = this.flushChain.catch(() => undefined).then(() => this.flushSamples());
    this.flushChain = run;
    this.flushesQueued++;
    return run.finally(() => this.flushesQueued--);
  }

  /** Resolves when every commit started so far has finished (for runs on a fake clock). */
  async settled(): Promise<void> {
    await this.flushChain.catch(() => undefined);
    await this.queue.idle();
  }

  /** A destination's cursor, created on first use (it starts with everything still buffered unless `from: 'now'`). */
  async cursor(dest: string, opts: CursorOptions = {}): Promise<Cursor> {
    const have = this.cursors.get(dest);
    if (have) return have;
    const upTo = (s: Stream) => (opts.from === 'now' ? this.next[s] - 1 : this.floors[s]);
    const c = new Cursor(dest, this.host, { data: [[0, upTo('data')]], events: [[0, upTo('events')]] });
    this.cursors.set(dest, c);
    for (const s of STREAMS) c.markDirty(s);
    await this.flushCursors();
    return c;
  }

  /** Forget a destination that is no longer configured, so it stops holding rows back from pruning. */
  async dropCursor(dest: string): Promise<void> {
    this.cursors.delete(dest);
    await this.queue.run(() => this.store.dropCursor(dest));
  }

  /** What a destination still owes: message count and age of the oldest. */
  pending(dest: string): PendingSummary {
    const c = this.cursors.get(dest);
    if (!c) throw new Error(`no cursor named ${dest}`);
    return c.pending();
  }

  /** The seq the next message of this stream will get. */
  nextSeq(stream: Stream): number {
    return this.next[stream];
  }

  /** Every seq below this one of the stream has been deleted (pruned after acknowledgement or evicted). */
  firstStoredSeq(stream: Stream): number {
    return this.floors[stream] + 1;
  }

  /** Stored messages with seq in [fromSeq, toSeq], for replay (at most MAX_RANGE). */
  readRange(stream: Stream, fromSeq: number, toSeq: number): Promise<StoredMessage[]> {
    return this.read(stream, fromSeq, toSeq, MAX_RANGE);
  }

  /** How many messages of [fromSeq, toSeq] are still stored. */
  async countRange(stream: Stream, fromSeq: number, toSeq: number): Promise<number> {
    return (await this.queue.run(() => this.store.countBetween(stream, fromSeq, toSeq)))?.n ?? 0;
  }

  /**
   * The buffer's connection for records kept in the same file (agent/records/): the file is
   * opened EXCLUSIVE, so no second connection may open it, and their work goes on this queue
   * so a transaction of theirs never interleaves with a commit of the buffer's. Close them first.
   */
  shared(): { db: Db; serial: <T>(work: () => Promise<T>) => Promise<T> } {
    return { db: this.db, serial: (work) => this.queue.run(work) };
  }

  /** One point's values between two times, from the stored data batches (the operator page's trend). */
  trend(pointId: string, fromMs: number, toMs: number, maxPoints = 5000): Promise<TrendPoint[]> {
    return readTrend({ store: this.store, queue: this.queue, dict: this.dict }, pointId, fromMs, toMs, maxPoints);
  }

  /** Called with every message as it is committed (destinations send live data from this). */
  onCommit(listener: (m: StoredMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The file's size against its budget, and why commits fail while they do. */
  usage(): { usedBytes: number; maxBytes: number; writeError?: string } {
    return { usedBytes: this.budget.lastUsedBytes, maxBytes: this.opts.maxBytes, writeError: this.writeTrouble?.error };
  }

  /** Flush what is collected, write every cursor and close the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) t.cancel();
    this.commitTimer?.cancel();
    this.commitTimer = undefined;
    await this.flush().catch((err: unknown) => this.log.error({ err }, 'final commit failed'));
    this.eventRetry?.cancel();
    await this.flushEvents();
    this.closed = true;
    this.eventRetry?.cancel();
    if (this.waitingEvents.length > 0) {
      const lost = this.waitingEvents.splice(0);
      this.log.error({ events: lost.length, error: this.writeTrouble?.error }, 'events not written: the disk refused them until shutdown');
      for (const w of lost) w.done(new Error(`not written before shutdown: ${this.writeTrouble?.error ?? 'buffer closed'}`));
    }
    await this.budget.check();
    await this.flushCursors().catch((err: unknown) => this.log.error({ err }, 'cursor write failed'));
    await this.queue.idle();
    await this.store.close();
    await closeDb(this.db);
    this.log.info({ next: this.next }, 'buffer closed');
  }

  // ---- internals ----

  private readonly host: CursorHost = {
    now: () => this.opts.clock.now(),
    nextSeq: (s) => this.next[s],
    floor: (s) => this.floors[s],
    read: (s, from, to, limit) => this.read(s, from, to, limit),
    createdAt: (s, seq) => this.queue.run(() => this.store.createdAt(s, seq)),
  };

  private startTimers(): void {
    const c = this.opts.clock;
    this.timers.push(c.setInterval(() => void this.flushCursors().catch((err: unknown) => this.housekeepingFailed(err, 'cursor write failed')), this.opts.ackFlushMs ?? ACK_FLUSH_MS));
    this.timers.push(c.setInterval(() => void this.prune().catch((err: unknown) => this.housekeepingFailed(err, 'prune failed')), this.opts.pruneEveryMs ?? 60_000));
  }

  private async read(stream: Stream, fromSeq: number, toSeq: number, limit: number): Promise<StoredMessage[]> {
    const got = await this.queue.run(() => this.store.range(stream, fromSeq, toSeq, limit));
    return got.map((r) => toMessage(stream, r, this.dict, this.epoch));
  }

  private async flushSamples(): Promise<void> {
    if (this.samples.length === 0) return;
    const batch = this.samples;
    this.samples = [];
    let msgs: StoredMessage[];
    try {
      msgs = await this.queue.run(() => this.insertData(batch));
    } catch (err) {
      this.samples = batch.concat(this.samples);
      this.writeFailed(err, `telemetry commit failed; ${this.samples.length} samples held in memory`);
      throw err;
    }
    this.wrote();
    this.announce(msgs);
    this.reportDropped('data');
    await this.budget.check();
  }

  /** inside the queue: one transaction, one row per MAX_SAMPLES_PER_MESSAGE samples */
  private async insertData(samples: Sample[]): Promise<StoredMessage[]> {
    const chunks: Sample[][] = [];
    for (let i = 0; i < samples.length; i += MAX_SAMPLES_PER_MESSAGE) chunks.push(samples.slice(i, i + MAX_SAMPLES_PER_MESSAGE));
    return this.insertRows('data', chunks);
  }

  /** inside the queue */
  private insertEvents(events: PlantEvent[]): Promise<StoredMessage[]> {
    return this.insertRows('events', [events], false);
  }

  private async insertRows(stream: Stream, chunks: (Sample[] | PlantEvent[])[], ownTransaction = true): Promise<StoredMessage[]> {
    const first = this.next[stream];
    await this.reserve.ensure(stream, first + chunks.length - 1);
    const created = this.opts.clock.now();
    const rows: MessageRow[] = [];
    const out: StoredMessage[] = [];
    let seq = first;
    for (const items of chunks) {
      let t0 = Infinity;
      let t1 = -Infinity;
      for (const it of items) {
        t0 = Math.min(t0, it.t);
        t1 = Math.max(t1, it.t);
      }
      const body = stream === 'data' ? encodeData(items as Sample[], created, this.dict) : encodeBody(items);
      rows.push({ seq, created, t0, t1, n: items.length, body });
      out.push(stream === 'data' ? { stream, seq, epoch: this.epoch, createdMs: created, samples: items as Sample[] } : { stream, seq, epoch: this.epoch, createdMs: created, events: items as PlantEvent[] });
      seq++;
    }
    const newPoints = this.dict.takeAdded();
    // One row and no new point names (the steady state): the INSERT is its own transaction, one
    // trip to SQLite's thread instead of three (each trip wakes the event loop once more).
    const transaction = ownTransaction && (rows.length > 1 || newPoints.length > 0);
    try {
      if (transaction) await this.store.begin();
      for (const r of rows) await this.store.insert(stream, r);
      if (newPoints.length > 0) await this.store.addPoints(newPoints);
      if (transaction) await this.store.commit();
    } catch (err) {
      if (transaction) await this.store.rollback();
      this.dict.forget(newPoints);
      throw err;
    }
    this.next[stream] = first + chunks.length;
    for (const r of rows) this.budget.noteWritten(r.body.length);
    return out;
  }

  /**
   * Commit the waiting events, oldest first. One drain at a time: a second call while one runs
   * joins it (two drains could each put back a refused group and swap their order).
   */
  private flushEvents(): Promise<void> {
    this.eventsScheduled = false;
    if (!this.eventsDrain) {
      const drain: Promise<void> = this.drainEvents().finally(() => {
        if (this.eventsDrain === drain) this.eventsDrain = undefined;
      });
      this.eventsDrain = drain;
    }
    return this.eventsDrain;
  }

  private async drainEvents(): Promise<void> {
    while (this.waitingEvents.length > 0) {
      const group = this.waitingEvents.splice(0, MAX_EVENTS_PER_MESSAGE);
      try {
        const msgs = await this.queue.run(() => this.insertRows('events', [group.map((w) => w.e)]));
        this.wrote();
        for (const w of group) w.done();
        this.announce(msgs);
      } catch (err) {
        // an event is never given up for a refused write: it waits, in order, and is tried again
        this.waitingEvents.unshift(...group);
        this.writeFailed(err, `event commit failed; ${this.waitingEvents.length} events held in memory`);
        if (!this.closed) this.eventRetry ??= this.opts.clock.setTimeout(() => this.retryEvents(), EVENT_RETRY_MS);
        return;
      }
    }
  }

  private retryEvents(): void {
    this.eventRetry = undefined;
    if (this.eventsScheduled || this.closed) return;
    this.eventsScheduled = true;
    void this.flushEvents();
  }

  /** Past MAX_WAITING_EVENTS the oldest waiting event is given up, counted and reported once the disk writes again. */
  private dropOldestEvent(): void {
    const dropped = this.waitingEvents.shift()!;
    this.dropped.events = countDropped(this.dropped.events, dropped.e.t);
    dropped.done(new Error(`dropped: more than ${MAX_WAITING_EVENTS} events waiting while the disk refuses writes`));
  }

  /** A commit failed: the first failure is an error in the log and a call to onWriteTrouble; the rest are counted. */
  private writeFailed(err: unknown, what: string): void {
    const t = this.writeTrouble;
    if (t) {
      t.failures++;
      this.log.debug({ err, failures: t.failures }, what);
      return;
    }
    const e = err as { code?: string; message?: string };
    const error = e.code && !String(e.message).startsWith(e.code) ? `${e.code}: ${e.message}` : String(e.message ?? err);
    this.writeTrouble = { since: this.opts.clock.now(), failures: 1, error };
    this.log.error({ err }, `${what}; buffer cannot write, retrying`);
    this.opts.onWriteTrouble?.({ error, since: this.writeTrouble.since });
  }

  /** A cursor write or prune failed: an error, unless commits are failing already (then it is the same cause, said once). */
  private housekeepingFailed(err: unknown, what: string): void {
    if (this.writeTrouble) this.log.debug({ err }, what);
    else this.log.error({ err }, what);
  }

  /** A commit went through: if commits had been failing, say how long for, and report what was dropped meanwhile. */
  private wrote(): void {
    const t = this.writeTrouble;
    if (!t) return;
    this.writeTrouble = undefined;
    this.log.info({ failures: t.failures, forMs: this.opts.clock.now() - t.since }, 'buffer writes again');
    this.opts.onWriteTrouble?.(undefined);
    this.reportDropped('events');
  }

  /**
   * Record what this stream gave up from memory since the last report, if anything. Not awaited
   * by the callers: while the disk refuses it, the event waits with the others.
   */
  private reportDropped(stream: Stream): void {
    const r = this.dropped[stream];
    if (!r) return;
    this.dropped[stream] = undefined;
    this.recordSystemEvent(droppedEvent(this.opts.clock.now(), stream, r)).catch((err: unknown) => this.log.error({ err, stream }, 'dropped-before-buffering event not written'));
  }

  private async recordSystemEvent(e: PlantEvent): Promise<void> {
    await this.addEvent(e);
    this.opts.onSystemEvent(e);
  }

  private announce(msgs: StoredMessage[]): void {
    for (const m of msgs) {
      for (const c of this.cursors.values()) c.noteCommitted(m.stream, m.seq, m.createdMs);
      for (const l of this.listeners) {
        try {
          l(m);
        } catch (err) {
          this.log.error({ err }, 'commit listener threw');
        }
      }
    }
  }

  /** highest seq every destination has done with (0 when no destination is configured: nothing is sent) */
  private allDone(stream: Stream): number {
    if (this.cursors.size === 0) return this.floors[stream];
    let min = Infinity;
    for (const c of this.cursors.values()) min = Math.min(min, c.donePrefix(stream));
    return min;
  }

  private async flushCursors(): Promise<void> {
    const work = [...this.cursors.values()].map((c) => ({ dest: c.name, dirty: c.takeDirty() })).filter((w) => w.dirty.length > 0);
    if (work.length === 0) return;
    await this.queue.run(async () => {
      await this.store.begin();
      try {
        for (const w of work) for (const d of w.dirty) await this.store.writeCursor(w.dest, d.stream, d.ranges);
        await this.store.commit();
      } catch (err) {
        await this.store.rollback();
        for (const w of work) for (const d of w.dirty) this.cursors.get(w.dest)?.markDirty(d.stream);
        throw err;
      }
    });
  }

  /** delete messages every destination has acknowledged and that are older than keepSentHours */
  private async prune(): Promise<void> {
    const before = this.opts.clock.now() - this.opts.keepSentHours * 3_600_000;
    for (const s of STREAMS) {
      if (this.closed) return;
      const through = this.allDone(s);
      if (through <= this.floors[s]) continue;
      await this.budget.deleteDone(s, through, before);
    }
  }
}

/**
 * Bodies are decoded when used, not when read: a backlog read of 64 rows of 2,000 samples
 * decoded at once held the event loop ~29 ms (uplink.drainMaxLoopStallMs); one at a time, as
 * each is published, it is well under a millisecond. Data samples are not cached on the message:
 * a getter caching them in its closure kept every decoded sample of a drain alive across
 * young-generation collections (promoted to old space, then a mark-compact of 2-12 ms about every
 * second on the interlock path). The uplink takes writeSamplesJson() and never makes the objects.
 */
function toMessage(stream: Stream, r: MessageRow, dict: PointDictionary, epoch: string): StoredMessage {
  if (stream === 'data') {
    return {
      stream,
      seq: r.seq,
      epoch,
      createdMs: r.created,
      get samples() {
        return decodeData(r.body, r.created, dict);
      },
      writeSamplesJson: (out) => writeDataJson(out, r.body, r.created, dict),
    };
  }
  let events: PlantEvent[] | undefined;
  return {
    stream,
    seq: r.seq,
    epoch,
    createdMs: r.created,
    get events() {
      return (events ??= decodeEvents(r.body));
    },
  };
}
