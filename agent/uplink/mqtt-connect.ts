/**
 * Opens an mqtt.js client on a plain TCP or TLS socket, for the two URL forms a site file
 * allows (mqtt://host:port, mqtts://host:port). `mqtt.connect` would load every transport
 * mqtt.js knows (WebSocket, SOCKS, WeChat and Alipay mini-programs): about 4 MiB of a gateway's
 * memory for code the agent never runs.
 */
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IClientOptions, MqttClient as MqttClientType } from 'mqtt';
// before mqtt.js: its packet writer takes mqtt-packet's length encoder when it loads
import './mqtt-packet-fix.js';
import clientModule from 'mqtt/lib/client';

// CommonJS with `exports.default` (and __esModule): node's ESM loader gives the exports object,
// bundlers and vitest's interop the class itself
const MqttClient = (typeof clientModule === 'function' ? clientModule : (clientModule as unknown as { default: typeof MqttClientType }).default) as typeof MqttClientType;

export interface BrokerAddress {
  tls: boolean;
  host: string;
  port: number;
}

/** mqtt://host[:port] or mqtts://host[:port]; user and password belong in the site file's fields */
export function brokerAddress(url: string): BrokerAddress {
  const u = new URL(url);
  const tls = u.protocol === 'mqtts:';
  if (!tls && u.protocol !== 'mqtt:') throw new Error(`broker url must start with mqtt:// or mqtts:// (got ${u.protocol})`);
  if (!u.hostname) throw new Error('broker url has no host');
  // IPv6 literals come back in brackets
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { tls, host, port: u.port ? Number(u.port) : tls ? 8883 : 1883 };
}

export function connectMqtt(url: string, opts: IClientOptions): MqttClientType {
  const at = brokerAddress(url);
  // socket errors (refused, a certificate refused either way) reach the client's 'error' event
  // through mqtt.js's own stream handler, and the socket's close ends the attempt
  const build = (): Duplex => {
    if (!at.tls) return createConnection({ host: at.host, port: at.port });
    // node:tls (and OpenSSL's TLS set-up) only for mqtts: a plain-TCP gateway never maps it in
    const tls = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
    return tls.connect({
      host: at.host,
      port: at.port,
      servername: opts.servername ?? (/^[\d.:]+$/.test(at.host) ? undefined : at.host),
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      rejectUnauthorized: opts.rejectUnauthorized !== false,
    });
  };
  return new MqttClient(build, { ...opts, protocol: at.tls ? 'mqtts' : 'mqtt', host: at.host, port: at.port });
}
