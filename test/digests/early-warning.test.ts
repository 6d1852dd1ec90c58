/**
 * The trend fit against values worked out by hand, and the predictive alarm it drives: raised
 * with the hours to the limit in its text, low priority, and cleared when the trend turns.
 */
import { describe, expect, it } from 'vitest';
import { AlarmList } from '../../agent/alarms/alarm-list.js';
import { FakeClock } from '../../agent/core/clock.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { EarlyWarnings } from '../../agent/digests/early-warning.js';
import { theilSen } from '../../agent/digests/theil-sen.js';
import { EventLog } from '../../agent/plant/events.js';

const MIN = 60_000;

describe('Theil–Sen', () => {
  it('ignores an outlier a least-squares fit would follow', () => {
    // pair slopes: six of 2, then 24.75, 32.33, 47.5, 93: median 2; y − 2x = 1,1,1,1,92: median 1
    expect(theilSen([0, 1, 2, 3, 4], [1, 3, 5, 7, 100])).toEqual({ slope: 2, intercept: 1, n: 5 });
  });

  it('takes the mean of the two middle slopes for an even count', () => {
    // slopes 1, 0.5, 1, 0, 1, 2 → sorted 0, 0.5, 1, 1, 1, 2: median 1; y − x = 0, 0, −1, 0: median 0
    expect(theilSen([0, 1, 2, 3], [0, 1, 1, 3])).toEqual({ slope: 1, intercept: 0, n: 4 });
  });

  it('has no fit for fewer than two points or one x', () => {
    expect(theilSen([1], [1])).toBeUndefined();
    expect(theilSen([2, 2], [1, 5])).toBeUndefined();
  });
});

describe('the predictive alarm', () => {
  function rig() {
    const clock = new FakeClock();
    const events: PlantEvent[] = [];
    const log = new EventLog('test', () => true);
    log.onEvent((e) => events.push(e));
    const alarms = new AlarmList(clock, log.report);
    const raised: string[] = [];
    const ew = new EarlyWarnings({
      entries: [{ point: 'dc1.dp', limit: 'high', horizonH: 8 }],
      defaultWindowMin: 120,
      points: new Map([['dc1.dp', { name: '除尘器进出口压差', unit: 'Pa', limits: { high: 1800 } }]]),
      alarms,
      onRaise: (p) => raised.push(p),
    });
    const reading = (v: number) => ew.sample({ p: 'dc1.dp', t: clock.now(), v, q: 'good' });
    return { clock, events, alarms, ew, raised, reading };
  }

  it('says when the bags will reach the high limit, and clears when the pressure falls again', () => {
    const r = rig();
    // one reading a minute, 10 Pa a minute up from 1000: at minute 30 the line (through the
    // buckets' middles) stands at 1000 + 10 × 29.5 = 1295 Pa, rising 600 Pa/h: 505 / 600 = 0.84 h
    for (let m = 0; m < 30; m++) {
      r.reading(1000 + 10 * m);
      r.clock.advance(MIN);
    }
    const [f] = r.ew.evaluate(r.clock.now());
    expect(f?.fit.slope).toBeCloseTo(600, 6);
    expect(f?.fit.intercept).toBeCloseTo(1295, 6);
    expect(f?.hours).toBeCloseTo(505 / 600, 6);
    const raised = r.events.filter((e) => e.source === 'dc1.dp.forecast.high');
    expect(raised.map((e) => [e.priority, e.state, e.message])).toEqual([['low', 'unack', '预计 0.8 小时后达到高限 1800 Pa / high limit 1800 Pa expected in 0.8 h']]);
    expect(r.raised).toEqual(['dc1.dp']);

    // pulse cleaning: 40 Pa a minute down for 60 minutes; the trend turns and the warning clears
    for (let m = 0; m < 60; m++) {
      r.reading(1290 - 40 * m);
      r.clock.advance(MIN);
    }
    r.ew.evaluate(r.clock.now());
    expect(r.alarms.views().find((a) => a.id === 'dc1.dp.forecast.high')?.active).toBe(false);
    expect(r.raised).toEqual(['dc1.dp']);
  });

  it('raises nothing for a flat value or with too few minutes of data', () => {
    const r = rig();
    for (let m = 0; m < 5; m++) {
      r.reading(1000 + 100 * m);
      r.clock.advance(MIN);
    }
    expect(r.ew.evaluate(r.clock.now())).toEqual([]);
    for (let m = 0; m < 60; m++) {
      r.reading(1500);
      r.clock.advance(MIN);
    }
    r.ew.evaluate(r.clock.now());
    expect(r.raised).toEqual([]);
  });
});
