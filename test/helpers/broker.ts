/**
 * A real MQTT broker for tests: mosquitto on a free loopback port with its own temp config,
 * or, where mosquitto is not installed, an embedded aedes broker. `stop()` and `start()` can
 * be called again to take the broker away mid-stream and bring it back on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { waitFor } from './wait.js';

export interface TestBroker {
  kind: 'mosquitto' | 'aedes';
  port: number;
  url: string;
  /** start again on the same port after stop() */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const MOSQUITTO_PATHS = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/opt/homebrew/sbin/mosquitto'];

export function mosquittoPath(): string | undefined {
  return process.env.MOSQUITTO ?? MOSQUITTO_PATHS.find((p) => existsSync(p));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** mosquitto with TLS: its CA, certificate and key; clients must show a certificate of the CA and a password */
export interface TlsBrokerFiles {
  ca: string;
  cert: string;
  key: string;
  /** a mosquitto password file (mosquitto_passwd) */
  passwordFile: string;
}

/** mosquitto on TLS with mutual authentication and passwords (no aedes fallback: the test needs mosquitto). */
export async function startTlsBroker(files: TlsBrokerFiles): Promise<TestBroker> {
  const bin = mosquittoPath();
  if (!bin) throw new Error('mosquitto is not installed');
  const port = await freePort();
  const b = mosquittoBroker(bin, port, [
    `cafile ${files.ca}`,
    `certfile ${files.cert}`,
    `keyfile ${files.key}`,
    'require_certificate true',
    'allow_anonymous false',
    `password_file ${files.passwordFile}`,
    // mosquitto started as root drops to its own user and could no longer read the test's key files
    `user ${userInfo().username}`,
  ]);
  await b.start();
  return { ...b, url: `mqtts://127.0.0.1:${port}` };
}

/** Start a broker; `prefer: 'aedes'` (or FIREBREAK_TEST_BROKER=aedes) forces the embedded one. */
export async function startBroker(opts: { prefer?: 'mosquitto' | 'aedes' } = {}): Promise<TestBroker> {
  const port = await freePort();
  const prefer = opts.prefer ?? (process.env.FIREBREAK_TEST_BROKER === 'aedes' ? 'aedes' : 'mosquitto');
  const bin = prefer === 'aedes' ? undefined : mosquittoPath();
  const b = bin ? mosquittoBroker(bin, port) : aedesBroker(port);
  await b.start();
  return b;
}

function mosquittoBroker(bin: string, port: number, listenerLines: string[] = ['allow_anonymous true']): TestBroker {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, ...listenerLines, 'persistence false', 'log_dest none', 'max_inflight_messages 0', 'max_queued_messages 0', ''].join('\n'),
  );
  let child: ChildProcess | undefined;
  let stderr = '';
  return {
    kind: 'mosquitto',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      stderr = '';
      const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<never>((_, reject) => c.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${stderr}`))));
      await Promise.race([waitForPort(port, 5000), exited]);
      exited.catch(() => undefined);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
  };
}

function aedesBroker(port: number): TestBroker {
  let close: (() => Promise<void>) | undefined;
  return {
    kind: 'aedes',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      const { Aedes } = await import('aedes');
      const { createServer: createMqttServer } = await import('aedes-server-factory');
      const broker = await Aedes.createBroker();
      const s = createMqttServer(broker) as Server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      const sockets = new Set<import('node:net').Socket>();
      s.on('connection', (sock: import('node:net').Socket) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      close = async () => {
        for (const sock of sockets) sock.destroy();
        await new Promise<void>((r) => s.close(() => r()));
        await new Promise<void>((r) => broker.close(() => r()));
      };
    },
    async stop() {
      const c = close;
      close = undefined;
      if (c) await c();
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `the broker to listen on ${port}`,
    () =>
      new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    timeoutMs,
  );
}

/**
 * One broker for a whole test file, started before its tests and stopped after them; what the
 * tests push onto `cleanup` (gateways, platform clients) is closed first, last opened first.
 * `broker` stands for the broker started in beforeAll (stop() and start() reach it too).
 */
export function brokerPerFile(): { broker: TestBroker; cleanup: (() => Promise<void>)[] } {
  let b: TestBroker | undefined;
  const started = (): TestBroker => {
    if (!b) throw new Error('the broker starts in beforeAll: use it inside a test');
    return b;
  };
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    b = await startBroker();
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await b?.stop();
  });
  const broker: TestBroker = {
    get kind() {
      return started().kind;
    },
    get port() {
      return started().port;
    },
    get url() {
      return started().url;
    },
    start: () => started().start(),
    stop: () => started().stop(),
  };
  return { broker, cleanup };
}

/**
 * A gateway's MQTT connects through a gate: closed, every attempt goes to a port nobody listens
 * on. A test closes it before stopping the broker and opens it once the platform is subscribed
 * again, so the backlog never goes out to a restarted broker (no persistence) before anyone listens.
 */
export function connectGate(): { open: boolean; connect: (url: string, opts: IClientOptions) => MqttClient } {
  const gate = { open: true, connect: (url: string, opts: IClientOptions) => mqtt.connect(gate.open ? url : 'mqtt://127.0.0.1:1', opts) };
  return gate;
}
