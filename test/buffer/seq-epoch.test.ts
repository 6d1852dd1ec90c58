/**
 * Which seq series a buffer continues when one of its two files is lost, or both: the epoch
 * lives in the database and in the seq sidecar, and whichever survives names the series.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PlantEvent } from '../../agent/core/types.js';
import type { StoredMessage } from '../../agent/buffer/types.js';
import { closeDb, exec, openDb } from '../../agent/buffer/sqlite.js';
import { dp, openOutbox, seriesEventIds, sparkEvent } from './tmp-outbox.js';

const T0 = Date.UTC(2026, 5, 21, 8, 0, 0);
const HEX16 = /^[0-9a-f]{16}$/;

/** a run of the agent on `path`: `readings` data messages and `sparks` alarms, then a clean stop */
async function run(path: string | undefined, readings: number, sparks: number) {
  const o = await openOutbox({ path, commitMs: 50 });
  for (let i = 0; i < readings; i++) {
    o.outbox.addSample(dp(1, T0 + i, i));
    await o.outbox.flush();
  }
  for (let n = 0; n < sparks; n++) await o.outbox.addEvent(sparkEvent(n, T0 + n));
  const seen = { epoch: o.outbox.epoch, next: { data: o.outbox.nextSeq('data'), events: o.outbox.nextSeq('events') } };
  const events = eventsOf(await o.outbox.readRange('events', 1, 1e9));
  await o.outbox.close();
  return { ...seen, path: o.path, systemEvents: o.systemEvents, events };
}

const eventsOf = (ms: StoredMessage[]): PlantEvent[] => ms.flatMap((m) => (m.stream === 'events' ? m.events : []));
const reasons = (es: PlantEvent[]) => es.filter((e) => e.type === 'gap').map((e) => (e.detail as { reason: string }).reason);
const lose = (...files: string[]) => files.forEach((f) => rmSync(f, { force: true }));
const dbFiles = (path: string) => [path, `${path}-wal`, `${path}-shm`];

describe('seq epoch of the buffer', () => {
  it('a buffer file lost on its own: the sidecar keeps the epoch and seq resumes above it, with the lost-file gaps and no new series', async () => {
    const first = await run(undefined, 3, 2);
    expect(first.epoch).toMatch(HEX16);
    lose(...dbFiles(first.path));

    const again = await run(first.path, 0, 0);
    expect(again.epoch).toBe(first.epoch);
    expect(again.next.data).toBeGreaterThan(first.next.data);
    expect(again.next.events).toBeGreaterThan(first.next.events);
    expect(reasons(again.systemEvents)).toEqual(['buffer file missing', 'buffer file missing']);
  });

  it('a sidecar lost on its own is written again at the next start, so losing the buffer file later still resumes every stream above what it used', async () => {
    const first = await run(undefined, 3, 3);
    lose(`${first.path}.seq`);
    // a run that commits data only: before, the new sidecar reserved data seqs and left events at 0
    const second = await run(first.path, 1, 0);
    expect(second.epoch).toBe(first.epoch);
    expect(JSON.parse(readFileSync(`${first.path}.seq`, 'utf8'))).toMatchObject({ epoch: first.epoch });
    lose(...dbFiles(first.path));

    const third = await run(first.path, 0, 0);
    expect(third.epoch).toBe(first.epoch);
    expect(third.next.data).toBeGreaterThan(second.next.data);
    expect(third.next.events).toBeGreaterThan(second.next.events);
  });

  it('a corrupt buffer file whose sidecar is lost too starts a new epoch at seq 1 and announces it', async () => {
    const first = await run(undefined, 3, 2);
    writeFileSync(first.path, Buffer.alloc(8192, 0x5a));
    lose(`${first.path}-wal`, `${first.path}-shm`, `${first.path}.seq`);

    const o = await openOutbox({ path: first.path, commitMs: 50 });
    try {
      expect(o.outbox.epoch).toMatch(HEX16);
      expect(o.outbox.epoch).not.toBe(first.epoch);
      expect(o.outbox.nextSeq('data')).toBe(1);
      expect(o.systemEvents.map((e) => e.type)).toEqual(['system', 'gap', 'gap']);
      const announced = o.systemEvents.filter((e) => e.type === 'gap');
      expect(announced.map((e) => e.id)).toEqual(seriesEventIds(o.outbox.epoch));
      expect(announced.map((e) => e.detail)).toEqual([
        { stream: 'data', epoch: o.outbox.epoch, fromSeq: 1, reason: 'new seq series' },
        { stream: 'events', epoch: o.outbox.epoch, fromSeq: 1, reason: 'new seq series' },
      ]);
      // both in one message, right after the report of the corrupt file
      expect((await o.outbox.readRange('events', 2, 2)).map((m) => eventsOf([m]).map((e) => e.id))).toEqual([seriesEventIds(o.outbox.epoch)]);
    } finally {
      await o.outbox.close();
    }
  });

  it('names the series of a buffer from before epochs at its first start: seq goes on, nothing is announced, and the name stays', async () => {
    const first = await run(undefined, 3, 2);
    // what a version without epochs left: no series table, a sidecar of reservations only
    const db = await openDb(first.path);
    await exec(db, 'DROP TABLE series');
    await closeDb(db);
    const sidecar = JSON.parse(readFileSync(`${first.path}.seq`, 'utf8')) as Record<string, unknown>;
    delete sidecar.epoch;
    writeFileSync(`${first.path}.seq`, JSON.stringify(sidecar));

    const named = await run(first.path, 1, 0);
    expect(named.epoch).toMatch(HEX16);
    expect(named.next.data).toBe(first.next.data + 1);
    expect(named.systemEvents).toEqual([]);
    expect(JSON.parse(readFileSync(`${first.path}.seq`, 'utf8'))).toMatchObject({ epoch: named.epoch });
    expect((await run(first.path, 0, 0)).epoch).toBe(named.epoch);
  });

  it('keeps the buffer file\'s epoch when the sidecar names another series, and writes the sidecar to match', async () => {
    const a = await run(undefined, 2, 0);
    const b = await run(undefined, 1, 0);
    writeFileSync(`${a.path}.seq`, readFileSync(`${b.path}.seq`));

    const again = await run(a.path, 1, 0);
    expect(again.epoch).toBe(a.epoch);
    expect(again.next.data).toBe(a.next.data + 1);
    expect(JSON.parse(readFileSync(`${a.path}.seq`, 'utf8'))).toMatchObject({ epoch: a.epoch });
  });
});
