/**
 * A bench RS-485 line: a pseudo-terminal whose master side the simulator holds, answering from
 * its own process (modbus-sim-child.ts). The code under measurement opens `path`, the slave
 * side, as it would open /dev/ttyUSB0.
 *
 * Node cannot make a pty by itself, so python3 (in Debian's python3-minimal) opens one and
 * hands the master to the simulator. Where python3 is missing the line runs through a socat
 * pty pair instead: socat relays every byte through a process of its own, which adds about
 * 1 ms to each transaction here (two wake-ups of one more process per direction) and varies
 * with where the scheduler puts it, so the figures say which route they came from.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../agent/core/paths.js';
import { startPtyPair, type PtyPair } from '../drivers/sim/modbus-pty.js';
import type { SimChildArgs } from './modbus-sim-child.js';

export interface BenchLine {
  /** the master's side: the pty's slave, which the code under measurement opens */
  path: string;
  /** 'pty' (simulator on the pty's master side) or 'socat' (a relay process in between) */
  route: 'pty' | 'socat';
  /** requests each unit received with a good CRC, and all frames */
  stats(): Promise<{ requests: Record<number, number>; frames: number }>;
  stop(): Promise<void>;
}

/** The fd the simulator child finds the pty's master on (0–2 are stdio, 3 the IPC channel). */
export const PTY_MASTER_FD = 4;

/**
 * Opens a pty, puts it in raw mode, prints its slave path, and becomes the simulator with the
 * master on PTY_MASTER_FD. It keeps the slave open on the next fd too: a pty whose slave
 * nobody holds reads EIO on the master until the code under measurement has opened it.
 */
const MAKE_PTY = `
import fcntl, os, sys, tty
master, slave = os.openpty()
tty.setraw(slave)
path = os.ttyname(slave)
# through fds above the target ones, so that neither dup2 lands on the other pty fd
high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (master, slave)]
for i, fd in enumerate(high):
    os.dup2(fd, ${PTY_MASTER_FD} + i)
    os.set_inheritable(${PTY_MASTER_FD} + i, True)
print(path, flush=True)
os.execv(sys.argv[1], sys.argv[1:])
`;

/**
 * Pins every thread of a process to one CPU (taskset, from util-linux); returns the CPU list
 * it had, for `pinProcess(pid, previous)` to undo it.
 */
export function pinProcess(pid: number, cpus: number | string): string {
  const before = /: (\S+)\s*$/.exec(execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' }))?.[1] ?? '';
  execFileSync('taskset', ['-a', '-c', '-p', String(cpus), String(pid)], { stdio: 'ignore' });
  return before;
}

let python: boolean | undefined;
function hasPython(): boolean {
  if (python === undefined) {
    try {
      execFileSync('python3', ['-c', 'import pty, tty'], { stdio: 'ignore' });
      python = true;
    } catch {
      python = false;
      process.stdout.write('  (python3 not installed: the bench line runs through a socat relay, ~1 ms more per transaction)\n');
    }
  }
  return python;
}

export interface BenchLineOptions {
  /** run the simulator on this CPU only (taskset), e.g. the one the measured process is pinned to */
  cpu?: number;
}

export async function startBenchLine(args: Omit<SimChildArgs, 'path' | 'fd'>, opts: BenchLineOptions = {}): Promise<BenchLine> {
  const script = join(packageRoot(), 'dist', 'bench', 'modbus-sim-child.js');
  let child: ChildProcess;
  let pair: PtyPair | undefined;
  let path: string;
  if (hasPython()) {
    const command = ['python3', '-c', MAKE_PTY, process.execPath, script, JSON.stringify({ ...args, fd: PTY_MASTER_FD })];
    if (opts.cpu !== undefined) command.unshift('taskset', '-c', String(opts.cpu));
    child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    path = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
      });
      child.once('exit', (code) => reject(new Error(`python3 could not make a pty (exit ${code})`)));
    });
  } else {
    pair = await startPtyPair();
    path = pair.a;
    child = fork(script, [JSON.stringify({ ...args, path: pair.b })], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    if (opts.cpu !== undefined) pinProcess(child.pid!, opts.cpu);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('simulator child did not start within 10 s')), 10_000);
      child.once('exit', (code) => reject(new Error(`simulator child exited (${code})`)));
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await pair?.stop();
    throw err;
  }
  child.removeAllListeners('exit');
  return {
    path,
    route: pair ? 'socat' : 'pty',
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as { requests: Record<number, number>; frames: number }));
        child.send({ kind: 'stats' });
      }),
    stop: async () => {
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      child.disconnect();
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(kill);
      await pair?.stop();
    },
  };
}
