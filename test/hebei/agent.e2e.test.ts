/**
 * The whole agent on its simulators, in real time, with both uplinks configured in the site
 * file: MQTT to a real broker and Hebei to the mock platform. Values reach the province every
 * period and alarms as they happen; MQTT data keeps flowing while the province is away.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../agent/app.js';
import { createLogger } from '../../agent/core/log.js';
import { Hebei } from '../../agent/uplink/hebei/config.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { exampleSite } from '../interlocks/workshop.js';
import { Platform } from '../uplink/subscriber.js';
import { MockPlatform } from './mock-platform.js';
import { KEY, QYBM, TNM, WGBM, fromChinaTime, mockOptions } from './workshop.js';
import { waitFor } from '../helpers/wait.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.stop();
});

describe('the agent with MQTT and Hebei uplinks', () => {
  it('sends values every period and alarms at once to the province, and keeps MQTT flowing while the province is away', async () => {
    const platform = await MockPlatform.start(mockOptions());
    const dir = mkdtempSync(join(tmpdir(), 'fb-hebei-agent-'));
    const keyFile = join(dir, 'hebei-des.key');
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    const site = exampleSite((y) => y.replaceAll('pollMs: 1000', 'pollMs: 200').replace('{ high: 10, highHigh: 20, delayMs: 3000, hysteresis: 0.5 }', '{ high: 10, highHigh: 20, hysteresis: 0.5 }'));
    const config = {
      ...site,
      hmi: undefined,
      buffer: { ...site.buffer, path: join(dir, 'buffer.db') },
      uplink: {
        mqtt: { url: broker.url, topicPrefix: 'firebreak/v1', keepaliveS: 30, window: 32 },
        hebei: Hebei.parse({
          baseUrl: platform.baseUrl,
          qybm: QYBM,
          wgbm: WGBM,
          keyFile,
          periodSeconds: 5,
          points: { 'ds1.conc': TNM.conc, 'dc1.dp': TNM.dp, spark1: TNM.spark },
        }),
      },
    };
    const root = `firebreak/v1/${site.site.enterprise}/${site.site.gateway}`;
    const subscriber = await Platform.connect(broker.url, root);
    let agent: Agent | undefined;
    try {
      agent = await startAgent({ config, log: createLogger('silent'), simulate: true });
      const sim = agent.simulator!;
      sim.set('dc1.dp', 650);
      sim.set('ds1.conc', 3);
      await waitFor('the differential pressure at the province', () => platform.allRts().some((i) => i.tnm === TNM.dp && i.val === '650.00'), 15_000);
      for (const r of platform.rts) expect(r.items.map((i) => i.tnm).sort()).toEqual([TNM.dp, TNM.spark, TNM.conc].sort());
      expect(platform.allRts().every((i) => fromChinaTime(i.ts) % 5000 === 0)).toBe(true);

      sim.set('ds1.conc', 25);
      await waitFor('the high and high-high alarms', () => platform.allEvents().length >= 2, 10_000);
      // a jump from 3 to 25 crosses both limits in the same instant
      expect(platform.allEvents().map((e) => [e.oname, e.scd, e.content])).toEqual(
        expect.arrayContaining([
          [TNM.conc, 1, '粉尘浓度超上限报警'],
          [TNM.conc, 4, '粉尘浓度超上上限报警'],
        ]),
      );

      await platform.setMode('refuse');
      const mqttSamples = () => subscriber.received.filter((r) => r.topic === `${root}/data`).flatMap((r) => r.body.samples as { p: string; v: unknown }[]);
      sim.set('ds1.conc', 2);
      const events = () => subscriber.received.filter((r) => r.topic === `${root}/events`).flatMap((r) => r.body.events as { source?: string; state?: string }[]);
      // the new reading and the clear went out over MQTT while the province was refusing
      // connections, and the gateway has seen the province go
      await waitFor(
        'the reading and the clear over MQTT, the province seen down',
        () =>
          mqttSamples().some((x) => x.p === 'ds1.conc' && x.v === 2) &&
          events().some((e) => e.source === 'ds1.conc.highHigh' && e.state === 'rtn_unack') &&
          agent!.page.snapshot().uplinks.some((u) => u.name === 'hebei' && !u.connected),
        10_000,
      );
      expect(platform.allRts().some((i) => i.tnm === TNM.conc && i.val === '2.00')).toBe(false);
      expect(agent.page.snapshot().uplinks.map((u) => [u.name, u.connected])).toEqual([
        ['mqtt', true],
        ['hebei', false],
      ]);

      await platform.setMode('ok');
      await waitFor('the clears', () => platform.allEvents().length >= 4, 15_000);
      expect(platform.allEvents().slice(2).map((e) => [e.scd, e.content])).toEqual(
        expect.arrayContaining([
          [0, '粉尘浓度超上上限报警解除'],
          [0, '粉尘浓度超上限报警解除'],
        ]),
      );
      expect(platform.allEvents()).toHaveLength(4);
      await waitFor('the periods missed while away', () => platform.allRts().some((i) => i.tnm === TNM.conc && i.val === '2.00'), 15_000);
      const bs = platform.allRts().filter((i) => i.tnm === TNM.conc).map((i) => fromChinaTime(i.ts));
      expect(bs.every((b, i) => i === 0 || b - bs[i - 1]! === 5000)).toBe(true);
      expect(platform.problems).toEqual([]);
    } finally {
      await agent?.stop('test over');
      await subscriber.close();
      await platform.close();
    }
  }, 60_000);
});
