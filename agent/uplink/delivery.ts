/**
 * Which outbox message goes out next, and how many may be in flight. The outbox is the only
 * durable queue: mqtt.js is never handed more than `window` unacknowledged messages, because
 * (measured here) mqtt.js 5 silently drops QoS 1 messages once more than 65,535 are unacked
 * (packet ids wrap), keeps its offline queue in memory, and after a reconnect resends its
 * backlog one per round trip.
 *
 * Order: live messages first (events before data), then replays, then the backlog (events
 * before data, each in seq order) with `hist: true`. A quarter of the window (none of a window of 1) is held for live
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

/**
 * Replayed messages queued at most, all jobs together: five full-size replays. 20 replays of
 * 1..10,000 had re-sent 200,000 messages (issue #14); a platform asking once per hole it finds
 * stays far below.
 */
export const MAX_REPLAY_QUEUED = 50_000;

/** one replay command's range; it runs until its last message is handed to the client */
interface ReplayJob {
  stream: Stream;
  from: number;
  to: number;
  /** the next seq to read */
  next: number;
  /** read and not yet sent */
  buf: StoredMessage[];
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
  private readonly replays: ReplayJob[] = [];
  private pumping = false;
  private again = false;
  private readonly liveReserve: number;

  constructor(
    private readonly outbox: Outbox,
    private readonly cursor: Cursor,
    private readonly window: number,
    private readonly log: Logger,
    private readonly replayQueueMax = MAX_REPLAY_QUEUED,
  ) {
    // a window of 1 holds nothing back: a reserve of its only slot left the backlog (events seq 1
    // of a new buffer, at the least) unsent forever
    this.liveReserve = window > 1 ? Math.max(1, Math.floor(window / 4)) : 0;
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
    // what a replay had read and not sent is read again on this connection
    for (const job of this.replays) {
      if (job.buf.length > 0) job.next = job.buf[0]!.seq;
      job.buf = [];
    }
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

  /**
   * Queue a replay; resolves with how many of those messages are still stored, or why it is not
   * queued: a range overlapping a replay of the same stream still running, or more queued in all
   * than replayQueueMax.
   */
  async replay(stream: Stream, fromSeq: number, toSeq: number): Promise<number | { refused: string }> {
    const running = this.replays.find((j) => j.stream === stream && j.from <= toSeq && fromSeq <= j.to);
    if (running) return { refused: `a replay of ${stream} ${running.from}..${running.to} is already running; ask again for what it leaves out once it is sent` };
    const queued = this.replays.reduce((n, j) => n + j.buf.length + Math.max(0, j.to - j.next + 1), 0);
    if (queued + (toSeq - fromSeq + 1) > this.replayQueueMax) {
      return { refused: `replay queue full: ${queued} messages queued, at most ${this.replayQueueMax}; ask again once they are sent` };
    }
    // queued before the count is read, so a replay of the same range meanwhile is refused
    const job: ReplayJob = { stream, from: fromSeq, to: toSeq, next: fromSeq, buf: [] };
    this.replays.push(job);
    let n: number;
    try {
      n = await this.outbox.countRange(stream, fromSeq, toSeq);
    } catch (err) {
      this.dropReplay(job);
      throw err;
    }
    if (n === 0) this.dropReplay(job);
    else this.pump();
    return n;
  }

  private dropReplay(job: ReplayJob): void {
    const i = this.replays.indexOf(job);
    if (i >= 0) this.replays.splice(i, 1);
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
    for (;;) {
      const job = this.replays[0];
      if (!job) return undefined;
      const m = job.buf.shift();
      if (m || job.next > job.to) {
        if (job.buf.length === 0 && job.next > job.to) this.dropReplay(job);
        if (m) return m;
        continue;
      }
      const to = Math.min(job.to, job.next + READ_AHEAD - 1);
      const gen = this.gen;
      const got = await this.outbox.readRange(job.stream, job.next, to);
      // a reconnect while reading rewound the job: it reads this part again
      if (gen !== this.gen) return undefined;
      job.next = to + 1;
      job.buf.push(...got);
    }
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
