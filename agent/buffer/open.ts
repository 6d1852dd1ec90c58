/**
 * Opening the buffer file: a file that fails `PRAGMA quick_check` (or is not a database at all)
 * is moved aside with a timestamp, never deleted, so it can be examined later; a fresh buffer
 * starts in its place.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../core/log.js';
import { all, closeDb, exec, openDb, type Db } from './sqlite.js';

export interface Opened {
  db: Db;
  /** set when a corrupt file was moved aside */
  corrupt?: { movedTo: string; problem: string };
}

export interface OpenSettings {
  pageSize: number;
  /** WAL pages before an automatic checkpoint */
  walPages: number;
}

export async function openBufferFile(path: string, nowMs: number, settings: OpenSettings, log: Logger): Promise<Opened> {
  await mkdir(dirname(path), { recursive: true });
  let problem: string | undefined;
  let db: Db | undefined;
  try {
    db = await openDb(path);
    await configure(db, settings);
    const check = await all<{ quick_check: string }>(db, 'PRAGMA quick_check');
    const lines = check.map((r) => r.quick_check);
    if (lines.length !== 1 || lines[0] !== 'ok') problem = lines.slice(0, 5).join('; ');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') {
      if (db) await closeDb(db).catch(() => undefined);
      throw err;
    }
    problem = `${code}: ${(err as Error).message}`;
  }
  if (problem === undefined && db) return { db };
  problem ??= 'unknown';

  if (db) await closeDb(db).catch(() => undefined);
  const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  const movedTo = `${path}.corrupt-${stamp}`;
  await rename(path, movedTo);
  for (const suffix of ['-wal', '-shm']) {
    if (await exists(path + suffix)) await rename(path + suffix, movedTo + suffix);
  }
  log.error({ path, movedTo, problem }, 'buffer file corrupt, moved aside; starting a fresh buffer');
  const fresh = await openDb(path);
  await configure(fresh, settings);
  return { db: fresh, corrupt: { movedTo, problem } };
}

async function configure(db: Db, s: OpenSettings): Promise<void> {
  // page_size only takes effect on a new file, before the first table exists
  await exec(db, `PRAGMA page_size=${s.pageSize}`);
  // one agent, one connection: exclusive locking keeps the WAL index in memory instead of a
  // shared-memory file whose pages the kernel writes back every 30 s (bytes per sample), and a
  // second agent started on the same file by mistake fails at once instead of interleaving seqs
  await exec(db, 'PRAGMA locking_mode=EXCLUSIVE');
  await exec(db, 'PRAGMA journal_mode=WAL');
  // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts the file,
  // and a commit costs no fsync (SD-card wear)
  await exec(db, 'PRAGMA synchronous=NORMAL');
  await exec(db, `PRAGMA wal_autocheckpoint=${s.walPages}`);
  await exec(db, `PRAGMA journal_size_limit=${32 + s.walPages * (s.pageSize + 24)}`);
  await exec(db, 'PRAGMA busy_timeout=5000');
  // 512 KiB of page cache instead of SQLite's 2 MiB: writes append at the end, the drain reads
  // forward once, and the kernel's page cache holds the file anyway
  await exec(db, 'PRAGMA cache_size=-512');
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
