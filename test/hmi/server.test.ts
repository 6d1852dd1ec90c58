import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import type { PlantSnapshot } from '../../agent/hmi/model.js';
import type { UserStore } from '../../agent/hmi/users.js';
import type { FakePlant } from './fake-plant.js';
import { login, makeUsers, newKey, OPERATOR, post, startServer, SUPERVISOR, type Running } from './harness.js';
import { sandingWorkshop } from './sanding-workshop.js';

let users: UserStore;
let cleanup: () => void;
let clock: FakeClock;
let plant: FakePlant;
let r: Running;

beforeAll(async () => {
  ({ users, cleanup } = await makeUsers());
});
afterAll(() => cleanup());

beforeEach(async () => {
  clock = new FakeClock();
  plant = sandingWorkshop(clock);
  plant.raiseAlarm({ id: 'dc1.dp:high', source: 'dc1.dp', name: '除尘器进出口压差', priority: 'high', message: '压差高', value: 1850, limit: 1800, limitKind: 'high' });
  plant.trip('sander1-permit', 'permitWhen[0]');
  r = await startServer(plant, users, clock);
});
afterEach(async () => {
  await r.server.stop();
});

/** Runs a refused request and checks that the plant did not move. */
async function refusedWithoutChange(request: () => Promise<{ status: number; body: { error?: string } }>): Promise<{ status: number; error?: string }> {
  const before: PlantSnapshot = plant.snapshot();
  const res = await request();
  expect(plant.snapshot()).toEqual(before);
  expect(plant.actions).toEqual([]);
  expect(typeof res.body.error).toBe('string');
  return { status: res.status, error: res.body.error };
}

describe('viewing', () => {
  it('serves the snapshot, the page and uPlot without a login', async () => {
    const snap = (await (await fetch(`${r.base}/api/snapshot`)).json()) as PlantSnapshot;
    expect(snap.alarms.map((a) => a.id)).toEqual(['dc1.dp:high']);
    const page = await fetch(`${r.base}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('lang="zh-CN"');
    const uplot = await fetch(`${r.base}/vendor/uPlot.esm.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toMatch(/javascript/);
  });

  it('never serves a file outside public/', async () => {
    for (const path of ['/..%2f..%2f..%2fpackage.json', '/../../package.json', '/%2e%2e/server.ts', '/server.ts']) {
      expect((await fetch(`${r.base}${path}`)).status, path).toBe(404);
    }
  });

  it('answers trends of the last hour, thinned, and refuses unknown points and ranges', async () => {
    const res = await fetch(`${r.base}/api/trend?point=dc1.dp&range=1h`);
    const body = (await res.json()) as { t: number[]; v: (number | null)[]; from: number; to: number };
    expect(res.status).toBe(200);
    expect(body.to - body.from).toBe(3600_000);
    expect(body.t.length).toBe(body.v.length);
    expect(body.t.length).toBeGreaterThan(300);
    const day = (await (await fetch(`${r.base}/api/trend?point=dc1.dp&range=24h`)).json()) as { t: number[]; v: (number | null)[] };
    expect(day.t.length).toBeLessThanOrEqual(1440);
    expect(day.v).toContain(null);
    expect((await fetch(`${r.base}/api/trend?point=nope&range=1h`)).status).toBe(404);
    expect((await fetch(`${r.base}/api/trend?point=dc1.dp&range=7d`)).status).toBe(400);
  });
});

describe('login', () => {
  it('sets an HttpOnly SameSite=Strict cookie and tells the page who is logged in', async () => {
    const res = await fetch(`${r.base}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: r.origin },
      body: JSON.stringify(OPERATOR),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = (await (await fetch(`${r.base}/api/session`, { headers: { Cookie: cookie.split(';')[0] ?? '' } })).json()) as {
      user: { name: string; role: string };
      csrf: string;
    };
    expect(session.user).toEqual({ name: OPERATOR.name, role: 'operator' });
    expect(session.csrf.length).toBeGreaterThan(20);
  });

  it('refuses a wrong password with 401 and no cookie', async () => {
    const res = await fetch(`${r.base}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: r.origin },
      body: JSON.stringify({ name: OPERATOR.name, password: 'wrong-password' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(((await res.json()) as { error: string }).error).toBe('bad_credentials');
  });

  it('refuses a login from another site', async () => {
    const res = await post(r, '/api/login', { origin: 'http://evil.example', body: JSON.stringify(OPERATOR) });
    expect(res.status).toBe(403);
  });

  it('throttles after 5 failures, even when the 6th password is right', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await post(r, '/api/login', { body: JSON.stringify({ name: OPERATOR.name, password: `guess-${i}` }) })).status).toBe(401);
    }
    const blocked = await post(r, '/api/login', { body: JSON.stringify(OPERATOR) });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe('throttled');
    clock.advance(31_000);
    expect((await post(r, '/api/login', { body: JSON.stringify(OPERATOR) })).status).toBe(200);
  });
});

