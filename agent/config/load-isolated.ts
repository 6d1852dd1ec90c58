/**
 * The site file read by a worker thread that exits when done. Validating needs the YAML parser
 * and the zod schema (about 10 MiB of a gateway's memory once loaded, and never needed again
 * while the agent runs); in a worker, that memory goes with the worker's isolate. The result is
 * plain data (the validated config, or the problems with their lines), copied back.
 */
import { Worker } from 'node:worker_threads';
import type { LoadResult } from './problem.js';

export function loadSiteFileIsolated(file: string): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    // a small young generation: the worker's garbage is one parse, and its peak adds to the agent's
    const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: file, resourceLimits: { maxYoungGenerationSizeMb: 1 } });
    let result: LoadResult | undefined;
    worker.once('message', (m: LoadResult) => (result = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the site-file reader stopped (exit ${code}) without an answer`))));
  });
}
