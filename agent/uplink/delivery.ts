/**
 * Which outbox message goes out next, and how many may be in flight. The outbox is the only
 * durable queue: mqtt.js is never handed more than `window` unacknowledged messages, because
 * (measured here) mqtt.js 5 silently drops QoS 1 messages once more than 65,535 are unacked
 * (packet ids wrap), keeps its offline queue in memory, and after a reconnect resends its
 * backlog one per round trip.
 *
 * Order: live messages first (events before data), then replays, then the backlog (events
 * before data, each in seq order) with `hist: true`. A quarter of the window is held for live
 * messages so an alarm never waits behind a drained backlog.
 */
import type { Logger } from '../core/log.js';
import type { Cursor } from '../buffer/cursor.js';
import type { Outbox } from '../buffer/outbox.js';
import type { StoredMessage, Stream } from '../buffer/types.js';

/** publish at QoS 1; `done` is called on PUBACK (no error) or when the attempt is abandoned (error) */
export type Publish = (m: StoredMessage, hist: boolean, done: (err?: Error) => void) => void;

/** backlog rows read per query */
const READ_AHEAD = 64;
/** committed messages kept in memory for the live path; beyond this they are read back from disk */
const RECENT_MAX = 1024;

interface ReplayJob {
  stream: Stream;
  next: number;
  to: number;
}

const ORDER: readonly Stream[] = ['events', 'data'];

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Delivery {
  private gen = 0;
  private publish: Publish | undefined;
  private readonly inflight = new Set<string>();
  private readonly recent = new Map<string, StoredMessage>();
  private liveFrom: Record<Stream, number> = { data: 1, events: 1 };
  private liveNext: Record<Stream, number> = { data: 1, events: 1 };
  private backNext: Record<Stream, number> = { data: 1, events: 1 };
  private backBuf: Record<Stream, StoredMessage[]> = { data: [], events: [] };
  private replays: ReplayJob[] = [];
  private replayBuf: StoredMessage[] = [];
  private pumping = false;
  private again = false;
  private readonly liveReserve: number;

  constructor(
    private readonly outbox: Outbox,
    private readonly cursor: Cursor,
    private readonly window: number,
    private readonly log: Logger,
  ) {
    this.liveReserve = Math.max(1, Math.floor(window / 4));
  }

  /** a connection is up: what was committed before now is the backlog */
  begin(publish: Publish): void {
    this.gen++;
    this.publish = publish;
    this.inflight.clear();
    this.recent.clear();
    for (const s of ORDER) {
      this.liveFrom[s] = this.outbox.nextSeq(s);
      this.liveNext[s] = this.liveFrom[s];
      this.backNext[s] = 1;
      this.backBuf[s] = [];
    }
    this.replayBuf = [];
    this.log.info({ liveFrom: this.liveFrom, pending: this.cursor.pending().count }, 'delivery started');
    this.pump();
  }

  /** the connection is gone: what was in flight stays pending in the cursor and is resent as backlog */
  end(): void {
    this.gen++;
    this.publish = undefined;
    this.inflight.clear();
    this.recent.clear();
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  /** the outbox committed a message */
  committed(m: StoredMessage): void {
    if (!this.publish) return;
    if (this.recent.size >= RECENT_MAX) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(`${m.stream}:${m.seq}`, m);
    this.pump();
  }

  /** queue a replay; resolves with how many of those messages are still stored */
  async replay(stream: Stream, fromSeq: number, toSeq: number): Promise<number> {
    const n = await this.outbox.countRange(stream, fromSeq, toSeq);
    if (n > 0) {
      this.replays.push({ stream, next: fromSeq, to: toSeq });
      this.pump();
    }
    return n;
  }

  pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill()
      .catch((err: unknown) => this.log.error({ err }, 'delivery failed to read the outbox'))
      .finally(() => {
        this.pumping = false;
        if (this.again && this.publish) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async fill(): Promise<void> {
    const gen = this.gen;
    do {
      this.again = false;
      while (this.publish && gen === this.gen && this.inflight.size < this.window) {
        const next = await this.nextMessage();
        if (gen !== this.gen || !this.publish) return;
        if (!next) break;
        this.send(next.m, next.hist, next.replay);
        // back to the event loop between messages: the awaits above resolve from memory, so a
        // window of 32 backlog messages of 2,000 samples (~3 ms each to encode) had run
        // as one ~160 ms task (uplink.drainMaxLoopStallMs), holding up the interlock path
        await yieldToLoop();
      }
    } while (this.again && gen === this.gen && this.publish);
  }

  private send(m: StoredMessage, hist: boolean, replay: boolean): void {
    const { stream, seq } = m;
    const key = `${replay ? 'r' : 'q'}:${stream}:${seq}`;
    if (this.inflight.has(key)) return;
    const gen = this.gen;
    this.inflight.add(key);
    // the callback holds the stream and seq, not the message: nothing of the message (its
    // decoded samples) has to outlive its encoding while it waits a window's worth for its PUBACK
    this.publish!(m, hist, (err) => {
      if (gen !== this.gen) return;
      this.inflight.delete(key);
      if (err) {
        // not acknowledged: it stays pending in the cursor and goes out again after the next connect
        this.log.warn({ err: err.message, stream, seq }, 'publish not acknowledged');
      } else {
        this.cursor.ack(stream, seq);
      }
      this.pump();
    });
  }

  private async nextMessage(): Promise<{ m: StoredMessage; hist: boolean; replay: boolean } | undefined> {
    for (const s of ORDER) {
      while (this.liveNext[s] < this.outbox.nextSeq(s)) {
        const seq = this.liveNext[s]++;
        if (this.cursor.isDone(s, seq)) continue;
        const key = `${s}:${seq}`;
        const m = this.recent.get(key) ?? (await this.cursor.readPending(s, seq, seq + 1, 1))[0];
        this.recent.delete(key);
        if (m) return { m, hist: false, replay: false };
      }
    }
    if (this.inflight.size >= this.window - this.liveReserve) return undefined;
    const r = await this.nextReplay();
    if (r) return { m: r, hist: true, replay: true };
    for (const s of ORDER) {
      const b = await this.nextBacklog(s);
      if (b) return { m: b, hist: true, replay: false };
    }
    return undefined;
  }

  private async nextReplay(): Promise<StoredMessage | undefined> {
    while (this.replayBuf.length === 0) {
      const job = this.replays[0];
      if (!job) return undefined;
      const to = Math.min(job.to, job.next + READ_AHEAD - 1);
      const got = await this.outbox.readRange(job.stream, job.next, to);
      job.next = to + 1;
      if (job.next > job.to) this.replays.shift();
      this.replayBuf.push(...got);
    }
    return this.replayBuf.shift();
  }

  private async nextBacklog(s: Stream): Promise<StoredMessage | undefined> {
    for (;;) {
      const buf = this.backBuf[s];
      while (buf.length > 0) {
        const m = buf.shift()!;
        if (!this.cursor.isDone(s, m.seq)) return m;
      }
      if (this.backNext[s] >= this.liveFrom[s]) return undefined;
      const gen = this.gen;
      const got = await this.cursor.readPending(s, this.backNext[s], this.liveFrom[s], READ_AHEAD);
      // a reconnect while reading restarted the backlog from the first pending seq: keep that
      if (gen !== this.gen) return undefined;
      if (got.length === 0) {
        this.backNext[s] = this.liveFrom[s];
        return undefined;
      }
      this.backNext[s] = got[got.length - 1]!.seq + 1;
      this.backBuf[s] = got;
    }
  }
}
