/**
 * The epoch names one seq series. Seq restarts at 1 when a gateway loses its buffer file and
 * its seq sidecar together (both sit on the same card); the new series gets a new epoch, so a
 * platform deduplicating on (gateway, stream, epoch, seq) never takes its messages for old ones.
 */
import { randomBytes } from 'node:crypto';
import type { Series } from './store.js';

/**
 * 64 random bits as 16 hex digits. Random, not time-based: a Raspberry Pi has no real-time clock
 * and may boot on the same stale time after every card swap.
 */
export function newEpoch(): string {
  return randomBytes(8).toString('hex');
}

export function isEpoch(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{16}$/.test(v);
}

/**
 * The series of a file that names none: a new file continues the one its sidecar names (seq
 * resumes above the sidecar's reservation, nothing to announce); with no sidecar epoch a new
 * series starts and says so. A file from before epochs is named now: seq goes on, nothing was lost.
 */
export function whichSeries(isNew: boolean, sidecarEpoch: string | undefined): Series {
  if (isNew && sidecarEpoch) return { epoch: sidecarEpoch, announced: true };
  return { epoch: newEpoch(), announced: !isNew };
}
