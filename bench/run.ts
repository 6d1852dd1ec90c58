/**
 * `npm run bench [-- --quick] [-- --only name]`: runs every benchmark, prints a table and merges
 * the figures into bench/results.json under the keys docs/BENCHMARKS.md lists. Figures are
 * medians over repetitions; comparisons are ratios measured side by side in one run, because
 * these machines are shared and noisy. Speed targets live here, never in unit tests.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../agent/core/paths.js';
import { benches } from './benches.js';

export interface BenchOptions {
  quick: boolean;
}

export type Figures = Record<string, number>;

export interface Bench {
  name: string;
  run(opts: BenchOptions): Promise<Figures>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const dir = join(packageRoot(), 'bench');
  const file = join(dir, 'results.json');
  let results: Figures = {};
  try {
    results = JSON.parse(readFileSync(file, 'utf8')) as Figures;
  } catch {
    // first run
  }
  const selected = benches.filter((b) => !values.only || b.name.includes(values.only));
  for (const b of selected) {
    const started = Date.now();
    process.stdout.write(`${b.name} ...\n`);
    try {
      const figures = await b.run({ quick: values.quick });
      Object.assign(results, figures);
      for (const [k, v] of Object.entries(figures)) process.stdout.write(`  ${k.padEnd(40)} ${v}\n`);
    } catch (err) {
      process.stdout.write(`  FAILED: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
    process.stdout.write(`  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  mkdirSync(dir, { recursive: true });
  const sorted = Object.fromEntries(Object.entries(results).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
  for (const [k, v] of Object.entries(sorted)) process.stdout.write(`${k.padEnd(40)} ${v}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
