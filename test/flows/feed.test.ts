/**
 * The local feed as a reader on the socket sees it: hello and alarm list first, then samples,
 * events and alarm lists as they happen; nothing a reader writes is taken; a reader that stops
 * reading is dropped instead of being waited for.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent, Sample } from '../../agent/core/types.js';
import { FeedServer, type FeedSource } from '../../agent/feed/feed-server.js';
import { waitFor } from '../helpers/wait.js';

function fakePlant() {
  const samples: ((s: Sample) => void)[] = [];
  const events: ((e: PlantEvent) => void)[] = [];
  const alarmChanges: (() => void)[] = [];
  let alarms: unknown[] = [];
  const source: FeedSource = {
    onSample: (l) => samples.push(l),
    onEvent: (l) => events.push(l),
    onAlarmsChange: (l) => alarmChanges.push(l),
    alarms: () => alarms,
    current: () => [{ p: 'dc1.dp', t: 0, v: 1200, q: 'good' }],
    hello: () => ({ gateway: 'GW-FEED-01', points: [{ id: 'dc1.dp', kind: 'differential_pressure', unit: 'Pa' }] }),
    now: () => 1_750_000_000_000,
  };
  return {
    source,
    sample: (s: Sample) => samples.forEach((l) => l(s)),
    event: (e: PlantEvent) => events.forEach((l) => l(e)),
    setAlarms: (a: unknown[]) => {
      alarms = a;
      alarmChanges.forEach((l) => l());
    },
  };
}

interface Reader {
  socket: Socket;
  lines: Record<string, unknown>[];
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<void>;
}

function read(path: string): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const lines: Record<string, unknown>[] = [];
    let rest = '';
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      rest += d;
      const parts = rest.split('\n');
      rest = parts.pop()!;
      for (const p of parts) lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        lines,
        closed,
        next: (type, timeoutMs = 2000) =>
          waitFor(
            `a ${type} line`,
            () => {
              const i = lines.findIndex((l) => l.type === type);
              return i >= 0 && lines.splice(i, 1)[0]!;
            },
            { timeoutMs, state: () => `have ${JSON.stringify(lines)}` },
          ),
      }),
    );
  });
}

let feed: FeedServer | undefined;
afterEach(async () => {
  await feed?.stop();
  feed = undefined;
});

async function startFeed(plant: ReturnType<typeof fakePlant>, maxBufferedBytes?: number) {
  const socket = join(mkdtempSync(join(tmpdir(), 'fb-feed-')), 'feed.sock');
  feed = new FeedServer({ socket, mode: 0o660, source: plant.source, log: createLogger('silent'), maxBufferedBytes });
  await feed.start();
  return socket;
}

describe('the local feed', () => {
  it('greets a reader with who is speaking and the alarm list, then streams samples and events', async () => {
    const plant = fakePlant();
    const path = await startFeed(plant);
    expect(statSync(path).mode & 0o777).toBe(0o660);
    const r = await read(path);
    expect(await r.next('hello')).toMatchObject({ v: 1, gateway: 'GW-FEED-01', points: [{ id: 'dc1.dp' }] });
    expect(await r.next('alarms')).toMatchObject({ alarms: [] });
    expect(await r.next('sample')).toEqual({ type: 'sample', p: 'dc1.dp', t: 0, v: 1200, q: 'good' });

    plant.sample({ p: 'dc1.dp', t: 1, v: 1850, q: 'good' });
    expect(await r.next('sample')).toEqual({ type: 'sample', p: 'dc1.dp', t: 1, v: 1850, q: 'good' });
    plant.event({ id: 'e1', t: 2, type: 'alarm', source: 'dc1.dp.high', priority: 'high', state: 'unack', message: '压差高' });
    expect(await r.next('event')).toMatchObject({ event: { id: 'e1', type: 'alarm', state: 'unack' } });
    plant.setAlarms([{ id: 'dc1.dp.high', state: 'unack' }]);
    plant.setAlarms([{ id: 'dc1.dp.high', state: 'unack' }, { id: 'x', state: 'unack' }]);
    expect((await r.next('alarms')).alarms).toHaveLength(2);
    // two changes in one turn of the loop made one alarms line: a sample sent after that turn
    // arrives behind anything the feed wrote before it, so no second alarms line is ahead of it
    plant.sample({ p: 'dc1.dp', t: 3, v: 1860, q: 'good' });
    expect(await r.next('sample')).toMatchObject({ t: 3 });
    expect(r.lines.filter((l) => l.type === 'alarms')).toHaveLength(0);
    r.socket.destroy();
  });

  it('is read-only: a reader that writes is told so and disconnected', async () => {
    const plant = fakePlant();
    const r = await read(await startFeed(plant));
    r.socket.write('{"set":"sander1.permit","value":true}\n');
    expect(await r.next('error')).toMatchObject({ message: 'the Firebreak feed is read-only; it accepts no commands' });
    await r.closed;
    expect(feed!.clientCount).toBe(0);
  });

  it('drops a reader that stops reading rather than holding samples for it', async () => {
    const plant = fakePlant();
    const path = await startFeed(plant, 64 * 1024);
    const stuck = await read(path);
    stuck.socket.pause();
    const live = await read(path);
    for (let i = 0; i < 20_000 && feed!.clientCount === 2; i++) plant.sample({ p: 'dc1.dp', t: i, v: i, q: 'good' });
    expect(feed!.clientCount).toBe(1);
    plant.sample({ p: 'dc1.dp', t: -1, v: 42, q: 'good' });
    await live.next('hello');
    await waitFor('the sample after the drop on the live reader', () => live.lines.some((l) => l.v === 42), 3000);
    stuck.socket.destroy();
    live.socket.destroy();
  });

  it('replaces a socket left by a previous run, but never a file that is not a socket', async () => {
    const plant = fakePlant();
    const path = await startFeed(plant);
    await feed!.stop();
    // a crash leaves the socket file behind; the next start takes its place
    feed = new FeedServer({ socket: path, mode: 0o660, source: plant.source, log: createLogger('silent') });
    await feed.start();
    await feed.stop();
    const file = join(mkdtempSync(join(tmpdir(), 'fb-feed-')), 'feed.sock');
    writeFileSync(file, 'not a socket');
    feed = new FeedServer({ socket: file, mode: 0o660, source: plant.source, log: createLogger('silent') });
    await expect(feed.start()).rejects.toThrow('exists and is not a socket');
    feed = undefined;
  });
});
