/**
 * Promise wrappers over the sqlite3 package. sqlite3 runs every statement on the libuv thread
 * pool, so the event loop (and the interlock path on it) never waits for the SD card.
 */
import sqlite3 from 'sqlite3';

export type Db = sqlite3.Database;
export type Stmt = sqlite3.Statement;
export type Params = readonly unknown[];

export function openDb(path: string): Promise<Db> {
  return new Promise((resolve, reject) => {
    const db: Db = new sqlite3.Database(path, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => (err ? reject(err) : resolve(db)));
  });
}

export function exec(db: Db, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
}

export function all<T>(db: Db, sql: string, params: Params = []): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows))));
}

export function prepare(db: Db, sql: string): Promise<Stmt> {
  return new Promise((resolve, reject) => {
    const stmt = db.prepare(sql, (err) => (err ? reject(err) : resolve(stmt)));
  });
}

/** Run a prepared statement; resolves with the number of rows changed. */
export function run(stmt: Stmt, params: Params = []): Promise<number> {
  return new Promise((resolve, reject) =>
    stmt.run(params, function (this: sqlite3.RunResult, err: Error | null) {
      if (err) reject(err);
      else resolve(this.changes);
    }),
  );
}

export function rows<T>(stmt: Stmt, params: Params = []): Promise<T[]> {
  return new Promise((resolve, reject) => stmt.all(params, (err: Error | null, r: T[]) => (err ? reject(err) : resolve(r))));
}

/**
 * The first row. Runs the statement to completion (all) rather than `get`: a statement left
 * on its first row keeps its read snapshot open, which blocks every WAL checkpoint (the WAL
 * then grows without bound) and makes later reads of it see stale data.
 */
export async function row<T>(stmt: Stmt, params: Params = []): Promise<T | undefined> {
  return (await rows<T>(stmt, params))[0];
}

/** `work` inside BEGIN IMMEDIATE … COMMIT, rolled back (and the error rethrown) when it fails. */
export async function transaction(db: Db, work: () => Promise<void>): Promise<void> {
  await exec(db, 'BEGIN IMMEDIATE');
  try {
    await work();
    await exec(db, 'COMMIT');
  } catch (err) {
    await exec(db, 'ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export function finalize(stmt: Stmt): Promise<void> {
  return new Promise((resolve) => stmt.finalize(() => resolve()));
}

export function closeDb(db: Db): Promise<void> {
  return new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
}
