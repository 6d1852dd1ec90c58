/** A gateway under test: a real outbox in a temp dir and the MQTT uplink, pointed at the test broker. */
import type { IClientOptions, MqttClient } from 'mqtt';
import { SystemClock, type Clock } from '../../agent/core/clock.js';
import type { Sample } from '../../agent/core/types.js';
import type { MqttConfig } from '../../agent/config/schema.js';
import type { Outbox } from '../../agent/buffer/outbox.js';
import type { OutboxOptions } from '../../agent/buffer/types.js';
import { MqttUplink, type MqttUplinkOptions } from '../../agent/uplink/mqtt-uplink.js';
import type { Logger } from '../../agent/core/log.js';
import type { BirthContent } from '../../agent/uplink/messages.js';
import { openOutbox, quiet } from '../buffer/tmp-outbox.js';

export const ENTERPRISE = '91330100MA2TEST01X';

export const BIRTH: BirthContent = {
  points: [
    { id: 'dc1.dp', kind: 'differential_pressure', unit: 'Pa', name: '1号除尘器进出口压差', limits: { low: 300, high: 1800 } },
    { id: 'dc1.hopperTemp', kind: 'temperature', unit: '°C', name: '1号除尘器灰斗温度' },
    { id: 'spark1', kind: 'spark', name: '1号火花探测' },
  ],
  outputs: [{ id: 'sander1.permit', name: '1号砂光机运行许可', safeState: 'off' }],
  interlocks: [{ id: 'sander1', name: '砂光机先开除尘', output: 'sander1.permit', priority: 'high' }],
};

export interface Gateway {
  gateway: string;
  root: string;
  outbox: Outbox;
  uplink: MqttUplink;
  bootId: string;
  /** data/events publishes handed to mqtt.js and not yet acknowledged, at most ever */
  maxInFlight(): number;
  close(): Promise<void>;
}

let counter = 0;

export async function startGateway(
  url: string,
  o: {
    window?: number;
    healthEveryMs?: number;
    connect?: (url: string, opts: IClientOptions) => MqttClient;
    snapshot?: () => Sample[];
    autostart?: boolean;
    synced?: boolean;
    clockSync?: MqttUplinkOptions['clockSync'];
    /** TLS, username, passwordFile … over the plain defaults */
    mqtt?: Partial<MqttConfig>;
    log?: Logger;
    outbox?: Partial<OutboxOptions>;
    /** the uplink's clock (rate windows, reconnect, health): the system's unless told */
    clock?: Clock;
    replayQueueMax?: number;
    /** the same gateway again (a restart); a new id per call otherwise */
    gateway?: string;
  } = {},
): Promise<Gateway> {
  const gateway = o.gateway ?? `GW${process.pid}x${++counter}`;
  const bootId = `boot-${gateway}-${Date.now()}`;
  const synced = o.synced ?? true;
  const { outbox } = await openOutbox({ commitMs: 50, timeQuality: () => (synced ? undefined : 'unsynced'), ...o.outbox });
  const config: MqttConfig = { url, topicPrefix: 'firebreak/v1', keepaliveS: 30, window: o.window ?? 32, ...o.mqtt };
  let inFlight = 0;
  let maxInFlight = 0;
  const mqttConnect = (await import('mqtt')).default.connect;
  const uplink = new MqttUplink({
    config,
    enterprise: ENTERPRISE,
    gateway,
    bootId,
    outbox,
    clock: o.clock ?? new SystemClock(),
    log: o.log ?? quiet,
    birth: () => BIRTH,
    snapshot: o.snapshot ?? (() => [{ p: 'dc1.dp', t: Date.now(), v: 812.5, q: 'good' }, { p: 'spark1', t: Date.now(), v: false, q: 'good' }]),
    health: () => ({ buses: { rs485a: { transactions: 1200, timeouts: 3, crcErrors: 0 } } }),
    clockSync: o.clockSync ?? { isSynced: () => synced, hint: () => ({ ok: false, offsetMs: 0, synced, error: 'no hints in this test' }) },
    agent: 'firebreak/test',
    backoff: { initialMs: 100, maxMs: 400 },
    healthEveryMs: o.healthEveryMs,
    replayQueueMax: o.replayQueueMax,
    // count what mqtt.js is holding: the window must bound it
    connect: (u, opts) => {
      const client = (o.connect ?? mqttConnect)(u, opts);
      const publish = client.publish.bind(client) as (...a: unknown[]) => MqttClient;
      (client as { publish: unknown }).publish = (topic: string, payload: string, options: object, cb?: (err?: Error) => void) => {
        const counted = topic.endsWith('/data') || topic.endsWith('/events');
        if (counted) maxInFlight = Math.max(maxInFlight, ++inFlight);
        return publish(topic, payload, options, (err?: Error) => {
          if (counted) inFlight--;
          cb?.(err);
        });
      };
      return client;
    },
  });
  if (o.autostart !== false) await uplink.start();
  return {
    gateway,
    root: `firebreak/v1/${ENTERPRISE}/${gateway}`,
    outbox,
    uplink,
    bootId,
    maxInFlight: () => maxInFlight,
    close: async () => {
      await uplink.stop();
      await outbox.close();
    },
  };
}
