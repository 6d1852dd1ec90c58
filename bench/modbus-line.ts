/**
 * A bench RS-485 line: a socat pty pair with the simulator answering on one side from its own
 * process (modbus-sim-child.ts). The code under measurement opens `path` as it would open
 * /dev/ttyUSB0.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../agent/core/paths.js';
import { startPtyPair } from '../drivers/sim/modbus-pty.js';
import type { SimChildArgs } from './modbus-sim-child.js';

export interface BenchLine {
  /** the master's side of the pty pair */
  path: string;
  /** requests each unit received with a good CRC, and all frames */
  stats(): Promise<{ requests: Record<number, number>; frames: number }>;
  stop(): Promise<void>;
}

export async function startBenchLine(args: Omit<SimChildArgs, 'path'>): Promise<BenchLine> {
  const pair = await startPtyPair();
  const script = join(packageRoot(), 'dist', 'bench', 'modbus-sim-child.js');
  const child: ChildProcess = fork(script, [JSON.stringify({ ...args, path: pair.b })], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
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
    await pair.stop();
    throw err;
  }
  child.removeAllListeners('exit');
  return {
    path: pair.a,
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
      await pair.stop();
    },
  };
}
