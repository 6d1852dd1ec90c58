/**
 * The MQTT destination: uplink contract v1 (docs/UPLINK.md) over mqtt.js 5. It owns the
 * connection (state, will, birth, health, commands) and hands the outbox's messages to
 * Delivery, which keeps at most `window` of them in flight.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { connectMqtt } from './mqtt-connect.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { MemoryGauge } from '../core/memory.js';
import type { Sample } from '../core/types.js';
import type { MqttConfig } from '../config/schema.js';
import type { Outbox } from '../buffer/outbox.js';
import type { StoredMessage } from '../buffer/types.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { ClockSync, SystemSyncProbe } from '../core/clock-sync.js';
import { CommandRate } from './command-rate.js';
import { runCommand, tooLarge } from './commands.js';
import { connectOptions, describe } from './connect-options.js';
import { Delivery } from './delivery.js';
import type { RefusedPublish } from './mqtt-packet-limit.js';
import type { Destination, DestinationStatus } from './destination.js';
import * as msg from './messages.js';
import { topicsFor, type Topics } from './topics.js';

export interface MqttUplinkOptions {
  config: MqttConfig;
  enterprise: string;
  gateway: string;
  bootId: string;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  /** every point, output and interlock with its metadata */
  birth: () => msg.BirthContent;
  /** the current value of every point (the `snapshot` command) */
  snapshot: () => Sample[];
  /** bus statistics and other figures for the health message */
  health: () => msg.HealthExtras;
  /** the same ClockSync the app stamps `tq` with; without one, the uplink runs its own on the system probe */
  clockSync?: Pick<ClockSync, 'isSynced' | 'hint'>;
  /** `agent` in birth, e.g. firebreak/0.1.0 */
  agent?: string;
  clientId?: string;
  healthEveryMs?: number;
  backoff?: BackoffOptions;
  /** replayed messages queued at most (delivery.ts, MAX_REPLAY_QUEUED) */
  replayQueueMax?: number;
  /** the network comes in from outside: tests may pass a connect that fails on purpose */
  connect?: (url: string, opts: IClientOptions) => MqttClient;
}

/** how long stop() waits for the broker to acknowledge `online: false` */
const GOODBYE_MS = 2000;

