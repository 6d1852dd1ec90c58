/**
 * Scaled readings are rounded to 12 significant digits (float32 to 7) without formatting a
 * string: the result must be the very number toPrecision gives, for what field devices send.
 */
import { describe, expect, it } from 'vitest';
import { roundSignificant } from '../../agent/acquisition/significant.js';

const viaString = (v: number, digits: number) => Number(v.toPrecision(digits));

describe('rounding a reading to significant digits', () => {
  it('gives what toPrecision gives for every 16-bit register under the usual scales and offsets', () => {
    const mismatches: string[] = [];
    for (const scale of [0.1, 0.01, 0.001, 0.05, 0.2, 1 / 3, 0.0625, 1.8, 10]) {
      for (const offset of [0, -40, -273.15, 4, 0.5]) {
        for (let raw = -32768; raw <= 65535; raw += 7) {
          const v = raw * scale + offset;
          if (roundSignificant(v, 12) !== viaString(v, 12)) mismatches.push(`${raw} × ${scale} + ${offset}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('gives what toPrecision gives for float32 values of every magnitude, to 7 digits', () => {
    const bits = new DataView(new ArrayBuffer(4));
    const mismatches: number[] = [];
    let seed = 12345;
    for (let i = 0; i < 200_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bits.setUint32(0, seed);
      const f = bits.getFloat32(0);
      if (roundSignificant(f, 7) !== viaString(f, 7) && !Number.isNaN(f)) mismatches.push(f);
    }
    expect(mismatches).toEqual([]);
  });

  it('keeps 653 × 0.1 at 65.3, integers as they are, and infinities and NaN untouched', () => {
    expect(roundSignificant(653 * 0.1, 12)).toBe(65.3);
    expect(roundSignificant(-653 * 0.1, 12)).toBe(-65.3);
    expect(roundSignificant(1500, 12)).toBe(1500);
    expect(roundSignificant(Infinity, 12)).toBe(Infinity);
    expect(roundSignificant(Number.NaN, 12)).toBeNaN();
    expect(roundSignificant(12.4999990463, 7)).toBe(12.5);
  });
});
