/**
 * The Hebei uplink against a mock platform on real HTTP, the workshop (plant, buffer, uplink) on a
 * FakeClock: periods, backoffs and alarm times are fake time, advanced 100 ms a step while the
 * field readings are fed; requests, answers and the SQLite file are real and are waited for.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { waitFor } from '../helpers/wait.js';
import { MockPlatform, type RtsItem } from './mock-platform.js';
import { KEY, TNM, expectedAt, fromChinaTime, mockOptions, runFor, startWorkshop, type Workshop } from './workshop.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

/** the workshop starts a quarter second past a period boundary, as a real start does */
const T0 = Date.UTC(2026, 5, 21, 8, 0, 0) + 250;

async function setUp(o: { timeoutMs?: number; autostart?: boolean } = {}): Promise<{ platform: MockPlatform; ws: Workshop; clock: FakeClock }> {
  const platform = await MockPlatform.start(mockOptions());
  const clock = new FakeClock(T0);
  const ws = await startWorkshop({ platform, timeoutMs: o.timeoutMs, autostart: o.autostart, clock });
  cleanup.push(() => platform.close(), () => ws.close());
  return { platform, ws, clock };
}

type Reading = (elapsed: number) => { conc: number; dp: number; spark: boolean };

/** the field readings of a script (ms since T0 → readings), every 100 ms of fake time */
function run(ws: Workshop, clock: FakeClock, until: number | (() => boolean), reading: Reading, o: { caughtUp?: boolean } = {}): Promise<void> {
  return runFor(
    ws,
    clock,
    until,
    (now) => {
      const r = reading(now - T0);
      ws.feed('ds1.conc', r.conc);
      ws.feed('dc1.dp', r.dp);
      ws.feed('spark1', r.spark);
    },
    o,
  );
}

/** the boundaries the platform received, by point, in arrival order */
function boundaries(items: RtsItem[], tnm: string): number[] {
  return items.filter((i) => i.tnm === tnm).map((i) => fromChinaTime(i.ts));
}

function expectValuesMatchTheBuffer(ws: Workshop, items: RtsItem[]): void {
  const point: Record<string, string> = { [TNM.conc]: 'ds1.conc', [TNM.dp]: 'dc1.dp', [TNM.spark]: 'spark1' };
  for (const it of items) {
    const want = expectedAt(ws.fed, point[it.tnm]!, fromChinaTime(it.ts));
    expect(want, `a value for ${it.tnm} at ${it.ts}`).toBeDefined();
    if (typeof want!.v === 'boolean') expect(it.val).toBe(want!.v ? '1' : '0');
    else expect(Number(it.val)).toBeCloseTo(want!.v as number, 4);
  }
}

function consecutive(bs: number[], stepMs: number): boolean {
  return bs.every((b, i) => i === 0 || b - bs[i - 1]! === stepMs);
}

