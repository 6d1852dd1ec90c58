/** The built agent (`dist/agent/cli.js run --simulate`) as a child process a test can kill. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../agent/core/paths.js';

export const cli = join(packageRoot(), 'dist', 'agent', 'cli.js');

/** Start the agent on `file` with its simulators; `output()` is everything it wrote so far. */
export function runAgent(file: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [cli, 'run', '--config', file, '--simulate'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FIREBREAK_LOG_LEVEL: 'warn' } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

/** Resolves once the child has exited (at once if it already has). */
export const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()));
