/**
 * interlock.latencyMs.{p50,p99,max}: from a contact edge to the permit relay written, while the
 * agent polls its Modbus devices, drains a backlog to the broker and serves five operator pages.
 * The edge comes from a worker thread (as an interrupt comes from outside the event loop) with
 * its wall-clock time; the relay write is timed where the GPIO backend writes it. Only edges
 * posted while the 1,000,000-sample backlog is still draining count; the figures are
 * percentiles of the edges of several drains pooled (each drain lasts about three seconds here).
 *
 * interlock.latencyMs.withRecords.{p50,p99,max}: the same, in runs alternating with those above,
 * with the workshop example's closed-loop sections on (config/site.workshop.yaml: its hazard
 * rules, cleaning area and alarm handling feedback): the records watch every sample beside the
 * safety path and must not move these figures (issue #16).
 *
 * tickets.evacuateLatencyMs.{p50,p99,max}: in a third kind of run, alternating with those above
 * under the same load, the workshop's four-gas detector (gd1, on the simulated bus) watches a
 * confined space with one person inside: on each edge an O₂ reading of 19.0 % arrives as
 * acquisition delivers one, and the figure runs to the space's entry output written off (the
 * evacuate reaction; the critical alarm and the beacon are set in the same callback, before it).
 * Between edges the ticket is taken out, closed and a new one taken to entry again (issue #17).
 *
 * interlock.latencyMs.idleThreadFloor.{p50,p99,max}, side by side in the same runs: the same
 * edges also go straight from their source to a worker thread that does nothing else but note
 * when each one reaches it. No code of the agent is on that path; it is what waking a thread
 * costs on this machine under the same load, the floor under the figures above.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { startAgent, type Agent } from '../agent/app.js';
import { Outbox } from '../agent/buffer/outbox.js';
import { loadSiteFile } from '../agent/config/load.js';
import type { GpioOutputConfig, SiteConfig } from '../agent/config/schema.js';
import { SystemClock } from '../agent/core/clock.js';
import { createLogger } from '../agent/core/log.js';
import { packageRoot } from '../agent/core/paths.js';
import type { Sample } from '../agent/core/types.js';
import { SimGpio } from '../drivers/sim/gpio-sim.js';
import type { GpioOutputLine, OutputOptions } from '../drivers/gpio/backend.js';
import { startBenchBroker } from './bench-broker.js';
import { productionNodeFlags } from './acquisition-cpu.js';
import type { Bench } from './run.js';
import { percentile, round } from './stats.js';

const LOCKOUT_LINE = 13;
const PERMIT_LINE = 26;
/** the bench space's entry output, its ventilation and attendant contacts (free lines of the demo site) */
const ENTRY_LINE = 21;
const VENT_LINE = 20;
const ATTENDANT_LINE = 12;

type Mode = 'plain' | 'records' | 'tickets';

/** Absolute wall-clock time in ms with sub-ms resolution, comparable across threads. */
const wallNow = () => performance.timeOrigin + performance.now();

/** The GPIO twin, noting the wall-clock time of every write to the permit relay. */
class TimedGpio extends SimGpio {
  readonly permitWrites: number[] = [];
  readonly entryWrites: { t: number; on: boolean }[] = [];
  override output(line: number, opts: OutputOptions): GpioOutputLine {
    const inner = super.output(line, opts);
    if (line === ENTRY_LINE) return { ...inner, write: (v) => (inner.write(v), this.entryWrites.push({ t: wallNow(), on: v })) };
    if (line !== PERMIT_LINE) return inner;
    return { ...inner, write: (v) => (inner.write(v), this.permitWrites.push(wallNow())) };
  }
}

