/**
 * Child process of buffer.bytesWrittenPerSample: the outbox at 100 samples/s with the agent's
 * defaults (250 ms commits, 1 GiB budget, a cursor acknowledging every message as a connected
 * uplink would), alone in its process so /proc/self/io counts only its writes.
 *
 * Plant time runs on a FakeClock, faster than the wall clock, so the window spans many natural
 * WAL checkpoints (one every ~10 plant minutes): the writes are the same at any speed, since
 * each 250 ms commit is still its own transaction and each checkpoint still fsyncs. The window
 * starts after a warm-up and ends with close(), whose checkpoint copies what is left in the WAL.
 *
 *   node dist/bench/buffer-steady-writer.js <buffer.db> <warmupMinutes> <windowMinutes>
 * prints one JSON line: { writeBytes, samples, commits, plantSeconds, wallSeconds }
 */
import { readFileSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { pino } from 'pino';
import { Outbox } from '../agent/buffer/outbox.js';
import { FakeClock } from '../agent/core/clock.js';
import { SampleFeed } from './buffer-feed.js';

const [path, warmupMin, windowMin] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const clock = new FakeClock();
const feed = new SampleFeed();

function writeBytes(): number {
  const m = /write_bytes:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
  if (!m) throw new Error('/proc/self/io has no write_bytes');
  return Number(m[1]);
}

const outbox = await Outbox.open({ path, maxBytes: 1024 ** 3, keepSentHours: 168, commitMs: 250, clock, log: pino({ level: 'silent' }), onSystemEvent: () => undefined });
const cursor = await outbox.cursor('mqtt');
let commits = 0;
// a connected uplink: every message acknowledged right after its commit
outbox.onCommit((m) => {
  commits++;
  cursor.ack(m.stream, m.seq);
});

/** one plant second: ten pollers each deliver 10 samples, 100 ms apart; the commit timer runs */
async function plantSecond(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const t = clock.now();
    for (let k = 0; k < 10; k++) outbox.addSample(feed.next(t));
    clock.advance(100);
    // let a commit the clock started finish before time moves on, as it would in real time
    await tick();
    await outbox.settled();
  }
}

for (let s = 0; s < warmupMin * 60; s++) await plantSecond();
const before = writeBytes();
const started = performance.now();
const samplesBefore = commits;
let samples = 0;
for (let s = 0; s < windowMin * 60; s++) {
  await plantSecond();
  samples += 100;
}
await outbox.close();
const after = writeBytes();
process.stdout.write(
  `${JSON.stringify({ writeBytes: after - before, samples, commits: commits - samplesBefore, plantSeconds: windowMin * 60, wallSeconds: (performance.now() - started) / 1000 })}\n`,
);
