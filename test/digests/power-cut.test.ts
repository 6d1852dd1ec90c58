/**
 * The plug pulled mid-shift: a child process runs the workshop's digests against a real buffer
 * file (test/digests/fixtures/digesting-agent.ts) from the 夜班 into the 早班 and is SIGKILLed
 * while it writes. Reopened, the 早班 is one row that lost at most the last checkpoint interval
 * of readings; run on to its end, each shift's summary is in the buffer once, in order.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import { all } from '../../agent/buffer/sqlite.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { CHECKPOINT_MS, DigestLoop } from '../../agent/digests/digest-loop.js';
import { DigestStore } from '../../agent/digests/digest-store.js';
import { agentSourceDirs, buildChild } from '../buffer/child-build.js';
import { openOutbox, tempDir } from '../buffer/tmp-outbox.js';
import { MIN, STEADY, workshopConfig } from './scripted-shift.js';
import { workshop } from '../interlocks/workshop.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** 07:00 on 2026-06-21 in Asia/Shanghai, an hour before the 早班 */
const START = Date.UTC(2026, 5, 20, 23, 0, 0);
const MORNING = 'S-20260621-0800';
/** the child reads every 10 s: one checkpoint interval holds this many dc1.dp readings */
const PER_CHECKPOINT = CHECKPOINT_MS / 10_000;

interface Durable {
  minute: number;
  t: number;
  shift: string;
  dp: number;
}

it('keeps one 早班 digest through a SIGKILL mid-shift, short of at most one checkpoint of readings, and sends the summaries once, in order', async () => {
  const entry = fileURLToPath(new URL('./fixtures/digesting-agent.ts', import.meta.url));
  const { script, dir } = buildChild(entry, agentSourceDirs());
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(tempDir(), 'buffer.db');
  const siteFile = join(repo, 'config/site.workshop.yaml');
  const child = spawn(process.execPath, [script, path, siteFile, String(START)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: Durable[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const all = buf.split('\n');
      buf = all.pop()!;
      for (const line of all) {
        const m = /durable minute=(\d+) t=(\d+) shift=(\S+) dp=(\d+)/.exec(line);
        if (!m) continue;
        lines.push({ minute: Number(m[1]), t: Number(m[2]), shift: m[3]!, dp: Number(m[4]) });
        // 09:30, two and a half hours into the 早班, while the child keeps writing
        if (Number(m[1]) === 150) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`agent exited early (${code}): ${stderr}`)));
  });
  await exited;
  const last = lines.at(-1)!;
  expect(last.shift).toBe(MORNING);

  const { outbox } = await openOutbox({ path });
  onTestFinished(() => outbox.close());
  const { db, serial } = outbox.shared();
  const summaries = async () => {
    const events = (await outbox.readRange('events', 1, outbox.nextSeq('events') - 1)).flatMap((m) => (m.stream === 'events' ? m.events : []));
    return events.filter((e: PlantEvent) => e.type === 'summary').map((e: PlantEvent) => e.id);
  };
  // before the restart: the 夜班 was summarised before the cut; the 早班 is open, one row
  expect(await summaries()).toEqual(['summary-S-20260621-0000']);
  const rows = await all<{ id: string; closed: number }>(db, "SELECT id, closed FROM digest_periods WHERE kind = 'shift' ORDER BY from_t");
  expect(rows).toEqual([
    { id: 'S-20260621-0000', closed: 1 },
    { id: MORNING, closed: 0 },
  ]);
  const stored = (await (await DigestStore.open(db, serial)).get(MORNING))!.aggregate!.points['dc1.dp']!.count;
  // at least what the child had seen written; it fed at most one checkpoint interval more
  expect(stored).toBeGreaterThanOrEqual(last.dp);
  expect(stored).toBeLessThanOrEqual(last.dp + PER_CHECKPOINT);

  // power back two minutes later: the digests resume the 早班 and run on to its end (16:00)
  const config = workshopConfig();
  const w = workshop(config);
  w.clock.stepWallClock(last.t + 2 * MIN - w.clock.now());
  const loop = (await DigestLoop.start({ plant: w.plant, config, db: { db, serial }, emit: (e) => outbox.addEvent(e), clock: w.clock, log: createLogger('silent') }))!;
  onTestFinished(() => loop.stop());
  w.contact('fan1.run', true);
  w.contact('valve1.run', true);
  const end = loop.calendar.shiftAt(w.clock.now()).to;
  let after = 0;
  while (w.clock.now() < end) {
    for (const [p, v] of Object.entries(STEADY)) w.reading(p, v);
    w.reading('dc1.dp', 650);
    w.reading('dc1.hopperTemp', 35);
    after++;
    w.advance(10_000);
    if (after % 360 === 0) await loop.idle();
  }
  w.reading('dc1.dp', 650); // the first reading of the 中班 closes the 早班
  await loop.idle();
  await outbox.flush();

  expect(await summaries()).toEqual(['summary-S-20260621-0000', `summary-${MORNING}`]);
  const morning = (await outbox.readRange('events', 1, outbox.nextSeq('events') - 1))
    .flatMap((m) => (m.stream === 'events' ? m.events : []))
    .find((e: PlantEvent) => e.id === `summary-${MORNING}`)!;
  const dp = (morning.detail as { figures: { points: { id: string; samples: number }[] } }).figures.points.find((p) => p.id === 'dc1.dp')!;
  // what survived the cut plus what came after it, each reading counted once
  expect(dp.samples).toBe(stored + after);
  expect(await all(db, "SELECT id FROM digest_periods WHERE kind = 'shift' ORDER BY from_t")).toEqual([{ id: 'S-20260621-0000' }, { id: MORNING }, { id: 'S-20260621-1600' }]);
}, 60_000);
