/**
 * Shift aggregates in the buffer's SQLite file, one row per period id (the primary key: a
 * restart, a power cut or a clock step can never make two for one period). A shift's row is
 * checkpointed while it runs and marked closed at its end; `emitted` marks the periods whose
 * `summary` event the buffer has committed, so those missed by a power cut are sent at the next
 * start, in order. Day, week and month rows hold no aggregate: they are merged from the shifts.
 * Shares the buffer's connection and queue (Outbox.shared()), as agent/records/hazard-store.ts.
 */
import { all, exec, run, prepare, finalize, type Db, type Stmt } from '../buffer/sqlite.js';
import type { Aggregate } from './aggregate.js';
import type { Period, PeriodKind } from './periods.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS digest_periods (id TEXT PRIMARY KEY, kind TEXT NOT NULL, from_t INTEGER NOT NULL, to_t INTEGER NOT NULL, name TEXT NOT NULL, body TEXT, closed INTEGER NOT NULL DEFAULT 0, emitted INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS digest_periods_kind ON digest_periods (kind, from_t);
`;

export type Serial = <T>(work: () => Promise<T>) => Promise<T>;
const direct: Serial = (work) => work();

export interface StoredPeriod {
  period: Period;
  aggregate?: Aggregate;
  closed: boolean;
  emitted: boolean;
}

interface Row {
  id: string;
  kind: PeriodKind;
  from_t: number;
  to_t: number;
  name: string;
  body: string | null;
  closed: number;
  emitted: number;
}

const fromRow = (r: Row): StoredPeriod => ({
  period: { id: r.id, kind: r.kind, from: r.from_t, to: r.to_t, name: r.name },
  ...(r.body ? { aggregate: JSON.parse(r.body) as Aggregate } : {}),
  closed: r.closed === 1,
  emitted: r.emitted === 1,
});

export class DigestStore {
  private constructor(
    private readonly db: Db,
    private readonly upsert: Stmt,
    private readonly serial: Serial,
  ) {}

  static async open(db: Db, serial: Serial = direct): Promise<DigestStore> {
    return serial(async () => {
      await exec(db, SCHEMA);
      // a closed period is never reopened: its checkpoint is not written over once closed
      const upsert = await prepare(
        db,
        'INSERT INTO digest_periods (id, kind, from_t, to_t, name, body, closed) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, closed = excluded.closed WHERE digest_periods.closed = 0',
      );
      return new DigestStore(db, upsert, serial);
    });
  }

  save(p: Period, aggregate: Aggregate | undefined, closed: boolean): Promise<void> {
    return this.serial(async () => void (await run(this.upsert, [p.id, p.kind, p.from, p.to, p.name, aggregate ? JSON.stringify(aggregate) : null, closed ? 1 : 0])));
  }

  markEmitted(id: string): Promise<void> {
    return this.serial(async () => void (await all(this.db, 'UPDATE digest_periods SET emitted = 1 WHERE id = ?', [id])));
  }

  async get(id: string): Promise<StoredPeriod | undefined> {
    const r = await this.serial(() => all<Row>(this.db, 'SELECT * FROM digest_periods WHERE id = ?', [id]));
    return r[0] ? fromRow(r[0]) : undefined;
  }

  /** Shifts that start in [from, to), oldest first. */
  async shifts(from: number, to: number): Promise<StoredPeriod[]> {
    return (await this.serial(() => all<Row>(this.db, "SELECT * FROM digest_periods WHERE kind = 'shift' AND from_t >= ? AND from_t < ? ORDER BY from_t", [from, to]))).map(fromRow);
  }

  /** The newest shift stored, open or closed. */
  async lastShift(): Promise<StoredPeriod | undefined> {
    const r = await this.serial(() => all<Row>(this.db, "SELECT * FROM digest_periods WHERE kind = 'shift' ORDER BY from_t DESC LIMIT 1"));
    return r[0] ? fromRow(r[0]) : undefined;
  }

  async firstShiftFrom(): Promise<number | undefined> {
    const r = await this.serial(() => all<{ f: number | null }>(this.db, "SELECT MIN(from_t) AS f FROM digest_periods WHERE kind = 'shift'"));
    return r[0]?.f ?? undefined;
  }

  /** Closed periods whose summary was not committed, in the order they ended. */
  async unemitted(): Promise<StoredPeriod[]> {
    return (await this.serial(() => all<Row>(this.db, "SELECT * FROM digest_periods WHERE closed = 1 AND emitted = 0 ORDER BY to_t, CASE kind WHEN 'shift' THEN 0 WHEN 'day' THEN 1 WHEN 'week' THEN 2 ELSE 3 END"))).map(fromRow);
  }

  async close(): Promise<void> {
    await this.serial(() => finalize(this.upsert));
  }
}
