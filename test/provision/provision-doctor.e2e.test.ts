/**
 * One visit, on this machine: `firebreak provision` (the bus on a built-in simulator, a local
 * MQTT broker as the platform), `firebreak doctor` on what it wrote, then `firebreak run` on that
 * file: data reaches the broker and samples reach the local feed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.stop();
});

describe('provision, doctor, run', () => {
  it('gives a site file that doctor passes and the agent runs on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-visit-'));
    const site = join(dir, 'etc/site.yaml');
    const feed = join(dir, 'run/feed.sock');
    const prov = spawnSync(
      process.execPath,
      [cli, 'provision', '--enterprise', '91130100MA0EXAMPLE', '--gateway', 'GW-VISIT-01', '--port', 'sim:rs485a', '--device', 'dp-transmitter:dc1@1', '--device', 'gas-detector-4:cs1@5',
        '--mqtt-url', broker.url, '--out', site, '--buffer-path', join(dir, 'buffer.db'), '--feed', feed, '--no-hmi'],
      { encoding: 'utf8', input: '' },
    );
    expect(prov.stderr).toBe('');
    expect(prov.status).toBe(0);

    // the checks that depend on the site file and this machine's broker, not on a Pi's groups or watchdog
    const doc = spawnSync(process.execPath, [cli, 'doctor', '--config', site, '--check', 'serial', '--check', 'gpio', '--check', 'platform', '--check', 'disk'], { encoding: 'utf8' });
    expect(doc.stdout).toMatch(/^ok {3}site file +.*GW-VISIT-01, 2 device\(s\), 5 point\(s\)$/m);
    expect(doc.stdout).toMatch(/^ok {3}serial ports +every bus is simulated$/m);
    expect(doc.stdout).toMatch(new RegExp(`^ok   platform +mqtt://127.0.0.1:${broker.port} accepted the connection$`, 'm'));
    expect(doc.stdout).toMatch(/^ok {3}buffer disk /m);
    expect(doc.stdout.trim().split('\n').at(-1)).toBe('all checks passed');
    expect(doc.status).toBe(0);

    const platform = await mqtt.connectAsync(broker.url, { clientId: 'platform-view' });
    const data = new Promise<string>((resolve) => platform.on('message', (topic, payload) => topic.endsWith('/data') && resolve(payload.toString())));
    await platform.subscribeAsync('firebreak/v1/91130100MA0EXAMPLE/GW-VISIT-01/#', { qos: 1 });

    const agent = spawn(process.execPath, [cli, 'run', '--config', site], { stdio: 'ignore', env: { ...process.env, FIREBREAK_LOG_LEVEL: 'warn' } });
    try {
      const first = JSON.parse(await withTimeout(data, 20_000, 'no data at the platform')) as { samples?: unknown[] };
      expect(JSON.stringify(first)).toContain('dc1.dp');
      const line = await withTimeout(firstFeedSample(feed), 10_000, 'no sample on the feed');
      expect(line).toMatchObject({ type: 'sample', q: 'good' });
    } finally {
      agent.kill('SIGTERM');
      await new Promise((r) => agent.once('exit', r));
      await platform.endAsync();
    }
  }, 60_000);
});

/** the first sample line on the feed, once the agent has made its socket (it may still be starting) */
function firstFeedSample(path: string): Promise<Record<string, unknown>> {
  return waitFor('the feed socket to take a reader', () => oneFeedSample(path).catch(() => undefined), 10_000);
}

function oneFeedSample(path: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let rest = '';
    s.on('error', reject);
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      rest += d;
      for (const l of rest.split('\n').slice(0, -1)) {
        const m = JSON.parse(l) as Record<string, unknown>;
        if (m.type === 'sample') {
          s.destroy();
          resolve(m);
        }
      }
      rest = rest.slice(rest.lastIndexOf('\n') + 1);
    });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(what)), ms))]);
}