async function benchSite(dir: string, mqttUrl: string, mode: Mode = 'plain'): Promise<SiteConfig> {
  const r = await loadSiteFile(join(packageRoot(), 'config', 'demo.site.yaml'));
  if (!r.ok) throw new Error('demo site does not load');
  const w = mode !== 'plain' ? await loadSiteFile(join(packageRoot(), 'config', 'site.workshop.yaml')) : undefined;
  if (w && !w.ok) throw new Error('workshop site does not load');
  let c = w?.ok && mode === 'records' ? { ...r.config, hazards: w.config.hazards, cleaning: w.config.cleaning, alarms: { ...w.config.alarms!, ...r.config.alarms, disposition: w.config.alarms!.disposition } } : r.config;
  if (w?.ok && mode === 'tickets') {
    // the workshop's four-gas detector on the demo's simulated bus, and its hopper as the space
    const gd1 = w.config.devices.find((d) => d.id === 'gd1')!;
    const hopper = w.config.confinedSpaces!.find((x) => x.id === 'hopper1')!;
    c = {
      ...c,
      devices: [...c.devices, { ...gd1, bus: c.buses[0]!.id }],
      gpio: {
        ...c.gpio!,
        inputs: [...c.gpio!.inputs, { id: 'vfan1.run', name: '强制通风机运行', kind: 'run_feedback', line: VENT_LINE, activeLow: false, debounceMs: 0 }, { id: 'att1.present', name: '监护人在岗', kind: 'contact', line: ATTENDANT_LINE, activeLow: false, debounceMs: 0 }],
        outputs: [...c.gpio!.outputs, { id: 'hopper1.entry', name: '灰斗准入指示', line: ENTRY_LINE, safeState: 'off', activeLow: false } as GpioOutputConfig],
      },
      confinedSpaces: [{ ...hopper, isolation: [], hatch: undefined, ventilation: { input: 'vfan1.run', is: true }, output: 'hopper1.entry' }],
    };
  }
  // The permit under test follows the lockout contact alone, unlatched, with no debounce, so
  // each edge is one relay write.
  return {
    ...c,
    gpio: { ...c.gpio!, inputs: c.gpio!.inputs.map((i) => (i.line === LOCKOUT_LINE ? { ...i, debounceMs: 0 } : i)) },
    interlocks: [{ id: 'bench-permit', output: 'sander1.permit', permitWhen: [{ input: 'loto.sander1', is: false }], latch: false, priority: 'high' }],
    // the uplink as a gateway runs it by default (a window of 32 messages in flight)
    uplink: { mqtt: { ...c.uplink!.mqtt!, url: mqttUrl } },
    buffer: { ...c.buffer, path: join(dir, 'buffer.db'), maxBytes: 2 * 1024 ** 3 },
    hmi: { listen: '127.0.0.1:0', usersFile: join(dir, 'users.json') },
  };
}

/** A backlog of `samples` telemetry samples already in the buffer, as after a long outage. */
async function fillBacklog(config: SiteConfig, samples: number): Promise<void> {
  const clock = new SystemClock();
  const outbox = await Outbox.open({ ...config.buffer, clock, log: createLogger('silent'), onSystemEvent: () => {} });
  const t0 = Date.now() - 86_400_000;
  const perMessage = 100;
  for (let m = 0; m < samples / perMessage; m++) {
    const batch: Sample[] = [];
    for (let i = 0; i < perMessage; i++) batch.push({ p: 'dc1.dp', t: t0 + m * perMessage + i, v: 600 + (i % 50), q: 'good' });
    await outbox.commitBatch(batch);
  }
  await outbox.close();
}

