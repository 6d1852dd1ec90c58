/** A platform-side test client: subscribes to a gateway's root and keeps every message it receives. */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { waitFor } from '../helpers/wait.js';

export interface Received {
  topic: string;
  body: Record<string, unknown>;
  retain: boolean;
  raw: string;
}

export class Platform {
  readonly received: Received[] = [];
  private constructor(readonly client: MqttClient, readonly root: string) {}

  /** `subs`: the topics under `root` it listens to; all of them unless told (a test that sends a huge command keeps it from itself) */
  static async connect(url: string, root: string, opts: IClientOptions = {}, subs: string[] = ['#']): Promise<Platform> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clean: true, ...opts });
    const p = new Platform(client, root);
    client.on('message', (topic, payload, packet) => {
      const raw = payload.toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = { unparseable: raw };
      }
      p.received.push({ topic, body, retain: packet.retain, raw });
    });
    await client.subscribeAsync(
      subs.map((s) => `${root}/${s}`),
      { qos: 1 },
    );
    return p;
  }

  /** messages on `{root}/{sub}`; the answers to ready() pings are left out */
  on(sub: string): Received[] {
    return this.received.filter((r) => r.topic === `${this.root}/${sub}` && !(sub === 'cmd-result' && String(r.body.id).startsWith('ready-')));
  }

  /**
   * ping until the gateway answers: it is connected and subscribed to its commands. A ping sent
   * before it subscribed is lost (clean session), so each look that finds no answer pings again.
   */
  async ready(timeoutMs = 10_000): Promise<void> {
    let i = 0;
    let pingedAt = -Infinity;
    const answered = () => this.received.some((r) => r.topic === `${this.root}/cmd-result` && String(r.body.id).startsWith('ready-'));
    await waitFor(
      'the gateway to answer a ping',
      async () => {
        if (answered()) return true;
        // at most one ping per 100 ms: the gateway allows 60 a minute
        if (Date.now() - pingedAt >= 100) {
          pingedAt = Date.now();
          await this.command('ping', { id: `ready-${i++}` });
        }
        return false;
      },
      timeoutMs,
    );
  }

  async command(name: string, body: unknown): Promise<void> {
    await this.client.publishAsync(`${this.root}/cmd/${name}`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}

/** the uplink tests wait with the shared helper (its 10 s default, as here before) */
export { waitFor };
