import ModbusRTUModule from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import { ModbusError } from '../../drivers/modbus/errors.js';
import { ModbusMaster } from '../../drivers/modbus/master.js';
import { defaultPortFactory } from '../../drivers/modbus/port-factory.js';
import { ModbusDeviceSim } from '../../drivers/sim/modbus-device.js';
import { registerSimulator, SimBinding } from '../../drivers/sim/sim-binding.js';
import { waitFor } from '../helpers/wait.js';
import { busConfig, quietLog } from './helpers.js';

const ModbusRTU = ModbusRTUModule.default;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function simOn(name: string, wireTime = false): ModbusDeviceSim {
  const sim = new ModbusDeviceSim({ wireTime });
  cleanups.push(registerSimulator(name, sim), () => sim.close());
  return sim;
}

async function masterOn(path: string, over = {}) {
  const states: string[] = [];
  const m = new ModbusMaster({
    bus: busConfig(path, over),
    openPort: defaultPortFactory,
    clock: new SystemClock(),
    log: quietLog,
    onPortState: (c) => states.push(c.state),
    reopen: { firstMs: 50, maxMs: 200 },
  });
  cleanups.push(() => m.stop());
  await m.start();
  return { m, states };
}

describe('the in-process simulator binding', () => {
  it('lets the stock modbus-serial connectRTUBuffered read the collector differential pressure', async () => {
    simOn('stock').unit(1).setHolding(0, 650);
    const client = new ModbusRTU();
    // RTUBufferedPort builds `new SerialPort({ path, ...options })`, and serialport lets a
    // `binding` in the options replace its native one (serialport/dist/serialport.js).
    const options = { baudRate: 9600, binding: SimBinding };
    await client.connectRTUBuffered('sim:stock', options);
    cleanups.push(() => new Promise<void>((r) => client.close(() => r())));
    client.setID(1);
    client.setTimeout(500);
    const res = await client.readHoldingRegisters(0, 1);
    expect(res.data).toEqual([650]);
  });

  it('reads every table of a unit through the master', async () => {
    const u = simOn('tables').unit(3);
    u.setHolding(10, 1200).setInput(2, 0xff38).setCoil(7, true).setDiscrete(1, true);
    const { m } = await masterOn('sim:tables');
    expect(await m.readRegisters(3, 'holding', 10, 2)).toEqual([1200, 0]);
    expect(await m.readRegisters(3, 'input', 2, 1)).toEqual([0xff38]);
    expect(await m.readBits(3, 'coil', 6, 3)).toEqual([false, true, false]);
    expect(await m.readBits(3, 'discrete', 0, 2)).toEqual([false, true]);
  });

  it('writes a setpoint and a coil that the unit then holds', async () => {
    const u = simOn('writes').unit(2);
    const { m } = await masterOn('sim:writes');
    await m.writeRegister(2, 5, 300);
    await m.writeRegisters(2, 6, [1, 2]);
    await m.writeCoil(2, 4, true);
    await m.writeCoils(2, 8, [true, false, true]);
    expect([u.holding(5), u.holding(6), u.holding(7)]).toEqual([300, 1, 2]);
    expect([u.coil(4), u.coil(8), u.coil(9), u.coil(10)]).toEqual([true, true, false, true]);
  });

  it('reports an illegal address as an exception with code 2', async () => {
    simOn('exc').unit(1, { holding: 10 });
    const { m } = await masterOn('sim:exc');
    const err = await m.readRegisters(1, 'holding', 8, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModbusError);
    expect((err as ModbusError).kind).toBe('exception');
    expect((err as ModbusError).code).toBe(2);
  });

  it('fails the read at once and reopens by itself when the simulator is unplugged and plugged back', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false });
    sim.unit(1).setHolding(0, 42);
    const unplug = registerSimulator('plug', sim);
    const { m, states } = await masterOn('sim:plug');
    expect(await m.readRegisters(1, 'holding', 0, 1)).toEqual([42]);
    sim.unit(1).fault({ kind: 'silence' });
    const pending = m.readRegisters(1, 'holding', 0, 1).catch((e: unknown) => e);
    const t0 = Date.now();
    unplug();
    const err = await pending;
    expect((err as ModbusError).kind).toBe('portClosed');
    expect(Date.now() - t0).toBeLessThan(190); // not the 200 ms timeout (the kind says so too; this leaves a loaded CI room)
    expect(states).toContain('lost');
    sim.unit(1).clearFault();
    cleanups.push(registerSimulator('plug', sim));
    await waitFor('the port open again', () => m.state === 'open', 3000);
    expect(await m.readRegisters(1, 'holding', 0, 1)).toEqual([42]);
  });
});
