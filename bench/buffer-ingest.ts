/**
 * Filling an outbox as fast as it takes samples, through the agent's own path: addSample, the
 * commit timer at the default 250 ms, and flush() when 50,000 samples wait (the outbox holds
 * 100,000 in memory before it drops and reports the oldest; waiting for the timer alone would
 * measure that cap, not the commit path). Every sample counted was committed.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import { pino } from 'pino';
import { Outbox } from '../agent/buffer/outbox.js';
import { SystemClock } from '../agent/core/clock.js';
import { SampleFeed } from './buffer-feed.js';

const WAITING_MAX = 50_000;
const PER_TICK = 1000;

export async function openBenchOutbox(path: string): Promise<Outbox> {
  return Outbox.open({ path, maxBytes: 1024 ** 3, keepSentHours: 168, commitMs: 250, clock: new SystemClock(), log: pino({ level: 'silent' }), onSystemEvent: () => undefined });
}

/** commits `total` samples; resolves with samples per second from the first add to the last commit */
export async function ingest(outbox: Outbox, total: number): Promise<number> {
  const feed = new SampleFeed();
  let committed = 0;
  const off = outbox.onCommit((m) => {
    if (m.stream === 'data') committed += m.samples.length;
  });
  const started = performance.now();
  let added = 0;
  while (added < total) {
    if (added - committed > WAITING_MAX) {
      await outbox.flush();
      continue;
    }
    const t = Date.now();
    const n = Math.min(PER_TICK, total - added);
    for (let i = 0; i < n; i++) outbox.addSample(feed.next(t));
    added += n;
    await nextTick();
  }
  await outbox.flush();
  const seconds = (performance.now() - started) / 1000;
  off();
  if (committed !== total) throw new Error(`committed ${committed} of ${total} samples`);
  return total / seconds;
}
