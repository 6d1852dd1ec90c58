/**
 * Commands a platform (or someone on its broker) can send too large, too often or too many times
 * over (issue #14): each is answered ok:false with the reason, does no work, and the gateway
 * keeps working. At a real broker, with the platform's client beside the gateway under test.
 */
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { SystemClock, type Clock } from '../../agent/core/clock.js';
import { COMMAND_RATE } from '../../agent/uplink/command-rate.js';
import { MAX_COMMAND_BYTES } from '../../agent/uplink/commands.js';
import { brokerPerFile } from '../helpers/broker.js';
import { dp } from '../buffer/tmp-outbox.js';
import { startGateway } from './gateway.js';
import { schemaProblems } from './schemas.js';
import { Platform, waitFor, type Received } from './subscriber.js';

const { broker, cleanup } = brokerPerFile();

function answers(platform: Platform): Record<string, unknown>[] {
  const out = platform.on('cmd-result').map((r) => r.body);
  for (const a of out) expect(schemaProblems(a)).toEqual([]);
  return out;
}

/** a system clock whose monotonic reading a test can move on: the rate windows run on it */
function steppedClock(): Clock & { step(ms: number): void } {
  const system = new SystemClock();
  let ahead = 0;
  return {
    now: () => system.now(),
    monotonic: () => system.monotonic() + ahead,
    setTimeout: (fn, ms) => system.setTimeout(fn, ms),
    setInterval: (fn, ms) => system.setInterval(fn, ms),
    step: (ms) => (ahead += ms),
  };
}

describe('command size', () => {
  it('refuses a 16 MiB ping unparsed, without the heap growing by its size, and keeps answering and sending', async () => {
    const gw = await startGateway(broker.url);
    // the platform listens to the answers and the data only: its own 16 MiB must not come back to this process
    const platform = await Platform.connect(broker.url, gw.root, {}, ['cmd-result', 'data']);
    const sender = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    cleanup.push(() => gw.close(), () => platform.close(), () => sender.endAsync(true));
    await platform.ready();

    const size = 16 * 1024 * 1024;
    const huge = Buffer.alloc(size, 'a');
    huge.write('{"id":"huge","pad":"', 0);
    huge.write('"}', size - 2);
    // the gateway runs in this process: its heap is this heap, sampled while the command travels
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
    try {
      await sender.publishAsync(`${gw.root}/cmd/ping`, huge, { qos: 1 });
      await waitFor('the answer to the huge ping', () => answers(platform).some((a) => a.cmd === 'ping'), 20_000);
    } finally {
      clearInterval(sampler);
    }
    // the payload as a string alone would be 16 MiB of heap, and parsed another 16
    expect(peak - base).toBeLessThan(size / 2);
    expect(answers(platform)).toEqual([{ id: '', ok: false, cmd: 'ping', error: `payload of ${size} bytes refused: a command is at most ${MAX_COMMAND_BYTES} bytes` }]);

    await platform.command('ping', { id: 'after-huge' });
    await waitFor('ping after the huge one', () => answers(platform).some((a) => a.id === 'after-huge' && a.ok === true));
    gw.outbox.addSample(dp(1, Date.now(), 7));
    await gw.outbox.flush();
    await waitFor('data after the huge ping', () => platform.on('data').length === 1);
    expect(answers(platform).filter((a) => a.cmd === 'ping' && a.ok === false)).toHaveLength(1);
  }, 30_000);

  it('refuses a command just over the limit before parsing it, and parses one at the limit', async () => {
    const gw = await startGateway(broker.url);
    const platform = await Platform.connect(broker.url, gw.root);
    cleanup.push(() => gw.close(), () => platform.close());
    await platform.ready();
    const padded = (id: string, bytes: number): string => {
      const head = `{"id":"${id}","pad":"`;
      return `${head}${'p'.repeat(bytes - head.length - 2)}"}`;
    };
    await platform.command('ping', padded('at-limit', MAX_COMMAND_BYTES));
    await platform.command('ping', padded('over-limit', MAX_COMMAND_BYTES + 1));
    await waitFor('two answers', () => answers(platform).length >= 2);
    expect(answers(platform)).toContainEqual(expect.objectContaining({ id: 'at-limit', ok: true, cmd: 'ping' }));
    expect(answers(platform)).toContainEqual({ id: '', ok: false, cmd: 'ping', error: `payload of ${MAX_COMMAND_BYTES + 1} bytes refused: a command is at most ${MAX_COMMAND_BYTES} bytes` });
  });
});

describe('command rate', () => {
  it('answers a burst of 40 snapshots with at most the limit of data messages, ok:false for the rest, and takes snapshots again a window later', async () => {
    const clock = steppedClock();
    const gw = await startGateway(broker.url, { clock });
    const platform = await Platform.connect(broker.url, gw.root);
    cleanup.push(() => gw.close(), () => platform.close());
    await platform.ready();
    const { count, windowS } = COMMAND_RATE.snapshot!;

    await Promise.all(Array.from({ length: 40 }, (_, i) => platform.command('snapshot', { id: `s-${i}` })));
    await waitFor('40 answers', () => answers(platform).length >= 40);
    const taken = answers(platform).filter((a) => a.ok === true);
    const refused = answers(platform).filter((a) => a.ok === false);
    expect(taken).toHaveLength(count);
    expect(refused).toHaveLength(40 - count);
    for (const r of refused) expect(r).toMatchObject({ cmd: 'snapshot', error: `rate limited: snapshot at most ${count} per ${windowS} s` });
    await waitFor('the snapshots taken', () => platform.on('data').length >= count);
    // no work for the refused ones: nothing more is committed (the later snapshot below, sent
    // behind anything they might have sent, checks nothing more arrived either)
    const takenSeqs = taken.map((a) => a.seq).sort((a, b) => Number(a) - Number(b));
    expect(platform.on('data').map((d) => d.body.seq)).toEqual(takenSeqs);
    expect(gw.outbox.nextSeq('data')).toBe(count + 1);

    // other commands have windows of their own
    await platform.command('ping', { id: 'ping-in-burst' });
    await waitFor('ping answered', () => answers(platform).some((a) => a.id === 'ping-in-burst' && a.ok === true));

    clock.step(windowS * 1000);
    await platform.command('snapshot', { id: 's-later' });
    await waitFor('the later snapshot', () => answers(platform).some((a) => a.id === 's-later'));
    expect(answers(platform).find((a) => a.id === 's-later')).toMatchObject({ ok: true, stream: 'data', seq: count + 1 });
    await waitFor('the later snapshot\'s data', () => platform.on('data').some((d) => d.body.seq === count + 1));
    expect(platform.on('data').map((d) => d.body.seq)).toEqual([...takenSeqs, count + 1]);
  }, 20_000);
});

