/**
 * Dust-cleaning check-ins (粉尘清理) in the gateway's SQLite database (the buffer's file), beside
 * the hazard records: one row per area (since when its clock runs, and whether that period was
 * already reported overdue) and one row per event (a check-in, an overdue), written in the same
 * transaction as the area's change. `emitted` marks the events the buffer committed; rows left
 * at 0 by a power cut are sent again at the next start, with the same id.
 */
import { all, type Db, exec, finalize, prepare, run, type Stmt, transaction } from '../buffer/sqlite.js';
import type { PlantEvent } from '../core/types.js';
import { direct, type Serial } from './hazard-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cleaning_areas (area TEXT PRIMARY KEY, since INTEGER NOT NULL, last_by TEXT, overdue_for INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cleaning_events (id TEXT PRIMARY KEY, area TEXT NOT NULL, t INTEGER NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL, emitted INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cleaning_events_area ON cleaning_events (area, t);
`;

/** An area's clock: checked in (or first known) at `since`; `overdueFor` = since, once that period was reported overdue. */
export interface AreaState {
  area: string;
  since: number;
  /** who checked it in last; absent before the first check-in */
  lastBy?: string;
  overdueFor?: number;
}


export class CleaningStore {
  private constructor(
    private readonly db: Db,
    private readonly stmts: { upsert: Stmt; event: Stmt; emitted: Stmt },
    private readonly serial: Serial,
  ) {}

  static async open(db: Db, serial: Serial = direct): Promise<CleaningStore> {
    return serial(async () => {
      await exec(db, SCHEMA);
      return new CleaningStore(
        db,
        {
          upsert: await prepare(db, 'INSERT INTO cleaning_areas (area, since, last_by, overdue_for) VALUES (?, ?, ?, ?) ON CONFLICT (area) DO UPDATE SET since = excluded.since, last_by = excluded.last_by, overdue_for = excluded.overdue_for'),
          event: await prepare(db, 'INSERT OR IGNORE INTO cleaning_events (id, area, t, state, body) VALUES (?, ?, ?, ?, ?)'),
          emitted: await prepare(db, 'UPDATE cleaning_events SET emitted = 1 WHERE id = ?'),
        },
        serial,
      );
    });
  }

  async areas(): Promise<AreaState[]> {
    const found = await this.serial(() => all<{ area: string; since: number; last_by: string | null; overdue_for: number | null }>(this.db, 'SELECT area, since, last_by, overdue_for FROM cleaning_areas'));
    return found.map((r) => ({ area: r.area, since: r.since, ...(r.last_by !== null ? { lastBy: r.last_by } : {}), ...(r.overdue_for !== null ? { overdueFor: r.overdue_for } : {}) }));
  }

  /** The area as it now is and, when the change sends one, its event: one transaction. */
  write(a: AreaState, event?: PlantEvent): Promise<void> {
    return this.serial(async () => {
      await transaction(this.db, async () => {
        await run(this.stmts.upsert, [a.area, a.since, a.lastBy ?? null, a.overdueFor ?? null]);
        if (event) await run(this.stmts.event, [event.id, a.area, event.t, event.state ?? '', JSON.stringify(event)]);
      });
    });
  }

  async markEmitted(id: string): Promise<void> {
    await this.serial(() => run(this.stmts.emitted, [id]));
  }

  /** Events whose commit to the buffer a power cut may have cut off. */
  async unemitted(): Promise<PlantEvent[]> {
    return (await this.serial(() => all<{ body: string }>(this.db, 'SELECT body FROM cleaning_events WHERE emitted = 0 ORDER BY t, id'))).map((r) => JSON.parse(r.body) as PlantEvent);
  }

  /** An area's check-ins and overdues, newest first. */
  async history(area: string, limit = 50): Promise<PlantEvent[]> {
    return (await this.serial(() => all<{ body: string }>(this.db, 'SELECT body FROM cleaning_events WHERE area = ? ORDER BY t DESC, id DESC LIMIT ?', [area, limit]))).map((r) => JSON.parse(r.body) as PlantEvent);
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      for (const st of Object.values(this.stmts)) await finalize(st);
    });
  }
}
