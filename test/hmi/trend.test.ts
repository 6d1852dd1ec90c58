import { describe, expect, it } from 'vitest';
import { thin } from '../../agent/hmi/trend.js';

describe('trend thinning', () => {
  const from = 0;
  const to = 24 * 3600_000;
  // One sample a second for a day, flat at 500 Pa, with a 3 s spike to 2600 Pa and a 10 min sensor gap.
  const day = Array.from({ length: 86_400 }, (_, i) => {
    const t = i * 1000;
    if (i >= 40_000 && i < 40_600) return { t, v: null };
    return { t, v: i >= 50_000 && i < 50_003 ? 2600 : 500 };
  });

  it('keeps at most two points per bucket, so a day fits a chart', () => {
    const out = thin(day, from, to, 720);
    expect(out.t.length).toBeLessThanOrEqual(1440);
    expect(out.t).toEqual([...out.t].sort((a, b) => a - b));
  });

  it('keeps a short excursion past a limit and a gap in the data', () => {
    const out = thin(day, from, to, 720);
    expect(Math.max(...out.v.filter((v): v is number => v !== null))).toBe(2600);
    expect(out.v).toContain(null);
  });

  it('passes a short series through untouched', () => {
    const few = [{ t: 1, v: 1 }, { t: 2, v: null }, { t: 3, v: 3 }];
    expect(thin(few, 0, 10, 720)).toEqual({ t: [1, 2, 3], v: [1, null, 3] });
  });
});
