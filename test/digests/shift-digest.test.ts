/**
 * A scripted morning shift of the workshop (scripted-shift.ts) and its digest, every figure
 * checked against what the script did, worked out here from the script's own numbers; then the
 * same shift across a restart of the digests and across a 2 h clock step gives the same digest,
 * and exactly one summary event for it, which the uplink schemas accept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../agent/digests/digest.js';
import { schemaProblems } from '../uplink/schemas.js';
import { MIN, SHIFT_START, STEADY, dpAt, rig, runShift, tempAt, type Rig } from './scripted-shift.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function shiftDigest(at?: (r: Rig, minute: number) => Promise<void> | void): Promise<{ digest: Digest; r: Rig }> {
  const r = await rig();
  cleanups.push(() => r.close());
  await runShift(r, (m) => at?.(r, m));
  await r.loop.idle();
  const digest = await r.loop.digest(r.loop.calendar.shiftAt(SHIFT_START));
  return { digest, r };
}

/** what the script fed, sample by sample: 6 readings a minute at minutes 0..479 */
function fed(valueAt: (m: number) => number) {
  const values = Array.from({ length: 480 * 6 }, (_, i) => valueAt(Math.floor(i / 6)));
  return { n: values.length, min: Math.min(...values), max: Math.max(...values), mean: values.reduce((a, b) => a + b, 0) / values.length };
}

describe('the digest of a scripted shift', () => {
  it('has every figure the script made, the risk level and its reasons', async () => {
    const { digest: d, r } = await shiftDigest();
    expect(d).toMatchObject({ id: 'S-20260621-0800', period: 'shift', name: '早班', from: SHIFT_START, to: SHIFT_START + 8 * 60 * MIN });

    const dp = fed(dpAt);
    const pointDp = d.figures.points.find((p) => p.id === 'dc1.dp')!;
    expect(pointDp).toMatchObject({ min: dp.min, max: dp.max, samples: dp.n, goodSamples: dp.n, expectedPolls: 8 * 3600, completenessPct: 100 });
    expect(pointDp.mean).toBeCloseTo(dp.mean, 3);
    // 1900 Pa from minute 60 to 80: 20 min above the high limit (1800), never above highHigh, never below low
    expect(pointDp.beyondMin).toEqual({ lowLow: 0, low: 0, high: 20, highHigh: 0 });
    const temp = fed(tempAt);
    const pointTemp = d.figures.points.find((p) => p.id === 'dc1.hopperTemp')!;
    expect(pointTemp).toMatchObject({ min: temp.min, max: temp.max, beyondMin: { high: 0, highHigh: 0 } });
    expect(pointTemp.mean).toBeCloseTo(temp.mean, 3);
    for (const [id, v] of Object.entries(STEADY)) expect(d.figures.points.find((p) => p.id === id)).toMatchObject({ min: v, max: v, completenessPct: 100 });

    // the excursion: dp high (medium, after its 10 s delay) and the permit's trip (high) at 60:00; the lockout's trip at 120:00
    const early = d.figures.alarms.byPriority.low;
    expect(early).toBeGreaterThanOrEqual(1);
    expect(d.figures.alarms.byPriority).toEqual({ low: early, medium: 1, high: 2, critical: 0 });
    expect(d.figures.alarms.top.slice(0, 2)).toEqual([
      { alarm: 'sander1-permit.trip', count: 2 },
      { alarm: 'dc1.dp.high', count: 1 },
    ]);
    expect(d.figures.alarms.floods).toBe(0);
    // acks: dp high 60:10 → 70:00 (9.8 min), trip 60:00 → 75:00 (15), trip 120:00 → 130:00 (10): median 10, worst 15
    expect(d.figures.alarms).toMatchObject({ acked: 3, ackMedianMin: 10, ackWorstMin: 15 });

    expect(d.figures.trips.map((t) => [t.interlock, (t.t - SHIFT_START) / MIN])).toEqual([
      ['sander1-permit', 60],
      ['sander1-permit', 120],
    ]);
    expect(d.figures.trips[0]!.firstOut).toMatch(/压差/);
    expect(d.figures.trips[1]!.firstOut).toMatch(/上锁/);
    expect(d.figures.resets.map((x) => [x.by, (x.t - SHIFT_START) / MIN])).toEqual([
      ['张班长', 85],
      ['张班长', 160],
    ]);
    expect(d.figures.lockouts).toEqual({ applied: 1, energyWhileLocked: 0 });
    expect([d.figures.protectionUnavailableMin, d.figures.productionUnavailableMin]).toEqual([0, 0]);
    // one area due every 8 h: one due in the shift, none done, one overdue
    expect(d.figures.cleaning).toEqual({ done: 0, due: 1, overdue: 1 });
    expect(d.figures.hazards).toMatchObject({ found: 0, openAtEnd: 0, oldestOpenH: null });
    expect(d.figures.dispositions).toEqual({ recorded: 0, overdue: 0 });
    expect(d.figures.uplink).toBe('not configured');
    expect(d.figures.earlyWarnings).toEqual({ raised: early, points: ['dc1.hopperTemp'] });
    expect(d.figures.runningPct).toBe(100);

    expect(d.risk).toBe('orange');
    expect(d.reasons.map((x) => [x.rule, x.level])).toEqual([
      ['trips', 'orange'],
      ['high-alarms', 'yellow'],
      ['cleaning-missed', 'yellow'],
      ['early-warning', 'yellow'],
    ]);

    // the predictive alarm said when, in the site's words
    const raised = r.w.eventsOf('alarm', 'dc1.hopperTemp.forecast.high').find((e) => e.state === 'unack');
    expect(raised?.message).toMatch(/^预计 \d+\.\d 小时后达到高限 60 °C/);
    expect(raised?.priority).toBe('low');
  });

  it('sends one summary event for the shift, which both uplink schemas accept', async () => {
    const { r } = await shiftDigest();
    const shifts = r.summaries.filter((e) => e.period === 'shift');
    expect(shifts.map((e) => [e.id, e.risk])).toEqual([['summary-S-20260621-0800', 'orange']]);
    for (const e of r.summaries) expect(schemaProblems({ kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events: [e] })).toEqual([]);
  });

  it('is the same across a restart of the digests mid-shift', async () => {
    const plain = (await shiftDigest()).digest;
    const { digest, r } = await shiftDigest(async (rr, m) => {
      if (m === 200) await rr.restart();
    });
    expect(digest).toEqual(plain);
    expect(r.summaries.filter((e) => e.period === 'shift')).toHaveLength(1);
  });

  // while the permit is off (tripped by the lockout): a step with the permit on trips it (the
  // safety core's own fail-safe on a value from the future), which the digest rightly counts
  it('is the same when the clock steps back 2 h mid-shift and forward again 15 min later', async () => {
    const plain = (await shiftDigest()).digest;
    const { digest, r } = await shiftDigest((rr, m) => {
      if (m === 125) rr.w.clock.stepWallClock(-2 * 60 * MIN);
      if (m === 140) rr.w.clock.stepWallClock(2 * 60 * MIN);
    });
    expect(digest).toEqual(plain);
    expect(r.summaries.filter((e) => e.period === 'shift').map((e) => e.id)).toEqual(['summary-S-20260621-0800']);
  });
});
