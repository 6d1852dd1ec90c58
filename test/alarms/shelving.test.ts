/** Which alarms may be shelved (docs/ALARMS.md): never an interlock's trip, never a critical alarm. */
import { describe, expect, it } from 'vitest';
import { exampleSite, workshop } from '../interlocks/workshop.js';

describe('shelving', () => {
  it('refuses to shelve the permit-trip alarm, so the next real trip still shows and lights the beacon', async () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.reading('dc1.dp', 1900);
    expect(w.relay('sander1.permit')).toBe(false);
    const refused = await w.page.shelve('sander1-permit.trip', 'li.super', '误报待处理', w.clock.now() + 3_600_000);
    expect(refused).toMatchObject({ ok: false, refusal: 'not-shelvable' });
    expect(refused.ok ? '' : refused.error).toContain('may not be shelved');
    expect(w.eventsOf('alarm', 'sander1-permit.trip').map((e) => e.state)).toEqual(['unack']);
    const trip = () => w.page.snapshot().alarms.find((a) => a.id === 'sander1-permit.trip');
    expect(trip()).toMatchObject({ state: 'unack', shelvable: false });

    // acknowledged, reset, and the next trip is there for everyone to see
    expect(await w.page.acknowledge('sander1-permit.trip', 'li.super')).toEqual({ ok: true });
    w.reading('dc1.dp', 650);
    expect(await w.page.reset('sander1-permit', 'li.super')).toEqual({ ok: true });
    expect(w.relay('sander1.permit')).toBe(true);
    w.advance(60_000);
    w.reading('dc1.dp', 120);
    expect(trip()).toMatchObject({ state: 'unack', active: true });
    expect(w.relay('beacon')).toBe(true);
  });

  it('refuses to shelve a critical alarm and still shelves a high one', async () => {
    const w = workshop(
      exampleSite((y) =>
        y.replace(
          '    - { id: loto.sander1, name: 1号砂光机上锁, kind: lockout, line: 13, debounceMs: 50 }',
          '    - { id: sander1.run, name: 1号砂光机运行, kind: run_feedback, line: 19, debounceMs: 50 }\n    - { id: loto.sander1, name: 1号砂光机上锁, kind: lockout, line: 13, debounceMs: 50, machine: sander1.run }',
        ),
      ),
    );
    w.healthy();
    w.contact('loto.sander1', true);
    w.contact('sander1.run', true);
    w.reading('ds1.conc', 25);
    w.advance(3_100);
    const until = w.clock.now() + 600_000;
    expect(await w.page.shelve('loto.sander1.energy', 'li.super', '联调试验', until)).toMatchObject({ ok: false, refusal: 'not-shelvable' });
    expect(w.page.snapshot().alarms.find((a) => a.id === 'loto.sander1.energy')).toMatchObject({ state: 'unack', priority: 'critical', shelvable: false });
    expect(await w.page.shelve('ds1.conc.highHigh', 'li.super', '传感器清洁中', until)).toEqual({ ok: true });
    expect(w.page.snapshot().alarms.find((a) => a.id === 'ds1.conc.highHigh')).toMatchObject({ state: 'shelved' });
    expect(w.page.snapshot().alarms.find((a) => a.id === 'ds1.conc.highHigh')?.shelvable).toBeUndefined();
  });
});
