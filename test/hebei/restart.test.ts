/**
 * The agent goes down while the platform is unreachable and comes back later: the periods it
 * owed from before the stop are rebuilt from the buffer and its progress file, none twice; the
 * periods while it was off are not invented from stale values.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import type { Sample } from '../../agent/core/types.js';
import { MockPlatform } from './mock-platform.js';
import { TNM, expectedAt, fromChinaTime, mockOptions, runFor, startWorkshop, type Workshop } from './workshop.js';
import { waitFor } from '../helpers/wait.js';

/** the plant's, the buffer's and the uplink's time, before the stop and after the restart */
const clock = new FakeClock(Date.UTC(2026, 5, 21, 8, 0, 0));

/** feeds a new reading of both points every 100 ms of fake time; returns the count so far */
async function feedFor(ws: Workshop, ms: number, from: number): Promise<number> {
  let n = from;
  await runFor(ws, clock, ms, () => {
    ws.feed('dc1.dp', 1000 + n);
    ws.feed('ds1.conc', 6 + (n % 7) / 8);
    n++;
  });
  return n;
}

describe('Hebei uplink across a restart', () => {
  it('sends what it owed before the stop after it starts again, once each, and nothing for the time it was off', async () => {
    const platform = await MockPlatform.start(mockOptions());
    // heartbeat 1 s: a value older than 2 × 1 s + one period (3 s) means the agent was not running
    const first = await startWorkshop({ platform, heartbeatS: 1, clock });
    let n = await feedFor(first, 1500, 0);
    await waitFor('a period before the outage', () => platform.rts.length >= 1, 15_000);
    await platform.setMode('refuse');
    n = await feedFor(first, 2500, n);
    await first.close();
    clock.advance(4500); // the agent is off

    const second = await startWorkshop({ platform, heartbeatS: 1, dir: first.dir, clock });
    try {
      await platform.setMode('ok');
      const restarted = clock.now();
      await feedFor(second, 3000, n);
      await waitFor('periods after the restart', () => received().some((b) => b > restarted + 1500), 15_000);
      expect(platform.problems).toEqual([]);

      const fed: Sample[] = [...first.fed, ...second.fed];
      const got = received();
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual([...got].sort((a, b) => a - b));
      // exactly the boundaries at which a value no older than 3 s existed
      const fresh = (b: number) => fed.some((s) => s.p === 'dc1.dp' && s.t <= b && b - s.t <= 3000);
      const expected: number[] = [];
      for (let b = got[0]!; b <= got[got.length - 1]!; b += 1000) if (fresh(b)) expected.push(b);
      expect(got).toEqual(expected);
      // a gap while the agent was off, and the periods it owed from before the stop were sent
      const lastBeforeStop = first.fed[first.fed.length - 1]!.t;
      expect(got.some((b) => b > lastBeforeStop + 3000 && b < second.fed[0]!.t)).toBe(false);
      expect(got.filter((b) => b > lastBeforeStop - 2000 && b <= lastBeforeStop).length).toBeGreaterThanOrEqual(2);
      for (const it of platform.allRts().filter((i) => i.tnm === TNM.dp)) {
        expect(Number(it.val)).toBe(expectedAt(fed, 'dc1.dp', fromChinaTime(it.ts))!.v);
      }
    } finally {
      await second.close();
      await platform.close();
    }

    function received(): number[] {
      return platform
        .allRts()
        .filter((i) => i.tnm === TNM.dp)
        .map((i) => fromChinaTime(i.ts));
    }
  }, 40_000);
});
