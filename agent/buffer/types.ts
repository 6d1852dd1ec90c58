/** What the outbox stores and hands to uplink destinations. */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent, Sample, TimeQuality } from '../core/types.js';
import type { JsonBytes } from './json-bytes.js';

/** The two uplink streams; each has its own persistent seq (docs/UPLINK.md, "Delivery semantics"). */
export type Stream = 'data' | 'events';
export const STREAMS: readonly Stream[] = ['data', 'events'];

/** A stored message is identified by (stream, epoch, seq): every message of one buffer file has the file's epoch. */
export type StoredMessage =
  | {
      stream: 'data';
      seq: number;
      epoch: string;
      createdMs: number;
      samples: Sample[];
      /** read from the file: writes the samples as their JSON array, straight from the stored bytes */
      writeSamplesJson?: (out: JsonBytes) => void;
    }
  | { stream: 'events'; seq: number; epoch: string; createdMs: number; events: PlantEvent[] };

export interface PendingSummary {
  /** messages this destination has not had acknowledged */
  count: number;
  /** age in ms of the oldest of them, or null when none */
  oldestPendingMs: number | null;
}

export interface TrendPoint {
  t: number;
  v: number | boolean | null;
}

export interface OutboxOptions {
  path: string;
  /** disk budget for the database, its WAL and shared-memory file together */
  maxBytes: number;
  /** how long acknowledged messages stay for `replay` */
  keepSentHours: number;
  /** telemetry commit interval (SD-card wear) */
  commitMs: number;
  clock: Clock;
  log: Logger;
  /**
   * Told about every event the buffer itself records (gap, corrupt file moved aside, ingest
   * overflow). The event is already committed to the events stream: do not add it again.
   */
  onSystemEvent: (e: PlantEvent) => void;
  /**
   * Told when commits start failing (disk full, read-only file system, failing card: `error`
   * says which, `since` when) and, with undefined, when they go through again. Samples and
   * events wait in memory meanwhile and are committed, in order, once the disk takes them.
   */
  onWriteTrouble?: (trouble: { error: string; since: number } | undefined) => void;
  /** stamps `tq` on samples and events that lack it, e.g. `() => clockSync.tq()` */
  timeQuality?: () => TimeQuality | undefined;
  /** how often cursor acknowledgements are written (default 5 s); a crash resends at most this much */
  ackFlushMs?: number;
  /** how often acknowledged messages older than keepSentHours are pruned */
  pruneEveryMs?: number;
  /** SQLite page size for a new file (bytes, default 512) */
  pageSize?: number;
}

export interface CursorOptions {
  /** where a destination seen for the first time starts: everything still buffered, or only new messages */
  from?: 'oldest' | 'now';
}
