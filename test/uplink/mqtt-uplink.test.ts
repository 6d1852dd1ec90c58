import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { PlantEvent, Sample } from '../../agent/core/types.js';
import { brokerPerFile, connectGate } from '../helpers/broker.js';
import { dp, seriesEventIds, sparkEvent } from '../buffer/tmp-outbox.js';
import { startGateway, type Gateway } from './gateway.js';
import { schemaProblems } from './schemas.js';
import { Platform, waitFor, type Received } from './subscriber.js';

const { broker, cleanup } = brokerPerFile();

async function gatewayAndPlatform(o: Parameters<typeof startGateway>[1] = {}): Promise<{ gw: Gateway; platform: Platform }> {
  const gw = await startGateway(broker.url, { ...o, autostart: false });
  const platform = await Platform.connect(broker.url, gw.root);
  await gw.uplink.start();
  cleanup.push(() => gw.close(), () => platform.close());
  await platform.ready();
  return { gw, platform };
}

const seqs = (rs: Received[]) => rs.map((r) => r.body.seq as number);
const unique = (ns: number[]) => [...new Set(ns)].sort((a, b) => a - b);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function expectAllValid(platform: Platform): void {
  const problems = platform.received.filter((r) => !r.topic.includes('/cmd/')).flatMap((r) => schemaProblems(r.body));
  expect(problems).toEqual([]);
}

