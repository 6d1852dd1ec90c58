/**
 * startup.toFirstUplinkMs: from spawning `firebreak run --simulate` to the first `data`
 * message at the broker (an embedded broker in this process, on loopback).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { loadSiteFile } from '../agent/config/load.js';
import { packageRoot } from '../agent/core/paths.js';
import { startDemoBroker } from '../agent/demo/broker.js';
import type { Bench } from './run.js';
import { median, round } from './stats.js';

export async function benchSiteFile(dir: string, mqttUrl: string): Promise<string> {
  const r = await loadSiteFile(join(packageRoot(), 'config', 'demo.site.yaml'));
  if (!r.ok) throw new Error('demo site file does not load');
  const c = r.config;
  const site = {
    version: 1,
    site: { enterprise: c.site.enterprise, gateway: 'GW-BENCH-01', name: c.site.name },
    buses: c.buses,
    devices: c.devices,
    gpio: c.gpio,
    interlocks: c.interlocks,
    alarms: c.alarms,
    uplink: { mqtt: { url: mqttUrl, topicPrefix: 'firebreak/v1' } },
    buffer: { path: join(dir, 'buffer.db'), maxBytes: '64MiB', keepSentHours: 1 },
  };
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(site));
  return file;
}

async function once(cli: string, broker: { port: number }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-start-'));
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const file = await benchSiteFile(dir, url);
  const platform = await mqtt.connectAsync(url, { clientId: `bench-platform-${Date.now()}` });
  await platform.subscribeAsync('firebreak/v1/+/GW-BENCH-01/data', { qos: 1 });
  const start = performance.now();
  const child = spawn(process.execPath, [cli, 'run', '--config', file, '--simulate'], { stdio: 'ignore', env: { ...process.env, FIREBREAK_LOG_LEVEL: 'warn' } });
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no data message within 20 s')), 20_000);
      platform.once('message', () => {
        clearTimeout(timer);
        resolve(performance.now() - start);
      });
      child.once('exit', (code) => reject(new Error(`agent exited with ${code}`)));
    });
  } finally {
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await platform.endAsync();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const startupBench: Bench = {
  name: 'startup',
  async run({ quick }) {
    const cli = join(packageRoot(), 'dist', 'agent', 'cli.js');
    const broker = await startDemoBroker('127.0.0.1', 0);
    try {
      const runs: number[] = [];
      for (let i = 0; i < (quick ? 3 : 7); i++) runs.push(await once(cli, broker));
      return { 'startup.toFirstUplinkMs': round(median(runs)) };
    } finally {
      await broker.close();
    }
  },
};
