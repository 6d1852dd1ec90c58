/** The sander's start permit and its alarms, scenario by scenario, on a fake clock (issue 5). */
import { describe, expect, it } from 'vitest';
import { exampleSite, workshop } from './workshop.js';

describe('the sander start permit', () => {
  it('is off at start-up and waits 30 s of fan running before it turns on', () => {
    const w = workshop();
    expect(w.relay('sander1.permit')).toBe(false);
    w.healthy();
    w.advance(29_900);
    expect(w.relay('sander1.permit')).toBe(false);
    w.advance(200); // 50 ms debounce + 30 s held
    expect(w.relay('sander1.permit')).toBe(true);
    expect(w.eventsOf('interlock', 'sander1-permit').map((e) => e.state)).toEqual(['permitted']);
  });

  it('drops when the differential pressure leaves its band, naming it first-out, and raises the trip alarm', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.reading('dc1.dp', 1850);
    expect(w.relay('sander1.permit')).toBe(false);
    const trip = w.eventsOf('interlock', 'sander1-permit').at(-1)!;
    expect(trip).toMatchObject({ state: 'tripped', priority: 'high', detail: { firstOut: { key: 'permitWhen[1]', simultaneous: [] }, latched: true } });
    expect(w.page.snapshot().permits[0]!.firstOut).toMatchObject({ text: '除尘器进出口压差: 1850 Pa > 1800 Pa', rule: '除尘器进出口压差 在 300–1800 Pa' });
    expect(w.page.snapshot().alarms.map((a) => [a.id, a.state])).toContainEqual(['sander1-permit.trip', 'unack']);
    expect(w.relay('beacon')).toBe(true);
  });

  it('trips and latches on the third spark within 10 s, not on two', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.spark();
    w.advance(4_000);
    w.spark();
    w.advance(6_000); // the first spark leaves the 10 s window
    w.spark();
    expect(w.relay('sander1.permit')).toBe(true);
    w.advance(1_000);
    w.spark(); // three within 10 s
    expect(w.relay('sander1.permit')).toBe(false);
    expect(w.eventsOf('interlock', 'sander1-permit').at(-1)!.detail).toMatchObject({ firstOut: { key: 'permitWhen[4]' }, latched: true });
    w.advance(20_000); // the sparks are long gone; the latch holds
    expect(w.relay('sander1.permit')).toBe(false);
  });

  it('refuses a reset while the fan is still off, and accepts it once the fan has run its 30 s again', async () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.contact('fan1.run', false);
    w.advance(100);
    expect(w.relay('sander1.permit')).toBe(false);

    const refused = await w.page.reset('sander1-permit', 'zhang.wei');
    expect(refused).toMatchObject({ ok: false, refusal: 'conditions-fail' });
    expect(refused.ok ? '' : refused.error).toContain('除尘风机运行 = 是 持续 30 s');
    expect(w.relay('sander1.permit')).toBe(false);
    expect(w.eventsOf('operator')).toEqual([]);

    w.contact('fan1.run', true);
    w.advance(30_100);
    expect(w.relay('sander1.permit')).toBe(false); // still latched
    expect(await w.page.reset('sander1-permit', 'zhang.wei')).toEqual({ ok: true });
    expect(w.relay('sander1.permit')).toBe(true);
    expect(w.eventsOf('operator', 'sander1-permit')).toEqual([expect.objectContaining({ user: 'zhang.wei', state: 'reset' })]);
  });

  it('fails safe: a differential pressure without good quality drops the permit, whatever its value', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.reading('dc1.dp', 650, 'comm'); // acquisition's verdict after three silent polls
    expect(w.relay('sander1.permit')).toBe(false);
    expect(w.page.snapshot().alarms.map((a) => a.id)).toContain('dc1.dp.fault');
  });

  it('counts a value that stops arriving as stale and drops the permit', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    // dc1.dp heartbeat 60 s + 3 polls of 1 s: keep the other values fresh, let dp age
    for (let i = 0; i < 35; i++) {
      w.reading('dc1.hopperTemp', 35);
      w.advance(1_000);
    }
    expect(w.relay('sander1.permit')).toBe(false);
    expect(w.plant.points.get('dc1.dp')?.q).toBe('stale');
  });

  it('names the right first-out when two conditions fail 5 ms apart, and says so when they fail together', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.reading('dc1.dp', 100);
    w.advance(5);
    w.contact('spark1.fault', true);
    w.advance(50);
    expect(w.page.snapshot().permits[0]!.firstOut).toMatchObject({ key: 'permitWhen[1]', simultaneous: [] });

    // both at the same instant: the lockout and the fault contacts settle in the same millisecond
    const v = workshop(exampleSite((y) => y.replace('debounceMs: 20 }', 'debounceMs: 50 }')));
    v.healthy();
    v.advance(31_000);
    v.contact('loto.sander1', true);
    v.contact('spark1.fault', true);
    v.advance(60);
    const firstOut = v.page.snapshot().permits[0]!.firstOut!;
    expect([firstOut.key, ...firstOut.simultaneous].sort()).toEqual(['permitWhen[2]', 'permitWhen[3]']);
    expect(v.page.snapshot().permits[0]!.firstOut!.t).toBe(v.eventsOf('interlock').at(-1)!.t);
  });
});

