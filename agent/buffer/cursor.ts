/**
 * One destination's view of the outbox. Every destination (MQTT now, a provincial HTTP uplink
 * later) has its own cursor over the same rows and marks only what its far end acknowledged.
 */
import { SeqSet, type Range } from './seq-set.js';
import type { PendingSummary, StoredMessage, Stream } from './types.js';
import { STREAMS } from './types.js';

/** What a cursor needs from the outbox that owns it. */
export interface CursorHost {
  now(): number;
  /** the seq the next message of this stream will get */
  nextSeq(stream: Stream): number;
  /** every seq up to this one has been deleted (evicted or pruned) */
  floor(stream: Stream): number;
  /** read stored messages with seq in [fromSeq, toSeq], ascending, at most `limit` */
  read(stream: Stream, fromSeq: number, toSeq: number, limit: number): Promise<StoredMessage[]>;
  /** creation time of the first stored message with seq >= `seq` */
  createdAt(stream: Stream, seq: number): Promise<{ seq: number; created: number } | undefined>;
}

export class Cursor {
  /** seqs this destination no longer has to send: acknowledged, or evicted before it could */
  private readonly done: Record<Stream, SeqSet>;
  private readonly dirty = new Set<Stream>();
  private readonly oldest: Record<Stream, { seq: number; created: number } | undefined> = { data: undefined, events: undefined };
  private readonly refreshing = new Set<Stream>();

  constructor(
    readonly name: string,
    private readonly host: CursorHost,
    done: Record<Stream, Range[]>,
  ) {
    this.done = { data: new SeqSet(done.data), events: new SeqSet(done.events) };
  }

  /** Mark a message acknowledged by the far end (PUBACK, HTTP 200). Written within ackFlushMs. */
  ack(stream: Stream, seq: number): void {
    if (this.done[stream].has(seq)) return;
    this.done[stream].add(seq);
    this.dirty.add(stream);
  }

  isDone(stream: Stream, seq: number): boolean {
    return seq <= this.host.floor(stream) || this.done[stream].has(seq);
  }

  /** The first seq >= from this destination still has to send (may equal nextSeq: nothing). */
  firstPending(stream: Stream, from = 1): number {
    return this.done[stream].firstMissing(Math.max(from, this.host.floor(stream) + 1));
  }

  /** Stored messages with seq in [fromSeq, beforeSeq) this destination has not had acknowledged, ascending. */
  async readPending(stream: Stream, fromSeq: number, beforeSeq: number, limit: number): Promise<StoredMessage[]> {
    const out: StoredMessage[] = [];
    let from = this.firstPending(stream, fromSeq);
    while (out.length < limit && from < beforeSeq) {
      const got = await this.host.read(stream, from, beforeSeq - 1, limit - out.length);
      if (got.length === 0) break;
      for (const m of got) if (!this.isDone(stream, m.seq)) out.push(m);
      from = this.firstPending(stream, got[got.length - 1]!.seq + 1);
    }
    return out;
  }

  /** How much this destination still owes the platform. */
  pending(): PendingSummary {
    let count = 0;
    let oldestCreated: number | null = null;
    for (const stream of STREAMS) {
      const floor = this.host.floor(stream);
      const last = this.host.nextSeq(stream) - 1;
      if (last <= floor) continue;
      const n = last - floor - this.done[stream].countIn(floor + 1, last);
      if (n <= 0) continue;
      count += n;
      const first = this.firstPending(stream);
      const known = this.oldest[stream];
      if (!known || known.seq !== first) this.refreshOldest(stream, first);
      const created = known?.created ?? this.host.now();
      oldestCreated = oldestCreated === null ? created : Math.min(oldestCreated, created);
    }
    return { count, oldestPendingMs: oldestCreated === null ? null : Math.max(0, this.host.now() - oldestCreated) };
  }

  /** the outbox tells every cursor about a message it committed, so the oldest age is known without a read */
  noteCommitted(stream: Stream, seq: number, created: number): void {
    if (this.firstPending(stream) === seq) this.oldest[stream] = { seq, created };
  }

  /** ranges to persist, and clears the dirty mark */
  takeDirty(): { stream: Stream; ranges: Range[] }[] {
    const out = [...this.dirty].map((stream) => ({ stream, ranges: this.done[stream].toRanges() }));
    this.dirty.clear();
    return out;
  }

  markDirty(stream: Stream): void {
    this.dirty.add(stream);
  }

  /** evicted messages no longer have to be sent */
  forget(stream: Stream, throughSeq: number): void {
    this.done[stream].addRange(0, throughSeq);
    this.dirty.add(stream);
  }

  /** highest seq such that every seq up to it is done */
  donePrefix(stream: Stream): number {
    return this.firstPending(stream) - 1;
  }

  private refreshOldest(stream: Stream, first: number): void {
    if (this.refreshing.has(stream)) return;
    this.refreshing.add(stream);
    this.host
      .createdAt(stream, first)
      .then((r) => {
        this.oldest[stream] = r ? { seq: first, created: r.created } : undefined;
      })
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(stream));
  }
}
