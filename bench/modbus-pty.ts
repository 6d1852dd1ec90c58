/**
 * modbus.ptyTransactionsPerSec: reads of 10 holding registers back to back over a pty
 * pair (no wire-time emulation; the simulator answers from its own process), with the whole
 * agent pipeline on: four devices polled as fast as the master can go (pollMs 1, below the
 * site file's 100 ms floor on purpose), every reply changing all ten values, so every read
 * yields ten samples through scaling, the plant, the SQLite buffer and the MQTT uplink (to
 * mosquitto in its own process).
 * modbus.cpuMicrosPerTransaction: this process's CPU time (process.cpuUsage, user + system)
 * over the measured window / transactions the simulator answered in it. The same run with
 * serialport's stock thread-pool binding (FIREBREAK_SERIAL_BINDING=threadpool) is reported
 * beside it, with the ratio, for comparison only.
 * modbus.cpuMicrosPerTransaction.bareModbusSerial: the floor on this machine, measured in the
 * same run: modbus-serial alone (connectRTUBuffered on serialport's stock binding) reading the
 * same four devices back to back, with nothing done with the values. The figures for it
 * (~100 µs) and for the whole pipeline (≤ 200 µs) are a ratio of 2; `.pipelineToBareRatio`
 * is that ratio here. On a virtual machine each wake-up of an idle process costs ~150 µs of
 * CPU, which both sides pay once per transaction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import modbusSerial from 'modbus-serial';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../agent/app.js';
import { SiteConfigSchema } from '../agent/config/schema.js';
import { createLogger } from '../agent/core/log.js';
import { startBenchBroker } from './bench-broker.js';
import { benchDevices } from './modbus-one-dead.js';
import { startBenchLine, type BenchLine } from './modbus-line.js';
import type { SerialBindingKind } from '../drivers/modbus/port-factory.js';
import type { Bench } from './run.js';
import { median, round } from './stats.js';

const DEVICES = 4;

/** Transactions the simulator answered while `during` ran, and this process's CPU time per transaction. */
async function measured(line: BenchLine, during: () => Promise<unknown>): Promise<{ tps: number; cpuMicros: number }> {
  const f0 = (await line.stats()).frames;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await during();
  const cpu = process.cpuUsage(c0);
  const took = performance.now() - t0;
  const frames = (await line.stats()).frames - f0;
  return { tps: (frames * 1000) / took, cpuMicros: (cpu.user + cpu.system) / frames };
}

async function once(windowMs: number, brokerUrl: string, binding: SerialBindingKind): Promise<{ tps: number; cpuMicros: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-pty-'));
  const line = await startBenchLine({ baudRate: 9600, wireTime: false, units: Array.from({ length: DEVICES }, (_, i) => i + 1), registers: 10, vary: true });
  const config = SiteConfigSchema.parse({
    version: 1,
    site: { enterprise: '91130100MA0BENCH01', gateway: 'GW-BENCH-PTY' },
    buses: [{ id: 'bench', port: line.path, baudRate: 9600, timeoutMs: 200, retries: 1 }],
    devices: benchDevices(DEVICES, 10, 100),
    uplink: { mqtt: { url: brokerUrl } },
    buffer: { path: join(dir, 'buffer.db'), maxBytes: '256MiB', keepSentHours: 1 },
  });
  for (const d of config.devices) d.pollMs = 1;
  const before = process.env.FIREBREAK_SERIAL_BINDING;
  process.env.FIREBREAK_SERIAL_BINDING = binding; // read by the default port factory when the master opens
  const agent = await startAgent({ config, log: createLogger('error') }).finally(() => {
    if (before === undefined) delete process.env.FIREBREAK_SERIAL_BINDING;
    else process.env.FIREBREAK_SERIAL_BINDING = before;
  });
  try {
    await new Promise((r) => setTimeout(r, 1000)); // JIT, SQLite and MQTT warmed up
    return await measured(line, () => new Promise((r) => setTimeout(r, windowMs)));
  } finally {
    await agent.stop('bench done');
    await line.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** modbus-serial on its own: the same reads, the values thrown away. */
async function bare(windowMs: number): Promise<{ tps: number; cpuMicros: number }> {
  const line = await startBenchLine({ baudRate: 9600, wireTime: false, units: Array.from({ length: DEVICES }, (_, i) => i + 1), registers: 10, vary: true });
  const client = new modbusSerial.default();
  try {
    await client.connectRTUBuffered(line.path, { baudRate: 9600 });
    client.setTimeout(200);
    let n = 0;
    const readFor = async (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        client.setID(1 + (n++ % DEVICES));
        await client.readHoldingRegisters(0, 10);
      }
    };
    await readFor(1000); // JIT warmed up, as for the agent
    return await measured(line, () => readFor(windowMs));
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
    await line.stop();
  }
}

export const modbusPtyBench: Bench = {
  name: 'modbus.pty',
  async run({ quick }) {
    const broker = await startBenchBroker();
    try {
      // The production binding (event loop) and serialport's stock one (thread pool), run
      // alternately so that both see the same machine load; the ratio is of medians.
      const runs = [];
      const stock = [];
      const floor = [];
      const windowMs = quick ? 4000 : 10_000;
      for (let i = 0; i < (quick ? 2 : 5); i++) {
        runs.push(await once(windowMs, broker.url, 'loop'));
        stock.push(await once(windowMs, broker.url, 'threadpool'));
        floor.push(await bare(windowMs));
      }
      const cpuMicros = median(runs.map((r) => r.cpuMicros));
      const bareMicros = median(floor.map((r) => r.cpuMicros));
      return {
        'modbus.ptyTransactionsPerSec': round(median(runs.map((r) => r.tps))),
        'modbus.cpuMicrosPerTransaction': round(cpuMicros),
        'modbus.cpuMicrosPerTransaction.threadpoolBinding': round(median(stock.map((r) => r.cpuMicros))),
        'modbus.cpuMicrosPerTransaction.loopToThreadpoolRatio': round(cpuMicros / median(stock.map((r) => r.cpuMicros))),
        'modbus.cpuMicrosPerTransaction.bareModbusSerial': round(bareMicros),
        'modbus.cpuMicrosPerTransaction.pipelineToBareRatio': round(cpuMicros / bareMicros),
      };
    } finally {
      await broker.stop();
    }
  },
};
