/**
 * The tables and every prepared statement of the outbox. One row is one uplink message
 * (a batch of samples or of events), keyed by its seq.
 *
 * The series table holds the one row naming the file's seq series (epoch.ts): its epoch is text,
 * which meta's INTEGER column would turn into a number when all 16 hex digits are decimal ones.
 *
 * Files of layout 2 store t0 and t1 as offsets from `created` (2 bytes each instead of 6): with
 * that, five 250 ms batches fit one 512-byte page instead of four, and a new page (three WAL
 * frames instead of one) is needed one commit in five. Layout 1 files hold them as they are.
 */
import { exec, finalize, prepare, row, rows, run, type Db, type Stmt } from './sqlite.js';
import { STREAMS, type Stream } from './types.js';

const DDL = `
CREATE TABLE IF NOT EXISTS data (seq INTEGER PRIMARY KEY, created INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, n INTEGER NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, created INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, n INTEGER NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS points (idx INTEGER PRIMARY KEY, id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (dest TEXT NOT NULL, stream TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL, PRIMARY KEY (dest, stream, lo)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series (one INTEGER PRIMARY KEY CHECK (one = 1), epoch TEXT NOT NULL, announced INTEGER NOT NULL);
`;

export interface MessageRow {
  seq: number;
  created: number;
  t0: number;
  t1: number;
  n: number;
  body: Buffer;
}

interface StreamStmts {
  insert: Stmt;
  range: Stmt;
  from: Stmt;
  bounds: Stmt;
  t1At: Stmt;
  createdAt: Stmt;
  oldest: Stmt;
  deleteThrough: Stmt;
  prune: Stmt;
  count: Stmt;
}

export const LAYOUT = 2;

export interface Series {
  epoch: string;
  /** the gap events saying that this series started are committed (or there was nothing to say) */
  announced: boolean;
}

export class Store {
  /** t0 and t1 are stored as offsets from created (layout 2) */
  relativeTimes = true;

  private constructor(
    private readonly db: Db,
    private readonly s: Record<Stream, StreamStmts>,
    private readonly common: Record<'metaGet' | 'metaSet' | 'seriesGet' | 'seriesSet' | 'cursorAll' | 'cursorClear' | 'cursorAdd' | 'cursorDrop' | 'pages' | 'pointAll' | 'pointAdd', Stmt>,
  ) {}

