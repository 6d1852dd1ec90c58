/**
 * The heartbeat as the platform sees it: the whole agent on its simulators, values held still,
 * `heartbeatS: 1` at 500 ms polls, MQTT to a real broker. Every point must reach the subscriber
 * at least every heartbeat plus one poll period (the tolerance the promise allows); comparing
 * jittered sample times let a value go unreported for 2,248 ms at 1 s polls (issue 21).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../agent/app.js';
import { createLogger } from '../../agent/core/log.js';
import type { Sample } from '../../agent/core/types.js';
import { brokerPerFile } from '../helpers/broker.js';
import { waitFor } from '../helpers/wait.js';
import { exampleSite } from '../interlocks/workshop.js';

const { broker, cleanup } = brokerPerFile();
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop('test over');
  agent = undefined;
});

const HEARTBEAT_MS = 1000;
const POLL_MS = 500;

describe('heartbeatS at the broker', () => {
  it('brings every unchanged value to the platform at least every heartbeat plus one poll', async () => {
    const site = exampleSite((y) => y.replaceAll('pollMs: 1000', `pollMs: ${POLL_MS}`));
    for (const d of site.devices) for (const p of d.points) p.heartbeatS = HEARTBEAT_MS / 1000;
    const config = {
      ...site,
      hmi: undefined,
      uplink: { mqtt: { ...site.uplink!.mqtt!, url: broker.url } },
      buffer: { ...site.buffer, path: join(mkdtempSync(join(tmpdir(), 'fb-heartbeat-')), 'buffer.db') },
    };
    const platform = await mqtt.connectAsync(broker.url, { clientId: 'platform-heartbeat' });
    cleanup.push(() => platform.endAsync());
    await platform.subscribeAsync('firebreak/v1/+/+/data', { qos: 1 });
    const arrivals = new Map<string, number[]>();
    const sampled = new Map<string, number[]>();
    platform.on('message', (_t, payload) => {
      const m = JSON.parse(payload.toString()) as { hist: boolean; samples: Sample[] };
      if (m.hist) return;
      for (const s of m.samples) {
        if (s.q !== 'good') continue;
        arrivals.set(s.p, [...(arrivals.get(s.p) ?? []), Date.now()]);
        sampled.set(s.p, [...(sampled.get(s.p) ?? []), s.t]);
      }
    });
    agent = await startAgent({ config, log: createLogger('silent'), simulate: true });
    const sim = agent.simulator!;
    sim.set('dc1.dp', 650);
    sim.set('dc1.hopperTemp', 35);
    sim.set('ds1.conc', 3);
    const points = ['dc1.dp', 'dc1.hopperTemp', 'ds1.conc'];
    await waitFor('every point at the broker', () => points.every((p) => arrivals.has(p)), 5000);
    const from = Date.now();
    await waitFor('six seconds of reports', () => Date.now() - from > 6000, { timeoutMs: 8000 });
    for (const p of points) {
      const at = arrivals.get(p)!.filter((t) => t >= from - HEARTBEAT_MS);
      const gaps = at.slice(1).map((t, i) => t - at[i]!);
      expect(gaps.length, p).toBeGreaterThanOrEqual(5);
      expect(Math.max(...gaps), `${p}: gaps ${gaps.join(', ')} ms`).toBeLessThanOrEqual(HEARTBEAT_MS + POLL_MS);
      // the gateway itself keeps the heartbeat (its samples' times, a few ms of poll jitter
      // aside); the poll period of tolerance is for the delivery
      const t = sampled.get(p)!.filter((x) => x >= from - HEARTBEAT_MS);
      const sampleGaps = t.slice(1).map((x, i) => x - t[i]!);
      expect(Math.max(...sampleGaps), `${p}: sample gaps ${sampleGaps.join(', ')} ms`).toBeLessThanOrEqual(HEARTBEAT_MS + 100);
    }
  }, 20_000);
});
