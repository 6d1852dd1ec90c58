/**
 * A gateway killed with SIGKILL while operators record alarm feedback: every record() that had
 * resolved is there after the restart, none half-written, and every recording's event either
 * reached the buffer before the kill or is sent at the restart with the same id.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import { closeDb, openDb } from '../../agent/buffer/sqlite.js';
import { FakeClock } from '../../agent/core/clock.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { DispositionRecords } from '../../agent/records/disposition-records.js';
import { DispositionStore } from '../../agent/records/disposition-store.js';
import type { EventsMessage } from '../../agent/uplink/messages.js';
import { buildChild } from '../buffer/child-build.js';
import { schemaProblems } from '../uplink/schemas.js';

it('keeps every recorded disposition and sends again what the buffer never got, after a SIGKILL mid-write', async () => {
  const entry = fileURLToPath(new URL('./fixtures/recording-gateway.ts', import.meta.url));
  const { script, dir } = buildChild(entry, ['agent/records', 'agent/buffer', 'agent/core', 'drivers']);
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(mkdtempSync(join(tmpdir(), 'fb-disposition-kill-')), 'buffer.db');
  const child = spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const recorded: string[] = [];
  const emitted = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [what, id] = line.split(' ');
        if (what === 'emitted') emitted.add(id!);
        if (what === 'recorded') recorded.push(id!);
        // the plug is pulled while it keeps writing
        if (recorded.length === 100 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited early (${code}): ${stderr}`)));
  });
  await new Promise((r) => child.once('exit', r));

  const db = await openDb(path);
  const store = await DispositionStore.open(db);
  const resent: PlantEvent[] = [];
  const records = await DispositionRecords.open({ config: { priorities: ['high'], withinMin: 30 }, store, clock: new FakeClock(), log: createLogger('silent'), emit: async (e) => void resent.push(e) });
  const history = await records.history({ limit: 10_000 });
  const byId = new Map(history.map((o) => [o.id, o]));
  for (const id of recorded) expect(byId.get(id)).toMatchObject({ state: 'recorded', cause: 'bags-blinding', by: '张师傅' });
  // a recorded occurrence always has its change row: its event went out or goes out now
  for (const o of history.filter((x) => x.state === 'recorded')) expect(emitted.has(`${o.id}#recorded`) || resent.some((e) => e.id === `${o.id}#recorded`)).toBe(true);
  // at most the occurrence the kill interrupted still waits
  expect(records.pending().length).toBeLessThanOrEqual(1);
  if (resent.length) {
    const m: EventsMessage = { kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events: resent };
    expect(schemaProblems(m)).toEqual([]);
  }
  await records.close();
  await store.close();
  await closeDb(db);
}, 30_000);