  static async create(db: Db): Promise<Store> {
    await exec(db, DDL);
    const per = async (t: Stream): Promise<StreamStmts> => ({
      insert: await prepare(db, `INSERT INTO ${t} (seq, created, t0, t1, n, body) VALUES (?, ?, ?, ?, ?, ?)`),
      range: await prepare(db, `SELECT seq, created, t0, t1, n, body FROM ${t} WHERE seq BETWEEN ? AND ? ORDER BY seq LIMIT ?`),
      from: await prepare(db, `SELECT seq, created, t0, t1, n, body FROM ${t} WHERE seq >= ? ORDER BY seq LIMIT ?`),
      bounds: await prepare(db, `SELECT min(seq) AS lo, max(seq) AS hi FROM ${t}`),
      t1At: await prepare(db, `SELECT seq, created, t1 FROM ${t} WHERE seq >= ? ORDER BY seq LIMIT 1`),
      createdAt: await prepare(db, `SELECT seq, created FROM ${t} WHERE seq >= ? ORDER BY seq LIMIT 1`),
      oldest: await prepare(db, `SELECT seq, created, t0, t1, n FROM ${t} ORDER BY seq LIMIT ?`),
      deleteThrough: await prepare(db, `DELETE FROM ${t} WHERE seq <= ?`),
      prune: await prepare(db, `DELETE FROM ${t} WHERE seq IN (SELECT seq FROM ${t} WHERE seq <= ? AND created < ? ORDER BY seq LIMIT ?)`),
      count: await prepare(db, `SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM ${t} WHERE seq BETWEEN ? AND ?`),
    });
    const s = { data: await per('data'), events: await per('events') };
    const common = {
      metaGet: await prepare(db, 'SELECT value FROM meta WHERE key = ?'),
      metaSet: await prepare(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      seriesGet: await prepare(db, 'SELECT epoch, announced FROM series WHERE one = 1'),
      seriesSet: await prepare(db, 'INSERT INTO series (one, epoch, announced) VALUES (1, ?, ?) ON CONFLICT(one) DO UPDATE SET epoch = excluded.epoch, announced = excluded.announced'),
      cursorAll: await prepare(db, 'SELECT dest, stream, lo, hi FROM cursors ORDER BY dest, stream, lo'),
      cursorClear: await prepare(db, 'DELETE FROM cursors WHERE dest = ? AND stream = ?'),
      cursorAdd: await prepare(db, 'INSERT INTO cursors (dest, stream, lo, hi) VALUES (?, ?, ?, ?)'),
      cursorDrop: await prepare(db, 'DELETE FROM cursors WHERE dest = ?'),
      pointAll: await prepare(db, 'SELECT idx, id FROM points ORDER BY idx'),
      pointAdd: await prepare(db, 'INSERT INTO points (idx, id) VALUES (?, ?)'),
      pages: await prepare(db, 'SELECT p.page_count AS pages, f.freelist_count AS free, s.page_size AS size FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s'),
    };
    return new Store(db, s, common);
  }

  begin(): Promise<void> {
    return exec(this.db, 'BEGIN IMMEDIATE');
  }
  commit(): Promise<void> {
    return exec(this.db, 'COMMIT');
  }
  rollback(): Promise<void> {
    return exec(this.db, 'ROLLBACK').catch(() => undefined);
  }

  async insert(stream: Stream, r: MessageRow): Promise<void> {
    const base = this.relativeTimes ? r.created : 0;
    await run(this.s[stream].insert, [r.seq, r.created, r.t0 - base, r.t1 - base, r.n, r.body]);
  }

  async range(stream: Stream, fromSeq: number, toSeq: number, limit: number): Promise<MessageRow[]> {
    return this.absolute(await rows<MessageRow>(this.s[stream].range, [fromSeq, toSeq, limit]));
  }

  async from(stream: Stream, fromSeq: number, limit: number): Promise<MessageRow[]> {
    return this.absolute(await rows<MessageRow>(this.s[stream].from, [fromSeq, limit]));
  }

  /** lowest and highest stored seq (both O(log n) on the rowid; count(*) would read the whole table) */
  async bounds(stream: Stream): Promise<{ lo: number | null; hi: number | null }> {
    return (await row<{ lo: number | null; hi: number | null }>(this.s[stream].bounds)) ?? { lo: null, hi: null };
  }

  countBetween(stream: Stream, fromSeq: number, toSeq: number): Promise<{ n: number; lo: number | null; hi: number | null } | undefined> {
    return row(this.s[stream].count, [fromSeq, toSeq]);
  }

  async t1At(stream: Stream, seq: number): Promise<{ seq: number; t1: number } | undefined> {
    const r = await row<{ seq: number; created: number; t1: number }>(this.s[stream].t1At, [seq]);
    return r && { seq: r.seq, t1: r.t1 + (this.relativeTimes ? r.created : 0) };
  }

  createdAt(stream: Stream, seq: number): Promise<{ seq: number; created: number } | undefined> {
    return row(this.s[stream].createdAt, [seq]);
  }

  async oldest(stream: Stream, limit: number): Promise<Omit<MessageRow, 'body'>[]> {
    return this.absolute(await rows<Omit<MessageRow, 'body'>>(this.s[stream].oldest, [limit]));
  }

  deleteThrough(stream: Stream, seq: number): Promise<number> {
    return run(this.s[stream].deleteThrough, [seq]);
  }

  prune(stream: Stream, throughSeq: number, createdBefore: number, limit: number): Promise<number> {
    return run(this.s[stream].prune, [throughSeq, createdBefore, limit]);
  }

  async meta(key: string): Promise<number | undefined> {
    return (await row<{ value: number }>(this.common.metaGet, [key]))?.value;
  }
  async setMeta(key: string, value: number): Promise<void> {
    await run(this.common.metaSet, [key, value]);
  }

  async series(): Promise<Series | undefined> {
    const r = await row<{ epoch: string; announced: number }>(this.common.seriesGet);
    return r && { epoch: r.epoch, announced: r.announced === 1 };
  }
  async setSeries(s: Series): Promise<void> {
    await run(this.common.seriesSet, [s.epoch, s.announced ? 1 : 0]);
  }

  /** the point dictionary of the compact data batches (point-dictionary.ts) */
  pointRows(): Promise<{ idx: number; id: string }[]> {
    return rows(this.common.pointAll);
  }
  async addPoints(entries: readonly { idx: number; id: string }[]): Promise<void> {
    for (const e of entries) await run(this.common.pointAdd, [e.idx, e.id]);
  }

  cursorRows(): Promise<{ dest: string; stream: Stream; lo: number; hi: number }[]> {
    return rows(this.common.cursorAll);
  }
  async writeCursor(dest: string, stream: Stream, ranges: readonly (readonly [number, number])[]): Promise<void> {
    await run(this.common.cursorClear, [dest, stream]);
    for (const [lo, hi] of ranges) await run(this.common.cursorAdd, [dest, stream, lo, hi]);
  }
  async dropCursor(dest: string): Promise<void> {
    await run(this.common.cursorDrop, [dest]);
  }

  /** bytes of pages holding data (the file may be larger by its free pages, which get reused) */
  async usedBytes(): Promise<{ used: number; file: number; pageSize: number }> {
    const r = await row<{ pages: number; free: number; size: number }>(this.common.pages);
    if (!r) return { used: 0, file: 0, pageSize: 4096 };
    return { used: (r.pages - r.free) * r.size, file: r.pages * r.size, pageSize: r.size };
  }

  private absolute<R extends { created: number; t0: number; t1: number }>(rs: R[]): R[] {
    if (!this.relativeTimes) return rs;
    for (const r of rs) {
      r.t0 += r.created;
      r.t1 += r.created;
    }
    return rs;
  }

  async close(): Promise<void> {
    for (const stream of STREAMS) for (const st of Object.values(this.s[stream])) await finalize(st);
    for (const st of Object.values(this.common)) await finalize(st);
  }
}
