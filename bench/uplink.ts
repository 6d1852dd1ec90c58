/**
 * uplink.drainSamplesPerSec and uplink.drainMaxLoopStallMs: a backlog of 1,000,000 samples,
 * committed through the agent's own path in a child process (bench/buffer-backlog-writer.ts:
 * 500-sample messages, the largest the outbox makes, so the heaviest per-message work), delivered by the MQTT uplink to
 * mosquitto on loopback at QoS 1 with the default window; done when every message is
 * PUBACK-confirmed (the cursor owes nothing). The stall is the largest event-loop delay seen
 * while it drains.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Mqtt } from '../agent/config/schema.js';
import { SystemClock } from '../agent/core/clock.js';
import { packageRoot } from '../agent/core/paths.js';
import { MqttUplink } from '../agent/uplink/mqtt-uplink.js';
import { openBenchOutbox } from './buffer-ingest.js';
import { LoopStallWatch } from './uplink-loop-stall.js';
import type { Bench } from './run.js';
import { median, round } from './stats.js';
import { startBenchBroker, type BenchBroker } from './bench-broker.js';

const BACKLOG = 1_000_000;

async function drainOnce(broker: BenchBroker, run: number): Promise<{ perSec: number; stallMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-drain-'));
  const path = join(dir, 'buffer.db');
  await writeBacklog(path, BACKLOG);
  const outbox = await openBenchOutbox(path);
  try {
    const backlog = outbox.pending('mqtt').count;
    if (backlog === 0) throw new Error('no backlog was written');
    const uplink = new MqttUplink({
      config: Mqtt.parse({ url: broker.url }),
      enterprise: '91330100MA2BENCH1X',
      gateway: `GW-DRAIN-${run}`,
      bootId: `bench-${run}`,
      outbox,
      clock: new SystemClock(),
      log: pino({ level: 'silent' }),
      birth: () => ({ points: [] }),
      snapshot: () => [],
      health: () => ({}),
      clockSync: { isSynced: () => true, hint: () => ({ ok: true, offsetMs: 0, synced: true }) },
    });
    // mqtt.js loads its transport modules on the first connect (~150 ms here); a gateway that
    // drains after an outage has long done that, so it is done here before the watch starts
    await (await mqtt.connectAsync(broker.url, { clientId: `bench-warmup-${run}` })).endAsync();
    await new Promise((r) => setTimeout(r, 200));
    const watch = new LoopStallWatch();
    const started = performance.now();
    await uplink.start();
    while (outbox.pending('mqtt').count > 0) {
      if (performance.now() - started > 120_000) throw new Error(`drain stuck with ${outbox.pending('mqtt').count} of ${backlog} messages owed`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const stallMs = watch.stop();
    await uplink.stop();
    return { perSec: BACKLOG / seconds, stallMs };
  } finally {
    await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeBacklog(path: string, samples: number): Promise<void> {
  const script = join(packageRoot(), 'dist', 'bench', 'buffer-backlog-writer.js');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [script, path, String(samples)], { timeout: 120_000 }, (err, _out, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve())),
  );
}

export const uplinkBench: Bench = {
  name: 'uplink',
  async run({ quick }) {
    const broker = await startBenchBroker();
    try {
      const runs: { perSec: number; stallMs: number }[] = [];
      for (let i = 0; i < (quick ? 1 : 3); i++) runs.push(await drainOnce(broker, i));
      if (broker.kind !== 'mosquitto') process.stdout.write('  (mosquitto not installed: drained to the embedded aedes broker)\n');
      return {
        'uplink.drainSamplesPerSec': round(median(runs.map((r) => r.perSec))),
        'uplink.drainMaxLoopStallMs': round(median(runs.map((r) => r.stallMs))),
      };
    } finally {
      await broker.stop();
    }
  },
};
