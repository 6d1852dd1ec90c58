/**
 * The disk budget. When the file nears maxBytes, room is made in this order: telemetry every
 * destination has acknowledged, events every destination has acknowledged, then the oldest
 * unsent telemetry, recorded as a `gap` event in the same transaction. Unsent events are never
 * evicted (docs/UPLINK.md, "Delivery semantics").
 */
import type { Logger } from '../core/log.js';
import type { PlantEvent } from '../core/types.js';
import { gapEvent } from './buffer-events.js';
import type { SerialQueue } from './serial.js';
import type { Store } from './store.js';
import type { StoredMessage, Stream } from './types.js';

export interface BudgetDeps {
  store: Store;
  queue: SerialQueue;
  log: Logger;
  /** bytes the database pages may use (maxBytes less the WAL reserve) */
  limitBytes: number;
  now(): number;
  floors: Record<Stream, number>;
  next: Record<Stream, number>;
  allDone(stream: Stream): number;
  /** inside the queue and an open transaction */
  insertEvents(events: PlantEvent[]): Promise<StoredMessage[]>;
  afterEvict(stream: Stream, throughSeq: number, gap: PlantEvent, msg: StoredMessage): void;
}

/** the most rows one eviction transaction deletes: keeps transactions short on the thread pool */
const MAX_ROWS_PER_STEP = 2000;

/** measure the file at least this often, however little was written */
const MEASURE_EVERY_MS = 30_000;

export class Budget {
  lastUsedBytes = 0;
  /** bytes of message bodies committed since the file was last measured */
  private writtenSince = 0;
  private measuredAt = -Infinity;
  private running: Promise<void> | undefined;
  private stuck = false;
  /** start evicting above this, leaving room for the commits until the next check */
  private readonly high: number;
  /** and evict down to this, so eviction runs in chunks rather than on every commit */
  private readonly low: number;

  constructor(private readonly d: BudgetDeps) {
    const margin = Math.min(64 * 1024, d.limitBytes / 8);
    this.high = d.limitBytes - margin;
    this.low = this.high - Math.max(16 * 1024, d.limitBytes * 0.05);
  }

  /** the outbox tells how many body bytes it just committed */
  noteWritten(bytes: number): void {
    this.writtenSince += bytes;
  }

  /**
   * Measure the file and make room if it is near its limit. Skipped (no trip to SQLite's thread)
   * while even twice the bytes written since the last measurement (rows, indexes and page slack
   * included) would leave the file below the eviction threshold, for at most MEASURE_EVERY_MS.
   */
  check(): Promise<void> {
    if (this.running === undefined && this.lastUsedBytes + 2 * this.writtenSince < this.high && this.d.now() - this.measuredAt < MEASURE_EVERY_MS) return Promise.resolve();
    this.running ??= this.run()
      .catch((err: unknown) => this.d.log.error({ err }, 'disk budget check failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** prune: delete done rows through `through` created before `before` (a bounded batch) */
  async deleteDone(stream: Stream, through: number, before: number): Promise<void> {
    const { store, floors, next } = this.d;
    await this.d.queue.run(async () => {
      await store.begin();
      try {
        const n = await store.prune(stream, through, before, MAX_ROWS_PER_STEP);
        if (n > 0) {
          const lo = (await store.bounds(stream)).lo;
          const floor = Math.max(floors[stream], (lo ?? next[stream]) - 1);
          await store.setMeta(`floor.${stream}`, floor);
          await store.commit();
          floors[stream] = floor;
        } else {
          await store.commit();
        }
      } catch (err) {
        await store.rollback();
        throw err;
      }
    });
  }

  private async run(): Promise<void> {
    let threshold = this.high;
    for (let i = 0; i < 1000; i++) {
      this.writtenSince = 0;
      this.measuredAt = this.d.now();
      const u = await this.d.queue.run(() => this.d.store.usedBytes());
      this.lastUsedBytes = u.used;
      if (u.used <= threshold) {
        if (i > 0) this.stuck = false;
        return;
      }
      threshold = this.low;
      if (!(await this.evictOnce(u.used - this.low, u.used))) {
        if (!this.stuck) this.d.log.error({ usedBytes: u.used, limitBytes: this.d.limitBytes }, 'disk budget reached and only unsent events remain; keeping them');
        this.stuck = true;
        return;
      }
    }
  }

  private async evictOnce(excess: number, used: number): Promise<boolean> {
    const { floors, next } = this.d;
    const rowsStored = Math.max(1, next.data - 1 - floors.data + (next.events - 1 - floors.events));
    const rows = Math.max(4, Math.min(MAX_ROWS_PER_STEP, Math.ceil(excess / (used / rowsStored)) + 1));
    for (const stream of ['data', 'events'] as const) {
      const through = Math.min(this.d.allDone(stream), floors[stream] + rows);
      if (through > floors[stream]) {
        await this.deleteThrough(stream, through);
        this.d.log.info({ stream, throughSeq: through }, 'disk budget: dropped acknowledged messages kept for replay');
        return true;
      }
    }
    return this.evictUnsentTelemetry(rows);
  }

  private async deleteThrough(stream: Stream, through: number, gap?: PlantEvent): Promise<StoredMessage | undefined> {
    const { store, floors } = this.d;
    return this.d.queue.run(async () => {
      await store.begin();
      try {
        await store.deleteThrough(stream, through);
        await store.setMeta(`floor.${stream}`, through);
        const msgs = gap ? await this.d.insertEvents([gap]) : [];
        await store.commit();
        floors[stream] = through;
        return msgs[0];
      } catch (err) {
        await store.rollback();
        throw err;
      }
    });
  }

  private async evictUnsentTelemetry(rows: number): Promise<boolean> {
    const oldest = await this.d.queue.run(() => this.d.store.oldest('data', rows));
    const first = oldest[0];
    const last = oldest[oldest.length - 1];
    if (!first || !last) return false;
    const range = {
      stream: 'data' as const,
      fromSeq: first.seq,
      toSeq: last.seq,
      fromT: Math.min(...oldest.map((r) => r.t0)),
      toT: Math.max(...oldest.map((r) => r.t1)),
      messages: oldest.length,
      samples: oldest.reduce((a, r) => a + r.n, 0),
    };
    const gap = gapEvent(this.d.now(), range, 'disk budget');
    const msg = await this.deleteThrough('data', last.seq, gap);
    this.d.log.warn({ ...range }, 'disk budget: evicted unsent telemetry');
    if (msg) this.d.afterEvict('data', last.seq, gap, msg);
    return true;
  }
}
