/**
 * The digests (issue #18): `digest.shiftBuildMs` feeds an 8 h shift of 100 points at 1 Hz
 * (2.88 M samples) through the shift builder; `digest.maxLoopStallMs` is the worst event-loop
 * stall while that build runs in tasks of CHUNK samples beside a live acquisition (100 points
 * every second, compressed to every 10 ms) and the once-a-minute checkpoint's serialisation;
 * `digest.monthBuildMs` reads and merges a month of stored shift aggregates (93 shifts of 100
 * points) into its digest. Each beside its floor from the same run: the bare loop over the same
 * samples, the stall watch alone, the bare read of the same rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../agent/buffer/sqlite.js';
import type { Sample } from '../agent/core/types.js';
import { DigestStore } from '../agent/digests/digest-store.js';
import { periodDigest } from '../agent/digests/period-digest.js';
import { Calendar } from '../agent/digests/periods.js';
import { ShiftBuilder } from '../agent/digests/shift-builder.js';
import type { SiteFacts } from '../agent/digests/site-facts.js';
import type { Bench, Figures } from './run.js';
import { median } from './stats.js';
import { LoopStallWatch } from './uplink-loop-stall.js';

const POINTS = 100;
const SHIFT_S = 8 * 3600;
/** samples per event-loop task while a shift is built beside live work: ~2 ms of work each */
const CHUNK = 20_000;
const digests = { shifts: [{ name: '早班', starts: '08:00' }, { name: '中班', starts: '16:00' }, { name: '夜班', starts: '00:00' }], weekStarts: 'monday' as const };
const thresholds = { completenessYellowPct: 95, tripsOrange: 1, criticalAlarmsOrange: 1, highAlarmsYellow: 1, floodsYellow: 1, unavailableMinOrange: 10, ackMedianMinYellow: 10 };

function facts(): SiteFacts {
  const points = new Map<string, SiteFacts['points'] extends Map<string, infer P> ? P : never>();
  for (let i = 0; i < POINTS; i++) points.set(`p${i}`, { id: `p${i}`, name: `点${i}`, unit: 'Pa', pollMs: 1000, holdMs: 62_000, limits: { low: 300, high: 1800, highHigh: 2500 } });
  return { gateway: 'GW', siteName: 'bench', timeZone: 'Asia/Shanghai', points, faults: new Set(), permits: new Map(), cleaning: [], features: { hazards: false, cleaning: false, dispositions: false, tickets: false, earlyWarning: false } };
}

const START = Date.UTC(2026, 5, 21, 0, 0, 0);
const sampleAt = (i: number, s: Sample): Sample => {
  const sec = Math.floor(i / POINTS);
  s.p = `p${i % POINTS}`;
  s.t = START + sec * 1000;
  s.v = 600 + ((sec * 7 + i) % 1500);
  return s;
};

function buildShift(site: SiteFacts, calendar: Calendar, from = 0, to = POINTS * SHIFT_S, b = new ShiftBuilder(site, calendar.shiftAt(START), 0)): ShiftBuilder {
  const s: Sample = { p: '', t: 0, v: 0, q: 'good' };
  for (let i = from; i < to; i++) b.sample(sampleAt(i, s), Math.floor(i / POINTS) * 1000);
  return b;
}

function bareLoop(): number {
  const s: Sample = { p: '', t: 0, v: 0, q: 'good' };
  let sum = 0;
  for (let i = 0; i < POINTS * SHIFT_S; i++) sum += sampleAt(i, s).v as number;
  return sum;
}

const time = (f: () => unknown): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function stallWhileBuilding(site: SiteFacts, calendar: Calendar, build: boolean): Promise<number> {
  const live = new ShiftBuilder(site, calendar.shiftAt(START), 0);
  let sec = 0;
  const s: Sample = { p: '', t: 0, v: 0, q: 'good' };
  const acquisition = setInterval(() => {
    sec++;
    for (let p = 0; p < POINTS; p++) live.sample(sampleAt(sec * POINTS + p, s), sec * 1000);
    if (sec % 60 === 0) JSON.stringify(live.flush(sec * 1000)); // the checkpoint's serialisation
  }, 10);
  const watch = new LoopStallWatch();
  const t0 = performance.now();
  if (build) {
    const b = new ShiftBuilder(site, calendar.shiftAt(START), 0);
    for (let i = 0; i < POINTS * SHIFT_S; i += CHUNK) {
      buildShift(site, calendar, i, Math.min(i + CHUNK, POINTS * SHIFT_S), b);
      await tick();
    }
  } else {
    await sleep(1500);
  }
  const elapsed = performance.now() - t0;
  const worst = watch.stop();
  clearInterval(acquisition);
  void elapsed;
  return worst;
}

async function monthBuild(site: SiteFacts, calendar: Calendar): Promise<{ ms: number; floorMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-digest-'));
  const db = await openDb(join(dir, 'buffer.db'));
  try {
    const store = await DigestStore.open(db);
    const month = calendar.monthAt(START);
    const one = buildShift(site, calendar, 0, POINTS * 3600).flush(3600_000); // an hour's figures stand in for each shift
    for (const s of calendar.shiftsIn(month)) await store.save(s, one, true);
    const deps = { store, calendar, site, thresholds };
    const runs: number[] = [];
    const floors: number[] = [];
    for (let k = 0; k < 5; k++) {
      let t0 = performance.now();
      await store.shifts(month.from, month.to);
      floors.push(performance.now() - t0);
      t0 = performance.now();
      await periodDigest(deps, month);
      runs.push(performance.now() - t0);
    }
    await store.close();
    return { ms: median(runs), floorMs: median(floors) };
  } finally {
    await closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

export const digestBench: Bench = {
  name: 'digest',
  async run(opts): Promise<Figures> {
    const site = facts();
    const calendar = new Calendar(digests, 'Asia/Shanghai');
    const reps = opts.quick ? 1 : 3;
    const build: number[] = [];
    const floor: number[] = [];
    for (let k = 0; k < reps; k++) {
      floor.push(time(bareLoop));
      build.push(time(() => buildShift(site, calendar)));
    }
    const stall: number[] = [];
    const stallFloor: number[] = [];
    for (let k = 0; k < reps; k++) {
      stallFloor.push(await stallWhileBuilding(site, calendar, false));
      stall.push(await stallWhileBuilding(site, calendar, true));
    }
    const month = await monthBuild(site, calendar);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      'digest.shiftBuildMs': r1(median(build)),
      'digest.shiftBuildMs.bareLoop': r1(median(floor)),
      'digest.maxLoopStallMs': r1(median(stall)),
      'digest.maxLoopStallMs.idleFloor': r1(median(stallFloor)),
      'digest.monthBuildMs': r1(month.ms),
      'digest.monthBuildMs.bareRead': r1(month.floorMs),
    };
  },
};
