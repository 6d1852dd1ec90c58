/**
 * mqtt.js client options for one connection attempt. Secrets (password, private key) are read
 * from files at each attempt, so a rotated certificate is picked up, and are never logged.
 */
import { readFile } from 'node:fs/promises';
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from '../config/schema.js';
// the parser limit below exists only with this patch of mqtt-packet's parser
import type { PublishLimitOption } from './mqtt-packet-limit.js';
import './mqtt-packet-limit.js';

/**
 * A PUBLISH to the gateway (a command) over this is never held whole: its payload is dropped as
 * it arrives and the command answered `ok: false`. Commands are at most MAX_COMMAND_BYTES
 * (commands.ts); up to this they are read and refused by that check, a bounded 64 KiB.
 */
const MAX_INCOMING_PUBLISH_BYTES = 65_536;

export async function connectOptions(config: MqttConfig, clientId: string, will: { topic: string; payload: string }): Promise<IClientOptions> {
  const o: IClientOptions & PublishLimitOption = {
    clientId,
    // MQTT 3.1.1: every broker a district runs speaks it. MQTT 5's maximumPacketSize was
    // measured, not taken: mosquitto 2.0.11 drops a larger command unseen (no answer possible),
    // and aedes 1.2 refuses an MQTT 5 connection ("Unacceptable protocol version")
    protocolVersion: 4,
    maxIncomingPublishBytes: MAX_INCOMING_PUBLISH_BYTES,
    clean: true,
    keepalive: config.keepaliveS,
    // reconnection is ours (backoff with jitter, on the injected clock); mqtt.js's own would
    // replay its in-memory queue one message per round trip
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    // never queue QoS 0 (health) while offline
    queueQoSZero: false,
    resubscribe: false,
    // mqtt-packet's number cache is 65,536 two-byte Buffers kept for the life of the process
    // (~7 MiB of a gateway's memory) to save one tiny allocation per packet; the switch exists
    // since https://github.com/mqttjs/mqtt-packet/issues/28 (PR #29, `cacheNumbers`)
    writeCache: false,
    // mqtt.js logs every packet through `debug` even when disabled (an arguments array each
    // call: ~14 KB of garbage a message while a backlog drains); our own log says what matters.
    // No upstream issue found as of 2026-12; seen in mqtt 5.16.0's client.ts (`this.log(...)`)
    log: () => {},
    will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true },
  };
  if (config.username !== undefined) o.username = config.username;
  if (config.passwordFile !== undefined) o.password = (await readFile(config.passwordFile, 'utf8')).replace(/\r?\n$/, '');
  const tls = config.tls;
  if (tls?.ca) o.ca = await readFile(tls.ca);
  if (tls?.cert) o.cert = await readFile(tls.cert);
  if (tls?.key) o.key = await readFile(tls.key);
  if (config.url.startsWith('mqtts:')) o.rejectUnauthorized = true;
  return o;
}

/** what may be logged about a connection: no secrets */
export function describe(config: MqttConfig, clientId: string): Record<string, unknown> {
  let url: string;
  try {
    const u = new URL(config.url);
    u.username = '';
    u.password = '';
    url = u.toString();
  } catch {
    url = '(unparseable url)';
  }
  return {
    url,
    clientId,
    username: config.username,
    password: config.passwordFile ? 'from file' : 'none',
    tls: config.tls ? Object.keys(config.tls) : undefined,
  };
}
