/**
 * The master over a real pty pair (socat), with the real serialport and modbus-serial, against
 * the simulator misbehaving the way field devices do, through both serial bindings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import { ModbusError } from '../../drivers/modbus/errors.js';
import { ModbusMaster, type PortStateChange } from '../../drivers/modbus/master.js';
import { portFactoryWith, type SerialBindingKind } from '../../drivers/modbus/port-factory.js';
import { ModbusDeviceSim } from '../../drivers/sim/modbus-device.js';
import { serveSimulator, startPtyPair, type PtyPair, type ServedPort } from '../../drivers/sim/modbus-pty.js';
import { waitFor } from '../helpers/wait.js';
import { busConfig, quietLog } from './helpers.js';

const failure = (p: Promise<unknown>) =>
  p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e as ModbusError,
  );

// The event-loop binding the agent uses, and serialport's stock thread-pool one it replaced
// (still selectable with FIREBREAK_SERIAL_BINDING=threadpool): both must behave the same.
const bindings: SerialBindingKind[] = ['loop', 'threadpool'];

describe.each(bindings)('a Modbus master on a pty pair (%s binding)', (binding) => {
  const defaultPortFactory = portFactoryWith(binding);
  let pair: PtyPair;
  let served: ServedPort;
  let sim: ModbusDeviceSim;
  let master: ModbusMaster;

  beforeAll(async () => {
    pair = await startPtyPair();
    sim = new ModbusDeviceSim(); // wire time on, 9600 8N1
    served = await serveSimulator(sim, pair.b);
    master = new ModbusMaster({ bus: busConfig(pair.a, { timeoutMs: 200, retries: 0 }), openPort: defaultPortFactory, clock: new SystemClock(), log: quietLog });
    expect(await master.start()).toBe(true);
  });
  afterAll(async () => {
    await master.stop();
    await served.close();
    sim.close();
    await pair.stop();
  });
  afterEach(() => {
    for (const id of [1, 2]) sim.unit(id).clearFault();
  });

  it('reads the collector differential pressure and a big-endian float dust concentration', async () => {
    sim.unit(1).setHolding(0, 650);
    sim.unit(2).setFloat32('holding', 0, 12.5, 'big');
    expect(await master.readRegisters(1, 'holding', 0, 1)).toEqual([650]);
    expect(await master.readRegisters(2, 'holding', 0, 2)).toEqual([0x4148, 0x0000]);
  });

  it('reports a silent unit as a timeout after the bus timeout, not sooner and not much later', async () => {
    sim.unit(1).fault({ kind: 'silence' });
    const before = master.statsFor(1).timeouts;
    const t0 = Date.now();
    const err = await failure(master.readRegisters(1, 'holding', 0, 1));
    const took = Date.now() - t0;
    expect(err.kind).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(600);
    expect(master.statsFor(1).timeouts).toBe(before + 1);
  });

  it('rejects a reply with a bad CRC and counts it', async () => {
    sim.unit(1).fault({ kind: 'badCrc' });
    const before = master.statsFor(1).crcErrors;
    expect((await failure(master.readRegisters(1, 'holding', 0, 1))).kind).toBe('crc');
    expect(master.statsFor(1).crcErrors).toBe(before + 1);
  });

  it('passes a device failure exception (code 4) on with its code', async () => {
    sim.unit(1).fault({ kind: 'exception', code: 4 });
    const err = await failure(master.readRegisters(1, 'holding', 0, 1));
    expect(err.kind).toBe('exception');
    expect(err.code).toBe(4);
  });

  it('refuses a reply that comes back under another unit id', async () => {
    sim.unit(1).setHolding(0, 650).fault({ kind: 'wrongUnit', unitId: 7 });
    expect((await failure(master.readRegisters(1, 'holding', 0, 1))).kind).toBe('wrongUnit');
    expect(master.statsFor(1).wrongUnit).toBeGreaterThan(0);
  });

  it('refuses a reply whose byte count disagrees with the registers asked, counts it, and reads the next one', async () => {
    // The field report (issue #14): a valid-CRC reply of the right unit and function whose
    // count says 2n+2 was taken as n+1 good words, the last one made of the CRC.
    sim.unit(1).setRegisters('holding', 0, [650, 651]);
    for (const fault of [{ frame: 'asked' as const }, { frame: 'counted' as const }, { frame: 'counted' as const, by: -2 }]) {
      sim.unit(1).fault({ kind: 'wrongByteCount', ...fault }, 1);
      const before = master.statsFor(1);
      expect((await failure(master.readRegisters(1, 'holding', 0, 2))).kind).toBe('mismatch');
      expect(master.statsFor(1)).toMatchObject({ mismatches: before.mismatches + 1, timeouts: before.timeouts, answers: before.answers });
      expect(await master.readRegisters(1, 'holding', 0, 2)).toEqual([650, 651]);
    }
  });

  it('refuses a coil reply whose byte count is not one byte per eight coils', async () => {
    sim.unit(1).setCoil(0, true).fault({ kind: 'wrongByteCount', by: 1 }, 1);
    expect((await failure(master.readBits(1, 'coil', 0, 3))).kind).toBe('mismatch');
    expect(await master.readBits(1, 'coil', 0, 3)).toEqual([true, false, false]);
  });

  it('refuses a reply under another function code at once, not after the timeout', async () => {
    sim.unit(1).setHolding(0, 650).setInput(0, 9999).fault({ kind: 'wrongFunction' }, 1);
    const before = master.statsFor(1);
    const t0 = Date.now();
    expect((await failure(master.readRegisters(1, 'holding', 0, 1))).kind).toBe('mismatch');
    expect(Date.now() - t0).toBeLessThan(190);
    expect(master.statsFor(1)).toMatchObject({ mismatches: before.mismatches + 1, timeouts: before.timeouts });
    expect(await master.readRegisters(1, 'holding', 0, 1)).toEqual([650]);
  });

  it('keeps an exception under another function code from passing as an exception', async () => {
    // holding 999+5 runs past the unit's 1000 registers: it answers exception 2 under 0x83
    expect(await failure(master.readRegisters(1, 'holding', 999, 5))).toMatchObject({ kind: 'exception', code: 2 });
    sim.unit(1).fault({ kind: 'wrongFunction' }, 1); // 0x84: an exception, but to another request
    expect((await failure(master.readRegisters(1, 'holding', 999, 5))).kind).toBe('mismatch');
  });

  it('fails a write whose reply echoes another value or address', async () => {
    for (const field of ['value', 'address'] as const) {
      sim.unit(1).fault({ kind: 'wrongEcho', field }, 1);
      expect((await failure(master.writeRegister(1, 5, 1800))).kind).toBe('mismatch');
      sim.unit(1).fault({ kind: 'wrongEcho', field }, 1);
      expect((await failure(master.writeCoil(1, 2, true))).kind).toBe('mismatch');
    }
    await master.writeRegisters(1, 5, [1800, 1801]);
    expect([sim.unit(1).holding(5), sim.unit(1).holding(6)]).toEqual([1800, 1801]);
  });

  it('skips line noise in front of a good reply', async () => {
    sim.unit(1).setHolding(0, 650).fault({ kind: 'noise', bytes: [0x00, 0x01, 0x03, 0xff] });
    expect(await master.readRegisters(1, 'holding', 0, 1)).toEqual([650]);
  });

  it('does not let a truncated reply spoil the next good one', async () => {
    sim.unit(1).setHolding(0, 650).fault({ kind: 'truncate', keep: 4 }, 1);
    expect((await failure(master.readRegisters(1, 'holding', 0, 1))).kind).toBe('timeout');
    expect(await master.readRegisters(1, 'holding', 0, 1)).toEqual([650]);
  });

  it('never delivers a late reply as the value of another point on the same unit', async () => {
    // Worst case: same unit, same function code, same length; only the values tell them apart.
    sim.unit(1).setRegisters('holding', 0, [111, 111]).setRegisters('holding', 10, [222, 222]);
    // The first reply comes 250 ms late (after the 200 ms timeout); the next one is slow but in
    // time, so a master that asked again at once would be listening when the late one lands.
    sim.unit(1).fault({ kind: 'late', ms: 250 }, 1);
    expect((await failure(master.readRegisters(1, 'holding', 0, 2))).kind).toBe('timeout');
    sim.unit(1).fault({ kind: 'late', ms: 100 }, 1);
    expect(await master.readRegisters(1, 'holding', 10, 2)).toEqual([222, 222]);
    expect(await master.readRegisters(1, 'holding', 0, 2)).toEqual([111, 111]);
  });

  it('never delivers a late reply from one unit as the answer of the next unit', async () => {
    sim.unit(1).setRegisters('holding', 0, [111]);
    sim.unit(2).setRegisters('holding', 0, [222]);
    sim.unit(1).fault({ kind: 'late', ms: 250 }, 1);
    sim.unit(2).fault({ kind: 'late', ms: 100 }, 1);
    expect((await failure(master.readRegisters(1, 'holding', 0, 1))).kind).toBe('timeout');
    expect(await master.readRegisters(2, 'holding', 0, 1)).toEqual([222]);
  });

  it('retries a timed-out read as many times as the bus says', async () => {
    const retrying = new ModbusMaster({ bus: busConfig(pair.a, { retries: 2, timeoutMs: 100 }), openPort: defaultPortFactory, clock: new SystemClock(), log: quietLog });
    // The shared master holds the pty; this one is only asked to count, so it runs after a stop.
    await master.stop();
    try {
      expect(await retrying.start()).toBe(true);
      sim.unit(1).setHolding(0, 650).fault({ kind: 'silence' }, 2);
      expect(await retrying.readRegisters(1, 'holding', 0, 1)).toEqual([650]);
      expect(retrying.statsFor(1)).toMatchObject({ transactions: 3, timeouts: 2, answers: 1 });
    } finally {
      await retrying.stop();
    }
  });
});

describe.each(bindings)('a pty that vanishes (%s binding)', (binding) => {
  const defaultPortFactory = portFactoryWith(binding);
  it('fails the read in flight at once, then reopens the bus by itself when the port comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firebreak-pty-'));
    const links = { linkA: join(dir, 'bus'), linkB: join(dir, 'field') };
    const sim = new ModbusDeviceSim();
    sim.unit(1).setHolding(0, 650);
    let pair = await startPtyPair(links);
    let served = await serveSimulator(sim, pair.b);
    const changes: PortStateChange[] = [];
    const master = new ModbusMaster({
      bus: busConfig(links.linkA, { timeoutMs: 1000 }),
      openPort: defaultPortFactory,
      clock: new SystemClock(),
      log: quietLog,
      onPortState: (c) => changes.push(c),
      reopen: { firstMs: 100, maxMs: 400 },
    });
    try {
      expect(await master.start()).toBe(true);
      expect(await master.readRegisters(1, 'holding', 0, 1)).toEqual([650]);

      sim.unit(1).fault({ kind: 'silence' });
      const asked = sim.unit(1).requests;
      const inFlight = failure(master.readRegisters(1, 'holding', 0, 1));
      await waitFor('the request on the wire', () => sim.unit(1).requests > asked);
      const t0 = Date.now();
      await pair.stop();
      const err = await inFlight;
      expect(err.kind).toBe('portClosed');
      expect(Date.now() - t0).toBeLessThan(900); // not the 1000 ms timeout
      expect(changes.map((c) => c.state)).toContain('lost');
      expect((await failure(master.readRegisters(1, 'holding', 0, 1))).kind).toBe('portClosed');

      // A reopen attempt fails while the path is gone.
      await waitFor('a reopen attempt to fail', () => changes.some((c) => c.state === 'openFailed'), 3000);

      sim.unit(1).clearFault();
      await served.close();
      pair = await startPtyPair(links);
      served = await serveSimulator(sim, pair.b);
      await waitFor('the port open again', () => master.state === 'open', 3000);
      expect(await master.readRegisters(1, 'holding', 0, 1)).toEqual([650]);
    } finally {
      await master.stop();
      await served.close();
      sim.close();
      await pair.stop();
    }
  });
});
