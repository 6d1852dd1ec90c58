import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../agent/core/log.js';
import { mosquittoPath, startTlsBroker, type TestBroker } from '../helpers/broker.js';
import { dp, tempDir } from '../buffer/tmp-outbox.js';
import { startGateway, type Gateway } from './gateway.js';
import { schemaProblems } from './schemas.js';
import { Platform, waitFor } from './subscriber.js';
import { haveCommand, makePki, type TestPki } from './tls-certs.js';

const missing = ['openssl', 'mosquitto_passwd'].filter((c) => !haveCommand(c)).concat(mosquittoPath() ? [] : ['mosquitto']);
if (missing.length > 0) console.warn(`skipping the mutual-TLS uplink tests: ${missing.join(', ')} not installed`);

const SECRET = `gw-Secret-${process.pid}-${Date.now()}`;
const PLATFORM_SECRET = `platform-Secret-${process.pid}`;

/** everything the agent's real logger (redaction on) writes, at trace level */
function capturingLog() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger('trace', sink), text: () => lines.join('') };
}

describe.skipIf(missing.length > 0)('MQTT uplink over mutual TLS with a password file', () => {
  let pki: TestPki;
  let broker: TestBroker;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const dir = tempDir();
    pki = makePki(dir, { gw: SECRET, platform: PLATFORM_SECRET });
    broker = await startTlsBroker({ ca: pki.ca, cert: pki.serverCert, key: pki.serverKey, passwordFile: pki.brokerPasswords });
  }, 30_000);
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await broker?.stop();
  });

  function passwordFile(secret: string): string {
    const p = join(tempDir(), 'mqtt.password');
    writeFileSync(p, `${secret}\n`);
    chmodSync(p, 0o600);
    return p;
  }

  const platformTls = () => ({ ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), username: 'platform', password: PLATFORM_SECRET });

  async function gateway(o: { secret: string; ca?: string }): Promise<{ gw: Gateway; logs: () => string }> {
    const { log, text } = capturingLog();
    const gw = await startGateway(broker.url, {
      autostart: false,
      log,
      mqtt: { url: broker.url, username: 'gw', passwordFile: passwordFile(o.secret), tls: { ca: o.ca ?? pki.ca, cert: pki.clientCert, key: pki.clientKey } },
    });
    cleanup.push(() => gw.close());
    return { gw, logs: text };
  }

  it('delivers readings to a broker that demands a client certificate and a password, and never logs the secret or the key', async () => {
    const { gw, logs } = await gateway({ secret: SECRET });
    const platform = await Platform.connect(broker.url, gw.root, platformTls());
    cleanup.push(() => platform.close());
    await gw.uplink.start();
    await platform.ready();
    gw.outbox.addSample(dp(1, Date.now(), 812.5));
    await gw.outbox.flush();
    await waitFor('data over TLS', () => platform.on('data').length > 0);
    expect(platform.on('data')[0]!.body).toMatchObject({ kind: 'data', seq: 1, hist: false });
    for (const r of platform.received.filter((m) => !m.topic.includes('/cmd/'))) expect(schemaProblems(r.body)).toEqual([]);

    const text = logs();
    expect(text).toMatch(/mqtt connected/);
    expect(text).not.toContain(SECRET);
    const keyBody = readFileSync(pki.clientKey, 'utf8').split('\n')[1]!;
    expect(text).not.toContain(keyBody);
    expect(text).not.toMatch(/PRIVATE KEY/);
  });

  it('stays offline with a wrong password, says why, and logs no password', async () => {
    const wrong = `wrong-${SECRET}`;
    const { gw, logs } = await gateway({ secret: wrong });
    await gw.uplink.start();
    await waitFor('a refusal in the log', () => /not authori[sz]ed|Bad username or password/i.test(logs()), 10_000);
    expect(gw.uplink.status().connected).toBe(false);
    expect(logs()).not.toContain(wrong);
    expect(logs()).not.toContain(SECRET);
  });

  it('refuses a broker whose certificate its CA did not sign', async () => {
    const { gw, logs } = await gateway({ secret: SECRET, ca: pki.otherCa });
    await gw.uplink.start();
    await waitFor('a certificate error in the log', () => /certificate/i.test(logs()), 10_000);
    expect(gw.uplink.status().connected).toBe(false);
  });

  it('the broker really demands the client certificate: a client with only the password is turned away', async () => {
    const { cert: _c, key: _k, ...noCert } = platformTls();
    await expect(mqtt.connectAsync(broker.url, { ...noCert, reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow();
  });
});
