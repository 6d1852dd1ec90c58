/** 4–20 mA points (NAMUR NE43): a broken loop reads bad, never as a low value that a permit trusts. */
import { describe, expect, it } from 'vitest';
import { PointReporter } from '../../agent/acquisition/point-report.js';
import { Point } from '../../agent/config/schema.js';

// channel 4 of the ai4-ma template: the module reports µA, the transmitter spans 0..3000 Pa
const dp = Point.parse({
  id: 'ai1.ch4',
  kind: 'differential_pressure',
  unit: 'Pa',
  register: { table: 'input', address: 3, type: 'uint16' },
  scale: 0.001,
  signal: { type: 'ma4_20', rangeLow: 0, rangeHigh: 3000 },
});

describe('a 4–20 mA differential-pressure channel', () => {
  it('maps 4..20 mA onto 0..3000 Pa', () => {
    const r = new PointReporter(dp);
    expect(r.reading(4000, 1)).toMatchObject({ v: 0, q: 'good' });
    expect(r.reading(12000, 2)).toMatchObject({ v: 1500, q: 'good' });
    expect(r.reading(20000, 3)).toMatchObject({ v: 3000, q: 'good' });
  });

  it('reads a broken wire (0 mA) as bad, keeping the last good value, not as 0 Pa', () => {
    const r = new PointReporter(dp);
    r.reading(5600, 1); // 5.6 mA → 300 Pa
    expect(r.reading(0, 2)).toMatchObject({ v: 300, q: 'bad' });
  });

  it('treats 3.6 mA and 21 mA as the last live readings and anything beyond as a sensor fault', () => {
    const r = new PointReporter(dp);
    expect(r.reading(3600, 1)).toMatchObject({ q: 'good', v: -75 });
    expect(r.reading(3599, 2)).toMatchObject({ q: 'bad' });
    expect(r.reading(21000, 3)).toMatchObject({ q: 'good', v: 3187.5 });
    expect(r.reading(21001, 4)).toMatchObject({ q: 'bad' });
  });

  it('returns to good when the loop is repaired', () => {
    const r = new PointReporter(dp);
    r.reading(2000, 1);
    expect(r.reading(8000, 2)).toMatchObject({ v: 750, q: 'good' });
  });

  it('takes site-set fault limits', () => {
    const strict = Point.parse({ ...dp, id: 'x', signal: { type: 'ma4_20', rangeLow: 0, rangeHigh: 3000, faultBelowMa: 3.8, faultAboveMa: 20.5 } });
    expect(new PointReporter(strict).reading(3700, 1)).toMatchObject({ q: 'bad' });
  });

  it('refuses a signal whose range is empty', () => {
    const r = Point.safeParse({ ...dp, signal: { type: 'ma4_20', rangeLow: 5, rangeHigh: 5 } });
    expect(r.success).toBe(false);
  });
});
