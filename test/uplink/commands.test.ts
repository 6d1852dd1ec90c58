import { describe, expect, it } from 'vitest';
import { FakeClock, type Clock } from '../../agent/core/clock.js';
import { ClockSync, HINT_TOLERANCE_MS } from '../../agent/core/clock-sync.js';
import { brokerPerFile } from '../helpers/broker.js';
import { dp, quiet } from '../buffer/tmp-outbox.js';
import { startGateway } from './gateway.js';
import { schemaProblems } from './schemas.js';
import { Platform, waitFor } from './subscriber.js';

const { broker, cleanup } = brokerPerFile();

async function answer(platform: Platform, id: string): Promise<Record<string, unknown>> {
  await waitFor(`answer ${id}`, () => platform.on('cmd-result').some((r) => r.body.id === id));
  const body = platform.on('cmd-result').find((r) => r.body.id === id)!.body;
  expect(schemaProblems(body)).toEqual([]);
  return body;
}

describe('platform time hint', () => {
  it('marks the clock synchronised only when the platform time agrees with it, and readings lose "unsynced"', async () => {
    let wall = Date.now();
    const timers = new FakeClock();
    const clock: Clock = {
      now: () => wall,
      monotonic: () => performance.now(),
      setTimeout: (fn, ms) => timers.setTimeout(fn, ms),
      setInterval: (fn, ms) => timers.setInterval(fn, ms),
    };
    const sync = new ClockSync({ probe: { isSynchronized: async () => false }, clock, log: quiet });
    const gw = await startGateway(broker.url, { autostart: false, clockSync: sync, outbox: { timeQuality: () => sync.tq() } });
    const platform = await Platform.connect(broker.url, gw.root);
    cleanup.push(() => gw.close(), () => platform.close());
    await gw.uplink.start();
    await platform.ready();

    // a Pi that booted on a stale clock: the hint is 3 hours ahead, so nothing changes
    wall = Date.now() - 3 * 3_600_000;
    await platform.command('time', { id: 't-far', t: Date.now() });
    expect(await answer(platform, 't-far')).toMatchObject({ ok: false, cmd: 'time', synced: false, error: expect.stringMatching(/not marked synchronised/) });
    expect((await answer(platform, 't-far')).offsetMs).toBeGreaterThan(3 * 3_600_000 - 60_000);
    gw.outbox.addSample(dp(1, wall, 1));
    await gw.outbox.flush();

    // junk times are refused
    await platform.command('time', { id: 't-secs', t: Math.floor(Date.now() / 1000) });
    expect(await answer(platform, 't-secs')).toMatchObject({ ok: false, synced: false });
    await platform.command('time', { id: 't-none' });
    expect(await answer(platform, 't-none')).toMatchObject({ ok: false, error: expect.stringMatching(/t must be a number/) });

    // the clock is right: the hint agrees within the tolerance
    wall = Date.now();
    await platform.command('time', { id: 't-good', t: Date.now() + HINT_TOLERANCE_MS / 4 });
    expect(await answer(platform, 't-good')).toMatchObject({ ok: true, cmd: 'time', synced: true });
    expect(sync.isSynced()).toBe(true);
    gw.outbox.addSample(dp(1, wall, 2));
    await gw.outbox.flush();
    await waitFor('two data messages', () => platform.on('data').length >= 2);
    const tq = platform.on('data').map((r) => (r.body.samples as { tq?: string }[])[0]!.tq);
    expect(tq).toEqual(['unsynced', undefined]);

    // someone steps the clock by a minute: the hint no longer vouches for it
    wall = Date.now() + 60_000;
    expect(sync.isSynced()).toBe(false);
  });
});

describe('replay', () => {
  it('answers ok:false naming the pruned range when the messages are no longer stored', async () => {
    // acknowledged messages kept 0 hours: pruned on the next prune tick
    const gw = await startGateway(broker.url, { autostart: false, outbox: { keepSentHours: 0, pruneEveryMs: 100 } });
    const platform = await Platform.connect(broker.url, gw.root);
    cleanup.push(() => gw.close(), () => platform.close());
    await gw.uplink.start();
    await platform.ready();
    for (let i = 1; i <= 6; i++) {
      gw.outbox.addSample(dp(1, Date.now(), i));
      await gw.outbox.flush();
    }
    await waitFor('6 data messages', () => platform.on('data').length >= 6);
    await waitFor('pruned', () => gw.outbox.firstStoredSeq('data') > 6, 15_000);

    await platform.command('replay', { id: 'rp-pruned', stream: 'data', fromSeq: 1, toSeq: 4 });
    const pruned = await answer(platform, 'rp-pruned');
    expect(pruned).toMatchObject({ ok: false, cmd: 'replay', stream: 'data', fromSeq: 1, toSeq: 4, count: 0 });
    expect(pruned.error).toMatch(/^pruned: data seq up to \d+ is no longer stored/);

    await platform.command('replay', { id: 'rp-future', stream: 'data', fromSeq: 50, toSeq: 60 });
    expect((await answer(platform, 'rp-future')).error).toMatch(/^not sent yet: the last data seq is 6/);
    const before = platform.on('data').length;
    // a message committed now is the only one to arrive: the refused replays sent nothing ahead of it
    gw.outbox.addSample(dp(1, Date.now(), 7));
    await gw.outbox.flush();
    await waitFor('the message after the refusals', () => platform.on('data').some((d) => d.body.seq === 7));
    expect(platform.on('data').length).toBe(before + 1);
  }, 30_000);
});
