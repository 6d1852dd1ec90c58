import { describe, expect, it } from 'vitest';
import type { PointConfig } from '../../agent/config/schema.js';
import { PointReporter } from '../../agent/acquisition/point-report.js';

const dp: PointConfig = {
  id: 'dc1.dp',
  kind: 'differential_pressure',
  register: { table: 'holding', address: 0, type: 'uint16', wordOrder: 'big' },
  scale: 1,
  offset: 0,
  deadband: 5,
  heartbeatS: 10,
};

describe('what a point reports', () => {
  it('reports the first reading, then only moves beyond the 5 Pa deadband', () => {
    const r = new PointReporter(dp);
    expect(r.reading(650, 0)).toEqual({ p: 'dc1.dp', t: 0, v: 650, q: 'good' });
    expect(r.reading(654, 1000)).toBeNull();
    expect(r.reading(655, 2000)).toBeNull(); // exactly the deadband: not beyond it
    expect(r.reading(656, 3000)).toEqual({ p: 'dc1.dp', t: 3000, v: 656, q: 'good' });
    expect(r.reading(652, 4000)).toBeNull(); // measured from the last value sent, 656
  });

  it('repeats an unchanged value every heartbeatS so the platform sees the gateway alive', () => {
    const r = new PointReporter(dp);
    r.reading(650, 0);
    expect(r.reading(650, 9_999)).toBeNull();
    expect(r.reading(650, 10_000)).toEqual({ p: 'dc1.dp', t: 10_000, v: 650, q: 'good' });
  });

  it('reports every change when the deadband is 0, and scales the raw value', () => {
    const r = new PointReporter({ ...dp, id: 'dc1.hopperTemp', deadband: 0, scale: 0.1 });
    expect(r.reading(653, 0)?.v).toBe(65.3);
    expect(r.reading(654, 1)?.v).toBe(65.4);
    expect(r.reading(654, 2)).toBeNull();
  });

  it('marks a lost device comm with the last good value, once, and good again when it answers', () => {
    const r = new PointReporter(dp);
    r.reading(650, 0);
    expect(r.failed('comm', 1000)).toEqual({ p: 'dc1.dp', t: 1000, v: 650, q: 'comm' });
    expect(r.failed('comm', 2000)).toBeNull();
    expect(r.reading(651, 3000)).toEqual({ p: 'dc1.dp', t: 3000, v: 651, q: 'good' });
  });

  it('marks a point bad with a null value when it was never read', () => {
    const r = new PointReporter(dp);
    expect(r.failed('bad', 0)).toEqual({ p: 'dc1.dp', t: 0, v: null, q: 'bad' });
  });

  it('treats a float register holding NaN as a bad reading, not a value', () => {
    const r = new PointReporter({ ...dp, register: { ...dp.register, type: 'float32' } });
    r.reading(12.5, 0);
    expect(r.reading(Number.NaN, 1)).toEqual({ p: 'dc1.dp', t: 1, v: 12.5, q: 'bad' });
  });

  it('keeps the heartbeat as a promise: at 1 s polls with heartbeatS 1, every poll however the replies jitter', () => {
    const r = new PointReporter({ ...dp, heartbeatS: 1 }, 1000);
    const times = [0, 996, 2003, 2998, 4001, 4990];
    expect(times.map((t) => r.reading(650, t)?.t)).toEqual(times);
  });

  it('sends an unchanged value again at the last poll before the heartbeat runs out', () => {
    const r = new PointReporter(dp, 1000); // heartbeatS 10
    const sent = Array.from({ length: 31 }, (_, k) => k * 1000 + (k % 2 === 0 ? 4 : -4)).filter((t) => r.reading(650, t) !== null);
    const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10_000);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(9_000 - 8);
  });

  it('reports every poll with heartbeatS 0', () => {
    const r = new PointReporter({ ...dp, heartbeatS: 0 }, 200);
    expect([0, 200, 400].map((t) => r.reading(650, t)?.t)).toEqual([0, 200, 400]);
  });
});
