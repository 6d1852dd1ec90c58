/**
 * Hidden-hazard records in the gateway's SQLite database (the buffer's file), so a restart,
 * a power cut or a week offline loses none. A record is one row (its JSON) and its history one
 * row per change; the change and its history row are one transaction. `emitted` marks the
 * history rows whose event the buffer has committed: rows left at 0 by a power cut are sent
 * again at the next start, with the same event id (at least once, as every event).
 *
 * In the agent the connection is the buffer's own (the file is opened EXCLUSIVE), so every
 * statement here runs on the buffer's queue (`serial`): node-sqlite3 would otherwise interleave
 * this BEGIN ... COMMIT with the buffer's commits on the same connection.
 */
import { all, type Db, exec, finalize, prepare, row, rows, run, type Stmt, transaction } from '../buffer/sqlite.js';
import type { HazardRecord, HazardState } from './hazard-machine.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hazard_records (id TEXT PRIMARY KEY, rule TEXT NOT NULL, state TEXT NOT NULL, found_at INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS hazard_records_rule ON hazard_records (rule, found_at);
CREATE TABLE IF NOT EXISTS hazard_history (record TEXT NOT NULL, n INTEGER NOT NULL, t INTEGER NOT NULL, state TEXT NOT NULL, by TEXT NOT NULL, note TEXT, body TEXT NOT NULL, emitted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (record, n)) WITHOUT ROWID;
`;

/** One change of a record: the state it entered, by whom, when, and what was said. */
export interface HazardChange {
  record: string;
  n: number;
  t: number;
  /** the record's state after the change, or `overdue` */
  state: HazardState | 'overdue';
  by: string;
  note?: string;
  photos?: string[];
}

/** Runs one piece of database work after the others queued on the same connection. */
export type Serial = <T>(work: () => Promise<T>) => Promise<T>;

/** No queue: for a connection that only this store uses (tests, tools). */
export const direct: Serial = (work) => work();

export class HazardStore {
  private constructor(
    private readonly db: Db,
    private readonly stmts: { upsert: Stmt; history: Stmt; emitted: Stmt; historyOf: Stmt; countOf: Stmt; countDay: Stmt; lastOfRule: Stmt },
    private readonly serial: Serial,
  ) {}

  static async open(db: Db, serial: Serial = direct): Promise<HazardStore> {
    return serial(async () => HazardStore.build(db, serial));
  }

  private static async build(db: Db, serial: Serial): Promise<HazardStore> {
    await exec(db, SCHEMA);
    return new HazardStore(db, {
      upsert: await prepare(db, 'INSERT INTO hazard_records (id, rule, state, found_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body'),
      history: await prepare(db, 'INSERT INTO hazard_history (record, n, t, state, by, note, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      emitted: await prepare(db, 'UPDATE hazard_history SET emitted = 1 WHERE record = ? AND n = ?'),
      historyOf: await prepare(db, 'SELECT body FROM hazard_history WHERE record = ? ORDER BY n'),
      countOf: await prepare(db, 'SELECT COALESCE(MAX(n), 0) AS n FROM hazard_history WHERE record = ?'),
      countDay: await prepare(db, "SELECT COUNT(*) AS n FROM hazard_records WHERE id LIKE ? ESCAPE '\\'"),
      lastOfRule: await prepare(db, 'SELECT body FROM hazard_records WHERE rule = ? ORDER BY found_at DESC LIMIT 1'),
    }, serial);
  }

  /** The record as it now is and the change that made it so, in one transaction. */
  write(record: HazardRecord, change: HazardChange): Promise<void> {
    return this.serial(async () => {
      await transaction(this.db, async () => {
        await run(this.stmts.upsert, [record.id, record.rule, record.state, record.foundAt, JSON.stringify(record)]);
        await run(this.stmts.history, [change.record, change.n, change.t, change.state, change.by, change.note ?? null, JSON.stringify(change)]);
      });
    });
  }

  async markEmitted(c: HazardChange): Promise<void> {
    await this.serial(() => run(this.stmts.emitted, [c.record, c.n]));
  }

  /** Every record not closed, and those closed since `closedSince`. */
  async current(closedSince: number): Promise<HazardRecord[]> {
    const found = await this.serial(() => all<{ body: string }>(this.db, "SELECT body FROM hazard_records WHERE state != 'closed' OR json_extract(body, '$.closedAt') >= ? ORDER BY found_at", [closedSince]));
    return found.map((r) => JSON.parse(r.body) as HazardRecord);
  }

  async history(record: string): Promise<HazardChange[]> {
    return (await this.serial(() => rows<{ body: string }>(this.stmts.historyOf, [record]))).map((r) => JSON.parse(r.body) as HazardChange);
  }

  /** How many changes a record has had (its last change's number), without reading them. */
  async changeCount(record: string): Promise<number> {
    return (await this.serial(() => row<{ n: number }>(this.stmts.countOf, [record])))?.n ?? 0;
  }

  /** Changes whose event the buffer never confirmed (a power cut between the two commits). */
  async unemitted(): Promise<HazardChange[]> {
    return (await this.serial(() => all<{ body: string }>(this.db, 'SELECT body FROM hazard_history WHERE emitted = 0 ORDER BY t, record, n'))).map((r) => JSON.parse(r.body) as HazardChange);
  }

  /** How many records carry this day's prefix (HZ-20261202-), for the next id. */
  async countWithPrefix(prefix: string): Promise<number> {
    return (await this.serial(() => row<{ n: number }>(this.stmts.countDay, [`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`])))?.n ?? 0;
  }

  /** Finalise the statements, before the database is closed. */
  async close(): Promise<void> {
    await this.serial(async () => {
      for (const st of Object.values(this.stmts)) await finalize(st);
    });
  }

  /** The newest record of a rule, open or closed. */
  async lastOfRule(rule: string): Promise<HazardRecord | undefined> {
    const r = await this.serial(() => row<{ body: string }>(this.stmts.lastOfRule, [rule]));
    return r ? (JSON.parse(r.body) as HazardRecord) : undefined;
  }
}