export class MqttUplink implements Destination {
  readonly name = 'mqtt';
  private readonly topics: Topics;
  private readonly log: Logger;
  private readonly memory = new MemoryGauge();
  private readonly backoff: Backoff;
  private readonly clientId: string;
  private readonly startedAt: number;
  private readonly rate: CommandRate;
  private client: MqttClient | undefined;
  private connected = false;
  private gen = 0;
  private stopped = true;
  private delivery: Delivery | undefined;
  private ownClockSync: ClockSync | undefined;
  private readonly timers: { health?: Timer; reconnect?: Timer } = {};
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: MqttUplinkOptions) {
    this.topics = topicsFor(o.config.topicPrefix, o.enterprise, o.gateway);
    this.log = o.log.child({ component: 'uplink', destination: 'mqtt' });
    this.backoff = new Backoff(o.backoff);
    this.clientId = o.clientId ?? `firebreak-${o.gateway}`;
    this.startedAt = o.clock.monotonic();
    this.rate = new CommandRate(o.clock);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    const cursor = await this.o.outbox.cursor(this.name);
    this.delivery = new Delivery(this.o.outbox, cursor, this.o.config.window, this.log, this.o.replayQueueMax);
    this.unsubscribe = this.o.outbox.onCommit((m) => this.delivery?.committed(m));
    if (!this.o.clockSync) {
      this.ownClockSync = new ClockSync({ probe: new SystemSyncProbe(), clock: this.o.clock, log: this.o.log });
      await this.ownClockSync.start();
    }
    this.timers.health = this.o.clock.setInterval(() => this.sendHealth(), this.o.healthEveryMs ?? 60_000);
    this.log.info(describe(this.o.config, this.clientId), 'mqtt uplink starting');
    void this.connect();
  }

  /** Publishes `online: false` (retained) before disconnecting, so the platform does not wait for the will. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.health?.cancel();
    this.timers.reconnect?.cancel();
    this.unsubscribe?.();
    this.ownClockSync?.stop();
    const client = this.client;
    this.gen++;
    this.delivery?.end();
    if (client && this.connected) {
      await new Promise<void>((resolve) => {
        const t = this.o.clock.setTimeout(resolve, GOODBYE_MS);
        client.publish(this.topics.state, JSON.stringify(msg.state(false, this.o.clock.now(), this.o.bootId)), { qos: 1, retain: true }, () => {
          t.cancel();
          resolve();
        });
      });
    }
    this.connected = false;
    if (client) await client.endAsync(!client.connected).catch(() => undefined);
    this.client = undefined;
    this.log.info('mqtt uplink stopped');
  }

  status(): DestinationStatus {
    let pending = { count: 0, oldestPendingMs: null as number | null };
    try {
      pending = this.o.outbox.pending(this.name);
    } catch {
      // no cursor before the first start()
    }
    return { name: this.name, connected: this.connected, pending: pending.count, oldestPendingMs: pending.oldestPendingMs };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.gen;
    let client: MqttClient;
    try {
      const will = { topic: this.topics.state, payload: JSON.stringify(msg.state(false, this.o.clock.now(), this.o.bootId)) };
      const opts = await connectOptions(this.o.config, this.clientId, will);
      if (gen !== this.gen) return;
      client = (this.o.connect ?? connectMqtt)(this.o.config.url, opts);
    } catch (err) {
      // a missing password or certificate file: say which, never its content
      this.log.error({ err: (err as Error).message }, 'cannot prepare the mqtt connection');
      this.scheduleReconnect(gen);
      return;
    }
    this.client = client;
    client.on('error', (err) => this.log.warn({ err: err.message }, 'mqtt error'));
    client.on('connect', () => {
      if (gen === this.gen) this.onConnected(client);
    });
    client.on('message', (topic, payload, packet) => {
      if (gen === this.gen) void this.onCommand(client, topic, payload, (packet as RefusedPublish).refusedBytes);
    });
    client.on('close', () => {
      if (gen !== this.gen || this.stopped) return;
      if (this.connected) this.log.warn('mqtt connection lost');
      this.connected = false;
      this.delivery?.end();
      // drop this client with whatever mqtt.js still holds: the outbox resends it
      client.end(true);
      this.scheduleReconnect(gen);
    });
  }

  private scheduleReconnect(gen: number): void {
    if (this.stopped || gen !== this.gen) return;
    this.gen++;
    const delay = this.backoff.next();
    this.log.info({ delayMs: delay }, 'mqtt reconnect scheduled');
    this.timers.reconnect?.cancel();
    this.timers.reconnect = this.o.clock.setTimeout(() => void this.connect(), delay);
  }

  private onConnected(client: MqttClient): void {
    this.connected = true;
    this.backoff.reset();
    this.log.info({ url: describe(this.o.config, this.clientId).url }, 'mqtt connected');
    const now = this.o.clock.now();
    this.publishJson(client, this.topics.state, msg.state(true, now, this.o.bootId), 1, true);
    this.sendBirth(client);
    client.subscribe(this.topics.cmdFilter, { qos: 1 }, (err) => {
      if (err) this.log.warn({ err: err.message }, 'cannot subscribe to commands');
    });
    const delivery = this.delivery!;
    delivery.begin((m, hist, done) => this.publishStored(client, m, hist, done));
    this.sendHealth();
  }

  private publishStored(client: MqttClient, m: StoredMessage, hist: boolean, done: (err?: Error) => void): void {
    const topic = m.stream === 'data' ? this.topics.data : this.topics.events;
    client.publish(topic, msg.storedPayload(m, this.o.bootId, hist), { qos: 1 }, (err) => done(err ?? undefined));
  }

  private publishJson(client: MqttClient, topic: string, body: object, qos: 0 | 1, retain = false): void {
    client.publish(topic, JSON.stringify(body), { qos, retain }, (err) => {
      if (err && !this.stopped) this.log.warn({ err: err.message, topic }, 'publish failed');
    });
  }

  private sendBirth(client: MqttClient): void {
    let content: msg.BirthContent;
    try {
      content = this.o.birth();
    } catch (err) {
      this.log.error({ err }, 'birth provider threw');
      content = { points: [] };
    }
    this.publishJson(client, this.topics.birth, msg.birth(this.o.clock.now(), this.o.bootId, this.o.outbox.epoch, this.o.agent ?? 'firebreak', content), 1);
  }

  private sendHealth(): void {
    const client = this.client;
    // QoS 0 is never queued while offline: a stale health message is worse than none
    if (!client || !this.connected || !client.connected) return;
    let extras: msg.HealthExtras = {};
    try {
      extras = this.o.health();
    } catch (err) {
      this.log.warn({ err }, 'health provider threw');
    }
    const p = this.status();
    const usage = this.o.outbox.usage();
    const body = msg.health(
      {
        t: this.o.clock.now(),
        bootId: this.o.bootId,
        synced: (this.o.clockSync ?? this.ownClockSync)?.isSynced() ?? false,
        pending: p.pending,
        oldestPendingMs: p.oldestPendingMs,
        usedBytes: usage.usedBytes,
        maxBytes: usage.maxBytes,
        writeError: usage.writeError,
        uptimeS: (this.o.clock.monotonic() - this.startedAt) / 1000,
        memory: this.memory.read(),
      },
      extras,
    );
    this.publishJson(client, this.topics.health, body, 0);
  }

  /** `refusedBytes`: the client's parser dropped a payload that large unread (mqtt-packet-limit.ts) */
  private async onCommand(client: MqttClient, topic: string, payload: Buffer, refusedBytes?: number): Promise<void> {
    const name = this.topics.commandName(topic);
    if (name === undefined) return;
    let result: msg.CmdResult;
    try {
      if (refusedBytes !== undefined) result = tooLarge(name, refusedBytes);
      else result = await runCommand(name, payload, {
        rateRefusal: (n) => this.rate.refusal(n),
        now: () => this.o.clock.now(),
        rebirth: async () => this.sendBirth(client),
        snapshot: async () => {
          const samples = this.o.snapshot();
          if (samples.length === 0) throw new Error('no point has a value yet');
          // a snapshot is an ordinary data message: it takes the next seq of the data stream, is
          // buffered like any other and arrives live (hist: false), so dedupe and gap detection hold
          return { seq: await this.o.outbox.commitBatch(samples), samples: samples.length };
        },
        replay: (stream, fromSeq, toSeq) => this.delivery!.replay(stream, fromSeq, toSeq),
        whyNotStored: (stream, fromSeq, toSeq) => {
          const first = this.o.outbox.firstStoredSeq(stream);
          const next = this.o.outbox.nextSeq(stream);
          if (fromSeq >= next) return `not sent yet: the last ${stream} seq is ${next - 1}`;
          if (toSeq < first) return `pruned: ${stream} seq up to ${first - 1} is no longer stored (acknowledged messages are kept keepSentHours, fewer when the disk budget needs the room)`;
          return 'none of those messages is still stored';
        },
        timeHint: (t) => {
          const sync = this.o.clockSync ?? this.ownClockSync;
          if (!sync) throw new Error('no clock synchronisation running');
          return sync.hint(t);
        },
      });
    } catch (err) {
      const id = idOf(payload);
      result = msg.cmdResult(id, false, { cmd: name, error: (err as Error).message });
    }
    this.log.info({ cmd: name, id: result.id, ok: result.ok, error: result.error, bytes: refusedBytes ?? payload.length }, 'command answered');
    if (client.connected) this.publishJson(client, this.topics.cmdResult, result, 1);
  }
}

function idOf(payload: Buffer): string {
  try {
    const id = (JSON.parse(payload.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}