describe('actions', () => {
  it('acknowledges an alarm as the logged-in user', async () => {
    const op = await login(r, OPERATOR);
    const res = await post(r, `/api/alarms/${encodeURIComponent('dc1.dp:high')}/ack`, { session: op });
    expect(res).toEqual({ status: 200, body: { ok: true } });
    expect(plant.alarm('dc1.dp:high').state).toBe('ack');
    expect(plant.actions).toMatchObject([{ action: 'acknowledge', id: 'dc1.dp:high', user: OPERATOR.name }]);
  });

  it('resets a latched permit once its condition holds again', async () => {
    const op = await login(r, OPERATOR);
    plant.restore('sander1-permit', 'permitWhen[0]');
    expect((await post(r, '/api/interlocks/sander1-permit/reset', { session: op })).status).toBe(200);
    expect(plant.permit('sander1-permit')).toMatchObject({ on: true, latched: false });
    expect(plant.actions).toMatchObject([{ action: 'reset', user: OPERATOR.name }]);
  });

  it('passes the model refusal through: a reset while the condition still fails is 409', async () => {
    const op = await login(r, OPERATOR);
    const res = await post(r, '/api/interlocks/sander1-permit/reset', { session: op });
    expect(res.status).toBe(409);
    expect(plant.permit('sander1-permit').on).toBe(false);
  });

  it('lets a supervisor shelve with a reason until a time, and refuses an operator', async () => {
    const op = await login(r, OPERATOR);
    const path = `/api/alarms/${encodeURIComponent('dc1.dp:high')}/shelve`;
    const body = JSON.stringify({ reason: '压差变送器检修', minutes: 30 });
    expect((await refusedWithoutChange(() => post(r, path, { session: op, body }))).status).toBe(403);
    const sup = await login(r, SUPERVISOR);
    expect((await post(r, path, { session: sup, body })).status).toBe(200);
    expect(plant.alarm('dc1.dp:high')).toMatchObject({ state: 'shelved', shelvedBy: SUPERVISOR.name, shelvedUntil: clock.now() + 30 * 60_000 });
    expect(plant.actions).toMatchObject([{ action: 'shelve', user: SUPERVISOR.name, reason: '压差变送器检修' }]);
  });

  it('refuses an action without a session with 401', async () => {
    const res = await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack'));
    expect(res).toEqual({ status: 401, error: 'no_session' });
  });

  it('refuses a missing or wrong CSRF token with 403', async () => {
    const op = await login(r, OPERATOR);
    expect(await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: op, csrf: null }))).toEqual({ status: 403, error: 'bad_csrf' });
    expect(await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: op, csrf: 'x'.repeat(43) }))).toEqual({ status: 403, error: 'bad_csrf' });
  });

  it('refuses a request from another origin, or with no Origin or Referer, with 403', async () => {
    const op = await login(r, OPERATOR);
    expect((await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: op, origin: 'http://evil.example' }))).status).toBe(403);
    expect((await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: op, origin: null }))).status).toBe(403);
  });

  it('answers 404 for an unknown alarm or interlock', async () => {
    const op = await login(r, OPERATOR);
    expect(await refusedWithoutChange(() => post(r, '/api/alarms/no.such.alarm/ack', { session: op }))).toEqual({ status: 404, error: 'not_found' });
    expect(await refusedWithoutChange(() => post(r, '/api/interlocks/no-such-permit/reset', { session: op }))).toEqual({ status: 404, error: 'not_found' });
  });

  it('refuses a body over 4 KiB with 413', async () => {
    const sup = await login(r, SUPERVISOR);
    const body = JSON.stringify({ reason: '检修'.repeat(1200), minutes: 30 });
    expect(Buffer.byteLength(body)).toBeGreaterThan(4096);
    expect(await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/shelve', { session: sup, body }))).toEqual({ status: 413, error: 'too_large' });
  });

  it('refuses junk JSON, a non-JSON type, unknown fields and out-of-range values with 400/415', async () => {
    const sup = await login(r, SUPERVISOR);
    const path = '/api/alarms/dc1.dp%3Ahigh/shelve';
    expect(await refusedWithoutChange(() => post(r, path, { session: sup, body: '{"reason": "x", minutes: 3' }))).toEqual({ status: 400, error: 'bad_json' });
    expect((await refusedWithoutChange(() => post(r, path, { session: sup, body: 'reason=x', contentType: 'application/x-www-form-urlencoded' }))).status).toBe(415);
    for (const bad of [{ reason: 'x', minutes: 30, extra: 1 }, { reason: '   ', minutes: 30 }, { reason: 'x', minutes: 0 }, { reason: 'x', minutes: 721 }, { reason: 'x', minutes: 1.5 }, [1]]) {
      expect(await refusedWithoutChange(() => post(r, path, { session: sup, body: JSON.stringify(bad) })), JSON.stringify(bad)).toEqual({ status: 400, error: 'invalid' });
    }
    expect((await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: sup, body: '{"force":true}' }))).status).toBe(400);
    expect((await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: sup, key: null }))).status).toBe(400);
  });

  it('refuses a replayed request with 409 even when the model would accept it again', async () => {
    const op = await login(r, OPERATOR);
    const key = newKey();
    expect((await post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: op, key })).status).toBe(200);
    // The alarm comes back: a fresh acknowledgement would be legal, the old request is not.
    plant.raiseAlarm({ id: 'dc1.dp:high', source: 'dc1.dp', name: '除尘器进出口压差', priority: 'high', message: '压差高' });
    plant.actions.length = 0;
    expect(await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: op, key }))).toEqual({ status: 409, error: 'replayed' });
    expect(plant.alarm('dc1.dp:high').state).toBe('unack');
  });

  it('ends a session after 15 min without an action', async () => {
    const op = await login(r, OPERATOR);
    clock.advance(14 * 60_000);
    plant.raiseAlarm({ id: 'a2', source: 'dc1.hopperTemp', name: '灰斗温度', priority: 'medium', message: '温度高' });
    expect((await post(r, '/api/alarms/a2/ack', { session: op })).status).toBe(200);
    // 28 min after login but 14 min after the last action: still logged in.
    clock.advance(14 * 60_000);
    expect((await post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: op })).status).toBe(200);
    plant.raiseAlarm({ id: 'a2', source: 'dc1.hopperTemp', name: '灰斗温度', priority: 'medium', message: '温度高' });
    clock.advance(15 * 60_000);
    plant.actions.length = 0;
    expect((await refusedWithoutChange(() => post(r, '/api/alarms/a2/ack', { session: op }))).status).toBe(401);
  });

  it('ends a session 12 h after login however busy it is', async () => {
    const op = await login(r, OPERATOR);
    for (let minutes = 10; minutes < 12 * 60; minutes += 10) {
      clock.advance(10 * 60_000);
      plant.raiseAlarm({ id: 'a2', source: 'dc1.hopperTemp', name: '灰斗温度', priority: 'medium', message: '温度高' });
      expect((await post(r, '/api/alarms/a2/ack', { session: op })).status).toBe(200);
    }
    clock.advance(10 * 60_000);
    plant.raiseAlarm({ id: 'a2', source: 'dc1.hopperTemp', name: '灰斗温度', priority: 'medium', message: '温度高' });
    plant.actions.length = 0;
    expect((await refusedWithoutChange(() => post(r, '/api/alarms/a2/ack', { session: op }))).status).toBe(401);
  });

  it('logs out: the same cookie and token can no longer act', async () => {
    const op = await login(r, OPERATOR);
    expect((await post(r, '/api/logout', { session: op, key: null })).status).toBe(200);
    expect(await refusedWithoutChange(() => post(r, '/api/alarms/dc1.dp%3Ahigh/ack', { session: op }))).toEqual({ status: 401, error: 'no_session' });
  });
});

