/**
 * Acquisition end to end over a real pty pair (socat) with the real serialport and
 * modbus-serial, against the simulator with wire time emulated at 9600 baud 8N1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import { ModbusAcquisition } from '../../agent/acquisition/modbus-acquisition.js';
import { ModbusDeviceSim } from '../../drivers/sim/modbus-device.js';
import { serveSimulator, startPtyPair } from '../../drivers/sim/modbus-pty.js';
import { registerSimulator } from '../../drivers/sim/sim-binding.js';
import { waitFor } from '../helpers/wait.js';
import { bus, device, point, quietLog, Recorder, sandingWorkshop } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function simOnPty(): Promise<{ sim: ModbusDeviceSim; path: string }> {
  const pair = await startPtyPair();
  const sim = new ModbusDeviceSim(); // wire time at 9600 8N1
  const served = await serveSimulator(sim, pair.b);
  cleanups.push(() => pair.stop(), () => served.close(), () => sim.close());
  return { sim, path: pair.a };
}

function acquisition(path: string, devices = sandingWorkshop(), rec = new Recorder(), busOver = {}) {
  const acq = new ModbusAcquisition({
    buses: [bus(path, busOver)],
    devices,
    clock: new SystemClock(),
    log: quietLog,
    onSample: rec.onSample,
    onSystemEvent: rec.onSystemEvent,
    reopen: { firstMs: 50, maxMs: 200 },
  });
  cleanups.push(() => acq.stop());
  return { acq, rec };
}

describe('Modbus acquisition of the sanding workshop', () => {
  it('reports differential pressure, hopper temperature and dust concentration in engineering units', async () => {
    const { sim, path } = await simOnPty();
    sim.unit(1).setHolding(0, 650).setInput(1, 653);
    sim.unit(2).setFloat32('holding', 0, 12.5, 'big');
    const { acq, rec } = acquisition(path);
    await acq.start();
    await waitFor('a first reading of every point', () => ['dc1.dp', 'dc1.hopperTemp', 'ds1.conc'].every((p) => rec.latest(p)));
    expect(rec.latest('dc1.dp')).toMatchObject({ v: 650, q: 'good' });
    expect(rec.latest('dc1.hopperTemp')).toMatchObject({ v: 65.3, q: 'good' });
    expect(rec.latest('ds1.conc')).toMatchObject({ v: 12.5, q: 'good' });

    // Within the deadband nothing is sent; beyond it the new value is.
    const sent = rec.of('dc1.dp').length;
    sim.unit(1).setHolding(0, 653);
    // two more polls of the collector: the first may have been on the wire before the change
    const polled = sim.unit(1).requests;
    await waitFor('two more polls of the collector', () => sim.unit(1).requests >= polled + 2);
    expect(rec.of('dc1.dp').length).toBe(sent);
    sim.unit(1).setHolding(0, 700);
    await waitFor('the collector differential pressure at 700 Pa', () => rec.latest('dc1.dp')?.v === 700);

    const health = acq.stats();
    expect(health.map((h) => [h.id, h.unitId, h.ok])).toEqual([
      ['dc1', 1, true],
      ['ds1', 2, true],
    ]);
    expect(health[0]!.transactions).toBeGreaterThan(2);
    expect(health[0]!.lastAnswer).not.toBeNull();
  });

  it('marks the dust monitor comm after 3 silent polls while the collector stays good, and good again when it answers', async () => {
    const { sim, path } = await simOnPty();
    sim.unit(1).setHolding(0, 650).setInput(1, 653);
    sim.unit(2).setFloat32('holding', 0, 12.5, 'big');
    const { acq, rec } = acquisition(path);
    await acq.start();
    await waitFor('a good dust reading', () => rec.latest('ds1.conc')?.q === 'good');

    sim.unit(2).fault({ kind: 'silence' });
    const silentFrom = sim.unit(2).requests;
    await waitFor('the dust reading to go comm', () => rec.latest('ds1.conc')?.q === 'comm', 4000);
    // comm came after the third unanswered poll, not before (no retry: at 200 ms with two
    // devices the bus has no free gap for a 100 ms timeout and the settle after it)
    expect(sim.unit(2).requests - silentFrom).toBeGreaterThanOrEqual(3);
    expect(rec.latest('ds1.conc')).toMatchObject({ v: 12.5, q: 'comm' });
    expect(rec.events).toContainEqual(expect.objectContaining({ source: 'ds1', state: 'comm' }));
    expect(acq.stats().find((h) => h.id === 'ds1')).toMatchObject({ ok: false });
    expect(acq.stats().find((h) => h.id === 'ds1')!.timeouts).toBeGreaterThanOrEqual(3);

    // The collector was never touched by it.
    expect(rec.samples.filter((s) => s.p.startsWith('dc1.') && s.q !== 'good')).toEqual([]);
    expect(acq.stats().find((h) => h.id === 'dc1')).toMatchObject({ ok: true });

    sim.unit(2).clearFault().setFloat32('holding', 0, 14, 'big');
    await waitFor('the dust reading to be good again', () => rec.latest('ds1.conc')?.q === 'good', 4000);
    expect(rec.latest('ds1.conc')?.v).toBe(14);
    expect(rec.events).toContainEqual(expect.objectContaining({ source: 'ds1', state: 'ok' }));
  });

  it('marks a register the device refuses as bad at once', async () => {
    const { sim, path } = await simOnPty();
    sim.unit(1).setHolding(0, 650).setInput(1, 653);
    sim.unit(2).fault({ kind: 'exception', code: 2 });
    const { acq, rec } = acquisition(path);
    await acq.start();
    await waitFor('a dust reading', () => rec.latest('ds1.conc') !== undefined);
    expect(rec.of('ds1.conc')[0]).toMatchObject({ v: null, q: 'bad' });
    expect(acq.stats().find((h) => h.id === 'ds1')!.exceptions).toBeGreaterThan(0);
  });

  it('keeps six healthy devices at their 500 ms period while a seventh is dead (wire time at 9600 baud)', async () => {
    const { sim, path } = await simOnPty();
    // 7 devices x 10 holding registers; each healthy read is ~42 ms of wire time.
    const devices = Array.from({ length: 7 }, (_, i) =>
      device(
        `dev${i + 1}`,
        i + 1,
        Array.from({ length: 10 }, (_, r) => point(`dev${i + 1}.r${r}`, { address: r })),
        500,
      ),
    );
    for (let u = 1; u <= 7; u++) sim.unit(u).setRegisters('holding', 0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    sim.unit(7).fault({ kind: 'silence' });
    const rec = new Recorder();
    const { acq } = acquisition(path, devices, rec, { timeoutMs: 100, retries: 1 });
    await acq.start();
    // Measure once the dead device has been found dead (comm after its third missed poll).
    await waitFor('dev7 found dead', () => rec.events.some((e) => e.source === 'dev7' && e.state === 'comm'));
    const from = [1, 2, 3, 4, 5, 6].map((u) => sim.unit(u).requests);
    const startedAt = performance.now();
    // the periods are wall time on a line at wire speed: 8 polls are due in 4 s, and every
    // healthy device must have made at least 7 of them by then (waited for, then timed)
    const windowMs = 4000;
    const due = windowMs / 500;
    const polls = () => [1, 2, 3, 4, 5, 6].map((u, i) => sim.unit(u).requests - from[i]!);
    // timed at the simulator, as the reply that completes them goes out
    let doneAt: number | undefined;
    cleanups.push(sim.onTransmit(() => void (doneAt ??= polls().every((n) => n >= due - 1) ? performance.now() : undefined)));
    await waitFor(`${due - 1} polls of every healthy device`, () => doneAt !== undefined, { timeoutMs: 10_000, state: () => JSON.stringify(polls()) });
    expect(doneAt! - startedAt).toBeLessThanOrEqual(windowMs);
    // the dead one is only probed, less and less often
    expect(sim.unit(7).requests).toBeLessThan(10);
    expect(acq.stats().find((h) => h.id === 'dev7')).toMatchObject({ ok: false });
  }, 15_000);
});

describe('Modbus acquisition through the in-process simulator binding', () => {
  it('reads sim:demo, reports the bus lost and every point comm when it is unplugged, and recovers by itself', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false });
    sim.unit(1).setHolding(0, 650).setInput(1, 653);
    sim.unit(2).setFloat32('holding', 0, 12.5, 'big');
    const unplug = registerSimulator('demo-acq', sim);
    const { acq, rec } = acquisition('sim:demo-acq', sandingWorkshop(100));
    await acq.start();
    await waitFor('the dust concentration at 12.5', () => rec.latest('ds1.conc')?.v === 12.5);

    unplug();
    await waitFor('the bus lost', () => rec.events.some((e) => e.source === 'rs485a' && e.state === 'lost'));
    await waitFor('every point comm', () => ['dc1.dp', 'dc1.hopperTemp', 'ds1.conc'].every((p) => rec.latest(p)?.q === 'comm'), 3000);
    expect(rec.latest('dc1.dp')).toMatchObject({ v: 650, q: 'comm' });

    cleanups.push(registerSimulator('demo-acq', sim));
    await waitFor('the bus open again', () => rec.events.some((e) => e.source === 'rs485a' && e.state === 'open'), 3000);
    await waitFor('every point good again', () => ['dc1.dp', 'dc1.hopperTemp', 'ds1.conc'].every((p) => rec.latest(p)?.q === 'good'), 3000);
    // only one 'openFailed' at most per outage, not one per reopen attempt
    expect(rec.events.filter((e) => e.state === 'openFailed').length).toBeLessThanOrEqual(1);
  });
});
