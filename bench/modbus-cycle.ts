/**
 * The bus cycle's three promises (issue 21), each beside its floor measured in the same run:
 * - modbus.pollPeriodJitterMs.p99: |sample period − pollMs| over 10 slaves × 10 registers at
 *   1 s on a pty at 9600 baud, wire time emulated by the simulator in its own process, the
 *   values moving and `heartbeatS: 0`, so every poll is a sample (moving values alone are not
 *   enough: their random walk comes back to the same value now and then). Floor (`.floorOneDevice`): the same
 *   with one device on the bus, i.e. the host's timers and the pty alone. Target: one
 *   transaction time (`.transactionMs`, the wire time of one read). `.timeouts`: reads that
 *   timed out in the window; on a loaded machine each one holds the slots behind it.
 * - modbus.heartbeatMaxGapMs: the same job, values constant, `heartbeatS: 1`, the whole agent
 *   (buffer, MQTT to mosquitto): the longest gap between two reports of one point at the
 *   broker. Floor (`.atGateway`): the same gap in the samples' own times. Target: 1,000 ms +
 *   one poll period. `.extraReads`: reads beyond one per device and period (retries).
 * - modbus.reopenAfterReturnMs: a socat pty pair killed (the adapter pulled) for 60 s and
 *   started again under the same path: from its return to the first good sample. Floor
 *   (`.floorFirstStart`): from a first start on a port that is there to the first good sample.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startAgent } from '../agent/app.js';
import { transactionMs } from '../agent/acquisition/bus-load.js';
import { ModbusAcquisition } from '../agent/acquisition/modbus-acquisition.js';
import { SiteConfigSchema } from '../agent/config/schema.js';
import { SystemClock } from '../agent/core/clock.js';
import { createLogger } from '../agent/core/log.js';
import type { Sample } from '../agent/core/types.js';
import { ModbusDeviceSim } from '../drivers/sim/modbus-device.js';
import { serveSimulator, startPtyPair } from '../drivers/sim/modbus-pty.js';
import { startBenchBroker } from './bench-broker.js';
import { benchBus } from './modbus-bus.js';
import { startBenchLine } from './modbus-line.js';
import { benchDevices } from './modbus-one-dead.js';
import type { Bench } from './run.js';
import { percentile, round } from './stats.js';

const POLL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** |period − pollMs| of every device's r0 samples over `windowMs`, after one warm-up cycle. */
async function periodErrors(devices: number, windowMs: number): Promise<{ errors: number[]; timeouts: number }> {
  const line = await startBenchLine({ baudRate: 9600, wireTime: true, units: Array.from({ length: devices }, (_, i) => i + 1), registers: 10, vary: true });
  const times = new Map<string, number[]>();
  const config = benchDevices(devices, 10, POLL_MS);
  for (const d of config) for (const p of d.points) p.heartbeatS = 0;
  const acq = new ModbusAcquisition({
    buses: [benchBus(line.path, 9600)],
    devices: config,
    clock: new SystemClock(),
    log: createLogger('silent'),
    onSample: (s: Sample) => {
      if (!s.p.endsWith('.r0') || s.q !== 'good') return;
      const list = times.get(s.p) ?? [];
      list.push(s.t);
      times.set(s.p, list);
    },
    onSystemEvent: () => {},
  });
  let timeouts: number;
  try {
    await acq.start();
    await sleep(windowMs + 2 * POLL_MS);
    timeouts = acq.stats().reduce((n, s) => n + s.timeouts, 0);
  } finally {
    await acq.stop();
    await line.stop();
  }
  const errors: number[] = [];
  for (const list of times.values()) for (let i = 2; i < list.length; i++) errors.push(Math.abs(list[i]! - list[i - 1]! - POLL_MS));
  return { errors, timeouts };
}

