/**
 * buffer.ingestSamplesPerSec: samples accepted and committed (bench/buffer-ingest.ts), median
 * over runs of 1,000,000 (200,000 in quick mode).
 * buffer.bytesWrittenPerSample: /proc/self/io write_bytes of a child process running the outbox
 * at 100 samples/s (bench/buffer-steady-writer.ts) / samples buffered.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../agent/core/paths.js';
import { ingest, openBenchOutbox } from './buffer-ingest.js';
import type { Bench } from './run.js';
import { median, round } from './stats.js';

async function ingestOnce(total: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-ingest-'));
  try {
    const outbox = await openBenchOutbox(join(dir, 'buffer.db'));
    const perSec = await ingest(outbox, total);
    await outbox.close();
    return perSec;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bytesPerSample(windowMinutes: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-io-'));
  try {
    const script = join(packageRoot(), 'dist', 'bench', 'buffer-steady-writer.js');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [script, join(dir, 'buffer.db'), '2', String(windowMinutes)], { timeout: 120_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout),
      ),
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as { writeBytes: number; samples: number };
    return r.writeBytes / r.samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const bufferBench: Bench = {
  name: 'buffer',
  async run({ quick }) {
    const ingestRuns: number[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) ingestRuns.push(await ingestOnce(quick ? 200_000 : 1_000_000));
    // 20 (60) plant minutes: two (six) natural WAL checkpoints and a closing one
    const io: number[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) io.push(await bytesPerSample(quick ? 20 : 60));
    return { 'buffer.ingestSamplesPerSec': round(median(ingestRuns)), 'buffer.bytesWrittenPerSample': round(median(io)) };
  },
};
