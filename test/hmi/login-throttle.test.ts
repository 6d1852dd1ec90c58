/**
 * Password guessing at the page (issue #14, item 3), over HTTP against the real server on
 * loopback: the panel is 127.0.0.1, a laptop on the LAN is another loopback address. Lockouts go
 * through the plant's event log into a real SQLite buffer, and are read back as the uplink sends them.
 */
import { request } from 'node:http';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Outbox } from '../../agent/buffer/outbox.js';
import { FakeClock } from '../../agent/core/clock.js';
import type { PlantEvent } from '../../agent/core/types.js';
import type { UserStore } from '../../agent/hmi/users.js';
import { EventLog } from '../../agent/plant/events.js';
import { storedPayload } from '../../agent/uplink/messages.js';
import { openOutbox } from '../buffer/tmp-outbox.js';
import { schemaProblems } from '../uplink/schemas.js';
import { makeUsers, OPERATOR, startServer, SUPERVISOR, type Running } from './harness.js';
import { sandingWorkshop } from './sanding-workshop.js';

const PANEL = '127.0.0.1';
const LAPTOP = '127.0.0.2';
const SPRAYER = '127.0.0.3';

let users: UserStore;
let cleanup: () => void;
let clock: FakeClock;
let outbox: Outbox;
let r: Running;
let buffering: Promise<void>[];

beforeAll(async () => {
  ({ users, cleanup } = await makeUsers());
});
afterAll(() => cleanup());

beforeEach(async () => {
  clock = new FakeClock();
  ({ outbox } = await openOutbox({ commitMs: 20 }));
  const events = new EventLog('test-boot', () => true);
  buffering = [];
  events.onEvent((e) => buffering.push(outbox.addEvent(e)));
  r = await startServer(sandingWorkshop(clock), users, clock, { report: events.report, log: pino({ level: 'silent' }) });
});
afterEach(async () => {
  await r.server.stop();
  await outbox.close();
});

/** A login POSTed like the page does, from the given loopback address. */
function loginFrom(address: string, who: { name: string; password: string }): Promise<{ status: number; error?: string }> {
  const url = new URL('/api/login', r.base);
  const body = JSON.stringify(who);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: address, headers: { 'Content-Type': 'application/json', Origin: r.origin, 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, error: (JSON.parse(Buffer.concat(chunks).toString()) as { error?: string }).error }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The events messages as the uplink would publish them from the buffer: their bytes, checked against the schemas. */
async function publishedEvents(): Promise<{ bytes: string; events: PlantEvent[] }[]> {
  await Promise.all(buffering);
  const stored = await outbox.readRange('events', 1, outbox.nextSeq('events'));
  return stored.map((m) => {
    const bytes = storedPayload(m, 'test-boot', false).toString();
    const message = JSON.parse(bytes) as { events: PlantEvent[] };
    expect(schemaProblems(message)).toEqual([]);
    return { bytes, events: message.events };
  });
}

describe('login throttle', () => {
  it('five wrong passwords for the operator from a LAN address do not stop the operator at the panel', async () => {
    for (let i = 0; i < 5; i++) expect((await loginFrom(LAPTOP, { name: OPERATOR.name, password: `guess-${i}` })).status).toBe(401);
    expect(await loginFrom(LAPTOP, OPERATOR)).toEqual({ status: 429, error: 'throttled' });
    expect((await loginFrom(PANEL, OPERATOR)).status).toBe(200);
    // and the laptop waits out its 30 s on the injected clock, not the wall clock
    clock.advance(29_000);
    expect((await loginFrom(LAPTOP, OPERATOR)).status).toBe(429);
    clock.advance(2_000);
    expect((await loginFrom(LAPTOP, OPERATOR)).status).toBe(200);
  });

  it('throttles an address that sprays many names, for every name, and leaves the panel alone', async () => {
    for (let i = 0; i < 10; i++) expect((await loginFrom(SPRAYER, { name: `user${i}`, password: 'password1' })).status).toBe(401);
    expect((await loginFrom(SPRAYER, SUPERVISOR)).status).toBe(429);
    expect((await loginFrom(PANEL, SUPERVISOR)).status).toBe(200);
  });

  it('stores each lockout as a system event naming the user and address, without the password', async () => {
    for (let i = 0; i < 5; i++) await loginFrom(LAPTOP, { name: OPERATOR.name, password: `secret-guess-${i}` });
    const published = await publishedEvents();
    const lockouts = published.flatMap((m) => m.events).filter((e) => e.source === 'hmi.login');
    expect(lockouts).toMatchObject([
      { type: 'system', state: 'locked', priority: 'medium', t: clock.now(), detail: { scope: 'name', user: OPERATOR.name, address: LAPTOP, failures: 5, lockedForS: 30 } },
    ]);
    expect(lockouts[0]?.message).toContain(LAPTOP);
    for (const m of published) expect(m.bytes).not.toContain('secret-guess');
  });
});