describe('event stream', () => {
  /** Reads server-sent events until `count` of type `type` arrived or `ms` passed. */
  interface StreamState {
    buffer: string;
    /** a read that outlived an earlier timeout: its chunk belongs to the next collect */
    read?: Promise<ReadableStreamReadResult<Uint8Array>>;
  }

  async function collect(reader: ReadableStreamDefaultReader<Uint8Array>, state: StreamState, type: string, count: number, ms: number): Promise<string[]> {
    const decoder = new TextDecoder();
    const found: string[] = [];
    const deadline = Date.now() + ms;
    for (;;) {
      let end: number;
      while ((end = state.buffer.indexOf('\n\n')) >= 0) {
        const frame = state.buffer.slice(0, end);
        state.buffer = state.buffer.slice(end + 2);
        const lines = frame.split('\n');
        if (lines.includes(`event: ${type}`)) found.push(lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '');
      }
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) return found;
      state.read ??= reader.read();
      const next = await Promise.race([state.read, new Promise<null>((res) => setTimeout(() => res(null), left))]);
      if (next === null) return found;
      state.read = undefined;
      if (next.done) return found;
      state.buffer += decoder.decode(next.value, { stream: true });
    }
  }

  it('sends a snapshot on connect, then one coalesced snapshot for a burst of changes', async () => {
    const controller = new AbortController();
    const res = await fetch(`${r.base}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const state: StreamState = { buffer: '' };
    const [first] = await collect(reader, state, 'snapshot', 1, 2000);
    expect((JSON.parse(first ?? '{}') as PlantSnapshot).alarms).toHaveLength(1);

    for (let i = 0; i < 10; i++) plant.raiseAlarm({ id: `burst${i}`, source: 'spark1', name: '火花', priority: 'high', message: '火花' });
    // Nothing is sent before the coalescing timer (on the fake clock) fires.
    expect(await collect(reader, state, 'snapshot', 1, 150)).toEqual([]);
    clock.advance(200);
    const frames = await collect(reader, state, 'snapshot', 2, 300);
    expect(frames).toHaveLength(1);
    expect((JSON.parse(frames[0] ?? '{}') as PlantSnapshot).alarms).toHaveLength(11);

    clock.advance(10_000);
    expect(await collect(reader, state, 'heartbeat', 1, 1000)).toHaveLength(1);
    controller.abort();
  });

  it('sends a change at once when the stream has been quiet', async () => {
    const controller = new AbortController();
    const reader = (await fetch(`${r.base}/api/events`, { signal: controller.signal })).body!.getReader();
    const state: StreamState = { buffer: '' };
    await collect(reader, state, 'snapshot', 1, 2000);
    clock.advance(1000);
    plant.raiseAlarm({ id: 'quiet', source: 'spark1', name: '火花', priority: 'high', message: '火花' });
    clock.advance(0);
    expect(await collect(reader, state, 'snapshot', 1, 1000)).toHaveLength(1);
    controller.abort();
  });

  it('sends an uplink backlog that drains without any plant change within a second, and nothing while all stays the same', async () => {
    const controller = new AbortController();
    const reader = (await fetch(`${r.base}/api/events`, { signal: controller.signal })).body!.getReader();
    const state: StreamState = { buffer: '' };
    await collect(reader, state, 'snapshot', 1, 2000);
    clock.advance(1000); // the first page's snapshot was never broadcast: the refresh tells every page once
    await collect(reader, state, 'snapshot', 1, 300);
    clock.advance(3000); // the clock moves, nothing else: no snapshot
    expect(await collect(reader, state, 'snapshot', 1, 300)).toEqual([]);
    // the outbox sends without the plant announcing anything, as the real uplink does
    plant.uplinks[0]!.pending = 120;
    clock.advance(1000);
    const [frame] = await collect(reader, state, 'snapshot', 1, 1000);
    expect((JSON.parse(frame ?? '{}') as PlantSnapshot).uplinks[0]?.pending).toBe(120);
    controller.abort();
  });
});