describe('lockout', () => {
  const withRunFeedback = () =>
    exampleSite((y) =>
      y
        .replace(
          '    - { id: loto.sander1, name: 1号砂光机上锁, kind: lockout, line: 13, debounceMs: 50 }',
          '    - { id: sander1.run, name: 1号砂光机运行, kind: run_feedback, line: 19, debounceMs: 50 }\n    - { id: loto.sander1, name: 1号砂光机上锁, kind: lockout, line: 13, debounceMs: 50, machine: sander1.run }',
        ),
    );

  it('keeps the permit off while applied, and a lockout applied while the sander runs raises the critical hidden-hazard alarm', () => {
    const w = workshop(withRunFeedback());
    w.healthy();
    w.advance(31_000);
    w.contact('sander1.run', true);
    w.advance(100);
    w.contact('loto.sander1', true);
    w.advance(100);
    expect(w.relay('sander1.permit')).toBe(false);
    expect(w.eventsOf('lockout', 'loto.sander1')).toEqual([expect.objectContaining({ state: 'applied' })]);
    const hazard = w.eventsOf('alarm', 'loto.sander1.energy');
    expect(hazard).toEqual([expect.objectContaining({ priority: 'critical', state: 'unack', hazard: true })]);
    expect(w.page.snapshot().lockouts).toEqual([expect.objectContaining({ id: 'loto.sander1', applied: true, energySeen: true })]);
    expect(w.relay('beacon')).toBe(true);
  });
});

