/**
 * The platform's broker for the benches: mosquitto in its own process on a free loopback port
 * (as test/helpers/broker.ts starts it), so the agent's CPU figures carry no broker work; the
 * embedded aedes stands in where mosquitto is not installed, and then shares the process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoBroker } from '../agent/demo/broker.js';

export interface BenchBroker {
  url: string;
  kind: 'mosquitto' | 'aedes';
  stop(): Promise<void>;
}

const MOSQUITTO = [process.env.MOSQUITTO, '/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p): p is string => !!p && existsSync(p));

export async function startBenchBroker(): Promise<BenchBroker> {
  if (!MOSQUITTO) {
    const b = await startDemoBroker('127.0.0.1', 0);
    return { url: `mqtt://127.0.0.1:${b.port}`, kind: 'aedes', stop: () => b.close() };
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none', ''].join('\n'));
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
  const until = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (Date.now() > until || child.exitCode !== null) throw new Error('mosquitto did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    kind: 'mosquitto',
    stop: async () => {
      if (child.exitCode === null) await new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
