/**
 * modbus.busEfficiency.9600 and .19200: how much of the line's time the master turns into
 * polls. One poll cycle is 10 units × 10 holding registers, queued together as ten pollers
 * due at the same instant would queue them. The theoretical RTU bus time of a transaction is
 * request (8 bytes) + reply (25 bytes) at the line's character time, plus the 3.5-character
 * silence after each frame; the figure is 10 × that / the measured wall time of the cycle
 * (median over cycles), over a pty (modbus-line.ts) to the simulator emulating wire time in its own
 * process. 1.0 would be a master with no gap at all between reply and next request.
 *
 * The master and the simulator share one CPU while it runs. On this VM a wake-up that crosses
 * to the other (halted) vCPU costs ~0.5 ms, and the scheduler chose per run whether the two
 * processes shared a CPU: the figure at 19200 baud moved between 0.90 (apart) and 0.96
 * (together) from run to run with the code unchanged. On the gateway the far end is a UART
 * and a device, not a process; half-duplex, the two never run at the same time anyway.
 */
import { SystemClock } from '../agent/core/clock.js';
import { createLogger } from '../agent/core/log.js';
import type { BusConfig } from '../agent/config/schema.js';
import { frameGapMs, wireMs, type LineSettings } from '../drivers/modbus/line.js';
import { ModbusMaster } from '../drivers/modbus/master.js';
import { defaultPortFactory } from '../drivers/modbus/port-factory.js';
import { pinProcess, startBenchLine } from './modbus-line.js';
import type { Bench } from './run.js';
import { median, round } from './stats.js';

const UNITS = Array.from({ length: 10 }, (_, i) => i + 1);
const REGISTERS = 10;

/** Theoretical bus time of one read of `count` holding registers (8-byte request, 5 + 2n-byte reply). */
export function readBusMs(line: LineSettings, count: number): number {
  return wireMs(line, 8 + 5 + 2 * count) + 2 * frameGapMs(line);
}

export function benchBus(port: string, baudRate: number, over: Partial<BusConfig> = {}): BusConfig {
  return { id: 'bench', port, baudRate, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 200, retries: 1, ...over };
}

async function efficiency(baudRate: number, cycles: number): Promise<number> {
  const cpus = pinProcess(process.pid, 0);
  const line = await startBenchLine({ baudRate, wireTime: true, units: UNITS, registers: REGISTERS }, { cpu: 0 });
  const bus = benchBus(line.path, baudRate);
  const master = new ModbusMaster({ bus, openPort: defaultPortFactory, clock: new SystemClock(), log: createLogger('silent') });
  try {
    if (!(await master.start())) throw new Error(`cannot open ${line.path}`);
    const theoretical = UNITS.length * readBusMs(bus, REGISTERS);
    const ratios: number[] = [];
    for (let c = 0; c < cycles + 1; c++) {
      const t0 = performance.now();
      await Promise.all(UNITS.map((u) => master.readRegisters(u, 'holding', 0, REGISTERS)));
      const took = performance.now() - t0;
      if (c > 0) ratios.push(theoretical / took); // the first cycle warms the JIT and the pty
    }
    return median(ratios);
  } finally {
    await master.stop();
    await line.stop();
    pinProcess(process.pid, cpus);
  }
}

export const modbusBusBench: Bench = {
  name: 'modbus.busEfficiency',
  async run({ quick }) {
    const cycles = quick ? 8 : 30;
    return {
      'modbus.busEfficiency.9600': round(await efficiency(9600, cycles)),
      'modbus.busEfficiency.19200': round(await efficiency(19200, cycles)),
    };
  },
};