describe(`MQTT uplink against a real broker`, () => {
  it('announces the gateway online (retained) and sends birth with every point, output and interlock', async () => {
    const { gw, platform } = await gatewayAndPlatform();
    await waitFor('state and birth', () => platform.on('state').length > 0 && platform.on('birth').length > 0);
    expect(platform.on('state')[0]!.body).toMatchObject({ online: true, bootId: gw.bootId });
    const birth = platform.on('birth')[0]!.body;
    expect(birth).toMatchObject({ kind: 'birth', bootId: gw.bootId, agent: 'firebreak/test' });
    expect((birth.points as { id: string }[]).map((p) => p.id)).toEqual(['dc1.dp', 'dc1.hopperTemp', 'spark1']);
    expect((birth.outputs as { id: string }[]).map((p) => p.id)).toEqual(['sander1.permit']);
    expect((birth.interlocks as { id: string }[]).map((p) => p.id)).toEqual(['sander1']);
    // a platform that subscribes later still sees the retained state
    const late = await Platform.connect(broker.url, gw.root);
    cleanup.push(() => late.close());
    await waitFor('retained state', () => late.on('state').length > 0);
    expect(late.on('state')[0]).toMatchObject({ retain: true, body: { online: true } });
    expectAllValid(platform);
  });

  it('delivers readings and spark events in order with seq 1, 2, 3 …, live (hist false)', async () => {
    const { gw, platform } = await gatewayAndPlatform();
    const t = Date.now();
    for (let n = 1; n <= 10; n++) {
      gw.outbox.addSample(dp(1, t + n, 800 + n));
      await gw.outbox.flush();
      await gw.outbox.addEvent(sparkEvent(n, t + n));
    }
    // events seq 1: the new gateway's seq series announces itself
    await waitFor('10 data and 11 events messages', () => platform.on('data').length >= 10 && platform.on('events').length >= 11);
    expect(seqs(platform.on('data'))).toEqual(oneTo(10));
    expect(seqs(platform.on('events'))).toEqual(oneTo(11));
    expect(platform.on('data').every((r) => r.body.hist === false && r.body.bootId === gw.bootId)).toBe(true);
    expect(platform.on('data').flatMap((r) => (r.body.samples as Sample[]).map((s) => s.v))).toEqual(oneTo(10).map((n) => 800 + n));
    expect(platform.on('events').flatMap((r) => (r.body.events as PlantEvent[]).map((e) => e.id))).toEqual([...seriesEventIds(gw.outbox.epoch), ...oneTo(10).map((n) => `spark1-${n}`)]);
    await waitFor('nothing pending', () => gw.uplink.status().pending === 0);
    expect(gw.uplink.status()).toMatchObject({ name: 'mqtt', connected: true, pending: 0, oldestPendingMs: null });
    expectAllValid(platform);
  });

  it('after the broker dies mid-stream and comes back, every seq arrives, and the backlog comes flagged hist', async () => {
    // the gateway's reconnects pass through this gate, so the platform is subscribed again first
    const gate = connectGate();
    const { gw, platform } = await gatewayAndPlatform({
      connect: gate.connect,
    });
    let n = 0;
    let running = true;
    const producer = (async () => {
      while (running) {
        for (let i = 0; i < 5; i++) gw.outbox.addSample(dp(1, Date.now(), n++));
        await gw.outbox.flush();
        if (n % 50 === 0) await gw.outbox.addEvent(sparkEvent(n, Date.now()));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitFor('live data before the outage', () => platform.on('data').length >= 10);
    gate.open = false;
    await broker.stop();
    await waitFor('the gateway to notice', () => !gw.uplink.status().connected);
    const noticedAt = gw.outbox.nextSeq('data');
    await waitFor('messages committed during the outage', () => gw.outbox.nextSeq('data') >= noticedAt + 20);
    const committedDuringOutage = gw.outbox.nextSeq('data') - 1;
    expect(gw.uplink.status().pending).toBeGreaterThan(0);
    await broker.start();
    const after = await Platform.connect(broker.url, gw.root);
    cleanup.push(() => after.close());
    gate.open = true;
    await waitFor('reconnect', () => gw.uplink.status().connected);
    // messages committed after the reconnect going out live beside the backlog
    const reconnectedAt = gw.outbox.nextSeq('data');
    await waitFor('live data after the reconnect', () => after.on('data').some((r) => r.body.hist === false && (r.body.seq as number) >= reconnectedAt));
    running = false;
    await producer;
    const lastData = gw.outbox.nextSeq('data') - 1;
    const lastEvents = gw.outbox.nextSeq('events') - 1;
    const all = () => [...platform.received, ...after.received];
    const byTopic = (s: string) => all().filter((r) => r.topic === `${gw.root}/${s}`);
    await waitFor('every seq', () => unique(seqs(byTopic('data'))).length === lastData && unique(seqs(byTopic('events'))).length === lastEvents, 20_000);
    expect(unique(seqs(byTopic('data')))).toEqual(oneTo(lastData));
    expect(unique(seqs(byTopic('events')))).toEqual(oneTo(lastEvents));
    // the backlog (committed while offline) came flagged hist, in seq order
    const hist = after.on('data').filter((r) => r.body.hist === true);
    expect(hist.length).toBeGreaterThan(0);
    expect(seqs(hist)).toEqual([...seqs(hist)].sort((a, b) => a - b));
    expect(seqs(hist)).toContain(committedDuringOutage);
    // and live data kept its order too
    const live = seqs(after.on('data').filter((r) => r.body.hist === false));
    expect(live).toEqual([...live].sort((a, b) => a - b));
    // every sample value 0..n-1 arrived
    const values = new Set(all().filter((r) => r.topic.endsWith('/data')).flatMap((r) => (r.body.samples as Sample[]).map((s) => s.v)));
    expect(values.size).toBe(n);
    expectAllValid(platform);
    expectAllValid(after);
    // birth and state again after the reconnect
    expect(after.on('birth').length).toBeGreaterThan(0);
    expect(after.on('state').some((r) => r.body.online === true)).toBe(true);
  }, 40_000);

  it('drains a backlog of 2,000 messages without ever handing mqtt.js more than the window', async () => {
    const gw = await startGateway(broker.url, { window: 8, autostart: false });
    cleanup.push(() => gw.close());
    for (let m = 0; m < 2000; m++) {
      gw.outbox.addSample(dp(1, Date.now(), m));
      await gw.outbox.flush();
    }
    const platform = await Platform.connect(broker.url, gw.root);
    cleanup.push(() => platform.close());
    await gw.uplink.start();
    // a reading committed while the backlog drains goes out live, whatever the drain is doing
    await waitFor('the drain under way', () => platform.on('data').length >= 100, 30_000);
    gw.outbox.addSample(dp(2, Date.now(), 4242));
    await gw.outbox.flush();
    await waitFor('the whole backlog', () => platform.on('data').length >= 2001, 30_000);
    const backlog = platform.on('data').filter((r) => r.body.hist === true);
    const live = platform.on('data').filter((r) => r.body.hist === false);
    expect(seqs(backlog)).toEqual(oneTo(2000));
    // every message carries its own reading (the stored batch, decoded, serialised once)
    expect(backlog.map((r) => (r.body.samples as Sample[]).map((s) => s.v))).toEqual(oneTo(2000).map((n) => [n - 1]));
    expect(live.map((r) => [r.body.seq, (r.body.samples as Sample[])[0]!.v])).toEqual([[2001, 4242]]);
    expectAllValid(platform);
    expect(gw.maxInFlight()).toBeLessThanOrEqual(8);
    expect(gw.maxInFlight()).toBeGreaterThan(1);
    await waitFor('nothing pending', () => gw.uplink.status().pending === 0);
  }, 40_000);

  it('answers ping, rebirth, snapshot and replay on cmd-result', async () => {
    const { gw, platform } = await gatewayAndPlatform();
    for (let k = 1; k <= 5; k++) {
      gw.outbox.addSample(dp(1, Date.now(), k));
      await gw.outbox.flush();
    }
    await waitFor('5 data messages', () => platform.on('data').length >= 5);
    const result = async (id: string) => {
      await waitFor(`result ${id}`, () => platform.on('cmd-result').some((r) => r.body.id === id));
      return platform.on('cmd-result').find((r) => r.body.id === id)!.body;
    };

    await platform.command('ping', { id: 'p-1' });
    expect(await result('p-1')).toMatchObject({ id: 'p-1', ok: true });

    const births = platform.on('birth').length;
    await platform.command('rebirth', { id: 'rb-1' });
    expect(await result('rb-1')).toMatchObject({ ok: true });
    await waitFor('second birth', () => platform.on('birth').length === births + 1);

    await platform.command('snapshot', { id: 'snap-1' });
    const snap = await result('snap-1');
    expect(snap).toMatchObject({ ok: true, stream: 'data', seq: 6 });
    await waitFor('snapshot data', () => platform.on('data').some((r) => r.body.seq === 6));
    const snapMsg = platform.on('data').find((r) => r.body.seq === 6)!.body;
    expect((snapMsg.samples as Sample[]).map((s) => s.p)).toEqual(['dc1.dp', 'spark1']);
    expect(snapMsg.hist).toBe(false);

    const before = platform.on('data').length;
    await platform.command('replay', { id: 'rp-1', stream: 'data', fromSeq: 2, toSeq: 4 });
    expect(await result('rp-1')).toMatchObject({ ok: true, stream: 'data', fromSeq: 2, toSeq: 4, count: 3 });
    await waitFor('replayed messages', () => platform.on('data').length >= before + 3);
    const replayed = platform.on('data').slice(before);
    expect(seqs(replayed)).toEqual([2, 3, 4]);
    expect(replayed.every((r) => r.body.hist === true)).toBe(true);
    expect(replayed.map((r) => (r.body.samples as Sample[])[0]!.v)).toEqual([2, 3, 4]);

    await platform.command('replay', { id: 'rp-2', stream: 'data', fromSeq: 900, toSeq: 910 });
    expect(await result('rp-2')).toMatchObject({ ok: false, error: expect.stringMatching(/^not sent yet: the last data seq is 6/) });
    for (const r of platform.on('cmd-result')) expect(schemaProblems(r.body)).toEqual([]);
    expectAllValid(platform);
  });

  it('answers junk and unknown commands with ok:false and keeps sending', async () => {
    const { gw, platform } = await gatewayAndPlatform();
    await platform.command('ping', 'this is not json {');
    await platform.command('reboot', { id: 'x-1' });
    await platform.command('replay', { id: 'x-2', stream: 'alarms', fromSeq: 1, toSeq: 2 });
    await platform.command('replay', { id: 'x-3', stream: 'data', fromSeq: 5, toSeq: 2 });
    await platform.command('ping', { noId: true });
    await platform.command('ping', [1, 2, 3]);
    await waitFor('six answers', () => platform.on('cmd-result').length >= 6);
    const answers = platform.on('cmd-result').map((r) => r.body);
    expect(answers.every((a) => a.ok === false && typeof a.error === 'string')).toBe(true);
    expect(answers.map((a) => a.id).sort()).toEqual(['', '', '', 'x-1', 'x-2', 'x-3']);
    expect(answers.find((a) => a.id === 'x-1')!.error).toMatch(/unknown command/);
    for (const a of answers) expect(schemaProblems(a)).toEqual([]);
    // still alive and delivering
    gw.outbox.addSample(dp(1, Date.now(), 1));
    await gw.outbox.flush();
    await waitFor('data after junk', () => platform.on('data').length === 1);
    await platform.command('ping', { id: 'after' });
    await waitFor('ping after junk', () => platform.on('cmd-result').some((r) => r.body.id === 'after' && r.body.ok === true));
   }, 15_000);

  it('publishes health with buffer depth, clock state, bus statistics, uptime and memory', async () => {
    const { platform } = await gatewayAndPlatform({ healthEveryMs: 200 });
    await waitFor('two health messages', () => platform.on('health').length >= 2);
    const h = platform.on('health')[1]!.body;
    expect(h).toMatchObject({ kind: 'health', clock: 'synced', buffer: { pending: 0, oldestPendingMs: null }, buses: { rs485a: { timeouts: 3 } } });
    expect(h.uptimeS).toBeTypeOf('number');
    expect((h.memory as { rssBytes: number }).rssBytes).toBeGreaterThan(0);
    expectAllValid(platform);
  });

  it('marks readings and events "unsynced" and reports the clock unsynced while NTP has not synchronised', async () => {
    const { gw, platform } = await gatewayAndPlatform({ synced: false, healthEveryMs: 200 });
    gw.outbox.addSample(dp(1, Date.now(), 1));
    await gw.outbox.flush();
    await gw.outbox.addEvent(sparkEvent(1, Date.now()));
    await waitFor('data, event and health', () => platform.on('data').length > 0 && platform.on('events').length > 0 && platform.on('health').length > 0);
    expect((platform.on('data')[0]!.body.samples as Sample[])[0]!.tq).toBe('unsynced');
    expect((platform.on('events')[0]!.body.events as PlantEvent[])[0]!.tq).toBe('unsynced');
    expect(platform.on('health')[0]!.body.clock).toBe('unsynced');
    expectAllValid(platform);
  });

  it('says offline (retained) when stopped, and the will says so when the connection just dies', async () => {
    const { gw, platform } = await gatewayAndPlatform();
    await waitFor('online', () => platform.on('state').some((r) => r.body.online === true));
    await gw.uplink.stop();
    await waitFor('offline', () => platform.on('state').some((r) => r.body.online === false));
    expect(platform.on('state').at(-1)!.body).toMatchObject({ online: false, bootId: gw.bootId });
    expect(gw.uplink.status().connected).toBe(false);

    // the will: a gateway whose TCP connection is cut without a goodbye
    let socketOf: { destroy(): void } | undefined;
    const { gw: gw2, platform: p2 } = await gatewayAndPlatform({
      connect: (url, opts) => {
        const c = mqtt.connect(url, opts);
        c.on('connect', () => (socketOf = c.stream as unknown as { destroy(): void }));
        return c;
      },
    });
    await waitFor('online 2', () => p2.on('state').some((r) => r.body.online === true));
    socketOf!.destroy();
    await waitFor('will: offline', () => p2.on('state').some((r) => r.body.online === false));
    expect(p2.on('state').find((r) => r.body.online === false)!.body.bootId).toBe(gw2.bootId);
    await waitFor('reconnected', () => p2.on('state').filter((r) => r.body.online === true).length >= 2);
    expectAllValid(p2);
  });
});
