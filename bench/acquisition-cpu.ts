/**
 * acquisition.cpuPercent: the agent alone in its own process (`firebreak run`), polling 10
 * devices × 10 holding registers every 1 s on a pty at 9600 baud (wire time emulated by the
 * simulator in another process, every reply moving every value, so all 100 points report each
 * second), 8 GPIO inputs on the simulated backend, the uplink connected to mosquitto. The
 * figure is the child's CPU time (all threads, from the scheduler's counts) over the window
 * (after 3 s of start-up), as % of one core: the median of three consecutive thirds of it.
 * acquisition.rssMiB: the child's peak resident set (VmHWM) at the end of that run. The agent
 * runs with the node flags of systemd/firebreak.service's ExecStart.
 * acquisition.rssMiB.bareNode, side by side: the peak resident set of `node` with the same
 * flags running nothing but an idle timer for 3 s, the floor this runtime puts under any agent.
 * acquisition.cpuPercent.bareModbusSerial: the same polling on the same line by modbus-serial alone
 * (bench/bare-acquisition-child.ts), measured the same way right after: the library's own cost
 * for the job, under the agent's scaling, alarms, interlocks, buffer, uplink and event-loop watch.
 * acquisition.rssMiB.libraryFloor: the same, after importing the libraries the agent runs on
 * (AGENT_LIBRARIES), as it imports them, and doing nothing with them: the floor the brief's
 * stack (serialport, modbus-serial, sqlite3, mqtt, pino) puts under any agent built on it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../agent/core/paths.js';
import { startBenchBroker } from './bench-broker.js';
import { benchDevices } from './modbus-one-dead.js';
import { startBenchLine } from './modbus-line.js';
import type { Bench } from './run.js';
import { median, round } from './stats.js';

/** Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s on every architecture Debian ships. */
const CLOCK_TICKS = 100;

/**
 * CPU time of every thread of a process, in ms: from /proc/<pid>/task/<tid>/schedstat (the
 * scheduler's own count, in ns) where the kernel keeps it; else utime + stime from
 * /proc/<pid>/stat, whose 10 ms ticks are 0.15 % of a core over a 7-second window.
 */
function cpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    if (Number.isFinite(ns) && ns > 0) return ns / 1e6;
  } catch {
    // no schedstat on this kernel
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name in parentheses: utime is the 14th field, stime the 15th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/**
 * The node flags production starts the agent with: those of ExecStart in
 * systemd/firebreak.service, so that the bench measures the configuration a gateway runs.
 */
export function productionNodeFlags(): string[] {
  const unit = readFileSync(join(packageRoot(), 'systemd', 'firebreak.service'), 'utf8');
  const exec = /^ExecStart=\S*node\s+(.*?)\s*\S+\/cli\.js\s/m.exec(unit);
  if (!exec) throw new Error('systemd/firebreak.service: no ExecStart running node … cli.js');
  return exec[1]!.split(/\s+/).filter((f) => f.startsWith('--'));
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The bench gateway's site file, as `acquisitionLoad` writes it (before `edit`). */
export type BenchSite = Record<string, unknown> & { gpio: { backend: string; inputs: Record<string, unknown>[] } };

export async function acquisitionLoad(windowMs: number, edit: (site: BenchSite) => BenchSite = (s) => s): Promise<{ cpuPercent: number; rssMiB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-acq-'));
  const broker = await startBenchBroker();
  const line = await startBenchLine(ACQUISITION_LINE);
  const site: BenchSite = {
    version: 1,
    site: { enterprise: '91130100MA0BENCH01', gateway: 'GW-BENCH-ACQ' },
    buses: [{ id: 'bench', port: line.path, baudRate: 9600, timeoutMs: 200, retries: 1 }],
    devices: benchDevices(10, 10, 1000),
    gpio: {
      backend: 'sim',
      inputs: Array.from({ length: 8 }, (_, i) => ({ id: `in${i + 1}`, kind: 'contact', line: 5 + i })),
    },
    uplink: { mqtt: { url: broker.url } },
    buffer: { path: join(dir, 'buffer.db'), maxBytes: '64MiB', keepSentHours: 1 },
  };
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(edit(site)));
  try {
    return await measureNode([join(packageRoot(), 'dist', 'agent', 'cli.js'), 'run', '--config', file], windowMs);
  } finally {
    await line.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench's line: 10 units of 10 registers at 9600 baud, wire time emulated, every reply moving every value. */
const ACQUISITION_LINE = { baudRate: 9600, wireTime: true, units: Array.from({ length: 10 }, (_, i) => i + 1), registers: 10, vary: true };

/** The same job and line, polled by modbus-serial alone (bench/bare-acquisition-child.ts). */
async function bareModbusSerialLoad(windowMs: number): Promise<{ cpuPercent: number; rssMiB: number }> {
  const line = await startBenchLine(ACQUISITION_LINE);
  try {
    return await measureNode([join(packageRoot(), 'dist', 'bench', 'bare-acquisition-child.js'), line.path], windowMs);
  } finally {
    await line.stop();
  }
}

/**
 * Run `node` with production's flags on `args` and, after 3 s of start-up, measure it with
 * `measure` (given its pid); it is stopped afterwards. A node that has already exited is an error
 * with the end of its stderr.
 */
async function withNode<T>(args: string[], measure: (pid: number) => Promise<T> | T): Promise<T> {
  const child = spawn(process.execPath, [...productionNodeFlags(), ...args], {
    cwd: packageRoot(),
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FIREBREAK_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  try {
    await new Promise((r) => setTimeout(r, 3000));
    if (child.exitCode !== null) throw new Error(`node ${args.join(' ').slice(0, 200)} exited (${child.exitCode}): ${stderr}`);
    return await measure(child.pid!);
  } finally {
    const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * `node` on `args` (withNode): its CPU over windowMs, the median of three back-to-back thirds
 * (one GC or one noisy neighbour moves one window), and its peak resident set.
 */
function measureNode(args: string[], windowMs: number): Promise<{ cpuPercent: number; rssMiB: number }> {
  return withNode(args, async (pid) => {
    const percents: number[] = [];
    for (let w = 0; w < 3; w++) {
      const t0 = performance.now();
      const c0 = cpuMs(pid);
      await new Promise((r) => setTimeout(r, windowMs / 3));
      percents.push((100 * (cpuMs(pid) - c0)) / (performance.now() - t0));
    }
    return { cpuPercent: median(percents), rssMiB: peakRssMiB(pid) };
  });
}

/**
 * What `firebreak run` imports from node_modules and keeps for its life, by the same specifiers
 * (modbus-serial brings serialport, its binding and its parsers; mqtt is opened through its client module
 * only). Not here: yaml and zod (the site file is read by a worker that exits), onoff (loaded
 * only where the kernel has GPIO), aedes (the demo's broker). test/bench/library-floor.test.ts
 * keeps this list in step with the agent's imports.
 */
export const AGENT_LIBRARIES = ['modbus-serial', '@serialport/stream', 'sqlite3', 'mqtt/lib/client', 'pino', 'node:http', 'node:net'];

/**
 * Peak resident set of `node` (production's flags) that imports `libraries` from the package's
 * own node_modules, then only keeps a timer; read after 3 s.
 */
function idleNodeRssMiB(libraries: readonly string[]): Promise<number> {
  const script = `${libraries.map((l) => `await import(${JSON.stringify(l)});`).join(' ')} setInterval(() => {}, 1000);`;
  return withNode(['--input-type=module', '-e', script], peakRssMiB);
}

export const acquisitionCpuBench: Bench = {
  name: 'acquisition.cpu',
  async run({ quick }) {
    const windowMs = quick ? 20_000 : 60_000;
    const { cpuPercent, rssMiB } = await acquisitionLoad(windowMs);
    const bare = await bareModbusSerialLoad(windowMs);
    return {
      'acquisition.cpuPercent': round(cpuPercent),
      'acquisition.cpuPercent.bareModbusSerial': round(bare.cpuPercent),
      'acquisition.rssMiB': round(rssMiB),
      'acquisition.rssMiB.bareNode': round(await idleNodeRssMiB([])),
      'acquisition.rssMiB.libraryFloor': round(await idleNodeRssMiB(AGENT_LIBRARIES)),
    };
  },
};