describe('alarms', () => {
  it('raises the differential-pressure high alarm only after its 10 s delay, and clears it past the hysteresis', () => {
    const w = workshop();
    w.healthy();
    w.reading('dc1.dp', 1850);
    w.advance(9_900);
    expect(w.eventsOf('alarm', 'dc1.dp.high')).toEqual([]);
    w.advance(200);
    expect(w.eventsOf('alarm', 'dc1.dp.high')).toEqual([expect.objectContaining({ state: 'unack', value: 1850, limit: 1800, limitKind: 'high' })]);
    w.reading('dc1.dp', 1790); // inside the limit but not past the 20 Pa hysteresis
    expect(w.eventsOf('alarm', 'dc1.dp.high')).toHaveLength(1);
    w.reading('dc1.dp', 1770);
    expect(w.eventsOf('alarm', 'dc1.dp.high').at(-1)).toMatchObject({ state: 'rtn_unack' });
  });

  it('goes through the ISA-18.2 states with who and when, and the beacon follows the unacknowledged high alarms', async () => {
    const w = workshop();
    w.healthy();
    w.reading('dc1.dp', 2600);
    w.advance(10_100);
    expect(w.relay('beacon')).toBe(true);
    expect(await w.page.acknowledge('dc1.dp.highHigh', 'li.na')).toEqual({ ok: true });
    expect(await w.page.acknowledge('dc1.dp.high', 'li.na')).toEqual({ ok: true }); // medium: no beacon of its own
    expect(w.relay('beacon')).toBe(false);
    expect(await w.page.acknowledge('dc1.dp.highHigh', 'li.na')).toMatchObject({ ok: false, refusal: 'not-awaiting-ack' });
    expect(await w.page.acknowledge('no.such.alarm', 'li.na')).toMatchObject({ ok: false, refusal: 'unknown-alarm' });
    w.reading('dc1.dp', 650);
    const states = w.eventsOf('alarm', 'dc1.dp.highHigh').map((e) => [e.state, e.user]);
    expect(states).toEqual([
      ['unack', undefined],
      ['ack', 'li.na'],
      ['normal', undefined],
    ]);
  });

  it('brings a shelved alarm back at its expiry, unacknowledged if it is still present', async () => {
    const w = workshop();
    w.healthy();
    w.reading('ds1.conc', 25);
    w.advance(3_100);
    const until = w.clock.now() + 60_000;
    expect(await w.page.shelve('ds1.conc.highHigh', 'wang.qiang', '传感器清洁中', until)).toEqual({ ok: true });
    expect(w.page.snapshot().alarms.find((a) => a.id === 'ds1.conc.highHigh')).toMatchObject({ state: 'shelved', shelvedBy: 'wang.qiang' });
    expect(w.relay('beacon')).toBe(false);
    w.advance(60_001);
    expect(w.page.snapshot().alarms.find((a) => a.id === 'ds1.conc.highHigh')).toMatchObject({ state: 'unack' });
    expect(w.relay('beacon')).toBe(true);
    expect(w.eventsOf('alarm', 'ds1.conc.highHigh').map((e) => e.state)).toEqual(['unack', 'shelved', 'unack']);
  });

  it('puts the first alarm of a flood on top, marked first-out', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.contact('spark1.fault', true); // the cause: protection unavailable
    w.advance(30); //                      its consequence: the permit trips
    w.spark(); //                           and a spark, all within a second
    w.advance(500);
    const alarms = w.page.snapshot().alarms;
    expect(alarms.map((a) => a.id)).toEqual(expect.arrayContaining(['spark1.fault.alarm', 'sander1-permit.trip', 'spark1.alarm']));
    expect(alarms[0]).toMatchObject({ id: 'spark1.fault.alarm', firstOut: true });
    expect(alarms.filter((a) => a.firstOut)).toHaveLength(1);
    expect(w.page.snapshot().flood).toMatchObject({ leader: 'spark1.fault.alarm', count: 3 });
  });
});

describe('out of service', () => {
  it('takes an alarm out of service with a reason and who did it, silencing it until it is returned', () => {
    const w = workshop();
    w.healthy();
    expect(w.plant.alarms.setOutOfService('ds1.conc.high', 'wang.qiang', true, '传感器更换').ok).toBe(true);
    w.reading('ds1.conc', 15);
    w.advance(5_000);
    expect(w.eventsOf('alarm', 'ds1.conc.high').map((e) => [e.state, e.user])).toEqual([['oos', 'wang.qiang']]);
    expect(w.plant.alarms.setOutOfService('ds1.conc.high', 'wang.qiang', false, '更换完成').ok).toBe(true);
    w.reading('ds1.conc', 16);
    w.advance(3_100);
    expect(w.eventsOf('alarm', 'ds1.conc.high').at(-1)).toMatchObject({ state: 'unack' });
  });
});

describe('alarm rules', () => {
  it('raises "airlock valve stopped while the fan runs" after the valve has been stopped 5 s, and clears when it restarts', () => {
    const w = workshop();
    w.healthy();
    w.advance(31_000);
    w.contact('valve1.run', false);
    w.advance(4_900);
    expect(w.eventsOf('alarm', 'valve-stopped')).toEqual([]);
    w.advance(200);
    expect(w.eventsOf('alarm', 'valve-stopped')).toEqual([expect.objectContaining({ state: 'unack', priority: 'high' })]);
    expect(w.relay('sander1.permit')).toBe(true); // an alarm rule drives no permit
    w.contact('valve1.run', true);
    w.advance(100);
    expect(w.eventsOf('alarm', 'valve-stopped').at(-1)).toMatchObject({ state: 'rtn_unack' });
  });

  it('does not raise it while the fan is off', () => {
    const w = workshop();
    w.contact('valve1.run', false);
    w.advance(60_000);
    expect(w.eventsOf('alarm', 'valve-stopped')).toEqual([]);
  });
});
