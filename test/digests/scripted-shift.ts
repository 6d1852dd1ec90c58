/**
 * The workshop (config/site.workshop.yaml) on a fake clock with its digests on a real SQLite
 * file, and a scripted morning shift (早班, 08:00–16:00 Asia/Shanghai): every point read every
 * 10 s, a differential-pressure excursion that trips the sander permit, acknowledgements, a
 * reset, a lockout that trips it again, a hopper warming for the early warning, and the
 * sanding room's cleaning missed. `at` lets a test restart the digests or step the clock.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSiteText } from '../../agent/config/load.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { closeDb, openDb, type Db } from '../../agent/buffer/sqlite.js';
import { DigestLoop } from '../../agent/digests/digest-loop.js';
import { workshop } from '../interlocks/workshop.js';

export const MIN = 60_000;
export const STEP_MS = 10_000;
/** 2026-06-21 08:00 in Asia/Shanghai: the FakeClock's default start, the 早班's */
export const SHIFT_START = Date.UTC(2026, 5, 21, 0, 0, 0);

export function workshopConfig() {
  const r = parseSiteText(readFileSync(new URL('../../config/site.workshop.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/** The script's analog values at minute m of the shift: what the test's own expectations use too. */
export function dpAt(m: number): number {
  return m >= 60 && m < 80 ? 1900 : 650;
}
/** the hopper warms from minute 300 by 0.2 °C a minute, to 59 at 420, then holds */
export function tempAt(m: number): number {
  return m < 300 ? 35 : Math.min(59, 35 + 0.2 * (m - 300));
}
export const STEADY: Record<string, number> = { 'ds1.conc': 3, 'gd1.o2': 20.9, 'gd1.lel': 0, 'gd1.h2s': 0, 'gd1.co': 1 };

export interface Rig {
  w: ReturnType<typeof workshop>;
  db: Db;
  dbPath: string;
  summaries: PlantEvent[];
  loop: DigestLoop;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function rig(): Promise<Rig> {
  const config = workshopConfig();
  const w = workshop(config);
  const dbPath = join(mkdtempSync(join(tmpdir(), 'fb-digest-')), 'buffer.db');
  const db = await openDb(dbPath);
  const summaries: PlantEvent[] = [];
  const start = () =>
    DigestLoop.start({ plant: w.plant, config, db: { db, serial: (work) => work() }, emit: async (e) => void summaries.push(e), clock: w.clock, log: createLogger('silent') }).then((l) => l!);
  const r: Rig = {
    w,
    db,
    dbPath,
    summaries,
    loop: await start(),
    async restart() {
      await r.loop.stop();
      r.loop = await start();
    },
    async close() {
      await r.loop.stop();
      await closeDb(db);
    },
  };
  return r;
}

/** Runs the shift to its end (16:00 local), calling `at(minute)` before each minute's readings. */
export async function runShift(r: Rig, at: (minute: number) => Promise<void> | void = () => undefined): Promise<void> {
  const { w } = r;
  const read = (m: number) => {
    w.reading('dc1.dp', dpAt(m));
    w.reading('dc1.hopperTemp', tempAt(m));
    for (const [p, v] of Object.entries(STEADY)) w.reading(p, v);
  };
  w.contact('fan1.run', true);
  w.contact('valve1.run', true);
  for (let m = 0; m < 480; m++) {
    await at(m);
    if (m === 70) w.plant.alarms.acknowledge('dc1.dp.high', '李工');
    if (m === 75) w.plant.alarms.acknowledge('sander1-permit.trip', '李工');
    if (m === 85) expectOk(w.plant.interlocks.reset('sander1-permit', '张班长'));
    if (m === 120) w.contact('loto.sander1', true);
    if (m === 130) w.plant.alarms.acknowledge('sander1-permit.trip', '李工');
    if (m === 150) w.contact('loto.sander1', false);
    if (m === 160) expectOk(w.plant.interlocks.reset('sander1-permit', '张班长'));
    // the sanding room was due by 08:00 + everyH; its grace ran out: the check-in rule's event
    if (m === 300) w.plant.events.report({ t: w.clock.now(), type: 'cleaning', area: 'sanding-room', state: 'overdue', by: 'gateway', message: '砂光区积尘清扫逾期' });
    for (let k = 0; k < MIN / STEP_MS; k++) {
      read(m);
      w.advance(STEP_MS);
    }
    // let the digests' writes (checkpoints on the fake clock) settle as they would between polls
    if (m % 30 === 29) await new Promise((res) => setImmediate(res));
  }
  // the boundary: the shift closes on the next reading or its timer
  read(480);
  await r.w.clock.advanceAsync(1);
  for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
}

function expectOk(o: { ok: boolean }): void {
  if (!o.ok) throw new Error(`refused: ${JSON.stringify(o)}`);
}
