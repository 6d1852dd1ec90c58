/** The agent's clock keeps a failing timer from ending the process: an async check that rejects is caught like a throw. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { GuardedClock } from '../../agent/core/guarded-clock.js';
import type { Logger } from '../../agent/core/log.js';

function recordingLog(): { log: Logger; lines: { msg: string; failures?: number }[] } {
  const lines: { msg: string; failures?: number }[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as { msg: string }), done()) });
  return { log: pino(sink) as Logger, lines };
}

describe('GuardedClock', () => {
  it('catches an async clock-sync check that rejects on every tick: one log line per 10 min, every failure counted, the stale watch beside it still runs', async () => {
    const fake = new FakeClock();
    const { log, lines } = recordingLog();
    const clock = new GuardedClock(fake, log);
    let staleChecks = 0;
    clock.setInterval(async () => {
      await Promise.resolve();
      throw new Error('probe listener failed');
    }, 30_000);
    clock.setInterval(() => (staleChecks += 1), 1000);
    for (let i = 0; i < 40; i++) {
      fake.advance(30_000); // 20 min in all
      await new Promise((r) => setImmediate(r));
    }
    expect(clock.failureCount).toBe(40);
    expect(staleChecks).toBe(1200);
    expect(lines.filter((l) => l.msg === 'timer callback failed').map((l) => l.failures)).toEqual([1, 21]);
  });
});
