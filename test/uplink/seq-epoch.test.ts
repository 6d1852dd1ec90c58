/**
 * The seq epoch at a real broker: a gateway restarted on its buffer keeps its epoch and counts
 * on; a gateway whose buffer file and seq sidecar were lost together (both on the same card)
 * starts seq at 1 again, so it must start a new epoch and say so, or a platform that
 * deduplicates would take every new message for one it already has (issue #14, item 6).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlantEvent, Sample } from '../../agent/core/types.js';
import { brokerPerFile } from '../helpers/broker.js';
import { dp, sparkEvent, tempDir } from '../buffer/tmp-outbox.js';
import { startGateway } from './gateway.js';
import { schemaProblems } from './schemas.js';
import { Platform, waitFor, type Received } from './subscriber.js';

const { broker, cleanup } = brokerPerFile();
const GATEWAY = `GW-EPOCH-${process.pid}`;
const HEX16 = /^[0-9a-f]{16}$/;

interface Run {
  bootId: string;
  data: Received[];
  events: Received[];
  birth: Received;
}

/** what the platform receives from one run of the gateway: `readings` data messages and `sparks` alarm events, all acknowledged */
async function runGateway(platform: Platform, path: string, readings: number[], sparks: number[]): Promise<Run> {
  const gw = await startGateway(broker.url, { gateway: GATEWAY, outbox: { path } });
  try {
    for (const v of readings) {
      gw.outbox.addSample(dp(1, Date.now(), v));
      await gw.outbox.flush();
    }
    for (const n of sparks) await gw.outbox.addEvent(sparkEvent(n, Date.now()));
    // everything acknowledged by the broker, then a ping behind it: its answer comes after every message before it
    await waitFor('nothing pending', () => gw.uplink.status().pending === 0);
    const barrier = `after-${gw.bootId}`;
    await platform.command('ping', { id: barrier });
    await waitFor('the ping behind this run', () => platform.on('cmd-result').some((r) => r.body.id === barrier));
    const mine = (sub: string) => platform.on(sub).filter((r) => r.body.bootId === gw.bootId);
    return { bootId: gw.bootId, data: mine('data'), events: mine('events'), birth: mine('birth')[0]! };
  } finally {
    await gw.close();
  }
}

const epochs = (rs: Received[]) => [...new Set(rs.map((r) => r.body.epoch))];
const seqs = (rs: Received[]) => rs.map((r) => r.body.seq as number);
const eventsIn = (rs: Received[]) => rs.flatMap((r) => r.body.events as PlantEvent[]);
const valuesIn = (rs: Received[]) => rs.flatMap((r) => (r.body.samples as Sample[]).map((s) => s.v));

/** the platform side: the first message of each key is kept, every later one is a duplicate */
function deduplicate(received: Received[], key: (r: Received) => string): Set<Received> {
  const seen = new Set<string>();
  const kept = new Set<Received>();
  for (const r of received) {
    const k = key(r);
    if (seen.has(k)) continue;
    seen.add(k);
    kept.add(r);
  }
  return kept;
}

describe('seq epoch', () => {
  it('after the buffer file and its seq sidecar are lost together, the gateway starts a new epoch at seq 1 with a gap event, and a platform deduplicating on (gateway, stream, epoch, seq) keeps every new message', async () => {
    const path = join(tempDir(), 'buffer.db');
    const platform = await Platform.connect(broker.url, `firebreak/v1/91330100MA2TEST01X/${GATEWAY}`);
    cleanup.push(() => platform.close());

    const first = await runGateway(platform, path, [801, 802, 803, 804, 805], [1, 2, 3]);
    const [epoch1] = epochs([...first.data, ...first.events]);
    expect(epoch1).toMatch(HEX16);
    expect(epochs([...first.data, ...first.events])).toEqual([epoch1]);
    expect(first.birth.body.epoch).toBe(epoch1);
    expect(seqs(first.data)).toEqual([1, 2, 3, 4, 5]);

    // a restart on the same files: the same series, counting on
    const second = await runGateway(platform, path, [806, 807], [4]);
    expect(second.bootId).not.toBe(first.bootId);
    expect(epochs([...second.data, ...second.events])).toEqual([epoch1]);
    expect(second.birth.body.epoch).toBe(epoch1);
    expect(seqs(second.data)).toEqual([6, 7]);
    expect(Math.min(...seqs(second.events))).toBe(Math.max(...seqs(first.events)) + 1);
    expect(eventsIn(second.events).filter((e) => e.type === 'gap')).toEqual([]);

    // the card loses the buffer with its sidecar (and the WAL beside them)
    for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}.seq`]) rmSync(f, { force: true });
    const third = await runGateway(platform, path, [901, 902, 903, 904, 905], [10, 11, 12]);
    const [epoch3] = epochs([...third.data, ...third.events]);
    expect(epoch3).toMatch(HEX16);
    expect(epoch3).not.toBe(epoch1);
    expect(epochs([...third.data, ...third.events])).toEqual([epoch3]);
    expect(third.birth.body.epoch).toBe(epoch3);
    expect(seqs(third.data)).toEqual([1, 2, 3, 4, 5]);
    // the new series says so first: events seq 1 holds a gap event per stream
    const announced = third.events.find((r) => r.body.seq === 1)!;
    expect((announced.body.events as PlantEvent[]).map((e) => [e.type, e.detail])).toEqual([
      ['gap', expect.objectContaining({ stream: 'data', reason: 'new seq series', epoch: epoch3, fromSeq: 1 })],
      ['gap', expect.objectContaining({ stream: 'events', reason: 'new seq series', epoch: epoch3, fromSeq: 1 })],
    ]);

    const all = platform.received.filter((r) => r.topic.endsWith('/data') || r.topic.endsWith('/events'));
    const stream = (r: Received) => r.topic.split('/').pop();
    // seq alone collides with the lost series: the old key would drop new messages
    const bySeq = deduplicate(all, (r) => `${GATEWAY}|${stream(r)}|${r.body.seq}`);
    expect([...third.data, ...third.events].filter((r) => !bySeq.has(r)).length).toBeGreaterThan(0);
    // with the epoch in the key, nothing of the new series is taken for a duplicate
    const kept = deduplicate(all, (r) => `${GATEWAY}|${stream(r)}|${r.body.epoch}|${r.body.seq}`);
    for (const r of [...third.data, ...third.events]) expect(kept.has(r)).toBe(true);
    const keptData = [...kept].filter((r) => stream(r) === 'data');
    expect(valuesIn(keptData)).toEqual([801, 802, 803, 804, 805, 806, 807, 901, 902, 903, 904, 905]);
    expect(eventsIn([...kept].filter((r) => stream(r) === 'events')).filter((e) => e.type === 'alarm').map((e) => e.id)).toEqual(
      [1, 2, 3, 4, 10, 11, 12].map((n) => `spark1-${n}`),
    );

    for (const r of platform.received.filter((m) => !m.topic.includes('/cmd'))) expect(schemaProblems(r.body)).toEqual([]);
  }, 60_000);
});
