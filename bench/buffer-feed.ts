/**
 * Samples as a workshop produces them, for the buffer and uplink benches: 10 devices × 10
 * registers (the acquisition load, docs/BENCHMARKS.md), values that wander like real readings with the
 * precision a scaled 16-bit register gives (one decimal).
 */
import type { Sample } from '../agent/core/types.js';

const NAMES = ['dp', 'hopperTemp', 'inletTemp', 'conc', 'fanCurrent', 'fanSpeed', 'valveCurrent', 'airflow', 'humidity', 'pressure'];

export const POINTS: readonly string[] = Array.from({ length: 100 }, (_, i) => `dc${Math.floor(i / 10) + 1}.${NAMES[i % 10]}`);

/** A deterministic random walk per point (a small LCG, so runs compare). */
export class SampleFeed {
  private readonly values = POINTS.map((_, i) => 100 + i * 17.3);
  private seed = 12345;
  private i = 0;

  next(t: number): Sample {
    const k = this.i++ % POINTS.length;
    this.seed = (this.seed * 1103515245 + 12345) & 0x7fffffff;
    const v = Math.round((this.values[k]! + (this.seed / 0x7fffffff - 0.5) * 4) * 10) / 10;
    this.values[k] = v;
    return { p: POINTS[k]!, t, v, q: 'good' };
  }
}
