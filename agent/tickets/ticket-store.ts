/**
 * Work tickets (作业票) in the gateway's SQLite database (the buffer's file), beside the hazard
 * records: one row per ticket (its JSON as it now is) and one row per `ticket` event, written
 * in one transaction, so a SIGKILL during entry loses neither the ticket nor who is inside.
 * `emitted` marks the events the buffer committed; rows left at 0 by a power cut are sent again
 * at the next start, with the same id. Every statement runs on the buffer's queue (`serial`).
 */
import { all, type Db, exec, finalize, prepare, row, run, type Stmt, transaction } from '../buffer/sqlite.js';
import type { PlantEvent } from '../core/types.js';
import { direct, type Serial } from '../records/hazard-store.js';
import type { Ticket } from './ticket.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tickets (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, opened_at INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ticket_events (id TEXT PRIMARY KEY, ticket TEXT NOT NULL, t INTEGER NOT NULL, body TEXT NOT NULL, emitted INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ticket_events_ticket ON ticket_events (ticket, t);
`;

export class TicketStore {
  private constructor(
    private readonly db: Db,
    private readonly stmts: { upsert: Stmt; event: Stmt; emitted: Stmt; countDay: Stmt },
    private readonly serial: Serial,
  ) {}

  static async open(db: Db, serial: Serial = direct): Promise<TicketStore> {
    return serial(async () => {
      await exec(db, SCHEMA);
      return new TicketStore(
        db,
        {
          upsert: await prepare(db, 'INSERT INTO tickets (id, kind, state, opened_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body'),
          event: await prepare(db, 'INSERT OR IGNORE INTO ticket_events (id, ticket, t, body) VALUES (?, ?, ?, ?)'),
          emitted: await prepare(db, 'UPDATE ticket_events SET emitted = 1 WHERE id = ?'),
          countDay: await prepare(db, "SELECT COUNT(*) AS n FROM tickets WHERE id LIKE ? ESCAPE '\\'"),
        },
        serial,
      );
    });
  }

  /** The ticket as it now is and, when the change sends one, its event: one transaction. */
  write(t: Ticket, event?: PlantEvent): Promise<void> {
    return this.serial(async () => {
      await transaction(this.db, async () => {
        await run(this.stmts.upsert, [t.id, t.kind, t.state, t.openedAt, JSON.stringify(t)]);
        if (event) await run(this.stmts.event, [event.id, t.id, event.t, JSON.stringify(event)]);
      });
    });
  }

  async markEmitted(id: string): Promise<void> {
    await this.serial(() => run(this.stmts.emitted, [id]));
  }

  /** Every ticket not closed, and those closed (or refused) since `since`. */
  async current(since: number): Promise<Ticket[]> {
    const found = await this.serial(() =>
      all<{ body: string }>(this.db, "SELECT body FROM tickets WHERE state NOT IN ('closed', 'refused') OR opened_at >= ? OR json_extract(body, '$.closedAt') >= ? ORDER BY opened_at", [since, since]),
    );
    return found.map((r) => JSON.parse(r.body) as Ticket);
  }

  async get(id: string): Promise<Ticket | undefined> {
    const r = await this.serial(() => all<{ body: string }>(this.db, 'SELECT body FROM tickets WHERE id = ?', [id]));
    return r[0] ? (JSON.parse(r[0].body) as Ticket) : undefined;
  }

  /** A ticket's events, oldest first: the steps its print view lists. */
  async history(ticket: string): Promise<PlantEvent[]> {
    return (await this.serial(() => all<{ body: string }>(this.db, 'SELECT body FROM ticket_events WHERE ticket = ? ORDER BY t, id', [ticket]))).map((r) => JSON.parse(r.body) as PlantEvent);
  }

  /** Events whose commit to the buffer a power cut may have cut off. */
  async unemitted(): Promise<PlantEvent[]> {
    return (await this.serial(() => all<{ body: string }>(this.db, 'SELECT body FROM ticket_events WHERE emitted = 0 ORDER BY t, id'))).map((r) => JSON.parse(r.body) as PlantEvent);
  }

  /** How many tickets carry this prefix (ZY-20261202-), for the next id. */
  async countWithPrefix(prefix: string): Promise<number> {
    return (await this.serial(() => row<{ n: number }>(this.stmts.countDay, [`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`])))?.n ?? 0;
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      for (const st of Object.values(this.stmts)) await finalize(st);
    });
  }
}