describe('Hebei V1.1 uplink against a mock platform', () => {
  it('sends every point at each period boundary, and alarms and clears as they happen, decrypted and correct', async () => {
    const { platform, ws, clock } = await setUp();
    // dust concentration rises through high (10) and high-high (20) and falls back; the spark contact fires once
    await run(ws, clock, 6000, (e) => ({
      conc: e < 1500 ? 4.25 : e < 2500 ? 14.5 : e < 3500 ? 23.125 : 3.5,
      dp: 800 + Math.round(e / 100),
      spark: e > 2000 && e < 2600,
    }));
    await waitFor('four alarm transitions', () => platform.allEvents().length >= 4);
    await waitFor('values of 5 periods', () => platform.rts.length >= 5);
    expect(platform.problems).toEqual([]);

    // rtsData: one POST per period with all three points, ts on whole seconds in China time
    for (const r of platform.rts) expect(r.items.map((i) => i.tnm).sort()).toEqual([TNM.dp, TNM.spark, TNM.conc].sort());
    const bs = boundaries(platform.allRts(), TNM.conc);
    expect(bs.every((b) => b % 1000 === 0)).toBe(true);
    expect(consecutive(bs, 1000)).toBe(true);
    expectValuesMatchTheBuffer(ws, platform.allRts());
    expect(platform.allRts().some((i) => i.tnm === TNM.conc && i.val === '23.125')).toBe(true);
    expect(platform.allRts().some((i) => i.tnm === TNM.dp && /^\d+\.00$/.test(i.val))).toBe(true);

    // eventsData: high, high-high, then their clears, with the limit and the value that fired
    const ev = platform.allEvents();
    expect(ev.map((e) => [e.oname, e.scd, e.threshold, e.content])).toEqual([
      [TNM.conc, 1, 10, '粉尘浓度超上限报警'],
      [TNM.conc, 4, 20, '粉尘浓度超上上限报警'],
      [TNM.conc, 0, 20, '粉尘浓度超上上限报警解除'],
      [TNM.conc, 0, 10, '粉尘浓度超上限报警解除'],
    ]);
    expect(ev.map((e) => e.avx)).toEqual(['14.5000', '23.1250', '3.5000', '3.5000']);
    // the event's time is the alarm's, in China time
    const raised = ws.events.filter((e) => e.source === 'ds1.conc.highHigh' && e.state === 'unack');
    expect(ev[1]!.ts).toBe(new Date(raised[0]!.t + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '));
    await waitFor('nothing owed', () => ws.hebei.status().pending === 0);
    expect(ws.hebei.status()).toMatchObject({ name: 'hebei', connected: true, oldestPendingMs: null });
  }, 30_000);

  it('after the platform refuses, closes connections and answers 500, sends every missed period and event in order', async () => {
    const { platform, ws, clock } = await setUp();
    let conc = 5;
    const reading: Reading = (e) => ({ conc, dp: 900 + Math.floor(e / 250), spark: false });
    await run(ws, clock, () => platform.rts.length >= 2, reading, { caughtUp: true });
    const before = platform.rts.length;

    await platform.setMode('refuse');
    conc = 12; // high alarm while the platform is away
    await run(ws, clock, 1500, reading);
    await platform.setMode('close');
    conc = 25; // high-high
    await run(ws, clock, 1500, reading);
    await platform.setMode('code500');
    conc = 2; // both clear
    await run(ws, clock, 1500, reading);
    const outageEnd = clock.now();
    expect(platform.rts.length).toBe(before);
    expect(ws.hebei.status().connected).toBe(false);
    // about four periods owed (1 s each) and the events of the alarms
    expect(ws.hebei.status().pending).toBeGreaterThanOrEqual(4);
    expect(ws.hebei.status().oldestPendingMs).toBeGreaterThan(3000);

    await platform.setMode('ok');
    // the periods up to the end of the outage, and the four alarm transitions
    await run(ws, clock, () => boundaries(platform.allRts(), TNM.dp).some((b) => b > outageEnd + 1000) && platform.allEvents().length >= 4, reading);
    expect(platform.problems).toEqual([]);

    const bs = boundaries(platform.allRts(), TNM.dp);
    // every period exactly once, in order, none missing across the outage
    expect(consecutive(bs, 1000)).toBe(true);
    expect(new Set(bs).size).toBe(bs.length);
    expect(bs.length).toBeGreaterThanOrEqual(before + 4);
    // and each carries the value the point had at that boundary, rebuilt from the buffer
    expectValuesMatchTheBuffer(ws, platform.allRts());
    expect(platform.allEvents().map((e) => `${e.scd}:${e.content}`)).toEqual([
      '1:粉尘浓度超上限报警',
      '4:粉尘浓度超上上限报警',
      '0:粉尘浓度超上上限报警解除',
      '0:粉尘浓度超上限报警解除',
    ]);
    const evTimes = platform.allEvents().map((e) => fromChinaTime(e.ts));
    expect(evTimes).toEqual([...evTimes].sort((a, b) => a - b));
  }, 40_000);

  it('waits for a missing key file without losing anything, and sends once the key is there', async () => {
    const { platform, ws, clock } = await setUp({ autostart: false });
    const keyFile = ws.config.uplink!.hebei!.keyFile;
    rmSync(keyFile);
    await ws.hebei.start();
    const reading: Reading = (e) => ({ conc: e < 1000 ? 4 : 12, dp: 700 + Math.floor(e / 100), spark: false });
    await run(ws, clock, 2000, reading);
    expect(platform.requests).toBe(0);
    expect(ws.hebei.status().connected).toBe(false);
    writeFileSync(keyFile, `  ${KEY}\r\n`);
    const written = clock.now();
    // periods after the key appeared, and the high alarm raised while it was missing
    await run(ws, clock, () => boundaries(platform.allRts(), TNM.dp).some((b) => b > written) && platform.allEvents().length >= 1, reading);
    const bs = boundaries(platform.allRts(), TNM.dp);
    expect(bs[0]!).toBeLessThan(written - 1000);
    expect(consecutive(bs, 1000)).toBe(true);
    expect(platform.allEvents()[0]).toMatchObject({ scd: 1, content: '粉尘浓度超上限报警' });
    expect(platform.problems).toEqual([]);
  }, 30_000);

  it('keeps retrying while answers are slower than its timeout, then catches up', async () => {
    const { platform, ws, clock } = await setUp({ timeoutMs: 600 });
    const reading: Reading = (e) => ({ conc: 4 + (e % 1000) / 1000, dp: 1000, spark: false });
    await run(ws, clock, () => platform.rts.length >= 1, reading, { caughtUp: true });
    await platform.setMode('slow');
    // the request deadline is on the wall clock (a socket's): 2.5 s of periods, then until it gave up
    await run(ws, clock, 2500, reading);
    await waitFor('the uplink to give up on the slow answer', () => !ws.hebei.status().connected);
    expect(ws.hebei.status().connected).toBe(false);
    await platform.setMode('ok');
    const back = clock.now();
    await run(ws, clock, () => boundaries(platform.allRts(), TNM.conc).some((b) => b > back), reading);
    expect(platform.problems).toEqual([]);
    // a request the platform took after the gateway gave up on it comes again: same ts, same values
    const byTs = new Map<string, string>();
    for (const it of platform.allRts()) {
      const key = `${it.tnm}@${it.ts}`;
      if (byTs.has(key)) expect(byTs.get(key)).toBe(it.val);
      byTs.set(key, it.val);
    }
    const unique = [...new Set(boundaries(platform.allRts(), TNM.conc))].sort((a, b) => a - b);
    expect(consecutive(unique, 1000)).toBe(true);
  }, 30_000);
});
