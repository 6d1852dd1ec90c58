/**
 * A seeded garbage slave over real ptys (issue #14): thousands of requests answered at random
 * with right replies, noise, truncated frames, good-CRC frames of the wrong byte count, function,
 * unit or echo, bad CRCs, exceptions, late replies and silence. Nothing wrong may come out as a
 * good value. The 100,000-reply run is bench/modbus-garbage.ts.
 */
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import { garbageRun } from '../../drivers/sim/garbage-run.js';
import { quietLog } from './helpers.js';

// 100 ms timeouts: at 50 ms a machine loaded by parallel builds delayed replies past the master's
// silence after a timeout, and a stale reply of the same shape was taken for a new one (seen in the bench).
describe('a master against a slave that answers garbage at random', () => {
  it('reports no value the slave does not hold as good, over 2,100 seeded requests on six ptys', { timeout: 90_000 }, async () => {
    const run = await garbageRun({ seed: 14, replies: 350, lanes: 6, baudRate: 115_200, wireTime: true, timeoutMs: 100, clock: new SystemClock(), log: quietLog });
    expect(run.wrong).toEqual([]);
    expect(run.wrongGoodValues).toBe(0);
    expect(run.repliesChecked).toBe(2100);
    // the run really mixed good answers with every kind of refusal
    expect(run.good).toBeGreaterThan(500);
    for (const kind of ['mismatch', 'crc', 'timeout', 'wrongUnit', 'exception'] as const) expect(run.failed[kind] ?? 0).toBeGreaterThan(15);
  });
});
