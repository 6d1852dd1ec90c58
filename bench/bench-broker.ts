/**
 * The platform's broker for the agent benches: mosquitto in its own process, so that the
 * agent's CPU figures carry no broker work (the embedded aedes stands in where mosquitto is
 * not installed, and then shares the process it runs in).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { startDemoBroker } from '../agent/demo/broker.js';

export interface BenchBroker {
  url: string;
  kind: 'mosquitto' | 'aedes';
  stop(): Promise<void>;
}

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

export async function startBenchBroker(): Promise<BenchBroker> {
  if (!MOSQUITTO) {
    const b = await startDemoBroker('127.0.0.1', 0);
    return { url: `mqtt://127.0.0.1:${b.port}`, kind: 'aedes', stop: () => b.close() };
  }
  const port = await freePort();
  const child = spawn(MOSQUITTO, ['-p', String(port)], { stdio: 'ignore' });
  const until = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (Date.now() > until || child.exitCode !== null) throw new Error('mosquitto did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    kind: 'mosquitto',
    stop: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
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
