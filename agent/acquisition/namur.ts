/**
 * 4–20 mA loops (NAMUR NE43): a live zero at 4 mA lets a broken wire (0 mA) or a transmitter
 * signalling its own failure (≤ 3.6 mA or ≥ 21 mA) be told from a low reading. Such a current is
 * a sensor fault: the point's quality goes bad and every permit it feeds drops (docs/DOMAIN.md,
 * "A reading that cannot be trusted is a fault").
 */
import type { SignalConfig } from '../config/schema.js';
import { roundSignificant } from './significant.js';

export type LoopReading = { ok: true; v: number } | { ok: false; mA: number };

/** From loop current in mA to the engineering value, or a fault outside the NE43 band. */
export function fromLoopCurrent(mA: number, signal: SignalConfig): LoopReading {
  if (!(mA >= signal.faultBelowMa && mA <= signal.faultAboveMa)) return { ok: false, mA };
  const v = signal.rangeLow + ((mA - 4) / 16) * (signal.rangeHigh - signal.rangeLow);
  // 12 significant digits, as engineeringValue: 12 mA on 0..3000 Pa reads 1500, not 1499.9999999
  return { ok: true, v: roundSignificant(v, 12) };
}
