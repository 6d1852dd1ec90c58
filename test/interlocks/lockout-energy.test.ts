/** The critical alarm for a machine running under its lockout: each run an occurrence of its own. */
import { describe, expect, it } from 'vitest';
import { exampleSite, workshop } from './workshop.js';

/** The example site with the sander's run feedback wired to its lockout. */
const withRunFeedback = () =>
  exampleSite((y) =>
    y.replace(
      '    - { id: loto.sander1, name: 1号砂光机上锁, kind: lockout, line: 13, debounceMs: 50 }',
      '    - { id: sander1.run, name: 1号砂光机运行, kind: run_feedback, line: 19, debounceMs: 50 }\n    - { id: loto.sander1, name: 1号砂光机上锁, kind: lockout, line: 13, debounceMs: 50, machine: sander1.run }',
    ),
  );

describe('energy under a lockout', () => {
  it('returns to normal when the machine stops, and a second run is a new alarm event with its own time', async () => {
    const w = workshop(withRunFeedback());
    w.healthy();
    w.contact('loto.sander1', true);
    w.advance(100);
    w.contact('sander1.run', true);
    w.advance(100);
    const energy = () => w.eventsOf('alarm', 'loto.sander1.energy');
    const firstT = energy()[0]!.t;
    expect(energy()).toEqual([
      expect.objectContaining({ state: 'unack', priority: 'critical', hazard: true, message: '1号砂光机上锁期间检测到1号砂光机运行 (重大事故隐患) / 1号砂光机运行 seen while 1号砂光机上锁 is applied (hidden hazard)' }),
    ]);
    expect(w.page.snapshot().alarms.find((a) => a.id === 'loto.sander1.energy')).toMatchObject({ name: '1号砂光机上锁期间设备带电', active: true });

    w.contact('sander1.run', false);
    w.advance(100);
    expect(energy().at(-1)).toMatchObject({ state: 'rtn_unack', message: '1号砂光机运行已停止, 仍在上锁 / 1号砂光机运行 stopped, still locked out' });
    expect(await w.page.acknowledge('loto.sander1.energy', 'li.na')).toEqual({ ok: true });
    expect(w.page.snapshot().alarms.map((a) => a.id)).not.toContain('loto.sander1.energy');
    // the lockout board still says energy was seen during this lockout
    expect(w.page.snapshot().lockouts[0]).toMatchObject({ applied: true, energySeen: true });

    w.advance(30_000);
    w.contact('sander1.run', true);
    w.advance(100);
    const second = energy().at(-1)!;
    expect(second).toMatchObject({ state: 'unack', hazard: true });
    expect(second.t).toBe(firstT + 30_200);
    expect(second.id).not.toBe(energy()[0]!.id);
    expect(w.page.snapshot().alarms.find((a) => a.id === 'loto.sander1.energy')).toMatchObject({ state: 'unack', active: true, t: second.t });
    expect(w.relay('beacon')).toBe(true);
  });

  it('returns to normal when the lockout is removed while the machine still runs', () => {
    const w = workshop(withRunFeedback());
    w.healthy();
    w.contact('sander1.run', true);
    w.contact('loto.sander1', true);
    w.advance(100);
    expect(w.eventsOf('alarm', 'loto.sander1.energy').map((e) => e.state)).toEqual(['unack']);
    w.contact('loto.sander1', false);
    w.advance(100);
    expect(w.eventsOf('alarm', 'loto.sander1.energy').at(-1)).toMatchObject({ state: 'rtn_unack', message: '1号砂光机上锁: 已解锁 / 1号砂光机上锁: lockout removed' });
    expect(w.page.snapshot().lockouts[0]).toMatchObject({ applied: false, energySeen: false });
    expect(w.eventsOf('lockout', 'loto.sander1').map((e) => e.message)).toEqual(['1号砂光机上锁: 已上锁 / 1号砂光机上锁: locked out', '1号砂光机上锁: 已解锁 / 1号砂光机上锁: lockout removed']);
  });
});
