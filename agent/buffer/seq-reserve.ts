/**
 * Seq numbers are reserved in blocks in a small sidecar file next to the database, with the
 * epoch of their series. If the database is found corrupt or missing and a fresh one starts,
 * the series goes on under the same epoch above every number the old file may have used, because
 * the platform deduplicates on (gateway, stream, epoch, seq) and would silently drop reused
 * numbers. When the sidecar is lost too, nothing names the series any more: a new epoch starts.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { isEpoch } from './epoch.js';
import { STREAMS, type Stream } from './types.js';

/** one sidecar write per 4096 messages: about every 17 min at 4 data messages/s */
const BLOCK = 4096;

export type Reserved = Record<Stream, number>;

export interface SeqState {
  reserved: Reserved;
  /** absent when the file is missing, unreadable, or from a version before epochs */
  epoch?: string;
}

export class SeqReserve {
  private reserved: Reserved = { data: 0, events: 0 };
  private epoch: string | undefined;

  constructor(private readonly path: string) {}

  async load(): Promise<SeqState> {
    try {
      const j = JSON.parse(await readFile(this.path, 'utf8')) as Partial<Reserved> & { epoch?: unknown };
      this.reserved = { data: toSeq(j.data), events: toSeq(j.events) };
      this.epoch = isEpoch(j.epoch) ? j.epoch : undefined;
    } catch {
      this.reserved = { data: 0, events: 0 };
      this.epoch = undefined;
    }
    return { reserved: { ...this.reserved }, epoch: this.epoch };
  }

  /**
   * The buffer's series, written to the sidecar at start when the file does not name it or covers
   * less than the database has used: a sidecar lost on its own is rebuilt at once, before the
   * database can be lost as well (one stream reserved and the other at 0 would reuse that
   * stream's seqs under the same epoch).
   */
  async claim(epoch: string, used: Reserved): Promise<void> {
    const same = this.epoch === epoch;
    const next = { data: 0, events: 0 };
    for (const s of STREAMS) next[s] = Math.max(same ? this.reserved[s] : 0, used[s]);
    if (same && STREAMS.every((s) => next[s] === this.reserved[s])) return;
    await this.write(epoch, next);
  }

  /** Make sure every seq up to `seq` is covered by the reservation on disk. */
  async ensure(stream: Stream, seq: number): Promise<void> {
    if (seq <= this.reserved[stream]) return;
    if (!this.epoch) throw new Error('seq reservation before the series was claimed');
    await this.write(this.epoch, { ...this.reserved, [stream]: seq + BLOCK });
  }

  private async write(epoch: string, reserved: Reserved): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify({ ...reserved, epoch }));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    this.reserved = reserved;
    this.epoch = epoch;
  }
}

function toSeq(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0;
}
