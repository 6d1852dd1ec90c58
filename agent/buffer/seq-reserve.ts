/**
 * Seq numbers are reserved in blocks in a small sidecar file next to the database. If the
 * database is found corrupt and a fresh one starts, seq resumes above every number the old
 * file may have used, because the platform deduplicates on (gateway, stream, seq) and would
 * silently drop reused numbers.
 */
import { open, readFile, rename } from 'node:fs/promises';
import type { Stream } from './types.js';

/** one sidecar write per 4096 messages: about every 17 min at 4 data messages/s */
const BLOCK = 4096;

export type Reserved = Record<Stream, number>;

export class SeqReserve {
  private reserved: Reserved = { data: 0, events: 0 };

  constructor(private readonly path: string) {}

  async load(): Promise<Reserved> {
    try {
      const j = JSON.parse(await readFile(this.path, 'utf8')) as Partial<Reserved>;
      this.reserved = { data: toSeq(j.data), events: toSeq(j.events) };
    } catch {
      this.reserved = { data: 0, events: 0 };
    }
    return { ...this.reserved };
  }

  /** Make sure every seq up to `seq` is covered by the reservation on disk. */
  async ensure(stream: Stream, seq: number): Promise<void> {
    if (seq <= this.reserved[stream]) return;
    const next = { ...this.reserved, [stream]: seq + BLOCK };
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(next));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    this.reserved = next;
  }
}

function toSeq(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0;
}
