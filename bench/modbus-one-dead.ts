/**
 * modbus.healthyPollRatioOneDead: 10 devices × 10 holding registers polled every 1 s on one
 * bus at 9600 baud 8N1 (wire time emulated, simulator in its own process behind a pty
 * pair), with unit 5 silent from power-up. A poll of a healthy device counts when its reply
 * came within one period of the poll being due; the figure is those polls / the polls due in
 * the window (the first, warm-up cycle included: the dead device is dead from the start).
 */
import { SystemClock, type Clock } from '../agent/core/clock.js';
import { createLogger } from '../agent/core/log.js';
import type { DeviceConfig, PointConfig } from '../agent/config/schema.js';
import { DevicePoller, type BusReader } from '../agent/acquisition/device-poller.js';
import { BusCycle } from '../agent/acquisition/bus-cycle.js';
import { ModbusMaster } from '../drivers/modbus/master.js';
import { defaultPortFactory } from '../drivers/modbus/port-factory.js';
import { benchBus } from './modbus-bus.js';
import { startBenchLine } from './modbus-line.js';
import type { Bench } from './run.js';
import { round } from './stats.js';

export const DEAD_UNIT = 5;
const POLL_MS = 1000;

/** `n` devices of `registers` uint16 holding registers each, on bus `bench`, unit ids 1..n. */
export function benchDevices(n: number, registers: number, pollMs: number): DeviceConfig[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `dev${i + 1}`,
    bus: 'bench',
    unitId: i + 1,
    pollMs,
    points: Array.from(
      { length: registers },
      (_, r): PointConfig => ({
        id: `dev${i + 1}.r${r}`,
        kind: 'analog',
        register: { table: 'holding', address: r, type: 'uint16', wordOrder: 'big' },
        scale: 1,
        offset: 0,
        deadband: 0,
        heartbeatS: 60,
      }),
    ),
  }));
}

/** Wraps a master to log when each read was asked for and when it came back, per unit. */
export class PollTimeline implements BusReader {
  readonly polls = new Map<number, { askedAt: number; doneAt?: number; ok?: boolean }[]>();
  constructor(
    private readonly master: BusReader,
    private readonly clock: Clock,
  ) {}
  readRegisters: BusReader['readRegisters'] = (unit, table, address, count, opts) => {
    const entry: { askedAt: number; doneAt?: number; ok?: boolean } = { askedAt: this.clock.monotonic() };
    let list = this.polls.get(unit);
    if (!list) this.polls.set(unit, (list = []));
    list.push(entry);
    const done = (ok: boolean) => {
      entry.doneAt = this.clock.monotonic();
      entry.ok = ok;
    };
    return this.master.readRegisters(unit, table, address, count, opts).then(
      (v) => (done(true), v),
      (e: unknown) => {
        done(false);
        throw e;
      },
    );
  };
  readBits: BusReader['readBits'] = (...args) => this.master.readBits(...args);

  /** Polls of `unit` asked for in [from, to) that were answered within `periodMs`. */
  onTime(unit: number, from: number, to: number, periodMs: number): number {
    return (this.polls.get(unit) ?? []).filter((p) => p.askedAt >= from && p.askedAt < to && p.ok && p.doneAt! - p.askedAt <= periodMs).length;
  }
}

export async function healthyPollRatio(windowMs: number): Promise<{ ratio: number; deadRequests: number }> {
  const units = Array.from({ length: 10 }, (_, i) => i + 1);
  const line = await startBenchLine({ baudRate: 9600, wireTime: true, units: units.filter((u) => u !== DEAD_UNIT), registers: 10, silent: [DEAD_UNIT] });
  const clock = new SystemClock();
  const log = createLogger('silent');
  const master = new ModbusMaster({ bus: benchBus(line.path, 9600), openPort: defaultPortFactory, clock, log });
  const timeline = new PollTimeline(master, clock);
  const pollers = benchDevices(10, 10, POLL_MS).map(
    (device) => new DevicePoller({ device, master: timeline, clock, log, onSample: () => {}, onHealth: () => {} }),
  );
  let cycle: BusCycle | undefined;
  try {
    if (!(await master.start())) throw new Error(`cannot open ${line.path}`);
    const from = clock.monotonic();
    cycle = new BusCycle({ bus: 'bench', pollers, line: master.bus, timeoutMs: master.bus.timeoutMs, clock, log });
    cycle.start();
    await new Promise((r) => setTimeout(r, windowMs + POLL_MS));
    const to = from + windowMs;
    const healthy = units.filter((u) => u !== DEAD_UNIT);
    const due = healthy.length * Math.round(windowMs / POLL_MS);
    const onTime = healthy.reduce((n, u) => n + timeline.onTime(u, from, to, POLL_MS), 0);
    const stats = await line.stats();
    return { ratio: Math.min(1, onTime / due), deadRequests: stats.requests[DEAD_UNIT] ?? 0 };
  } finally {
    await cycle?.stop();
    await master.stop();
    await line.stop();
  }
}

export const modbusOneDeadBench: Bench = {
  name: 'modbus.healthyPollRatioOneDead',
  async run({ quick }) {
    const { ratio } = await healthyPollRatio(quick ? 12_000 : 60_000);
    return { 'modbus.healthyPollRatioOneDead': round(ratio) };
  },
};
