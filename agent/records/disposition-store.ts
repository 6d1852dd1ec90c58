/**
 * Alarm occurrences and their handling feedback in the gateway's SQLite database (the buffer's
 * file), as hazard-store.ts keeps hazard records: the occurrence is one row (its JSON); each
 * change that sends an event (overdue, recorded) is one history row holding the occurrence as
 * the change left it, written in the same transaction. `emitted` marks the rows whose event the
 * buffer committed; rows left at 0 by a power cut are sent again at the next start, same id.
 */
import { all, type Db, exec, finalize, prepare, row, rows, run, type Stmt, transaction } from '../buffer/sqlite.js';
import type { Occurrence } from './disposition-machine.js';
import { direct, type Serial } from './hazard-store.js';


const SCHEMA = `
CREATE TABLE IF NOT EXISTS disposition_occurrences (id TEXT PRIMARY KEY, alarm TEXT NOT NULL, state TEXT NOT NULL, t INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS disposition_occurrences_t ON disposition_occurrences (t);
CREATE INDEX IF NOT EXISTS disposition_occurrences_state ON disposition_occurrences (state);
CREATE TABLE IF NOT EXISTS disposition_history (occurrence TEXT NOT NULL, state TEXT NOT NULL, t INTEGER NOT NULL, by TEXT NOT NULL, body TEXT NOT NULL, emitted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (occurrence, state)) WITHOUT ROWID;
`;

/** A change that goes up as a `disposition` event: at most one of each per occurrence. */
export interface DispositionChange {
  state: 'overdue' | 'recorded';
  t: number;
  by: string;
  /** the occurrence as the change left it, from which the event is built */
  occurrence: Occurrence;
}

export interface HistoryQuery {
  /** occurrences that became active at or after this time */
  since?: number;
  /** and before this one */
  until?: number;
  /** of this alarm only */
  alarm?: string;
  /** newest first, at most this many (default 200) */
  limit?: number;
}

export class DispositionStore {
  private constructor(
    private readonly db: Db,
    private readonly stmts: { upsert: Stmt; history: Stmt; emitted: Stmt; awaiting: Stmt; unemitted: Stmt; byId: Stmt },
    private readonly serial: Serial,
  ) {}

  /** On the buffer's connection, `serial` is the buffer's queue (Outbox.shared()), as for hazard-store.ts. */
  static async open(db: Db, serial: Serial = direct): Promise<DispositionStore> {
    return serial(() => DispositionStore.build(db, serial));
  }

  private static async build(db: Db, serial: Serial): Promise<DispositionStore> {
    await exec(db, SCHEMA);
    return new DispositionStore(db, {
      upsert: await prepare(db, 'INSERT INTO disposition_occurrences (id, alarm, state, t, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body'),
      history: await prepare(db, 'INSERT INTO disposition_history (occurrence, state, t, by, body) VALUES (?, ?, ?, ?, ?)'),
      emitted: await prepare(db, 'UPDATE disposition_history SET emitted = 1 WHERE occurrence = ? AND state = ?'),
      awaiting: await prepare(db, "SELECT body FROM disposition_occurrences WHERE state != 'recorded' ORDER BY t"),
      unemitted: await prepare(db, 'SELECT state, t, by, body FROM disposition_history WHERE emitted = 0 ORDER BY t, occurrence'),
      byId: await prepare(db, 'SELECT body FROM disposition_occurrences WHERE id = ?'),
    }, serial);
  }

  /** The occurrence as it now is and, when it sends an event, that change: one transaction. */
  write(o: Occurrence, change?: DispositionChange): Promise<void> {
    return this.serial(() => this.transaction(o, change));
  }

  private async transaction(o: Occurrence, change?: DispositionChange): Promise<void> {
    await transaction(this.db, async () => {
      await run(this.stmts.upsert, [o.id, o.alarm, o.state, o.t, JSON.stringify(o)]);
      if (change) await run(this.stmts.history, [o.id, change.state, change.t, change.by, JSON.stringify(change.occurrence)]);
    });
  }

  async markEmitted(c: DispositionChange): Promise<void> {
    await this.serial(() => run(this.stmts.emitted, [c.occurrence.id, c.state]));
  }

  /** Occurrences still waiting for feedback, pending or overdue, oldest first. */
  async awaiting(): Promise<Occurrence[]> {
    return (await this.serial(() => rows<{ body: string }>(this.stmts.awaiting))).map((r) => JSON.parse(r.body) as Occurrence);
  }

  /** Changes whose event the buffer never confirmed (a power cut between the two commits). */
  async unemitted(): Promise<DispositionChange[]> {
    const found = await this.serial(() => rows<{ state: DispositionChange['state']; t: number; by: string; body: string }>(this.stmts.unemitted));
    return found.map((r) => ({ state: r.state, t: r.t, by: r.by, occurrence: JSON.parse(r.body) as Occurrence }));
  }

  async get(id: string): Promise<Occurrence | undefined> {
    const r = await this.serial(() => row<{ body: string }>(this.stmts.byId, [id]));
    return r ? (JSON.parse(r.body) as Occurrence) : undefined;
  }

  /** Occurrences, newest first, recorded or not. */
  async history(q: HistoryQuery = {}): Promise<Occurrence[]> {
    const where = ['t >= ?', 't < ?'];
    const params: unknown[] = [q.since ?? 0, q.until ?? Number.MAX_SAFE_INTEGER];
    if (q.alarm !== undefined) {
      where.push('alarm = ?');
      params.push(q.alarm);
    }
    params.push(Math.max(1, Math.min(q.limit ?? 200, 10_000)));
    const found = await this.serial(() => all<{ body: string }>(this.db, `SELECT body FROM disposition_occurrences WHERE ${where.join(' AND ')} ORDER BY t DESC, id DESC LIMIT ?`, params));
    return found.map((r) => JSON.parse(r.body) as Occurrence);
  }

  /** Finalise the statements, before the database is closed. */
  async close(): Promise<void> {
    await this.serial(async () => {
      for (const st of Object.values(this.stmts)) await finalize(st);
    });
  }
}