/** Five operator pages: five server-sent-event streams read in another process. */
function operatorPages(url: string): ChildProcess {
  const code = `
    const url = ${JSON.stringify(url)};
    for (let i = 0; i < 5; i++) (async () => {
      const r = await fetch(url);
      const reader = r.body.getReader();
      for (;;) { const { done } = await reader.read(); if (done) break; }
    })().catch(() => {});`;
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

/**
 * Edges from outside the event loop, 5–15 ms apart, until told to stop; each carries its
 * wall-clock time, and goes to the agent's thread and, straight, to `floor` as well.
 */
function edgeSource(floor: MessagePort): Worker {
  return new Worker(
    `const { parentPort, workerData: { floor } } = require('node:worker_threads');
     let timer;
     const next = () => (timer = setTimeout(() => { const t = performance.timeOrigin + performance.now(); parentPort.postMessage(t); floor.postMessage(t); next(); }, 5 + Math.random() * 10));
     parentPort.on('message', () => { clearTimeout(timer); parentPort.close(); floor.close(); });
     next();`,
    { eval: true, workerData: { floor }, transferList: [floor] },
  );
}

/** A thread that does nothing but note how long each edge took to reach it; given the drain's end, answers with the list. */
function idleThread(edges: MessagePort): Worker {
  return new Worker(
    `const { parentPort, workerData: { edges } } = require('node:worker_threads');
     const seen = [];
     edges.on('message', (t) => seen.push(t, performance.timeOrigin + performance.now() - t));
     // the edges posted before the drain ended (as for the agent's figures)
     parentPort.on('message', (until) => setTimeout(() => {
       edges.close();
       const latencies = [];
       for (let i = 0; i < seen.length; i += 2) if (seen[i] < until) latencies.push(seen[i + 1]);
       parentPort.postMessage(latencies);
     }, 50));`,
    { eval: true, workerData: { edges }, transferList: [edges] },
  );
}

/** What one measured child reports: every edge's latency while the backlog drained. */
interface RunResult {
  latencies: number[];
  /** tickets mode: the edges' evacuate latencies (reading in → entry output off) */
  evacuate: number[];
  /** the same edges' arrival at a thread that does nothing else */
  floor: number[];
  backlogMessages: number;
  drainMs: number;
}

/** The measurement itself; runs in a child process started with production's node flags. */
async function measure(dir: string, mode: Mode): Promise<RunResult> {
  const broker = await startBenchBroker();
  const config = await benchSite(dir, broker.url, mode);
  const gpio = new TimedGpio(new SystemClock());
  const agent = await startAgent({ config, log: createLogger('silent'), gpio });
  const space = mode === 'tickets' ? await entrySpace(agent, gpio) : undefined;
  const pages = operatorPages(`http://127.0.0.1:${agent.hmiPort}/api/events`);
  try {
    // the permit comes on once the lockout reads off: wait for that first write (the drain
    // starts as soon as the uplink connects, so it is already under way)
    while (gpio.permitWrites.length === 0) await new Promise((r) => setTimeout(r, 5));
    // Edges until the backlog has drained (only the live message or two in flight left: the
    // edges themselves make data); an edge posted after that does not count.
    const latencies: number[] = [];
    const evacuate: number[] = [];
    let drainedAt = Infinity;
    let level = false;
    const channel = new MessageChannel();
    const idle = idleThread(channel.port2);
    const worker = edgeSource(channel.port1);
    worker.on('message', (m: number) => {
      if (space) {
        // a reading out of range arrives while someone is inside: evacuate, then re-arm
        const t = space.armed();
        if (!t) return;
        const before = gpio.entryWrites.length;
        agent.plant.ingest({ p: 'gd1.o2', t: Date.now(), v: 19.0, q: 'good' });
        const written = gpio.entryWrites[before];
        if (written && !written.on && m < drainedAt) evacuate.push(written.t - m);
        void space.rearm(t);
        return;
      }
      level = !level;
      const before = gpio.permitWrites.length;
      gpio.set(LOCKOUT_LINE, level); // the interrupt handler: contact → plant → relay
      const written = gpio.permitWrites[before];
      if (written !== undefined && m < drainedAt) latencies.push(written - m);
    });
    const started = wallNow();
    let backlogMessages = agent.uplink!.status().pending;
    while (agent.uplink!.status().pending > 2 && wallNow() - started < 120_000) {
      await new Promise((r) => setTimeout(r, 5));
      backlogMessages = Math.max(backlogMessages, agent.uplink!.status().pending);
    }
    drainedAt = wallNow();
    worker.postMessage('stop');
    await new Promise((r) => worker.once('exit', r));
    idle.postMessage(drainedAt);
    const floor = await new Promise<number[]>((r) => idle.once('message', r));
    await idle.terminate();
    // FIREBREAK_BENCH_LATENCIES=file appends every latency, for a look at the distribution
    if (process.env.FIREBREAK_BENCH_LATENCIES) appendFileSync(process.env.FIREBREAK_BENCH_LATENCIES, latencies.map((x) => `${x.toFixed(3)}\n`).join(''));
    process.stdout.write(`  ${latencies.length} edges over the ${((drainedAt - started) / 1000).toFixed(2)} s in which ${backlogMessages} backlog messages drained\n`);
    if (space) process.stdout.write(`  ${evacuate.length} evacuations, ${space.cycles()} tickets\n`);
    return { latencies, evacuate, floor, backlogMessages, drainMs: drainedAt - started };
  } finally {
    pages.kill();
    await agent.stop('bench over');
    await broker.stop();
  }
}

/**
 * The bench space with a ticket taken to entry, and again after each evacuation: two people in
 * the ledger, the fan and the attendant on, the detector reading 20.9 % O₂.
 */
async function entrySpace(agent: Agent, gpio: TimedGpio): Promise<{ armed: () => string | undefined; rearm: (id: string) => Promise<void>; cycles: () => number }> {
  const tickets = agent.tickets!;
  const now = Date.now();
  await tickets.ledger.add('监护人甲', [], 'bench', now);
  await tickets.ledger.add('作业人乙', [], 'bench', now);
  const air = { 'gd1.o2': 20.9, 'gd1.lel': 0, 'gd1.h2s': 0, 'gd1.co': 1 };
  for (const [p, v] of Object.entries(air)) agent.simulator!.set(p, v);
  // the detector's first poll: a test before it would find no readings and fail
  for (const started = Date.now(); Object.keys(air).some((p) => agent.plant.points.get(p)?.q !== 'good'); ) {
    if (Date.now() - started > 10_000) throw new Error('the bench detector gd1 was never polled');
    await new Promise((r) => setTimeout(r, 20));
  }
  gpio.set(VENT_LINE, true);
  gpio.set(ATTENDANT_LINE, true);
  const sup = { user: 'bench.super', role: 'supervisor' } as const;
  let armed: string | undefined;
  let cycles = 0;
  const arm = async () => {
    agent.plant.ingest({ p: 'gd1.o2', t: Date.now(), v: 20.9, q: 'good' });
    const r = await tickets.openEntry({ space: 'hopper1', work: '基准测试', inCharge: sup.user, attendant: '监护人甲', entrants: ['作业人乙'] }, sup);
    if (!r.ok) throw new Error(`bench ticket refused: ${r.reason.en}`);
    const tested = await tickets.act(r.ticket.id, { kind: 'test' }, sup);
    if (!tested.ok || tested.ticket.state !== 'permitted') throw new Error(`bench ticket not permitted: ${JSON.stringify(tested)}`);
    const entered = await tickets.act(r.ticket.id, { kind: 'enter', person: '作业人乙' }, sup);
    if (!entered.ok) throw new Error(`bench entry refused: ${entered.reason.en}`);
    armed = r.ticket.id;
    cycles++;
  };
  await arm();
  return {
    armed: () => {
      const id = armed;
      armed = undefined;
      return id;
    },
    rearm: async (id) => {
      await tickets.act(id, { kind: 'exit', person: '作业人乙' }, sup);
      agent.plant.alarms.acknowledge('hopper1.evacuate', sup.user);
      await tickets.act(id, { kind: 'close' }, sup);
      await arm();
    },
    cycles: () => cycles,
  };
}

/** One measured child: a fresh backlog, a fresh agent, one drain. */
async function once(mode: Mode): Promise<RunResult> {
  // The backlog is written here, so the measured process does not collect its garbage.
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-latency-'));
  await fillBacklog(await benchSite(dir, 'mqtt://127.0.0.1:1883'), 1_000_000); // the same in quick mode: the drain is the load
  // Same node flags as the gateway (systemd ExecStart): the young-generation size decides how
  // long a scavenge holds the event loop, which is what this figure is about.
  const self = fileURLToPath(import.meta.url);
  // FIREBREAK_BENCH_CHILD_FLAGS adds node flags for a look inside (--cpu-prof, --trace-gc)
  const extra = (process.env.FIREBREAK_BENCH_CHILD_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...productionNodeFlags(), ...extra, self, '--child', dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  const last = out.trimEnd().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`latency child exited ${code}: ${out}`);
  process.stdout.write(out.trimEnd().split('\n').slice(0, -1).map((l) => `${l}\n`).join(''));
  return JSON.parse(last) as RunResult;
}

/** `<key>.p50`, `.p99` and `.max` of some latencies, in ms */
function spread(key: string, ms: number[]): Record<string, number> {
  return { [`${key}.p50`]: round(percentile(ms, 50)), [`${key}.p99`]: round(percentile(ms, 99)), [`${key}.max`]: round(Math.max(...ms)) };
}

export const interlockLatencyBench: Bench = {
  name: 'interlock-latency',
  async run({ quick }) {
    // A drain takes about three seconds here: a few hundred edges fall inside it, too few for a
    // p99 of one run. The edges of several runs (each a fresh backlog and agent) are pooled.
    const latencies: number[] = [];
    const withRecords: number[] = [];
    const evacuate: number[] = [];
    const floor: number[] = [];
    const runs = quick ? 4 : 10;
    for (let i = 0; i < runs; i++) {
      const r = await once('plain');
      latencies.push(...r.latencies);
      floor.push(...r.floor);
      const w = await once('records');
      withRecords.push(...w.latencies);
      floor.push(...w.floor);
      const e = await once('tickets');
      evacuate.push(...e.evacuate);
      floor.push(...e.floor);
    }
    if (evacuate.length < 10 * runs) throw new Error(`only ${evacuate.length} evacuations fell inside ${runs} drains`);
    for (const [name, l] of [['plain', latencies], ['with records', withRecords]] as const) {
      if (l.length < 100 * (runs / 2)) throw new Error(`only ${l.length} edges fell inside ${runs} drains (${name})`);
    }
    process.stdout.write(`  ${latencies.length} + ${withRecords.length} edges in ${runs} + ${runs} drains\n`);
    process.stdout.write(`  ${evacuate.length} evacuations in ${runs} drains\n`);
    return { ...spread('interlock.latencyMs', latencies), ...spread('interlock.latencyMs.withRecords', withRecords), ...spread('tickets.evacuateLatencyMs', evacuate), ...spread('interlock.latencyMs.idleThreadFloor', floor) };
  },
};

if (process.argv[2] === '--child') {
  measure(process.argv[3]!, process.argv[4] as Mode).then(
    (figures) => {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
