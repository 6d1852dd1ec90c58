/**
 * A provincial destination's own durable progress beside the buffer: the last period boundary
 * it has dealt with and every mapped point's state at that boundary, so missed periods can be
 * rebuilt after an outage or a restart. Written to a temp file, synced, then renamed over the
 * old one, so a power cut leaves the old or the new file, never half of one.
 */
import { open, readFile, rename } from 'node:fs/promises';
import type { Sample } from '../../core/types.js';

export interface Progress {
  /** the last period boundary sent or skipped (ms since the epoch) */
  boundary: number;
  /** the latest sample of every mapped point at that boundary */
  values: Record<string, Sample>;
}

export async function loadProgress(path: string): Promise<Progress | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const p = JSON.parse(text) as Partial<Progress>;
  if (typeof p.boundary !== 'number' || !Number.isFinite(p.boundary) || typeof p.values !== 'object' || p.values === null) {
    throw new Error(`${path} is not a progress file`);
  }
  return { boundary: p.boundary, values: p.values };
}

export async function saveProgress(path: string, p: Progress): Promise<void> {
  const tmp = `${path}.tmp`;
  const f = await open(tmp, 'w');
  try {
    await f.writeFile(JSON.stringify(p));
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
}
