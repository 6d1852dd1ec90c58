/**
 * Trends for the operator page, read from the stored data batches. The start is found by a
 * binary search on seq (a handful of rowid lookups) instead of an index on time, because an
 * index would add a page write to every commit (SD-card wear: `buffer.bytesWrittenPerSample`, docs/BENCHMARKS.md).
 * Sample times are assumed to grow with seq; a clock step while unsynced may hide a few batches.
 */
import { decodeData } from './codec.js';
import type { PointDictionary } from './point-dictionary.js';
import type { SerialQueue } from './serial.js';
import type { Store } from './store.js';
import type { TrendPoint } from './types.js';

const ROWS_PER_READ = 200;

export async function readTrend(
  deps: { store: Store; queue: SerialQueue; dict: PointDictionary },
  pointId: string,
  fromMs: number,
  toMs: number,
  maxPoints: number,
): Promise<TrendPoint[]> {
  const { store, queue } = deps;
  const b = await queue.run(() => store.bounds('data'));
  if (b.lo === null || b.hi === null) return [];
  // smallest seq whose batch ends at or after fromMs
  let lo = b.lo;
  let hi = b.hi + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const r = await queue.run(() => store.t1At('data', mid));
    if (!r) {
      hi = mid;
    } else if (r.t1 >= fromMs) {
      hi = Math.min(mid, r.seq);
    } else {
      lo = r.seq + 1;
    }
  }
  const out: TrendPoint[] = [];
  let seq = lo;
  for (;;) {
    const rows = await queue.run(() => store.from('data', seq, ROWS_PER_READ));
    if (rows.length === 0) break;
    let past = false;
    for (const r of rows) {
      if (r.t0 > toMs) {
        past = true;
        break;
      }
      for (const s of decodeData(r.body, r.created, deps.dict)) if (s.p === pointId && s.t >= fromMs && s.t <= toMs) out.push({ t: s.t, v: s.v });
    }
    if (past) break;
    seq = rows[rows.length - 1]!.seq + 1;
  }
  out.sort((a, b) => a.t - b.t);
  if (out.length <= maxPoints) return out;
  const step = out.length / maxPoints;
  return Array.from({ length: maxPoints }, (_, i) => out[Math.floor(i * step)]!);
}
