/**
 * The demo's slow blinding of the bags on a fake clock, through the demo site's own digests
 * (config/demo.site.yaml, earlyWarning on dc1.dp): the predictive alarm comes from the values
 * the story writes, says when the high limit is reached, feeds the trend chart's forecast line,
 * and clears after the story's pulse cleaning.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../../agent/buffer/sqlite.js';
import { loadSiteFile } from '../../agent/config/load.js';
import { FakeClock } from '../../agent/core/clock.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { BLINDING_LOOP_MS, Story } from '../../agent/demo/story.js';
import { DigestLoop } from '../../agent/digests/digest-loop.js';
import { pageModel } from '../../agent/page-model.js';
import { buildSafetyCore } from '../../agent/safety-core.js';
import { SimGpio } from '../../drivers/sim/gpio-sim.js';

const MIN = 60_000;
const ALARM = 'dc1.dp.forecast.high';
/** the FakeClock's default start */
const START = Date.UTC(2026, 5, 21);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function demoWithDigests() {
  const r = await loadSiteFile(new URL('../../config/demo.site.yaml', import.meta.url).pathname);
  if (!r.ok) throw new Error('demo site file does not load');
  const config = r.config;
  const clock = new FakeClock();
  const gpio = new SimGpio(clock);
  const { plant } = buildSafetyCore({ config, clock, gpio, log: createLogger('silent'), bootId: 'test' });
  const db = await openDb(join(mkdtempSync(join(tmpdir(), 'fb-demo-ew-')), 'buffer.db'));
  const loop = (await DigestLoop.start({ plant, config, db: { db, serial: (work) => work() }, emit: async () => undefined, clock, log: createLogger('silent') }))!;
  const page = pageModel({ plant, clock, digests: loop });
  const events: PlantEvent[] = [];
  plant.onEvent((e) => events.push(e));
  plant.start();
  /** every dc1.dp value the story wrote, to judge the forecast against */
  const written: { t: number; v: number }[] = [];
  const lineOf = (id: string) => config.gpio!.inputs.find((i) => i.id === id)!.line;
  const story = new Story(
    {
      analog: (p, v) => {
        if (p === 'dc1.dp') written.push({ t: clock.now(), v });
        plant.ingest({ p, t: clock.now(), v, q: 'good' });
      },
      contact: (id, active) => gpio.set(lineOf(id), active),
      reset: (id, user) => page.reset(id, user),
      say: () => {},
    },
    clock,
  );
  cleanups.push(async () => {
    story.stop();
    await loop.stop();
    await closeDb(db);
  });
  const warning = () => events.filter((e) => e.source === ALARM);
  return { clock, page, story, written, warning };
}

/** least-squares slope (Pa/h) of the values written in the 10 min before `now`: a plain check that the pressure rises */
function leastSquaresPerH(written: { t: number; v: number }[], now: number): number {
  const xs = written.filter((s) => s.t <= now && s.t >= now - 10 * MIN);
  const mx = xs.reduce((a, s) => a + s.t, 0) / xs.length;
  const my = xs.reduce((a, s) => a + s.v, 0) / xs.length;
  return (xs.reduce((a, s) => a + (s.t - mx) * (s.v - my), 0) / xs.reduce((a, s) => a + (s.t - mx) ** 2, 0)) * 3_600_000;
}

/**
 * The hours to 1800 Pa worked out here from the written values, as docs/DIGESTS.md describes
 * the fit: minute means at their middles over the 10 min window, the median of the pair
 * slopes, the median intercept at `now`.
 */
function hoursToHigh(written: { t: number; v: number }[], now: number): number {
  const buckets = new Map<number, number[]>();
  for (const s of written.filter((w) => w.t <= now && w.t >= now - 10 * MIN)) {
    const b = Math.floor(s.t / MIN) * MIN;
    buckets.set(b, [...(buckets.get(b) ?? []), s.v]);
  }
  const pts = [...buckets].map(([b, vs]) => ({ x: (b + MIN / 2 - now) / 3_600_000, y: vs.reduce((a, v) => a + v, 0) / vs.length }));
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const slopes = pts.flatMap((p, i) => pts.slice(i + 1).map((q) => (q.y - p.y) / (q.x - p.x)));
  const slope = median(slopes);
  const intercept = median(pts.map((p) => p.y - slope * p.x));
  return (1800 - intercept) / slope;
}

describe('the demo story’s slow blinding', () => {
  it('raises the low-priority trend warning from the rising pressure, with the hours to the high limit, and draws its line', async () => {
    const d = await demoWithDigests();
    d.story.start();
    // fewer than ten minutes of data is no trend yet
    d.clock.advance(9 * MIN + 30_000);
    expect(d.warning()).toEqual([]);
    expect(d.page.digests!.forecast('dc1.dp')).toBeUndefined();

    d.clock.advance(2 * MIN);
    const raised = d.warning();
    expect(raised.map((e) => [e.priority, e.state])).toEqual([['low', 'unack']]);
    const hours = Number(/^预计 (\d+\.\d) 小时后达到高限 1800 Pa/.exec(raised[0]!.message ?? '')?.[1]);

    // what the story wrote rises (the blinding, about 25 Pa a minute, not noise), and the
    // hours in the text are those of a fit of the written values worked out here
    const raisedAt = raised[0]!.t;
    expect(raisedAt).toBe(START + 10 * MIN); // the first minute with ten minutes of data
    expect(leastSquaresPerH(d.written, raisedAt)).toBeGreaterThan(1000);
    expect(hours).toBeCloseTo(hoursToHigh(d.written, raisedAt), 1);
    expect(hours).toBeLessThanOrEqual(2); // the demo site's horizonH

    // the trend chart's forecast line meets the limit where the alarm says
    const f = d.page.digests!.forecast('dc1.dp')!;
    expect(f.limitValue).toBe(1800);
    expect(f.slope).toBeGreaterThan(0);
    expect(f.intercept + f.slope * f.hours).toBeCloseTo(1800, 6);
  });

  it('clears the warning after each pulse cleaning and raises it again on the next blinding, without chattering', async () => {
    const d = await demoWithDigests();
    d.story.start();
    d.clock.advance(BLINDING_LOOP_MS + 2 * MIN);
    expect(d.warning().map((e) => e.state)).toEqual(['unack', 'rtn_unack']);
    expect(d.page.digests!.forecast('dc1.dp')).toBeUndefined();
    d.clock.advance(3 * BLINDING_LOOP_MS);
    const states = d.warning().map((e) => e.state);
    expect(states).toEqual(['unack', 'rtn_unack', 'unack', 'rtn_unack', 'unack', 'rtn_unack', 'unack', 'rtn_unack']);
    // each raised while its blinding rises, each cleared once the cleaning is in the window
    for (const e of d.warning()) {
      const phase = (e.t - START) % BLINDING_LOOP_MS;
      if (e.state === 'unack') expect(phase).toBeLessThan(BLINDING_LOOP_MS - 2 * MIN);
      else expect(phase).toBeLessThan(4 * MIN);
    }
  });
});
