/**
 * Timers with every file handle in use (issue #14, item 5): in a fresh node with a low open-file
 * limit whose handles are all taken, `process.memoryUsage()` throws EMFILE, as it did in the
 * agent's health timer. Through the agent's clock that failure is logged once and counted, the
 * timer keeps its schedule, and the process lives; the health memory reading says why its RSS is old.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const dist = (p: string) => join(root, 'dist', p);

// The child: take every handle, then run a timer that calls process.memoryUsage() every 50 ms of fake time.
const CHILD = `
import { openSync } from 'node:fs';
import { pino } from 'pino';
const { GuardedClock } = await import(${JSON.stringify(dist('agent/core/guarded-clock.js'))});
const { FakeClock } = await import(${JSON.stringify(dist('agent/core/clock.js'))});
const { MemoryGauge } = await import(${JSON.stringify(dist('agent/core/memory.js'))});
// fake time, made (and its library loaded) before the handles go: the timer runs when told
const time = new FakeClock();
const clock = new GuardedClock(time, pino());
const gauge = new MemoryGauge();
const before = gauge.read();
const held = [];
let exhausted = '';
try { for (;;) held.push(openSync('/dev/null', 'r')); } catch (err) { exhausted = err.code; }
let ticks = 0;
const health = clock.setInterval(() => { ticks += 1; process.memoryUsage(); }, 50);
time.advance(500);
health.cancel();
console.log(JSON.stringify({ result: { exhausted, ticks, failures: clock.failureCount, before, after: gauge.read() } }));
`;

describe('timers when the process has no file handle left', () => {
  it('a health timer whose memoryUsage() throws EMFILE is logged once, counted, and never ends the process', () => {
    const child = spawnSync('bash', ['-c', `ulimit -n 64 && exec "$0" --input-type=module -e "$1"`, process.execPath, CHILD], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const lines = child.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg?: string; err?: { code?: string }; result?: Record<string, unknown> });
    const result = lines.find((l) => l.result)?.result as { exhausted: string; ticks: number; failures: number; before: { rss: number }; after: { rss: number; heapUsed: number; rssError?: string } };
    expect(result.exhausted).toBe('EMFILE');
    expect(result.ticks).toBe(10); // every 50 ms for 500 ms: the failing timer kept its schedule
    expect(result.failures).toBe(result.ticks);
    const logged = lines.filter((l) => l.msg === 'timer callback failed');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.err?.code).toBe('EMFILE');
    // health still has a memory reading: the heap from V8, the last RSS read, and why it is old
    expect(result.after.rss).toBe(result.before.rss);
    expect(result.after.heapUsed).toBeGreaterThan(0);
    expect(result.after.rssError).toMatch(/EMFILE/);
  });
});
