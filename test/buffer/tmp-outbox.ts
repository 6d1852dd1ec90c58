/** Real SQLite buffers in temp dirs, for the buffer and uplink tests. */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Outbox } from '../../agent/buffer/outbox.js';
import type { OutboxOptions } from '../../agent/buffer/types.js';
import { SystemClock } from '../../agent/core/clock.js';
import type { PlantEvent, Sample } from '../../agent/core/types.js';

export const quiet = pino({ level: process.env.TEST_LOG ?? 'silent' });

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'firebreak-buffer-'));
}

export interface Opened {
  outbox: Outbox;
  systemEvents: PlantEvent[];
  path: string;
}

export async function openOutbox(o: Partial<OutboxOptions> & { path?: string } = {}): Promise<Opened> {
  const systemEvents: PlantEvent[] = [];
  const path = o.path ?? join(tempDir(), 'buffer.db');
  const outbox = await Outbox.open({
    maxBytes: 64 * 1024 * 1024,
    keepSentHours: 168,
    commitMs: 250,
    clock: new SystemClock(),
    log: quiet,
    ...o,
    path,
    onSystemEvent: (e) => {
      systemEvents.push(e);
      o.onSystemEvent?.(e);
    },
  });
  return { outbox, systemEvents, path };
}

/** the gap events with which a new buffer announces its seq series, in events seq 1 (docs/UPLINK.md, "The seq epoch") */
export function seriesEventIds(epoch: string): string[] {
  return [`gap-data-epoch-${epoch}`, `gap-events-epoch-${epoch}`];
}

/** a differential-pressure reading of collector `dc` */
export function dp(dc: number, t: number, v: number): Sample {
  return { p: `dc${dc}.dp`, t, v, q: 'good' };
}

export function sparkEvent(n: number, t: number): PlantEvent {
  return { id: `spark1-${n}`, t, type: 'alarm', source: 'spark1', priority: 'high', state: 'unack', message: `火花探测 ${n} / spark detected` };
}

/** the buffer file with its WAL and shared-memory index, as the disk sees them */
export function bytesOnDisk(path: string): number {
  const dir = join(path, '..');
  const base = path.split('/').pop()!;
  return readdirSync(dir)
    .filter((f) => f === base || f === `${base}-wal` || f === `${base}-shm`)
    .reduce((a, f) => a + statSync(join(dir, f)).size, 0);
}
