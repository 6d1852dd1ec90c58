/** One point of the point table with its current value, as the page and the feed show it. */
import type { Quality, Value } from '../core/types.js';

export interface PointView {
  id: string;
  name?: string;
  kind: string;
  unit?: string;
  v: Value;
  q: Quality;
  /** ms since epoch of the value */
  t: number;
  limits?: { lowLow?: number; low?: number; high?: number; highHigh?: number };
}
