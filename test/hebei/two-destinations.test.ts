/**
 * Two destinations over one buffer, each with its own cursor: the real MqttUplink against a real
 * broker and the Hebei uplink against the mock platform. One being down never holds back or
 * loses data for the other. The plant, the buffer and both uplinks run on a FakeClock moved
 * 100 ms a step while readings are fed (periods, backoffs, reconnects); the broker, the HTTP
 * platform and SQLite are real and are waited for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { MqttUplink } from '../../agent/uplink/mqtt-uplink.js';
import { quiet } from '../buffer/tmp-outbox.js';
import { connectGate, startBroker, type TestBroker } from '../helpers/broker.js';
import { Platform } from '../uplink/subscriber.js';
import { MockPlatform } from './mock-platform.js';
import { TNM, fromChinaTime, mockOptions, runFor, startWorkshop, type Workshop } from './workshop.js';
import { waitFor } from '../helpers/wait.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.stop();
});

const dataSeqs = (p: Platform, root: string) => p.received.filter((r) => r.topic === `${root}/data`).map((r) => r.body.seq as number);

describe('MQTT and Hebei over the same buffer', () => {
  it('MQTT keeps flowing while the province is down, the province while the broker is down, and both catch up', async () => {
    const hebeiPlatform = await MockPlatform.start(mockOptions());
    const clock = new FakeClock();
    const ws: Workshop = await startWorkshop({ platform: hebeiPlatform, clock });
    const gateway = 'GW-HB-01';
    const root = `firebreak/v1/${ws.config.site.enterprise}/${gateway}`;
    const gate = connectGate();
    const mqtt = new MqttUplink({
      config: { url: broker.url, topicPrefix: 'firebreak/v1', keepaliveS: 30, window: 32 },
      enterprise: ws.config.site.enterprise,
      gateway,
      bootId: 'boot-two-destinations',
      outbox: ws.outbox,
      clock,
      log: quiet,
      birth: () => ({ points: [] }),
      snapshot: () => [],
      health: () => ({}),
      clockSync: { isSynced: () => true, hint: () => ({ ok: true, offsetMs: 0, synced: true }) },
      backoff: { initialMs: 100, maxMs: 400 },
      // reconnects pass through the gate, so the platform is subscribed again before the backlog goes out
      connect: gate.connect,
    });
    let subscriber = await Platform.connect(broker.url, root);
    const subscribers = [subscriber];
    await mqtt.start();
    // the field: a reading of each point every 100 ms of fake time
    let n = 0;
    const field = () => {
      ws.feed('ds1.conc', 5 + (n % 10) / 10);
      ws.feed('dc1.dp', 900 + n++);
    };
    const run = (until: number | (() => boolean)) => runFor(ws, clock, until, field);
    try {
      await run(() => dataSeqs(subscriber, root).length > 5 && hebeiPlatform.rts.length >= 1);

      // the province goes away: MQTT data keeps arriving live
      await hebeiPlatform.setMode('refuse');
      const mqttBefore = dataSeqs(subscriber, root).length;
      const rtsBefore = hebeiPlatform.rts.length;
      await run(2500);
      await waitFor('MQTT data of the outage at the platform, the province seen down', () => dataSeqs(subscriber, root).length > mqttBefore + 10 && !ws.hebei.status().connected, 15_000);
      expect(hebeiPlatform.rts.length).toBe(rtsBefore);
      expect(mqtt.status().connected).toBe(true);
      // the province is owed the periods of the outage; MQTT has nearly nothing pending
      expect(ws.hebei.status().pending).toBeGreaterThanOrEqual(2);
      await waitFor('MQTT with nearly nothing pending', () => mqtt.status().pending < 5);

      // the province comes back and the broker goes away: Hebei catches up and keeps flowing
      await hebeiPlatform.setMode('ok');
      gate.open = false;
      await broker.stop();
      await waitFor('mqtt to notice', () => !mqtt.status().connected, 15_000);
      const caughtUpAt = clock.now();
      // hebei caught up while the broker is down
      await run(() => boundaries(hebeiPlatform).some((b) => b > caughtUpAt));
      const rtsDuring = hebeiPlatform.rts.length;
      await run(2000);
      await waitFor('hebei still flowing', () => hebeiPlatform.rts.length > rtsDuring, 15_000);
      expect(mqtt.status().pending).toBeGreaterThan(10);

      // the broker comes back: MQTT delivers its whole backlog
      await broker.start();
      subscriber = await Platform.connect(broker.url, root);
      subscribers.push(subscriber);
      gate.open = true;
      // reconnected (its backoff on fake time), then half a second more of readings
      await run(() => mqtt.status().connected);
      await run(500);
      await ws.outbox.flush();
      const last = ws.outbox.nextSeq('data') - 1;
      const all = () => new Set(subscribers.flatMap((s) => dataSeqs(s, root)));
      await waitFor('every data seq over MQTT', () => all().size === last, 20_000);
      expect([...all()].sort((a, b) => a - b)).toEqual(Array.from({ length: last }, (_, i) => i + 1));

      // and the province got every period from the first to the last, once, in order
      const bs = boundaries(hebeiPlatform);
      expect(bs.every((b, i) => i === 0 || b - bs[i - 1]! === 1000)).toBe(true);
      expect(hebeiPlatform.problems).toEqual([]);
    } finally {
      await mqtt.stop();
      for (const s of subscribers) await s.close();
      await ws.close();
      await hebeiPlatform.close();
    }
  }, 60_000);
});

function boundaries(p: MockPlatform): number[] {
  return p.allRts().filter((i) => i.tnm === TNM.dp).map((i) => fromChinaTime(i.ts));
}
