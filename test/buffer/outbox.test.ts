import { readFileSync, writeFileSync, existsSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import type { PlantEvent } from '../../agent/core/types.js';
import type { StoredMessage } from '../../agent/buffer/types.js';
import { bytesOnDisk, dp, openOutbox, seriesEventIds, sparkEvent, tempDir } from './tmp-outbox.js';

const T0 = Date.UTC(2026, 5, 21, 8, 0, 0);

function samplesOf(ms: StoredMessage[]) {
  return ms.flatMap((m) => (m.stream === 'data' ? m.samples : []));
}
function eventsOf(ms: StoredMessage[]) {
  return ms.flatMap((m) => (m.stream === 'events' ? m.events : []));
}

describe('SQLite outbox', () => {
  it('commits the collector readings of one commit interval as one data message', async () => {
    const clock = new FakeClock(T0);
    const { outbox } = await openOutbox({ clock, commitMs: 250 });
    const committed: StoredMessage[] = [];
    outbox.onCommit((m) => committed.push(m));
    for (let i = 0; i < 30; i++) outbox.addSample(dp(1, T0 + i, 800 + i));
    clock.advance(250);
    await outbox.flush();
    expect(committed.map((m) => [m.stream, m.seq])).toEqual([['data', 1]]);
    expect(samplesOf(committed)).toHaveLength(30);
    expect(samplesOf(await outbox.readRange('data', 1, 1)).map((s) => s.v)).toEqual(Array.from({ length: 30 }, (_, i) => 800 + i));
    await outbox.close();
  });

  it('keeps counting seq where it left off after the agent restarts, in the same epoch', async () => {
    const first = await openOutbox({ commitMs: 50 });
    for (let n = 1; n <= 3; n++) {
      first.outbox.addSample(dp(1, T0 + n, n));
      await first.outbox.flush();
      await first.outbox.addEvent(sparkEvent(n, T0 + n));
    }
    // events seq 1 announces the new series
    expect(first.outbox.nextSeq('data')).toBe(4);
    expect(first.outbox.nextSeq('events')).toBe(5);
    const epoch = first.outbox.epoch;
    expect(epoch).toMatch(/^[0-9a-f]{16}$/);
    await first.outbox.close();

    const again = await openOutbox({ path: first.path, commitMs: 50 });
    expect(again.outbox.epoch).toBe(epoch);
    expect(again.outbox.nextSeq('data')).toBe(4);
    expect(again.outbox.nextSeq('events')).toBe(5);
    again.outbox.addSample(dp(1, T0 + 10, 10));
    await again.outbox.flush();
    await again.outbox.addEvent(sparkEvent(4, T0 + 10));
    const data = await again.outbox.readRange('data', 1, 100);
    const events = await again.outbox.readRange('events', 1, 100);
    expect(data.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(events.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect([...data, ...events].every((m) => m.epoch === epoch)).toBe(true);
    expect(eventsOf(events).map((e) => e.id)).toEqual([...seriesEventIds(epoch), 'spark1-1', 'spark1-2', 'spark1-3', 'spark1-4']);
    await again.outbox.close();
  });

  it('stamps tq "unsynced" on readings and events while the clock is not synchronised', async () => {
    let synced = false;
    const { outbox } = await openOutbox({ timeQuality: () => (synced ? undefined : 'unsynced') });
    outbox.addSample(dp(1, T0, 1));
    await outbox.addEvent(sparkEvent(1, T0));
    synced = true;
    outbox.addSample(dp(1, T0 + 1, 2));
    await outbox.flush();
    await outbox.addEvent(sparkEvent(2, T0 + 1));
    expect(samplesOf(await outbox.readRange('data', 1, 10)).map((s) => s.tq)).toEqual(['unsynced', undefined]);
    expect(eventsOf(await outbox.readRange('events', 2, 10)).map((e) => e.tq)).toEqual(['unsynced', undefined]);
    await outbox.close();
  });

  it('gives each destination its own cursor: what MQTT acknowledged is still pending for the provincial uplink', async () => {
    const clock = new FakeClock(T0);
    const { outbox, path } = await openOutbox({ clock });
    const mqtt = await outbox.cursor('mqtt');
    const hebei = await outbox.cursor('hebei');
    for (let i = 0; i < 5; i++) {
      outbox.addSample(dp(1, T0 + i, i));
      await outbox.flush();
      clock.advance(1000);
    }
    for (let seq = 1; seq <= 5; seq++) mqtt.ack('data', seq);
    // events seq 1, the new series' announcement, went to both
    for (const c of [mqtt, hebei]) c.ack('events', 1);
    hebei.ack('data', 2);
    expect(outbox.pending('mqtt')).toEqual({ count: 0, oldestPendingMs: null });
    expect(outbox.pending('hebei').count).toBe(4);
    expect((await hebei.readPending('data', 1, outbox.nextSeq('data'), 100)).map((m) => m.seq)).toEqual([1, 3, 4, 5]);
    await outbox.close();

    const again = await openOutbox({ path, clock });
    expect(again.outbox.pending('mqtt').count).toBe(0);
    expect(again.outbox.pending('hebei').count).toBe(4);
    await again.outbox.close();
  });

  it('reports how many messages wait and how old the oldest is', async () => {
    const clock = new FakeClock(T0);
    const { outbox } = await openOutbox({ clock });
    const cur = await outbox.cursor('mqtt');
    cur.ack('events', 1); // the new series' announcement
    outbox.addSample(dp(1, T0, 1));
    await outbox.flush();
    clock.advance(30_000);
    await outbox.addEvent(sparkEvent(1, clock.now()));
    clock.advance(10_000);
    // the age of the oldest is read from the file in the background: asking starts that read
    await vi.waitFor(() => expect(outbox.pending('mqtt')).toEqual({ count: 2, oldestPendingMs: 40_000 }));
    cur.ack('data', 1);
    await vi.waitFor(() => expect(outbox.pending('mqtt')).toEqual({ count: 1, oldestPendingMs: 10_000 }));
    await outbox.close();
  });

  it('keeps acknowledged messages for replay for keepSentHours, then prunes them; seq still continues', async () => {
    const clock = new FakeClock(T0);
    const { outbox, path } = await openOutbox({ clock, keepSentHours: 1, pruneEveryMs: 60_000 });
    const cur = await outbox.cursor('mqtt');
    for (let i = 0; i < 3; i++) {
      outbox.addSample(dp(1, clock.now(), i));
      await outbox.flush();
      await outbox.addEvent(sparkEvent(i, clock.now()));
    }
    for (let seq = 1; seq <= 3; seq++) cur.ack('data', seq);
    // and the new series' announcement before the sparks
    for (let seq = 1; seq <= 4; seq++) cur.ack('events', seq);
    // each prune queues its deletes on the file's one queue before the next timer: a read
    // queued after the advance sees what every prune of it did
    await clock.advanceAsync(30 * 60_000);
    expect(await outbox.readRange('data', 1, 3)).toHaveLength(3);
    await clock.advanceAsync(31 * 60_000);
    expect(await outbox.readRange('data', 1, 3)).toHaveLength(0);
    expect(await outbox.readRange('events', 1, 4)).toHaveLength(0);
    await outbox.close();
    const again = await openOutbox({ path, clock });
    expect(again.outbox.nextSeq('data')).toBe(4);
    expect(again.outbox.nextSeq('events')).toBe(5);
    await again.outbox.close();
  });

  it('returns the trend of one point from the stored batches', async () => {
    const { outbox } = await openOutbox();
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 10; i++) {
        const t = T0 + (batch * 10 + i) * 1000;
        outbox.addSample(dp(1, t, batch * 10 + i));
        outbox.addSample({ p: 'dc1.hopperTemp', t, v: 40, q: 'good' });
      }
      await outbox.flush();
    }
    const trend = await outbox.trend('dc1.dp', T0 + 50_000, T0 + 59_000);
    expect(trend).toEqual(Array.from({ length: 10 }, (_, i) => ({ t: T0 + (50 + i) * 1000, v: 50 + i })));
    expect(await outbox.trend('dc1.dp', T0 - 10_000, T0 - 1)).toEqual([]);
    await outbox.close();
  });

  it('when the disk budget is reached, evicts the oldest unsent telemetry, names the lost seq range in gap events, and keeps every event', async () => {
    const maxBytes = 320 * 1024;
    const systemEventsSeen: PlantEvent[] = [];
    const { outbox, path } = await openOutbox({ maxBytes, onSystemEvent: (e) => systemEventsSeen.push(e) });
    await outbox.cursor('mqtt'); // a destination that never connects
    let peak = 0;
    let t = T0;
    for (let batch = 0; batch < 400; batch++) {
      // noise at full double precision takes 8 bytes a value even in the compact form, so the file fills quickly
      for (let i = 0; i < 40; i++) outbox.addSample(dp(i % 8, t++, Math.random() * 1e4));
      await outbox.flush();
      if (batch % 10 === 0) await outbox.addEvent(sparkEvent(batch, t));
      peak = Math.max(peak, bytesOnDisk(path));
    }
    expect(peak).toBeLessThanOrEqual(maxBytes);

    const lastData = outbox.nextSeq('data') - 1;
    const events = eventsOf(await outbox.readRange('events', 1, outbox.nextSeq('events') - 1));
    expect(events.filter((e) => e.type === 'alarm')).toHaveLength(40);
    const evicted = (e: PlantEvent) => e.type === 'gap' && (e.detail as { reason: string }).reason === 'disk budget';
    const gaps = events.filter(evicted);
    expect(gaps.length).toBeGreaterThan(0);
    expect(systemEventsSeen.filter(evicted)).toEqual(gaps);
    expect(events.filter((e) => e.type === 'gap' && !evicted(e)).map((e) => e.id)).toEqual(seriesEventIds(outbox.epoch));
    // every data seq is either still stored or named in exactly one gap, in order
    let expectFrom = 1;
    for (const g of gaps) {
      const d = g.detail as { stream: string; fromSeq: number; toSeq: number; reason: string };
      expect(d).toMatchObject({ stream: 'data', fromSeq: expectFrom, reason: 'disk budget' });
      expectFrom = d.toSeq + 1;
    }
    const stored = (await outbox.readRange('data', 1, lastData)).map((m) => m.seq);
    expect(stored[0]).toBe(expectFrom);
    expect(stored).toEqual(Array.from({ length: lastData - expectFrom + 1 }, (_, i) => expectFrom + i));
    expect(outbox.pending('mqtt').count).toBe(stored.length + (outbox.nextSeq('events') - 1));
    await outbox.close();
  });

  it('makes room from acknowledged telemetry first, without a gap', async () => {
    const maxBytes = 320 * 1024;
    const { outbox, path } = await openOutbox({ maxBytes });
    const cur = await outbox.cursor('mqtt');
    let t = T0;
    for (let batch = 0; batch < 500; batch++) {
      for (let i = 0; i < 40; i++) outbox.addSample(dp(i % 8, t++, Math.random() * 1e4));
      await outbox.flush();
      cur.ack('data', outbox.nextSeq('data') - 1);
    }
    expect(bytesOnDisk(path)).toBeLessThanOrEqual(maxBytes);
    // no gap: the only event is the new series' announcement
    expect(eventsOf(await outbox.readRange('events', 1, outbox.nextSeq('events') - 1)).map((e) => e.id)).toEqual(seriesEventIds(outbox.epoch));
    expect((await outbox.readRange('data', 1, 1)).length).toBe(0);
    await outbox.close();
  });

  it('moves a file of garbage aside, reports where it went, and resumes seq above the old numbers', async () => {
    const first = await openOutbox({ commitMs: 50 });
    for (let i = 0; i < 5; i++) {
      first.outbox.addSample(dp(1, T0 + i, i));
      await first.outbox.flush();
    }
    await first.outbox.addEvent(sparkEvent(1, T0));
    await first.outbox.close();
    const garbage = Buffer.alloc(statSync(first.path).size, 0x5a);
    writeFileSync(first.path, garbage);

    const again = await openOutbox({ path: first.path });
    const report = again.systemEvents.find((e) => e.type === 'system');
    expect(report?.source).toBe('buffer');
    const movedTo = (report?.detail as { movedTo: string }).movedTo;
    expect(movedTo.startsWith(`${first.path}.corrupt-`)).toBe(true);
    expect(readFileSync(movedTo).equals(garbage)).toBe(true);
    expect(again.outbox.nextSeq('data')).toBeGreaterThan(5);
    const events = eventsOf(await again.outbox.readRange('events', 1, 1e9));
    expect(events.map((e) => e.type).sort()).toEqual(['gap', 'gap', 'system']);
    expect(events.find((e) => e.type === 'gap' && (e.detail as { stream: string }).stream === 'data')?.detail).toMatchObject({ reason: 'buffer file corrupt' });
    await again.outbox.close();
  });

  it('catches damaged pages inside an otherwise valid file with quick_check', async () => {
    const first = await openOutbox({ commitMs: 50 });
    for (let b = 0; b < 50; b++) {
      for (let i = 0; i < 40; i++) first.outbox.addSample(dp(i % 8, T0 + b * 100 + i, Math.random() * 1000));
      await first.outbox.flush();
    }
    await first.outbox.close();
    const fd = openSync(first.path, 'r+');
    // overwrite 10 KiB from offset 2 KiB (pages 5..24 of 512 bytes), leaving the header intact
    writeSync(fd, Buffer.alloc(10 * 1024, 0xa5), 0, 10 * 1024, 2 * 1024);
    closeSync(fd);

    const again = await openOutbox({ path: first.path });
    const report = again.systemEvents.find((e) => e.type === 'system');
    expect(report).toBeDefined();
    expect(existsSync((report!.detail as { movedTo: string }).movedTo)).toBe(true);
    expect(again.outbox.nextSeq('data')).toBeGreaterThan(50);
    await again.outbox.close();
  });

  it('refuses a budget too small to hold its own write-ahead log', async () => {
    await expect(openOutbox({ path: join(tempDir(), 'b.db'), maxBytes: 100 * 1024 })).rejects.toThrow(/too small/);
  });
});