/** The longest gap between two reports of any point, at the broker and in the samples' times. */
async function heartbeatGaps(windowMs: number): Promise<{ broker: number; gateway: number; points: number; extraReads: number }> {
  const broker = await startBenchBroker();
  const line = await startBenchLine({ baudRate: 9600, wireTime: true, units: Array.from({ length: 10 }, (_, i) => i + 1), registers: 10 });
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-hb-'));
  const devices = benchDevices(10, 10, POLL_MS);
  for (const d of devices) for (const p of d.points) p.heartbeatS = 1;
  const config = SiteConfigSchema.parse({
    version: 1,
    site: { enterprise: '91130100MA0BENCH01', gateway: 'GW-BENCH-HB' },
    buses: [benchBus(line.path, 9600)],
    devices,
    uplink: { mqtt: { url: broker.url } },
    buffer: { path: join(dir, 'buffer.db'), maxBytes: '64MiB', keepSentHours: 1 },
  });
  const arrivals = new Map<string, { at: number; t: number }[]>();
  const sub = await mqtt.connectAsync(broker.url, { clientId: 'bench-heartbeat' });
  await sub.subscribeAsync('firebreak/v1/+/+/data', { qos: 1 });
  let measuring = false;
  sub.on('message', (_topic, payload) => {
    if (!measuring) return;
    const at = Date.now();
    const m = JSON.parse(payload.toString()) as { hist?: boolean; samples?: Sample[] };
    if (m.hist) return;
    for (const s of m.samples ?? []) {
      const list = arrivals.get(s.p) ?? [];
      list.push({ at, t: s.t });
      arrivals.set(s.p, list);
    }
  });
  const agent = await startAgent({ config, log: createLogger('error') });
  let extraReads: number;
  try {
    await sleep(3000); // connected, first values sent
    const before = await line.stats();
    const t0 = performance.now();
    measuring = true;
    await sleep(windowMs);
    measuring = false;
    // reads beyond one per device and second: retries of reads whose reply came too late
    const reads = Object.values((await line.stats()).requests).reduce((n, r) => n + r, 0) - Object.values(before.requests).reduce((n, r) => n + r, 0);
    extraReads = Math.max(0, reads - Math.round(((performance.now() - t0) / POLL_MS) * devices.length));
  } finally {
    await agent.stop('bench done');
    await sub.endAsync();
    await line.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  let atBroker = 0;
  let atGateway = 0;
  for (const list of arrivals.values()) {
    for (let i = 1; i < list.length; i++) {
      atBroker = Math.max(atBroker, list[i]!.at - list[i - 1]!.at);
      atGateway = Math.max(atGateway, list[i]!.t - list[i - 1]!.t);
    }
  }
  return { broker: atBroker, gateway: atGateway, points: arrivals.size, extraReads };
}

/** First start on a port that is there, then the port gone `goneMs` and back: each to its first good sample. */
async function reopen(goneMs: number): Promise<{ firstStart: number; afterReturn: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-reopen-'));
  const links = { linkA: join(dir, 'usb-FTDI_FT232R-if00-port0'), linkB: join(dir, 'field') };
  const sim = new ModbusDeviceSim();
  sim.unit(1).setRegisters('holding', 0, Array(10).fill(7));
  let pair = await startPtyPair(links);
  let served = await serveSimulator(sim, pair.b);
  let firstGood: ((t: number) => void) | undefined;
  const acq = new ModbusAcquisition({
    buses: [benchBus(links.linkA, 9600)],
    devices: benchDevices(1, 10, POLL_MS),
    clock: new SystemClock(),
    log: createLogger('silent'),
    onSample: (s) => {
      if (s.q === 'good') firstGood?.(performance.now());
    },
    onSystemEvent: () => {},
  });
  const nextGood = () => new Promise<number>((resolve) => (firstGood = (t) => ((firstGood = undefined), resolve(t))));
  try {
    let good = nextGood();
    const started = performance.now();
    await acq.start();
    const firstStart = (await good) - started;
    await served.close();
    await pair.stop();
    await sleep(goneMs);
    good = nextGood();
    const back = performance.now();
    pair = await startPtyPair(links);
    served = await serveSimulator(sim, pair.b);
    const afterReturn = (await good) - back;
    return { firstStart, afterReturn };
  } finally {
    await acq.stop();
    await served.close();
    sim.close();
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const modbusCycleBench: Bench = {
  name: 'modbus.cycle',
  async run({ quick }) {
    const windowMs = quick ? 20_000 : 60_000;
    const { errors: ten, timeouts } = await periodErrors(10, windowMs);
    const { errors: one } = await periodErrors(1, windowMs);
    const hb = await heartbeatGaps(windowMs);
    const r = await reopen(quick ? 10_000 : 60_000);
    return {
      'modbus.pollPeriodJitterMs.p99': round(percentile(ten, 99)),
      'modbus.pollPeriodJitterMs.p50': round(percentile(ten, 50)),
      'modbus.pollPeriodJitterMs.max': round(Math.max(...ten)),
      'modbus.pollPeriodJitterMs.floorOneDevice': round(percentile(one, 99)),
      // a reply the loaded host delivered after its timeout holds the slots behind it
      'modbus.pollPeriodJitterMs.timeouts': timeouts,
      'modbus.pollPeriodJitterMs.transactionMs': round(transactionMs({ table: 'holding', count: 10 }, { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 })),
      'modbus.heartbeatMaxGapMs': round(hb.broker),
      'modbus.heartbeatMaxGapMs.atGateway': round(hb.gateway),
      'modbus.heartbeatMaxGapMs.points': hb.points,
      'modbus.heartbeatMaxGapMs.extraReads': hb.extraReads,
      'modbus.reopenAfterReturnMs': round(r.afterReturn),
      'modbus.reopenAfterReturnMs.floorFirstStart': round(r.firstStart),
    };
  },
};
