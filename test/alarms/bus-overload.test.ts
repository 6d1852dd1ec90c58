/**
 * A bus configured beyond its baud rate, run as the agent runs it: real serialport and
 * modbus-serial on the in-process simulator with wire time at 9600 baud, the whole safety core
 * on fake time (vitest's timers, which the libraries also run on). The case flooded the
 * platform with one "sensor fault (stale)" per point and poll; here it is one alarm.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusOverloadAlarms } from '../../agent/alarms/bus-overload.js';
import { LimitAlarms } from '../../agent/alarms/limits.js';
import { FakeClock } from '../../agent/core/clock.js';
import { recordedAlarms } from '../helpers/alarms.js';
import { parseSiteText } from '../../agent/config/load.js';
import { SystemClock } from '../../agent/core/clock.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { buildSafetyCore } from '../../agent/safety-core.js';
import { ModbusDeviceSim } from '../../drivers/sim/modbus-device.js';
import { registerSimulator } from '../../drivers/sim/sim-binding.js';
import { SimGpio } from '../../drivers/sim/gpio-sim.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.all([c(), vi.advanceTimersByTimeAsync(2000)]);
  vi.useRealTimers();
});

/** `n` devices of ten registers at `pollMs` on one 9600-baud bus, each point's heartbeat 1 s */
function site(n: number, pollMs: number) {
  const devices = Array.from({ length: n }, (_, i) => {
    const points = Array.from({ length: 10 }, (_, r) => `{ id: d${i + 1}.r${r}, kind: temperature, heartbeatS: 1, register: { table: holding, address: ${r} } }`);
    return `  - { id: d${i + 1}, bus: rs485a, unitId: ${i + 1}, pollMs: ${pollMs}, points: [ ${points.join(', ')} ] }`;
  });
  const r = parseSiteText(`version: 1
site: { enterprise: "91130100MA0EXAMPLE", gateway: GW1 }
buses: [ { id: rs485a, port: "sim:overload", baudRate: 9600, timeoutMs: 200 } ]
devices:
${devices.join('\n')}
`);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

async function run(n: number, pollMs: number, ms: number) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  const sim = new ModbusDeviceSim(); // ~46 ms a read of ten registers at 9600 baud
  for (let u = 1; u <= n; u++) sim.unit(u).setRegisters('holding', 0, Array(10).fill(20));
  cleanups.push(registerSimulator('overload', sim), () => sim.close());
  const clock = new SystemClock();
  const { plant, acquisition } = buildSafetyCore({ config: site(n, pollMs), clock, gpio: new SimGpio(clock), log: createLogger('silent'), bootId: 't' });
  const events: PlantEvent[] = [];
  plant.onEvent((e) => events.push(e));
  let stale = 0;
  plant.onSample((s) => void (s.q === 'stale' && stale++));
  plant.start();
  cleanups.push(() => plant.stop(), () => acquisition.stop());
  await acquisition.start();
  await vi.advanceTimersByTimeAsync(ms);
  return { plant, events, stale: () => stale };
}

describe('a bus asked for more than 9600 baud carries', () => {
  it('is one alarm naming the bus and its measured load, with the stale points held under it', async () => {
    // 60 devices at 200 ms: ~46 ms × 60 every 200 ms, about fourteen times what the bus carries
    const { plant, events, stale } = await run(60, 200, 15_000);
    const alarms = events.filter((e) => e.type === 'alarm');
    const overload = alarms.filter((e) => e.source === 'bus.rs485a.overload');
    expect(overload).toHaveLength(1);
    expect(overload[0]!.message).toMatch(/bus rs485a overloaded: measured load \d+ %/);
    expect(overload[0]!.value).toBeGreaterThan(500);
    // the points did go stale (each device polled only every ~2.8 s, stale after 1 s + 3 polls) …
    expect(stale()).toBeGreaterThan(600);
    // … and not one of them raised a sensor fault of its own
    expect(alarms.filter((e) => e.source?.endsWith('.fault'))).toEqual([]);
    expect(plant.alarms.views().map((a) => a.id)).toEqual(['bus.rs485a.overload']);
  }, 30_000);

  it('raises nothing on a bus inside its capacity', async () => {
    const { events } = await run(10, 1000, 10_000);
    expect(events.filter((e) => e.type === 'alarm')).toEqual([]);
  }, 30_000);
});

describe('the overload alarm and the points under it', () => {
  it('clears after 10 s under 90 %, and then a point still stale is a sensor fault of its own', () => {
    const clock = new FakeClock();
    const { alarms, events } = recordedAlarms(clock);
    const config = site(2, 200);
    const overload = new BusOverloadAlarms(config.buses, config.devices, alarms, clock);
    const limits = new LimitAlarms(
      config.devices.flatMap((d) => d.points),
      alarms,
      clock,
      (p, q) => (q === 'stale' ? overload.causeOf(p) : undefined),
    );
    overload.onCleared(() => limits.releaseHeld());
    const faults = () => events.filter((e) => e.source?.endsWith('.fault') && e.state === 'unack').map((e) => e.source);

    overload.observe({ bus: 'rs485a', load: 1.4 });
    overload.observe({ bus: 'rs485a', load: 1.5 });
    expect(overload.causeOf('d1.r0')).toBeUndefined(); // two slow polls are not an overload
    overload.observe({ bus: 'rs485a', load: 1.5 });
    expect(overload.causeOf('d1.r0')).toBe('bus.rs485a.overload');

    limits.update({ p: 'd1.r0', t: clock.now(), v: 20, q: 'stale' });
    limits.update({ p: 'd2.r0', t: clock.now(), v: 20, q: 'stale' });
    limits.update({ p: 'd2.r0', t: clock.now(), v: 21, q: 'good' });
    limits.update({ p: 'd2.r1', t: clock.now(), v: 20, q: 'comm' }); // not the overload's doing
    expect(faults()).toEqual(['d2.r1.fault']);

    for (let s = 0; s < 10; s++) {
      overload.observe({ bus: 'rs485a', load: 0.5 });
      clock.advance(1000);
    }
    expect(overload.causeOf('d1.r0')).toBe('bus.rs485a.overload');
    overload.observe({ bus: 'rs485a', load: 0.5 });
    expect(overload.causeOf('d1.r0')).toBeUndefined();
    expect(events.filter((e) => e.source === 'bus.rs485a.overload').map((e) => e.state)).toEqual(['unack', 'rtn_unack']);
    expect(faults()).toEqual(['d2.r1.fault', 'd1.r0.fault']);
  });
});