describe('replay jobs', () => {
  const stored = 300;

  /** a gateway that has sent data seq 1..stored, and its platform */
  async function sentGateway(o: { replayQueueMax?: number } = {}) {
    // a small window, so a replay takes long enough for the commands to meet it running
    const gw = await startGateway(broker.url, { window: 4, ...o });
    const platform = await Platform.connect(broker.url, gw.root);
    cleanup.push(() => gw.close(), () => platform.close());
    await platform.ready();
    for (let i = 1; i <= stored; i++) await gw.outbox.commitBatch([dp(1, Date.now(), i)]);
    await waitFor(`${stored} data messages`, () => platform.on('data').length >= stored);
    return { gw, platform };
  }

  const timesSent = (data: Received[]): Map<number, number> => {
    const n = new Map<number, number>();
    for (const d of data) n.set(Number(d.body.seq), (n.get(Number(d.body.seq)) ?? 0) + 1);
    return n;
  };

  it('sends the range once for 20 concurrent replays of it, answering the other 19 ok:false', async () => {
    const { platform } = await sentGateway();
    await Promise.all(Array.from({ length: 20 }, (_, i) => platform.command('replay', { id: `r-${i}`, stream: 'data', fromSeq: 1, toSeq: stored })));
    await waitFor('20 answers', () => answers(platform).length >= 20);
    const ok = answers(platform).filter((a) => a.ok === true);
    expect(ok).toEqual([expect.objectContaining({ cmd: 'replay', stream: 'data', fromSeq: 1, toSeq: stored, count: stored })]);
    const refused = answers(platform).filter((a) => a.ok === false);
    expect(refused).toHaveLength(19);
    for (const r of refused) {
      expect(r).toMatchObject({ cmd: 'replay', stream: 'data', fromSeq: 1, toSeq: stored, error: `a replay of data 1..${stored} is already running; ask again for what it leaves out once it is sent` });
    }
    await waitFor('the replayed range', () => platform.on('data').length >= 2 * stored, 20_000);

    // once it is sent, the same range may be asked for again; its ten messages come behind
    // anything the first replay (or a refused one) could still have sent
    await platform.command('replay', { id: 'r-again', stream: 'data', fromSeq: 1, toSeq: 10 });
    await waitFor('answer r-again', () => answers(platform).some((a) => a.id === 'r-again'));
    expect(answers(platform).find((a) => a.id === 'r-again')).toMatchObject({ ok: true, count: 10 });
    await waitFor('the range replayed again', () => platform.on('data').length >= 2 * stored + 10, 20_000);
    expect(platform.on('data')).toHaveLength(2 * stored + 10);
    expect([...timesSent(platform.on('data')).entries()].every(([seq, n]) => n === (seq <= 10 ? 3 : 2))).toBe(true);
  }, 40_000);

  it('refuses a replay that would queue more than the bound, alone or beside one running', async () => {
    const { platform } = await sentGateway({ replayQueueMax: 250 });
    await platform.command('replay', { id: 'q-alone', stream: 'data', fromSeq: 1, toSeq: 251 });
    await waitFor('answer q-alone', () => answers(platform).length >= 1);
    expect(answers(platform)[0]).toMatchObject({ id: 'q-alone', ok: false, error: 'replay queue full: 0 messages queued, at most 250; ask again once they are sent' });

    await Promise.all([
      platform.command('replay', { id: 'q-1', stream: 'data', fromSeq: 1, toSeq: 200 }),
      platform.command('replay', { id: 'q-2', stream: 'data', fromSeq: 201, toSeq: 300 }),
    ]);
    await waitFor('three answers', () => answers(platform).length >= 3);
    const byId = new Map(answers(platform).map((a) => [a.id, a]));
    expect(byId.get('q-1')).toMatchObject({ ok: true, count: 200 });
    expect(byId.get('q-2')).toMatchObject({ ok: false, error: expect.stringMatching(/^replay queue full: \d+ messages queued, at most 250; ask again once they are sent$/) });
    await waitFor('the replayed range', () => platform.on('data').length >= stored + 200, 20_000);
    // one more message asked for behind them: when it arrives, anything q-1 or the refused q-2
    // could have sent is in too
    await platform.command('replay', { id: 'q-after', stream: 'data', fromSeq: 1, toSeq: 1 });
    await waitFor('answer q-after', () => answers(platform).some((a) => a.id === 'q-after'));
    expect(answers(platform).find((a) => a.id === 'q-after')).toMatchObject({ ok: true, count: 1 });
    await waitFor('the message replayed behind them', () => platform.on('data').length >= stored + 201, 20_000);
    expect(platform.on('data')).toHaveLength(stored + 201);
  }, 40_000);
});
