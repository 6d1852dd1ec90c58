/**
 * A full disk under the buffer: a real 3 MiB tmpfs holds the SQLite file, and a filler file
 * takes the rest of it, so SQLite gets ENOSPC from the kernel. Needs the right to mount (root,
 * as on the CI machine and on a gateway's installer shell); skipped with a note otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDropped, droppedEvent } from '../../agent/buffer/buffer-events.js';
import type { StoredMessage } from '../../agent/buffer/types.js';
import { BUFFER_WRITE_ALARM_ID, bufferWriteAlarm } from '../../agent/buffer/write-alarm.js';
import { FakeClock } from '../../agent/core/clock.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { recordedAlarms } from '../helpers/alarms.js';
import { waitFor } from '../helpers/wait.js';
import { dp, openOutbox, seriesEventIds, sparkEvent } from './tmp-outbox.js';

const mnt = mkdtempSync(join(tmpdir(), 'firebreak-full-'));
const mounted = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn(`full-disk test skipped: cannot mount a tmpfs on ${mnt} (needs root)`);
    rmSync(mnt, { recursive: true, force: true });
    return false;
  }
})();

/** Write zeros into `file` until the file system says ENOSPC. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}


describe.skipIf(!mounted)('a full disk under the buffer', () => {
  let opened: Awaited<ReturnType<typeof openOutbox>> | undefined;

  afterAll(async () => {
    await opened?.outbox.close().catch(() => undefined);
    // lazy: a file still open (a failed run) must not leave the mount behind
    execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  const trouble: ({ error: string; since: number } | undefined)[] = [];
  const filler = join(mnt, 'filler');
  // the buffer's timers (commits, event retries) on fake time; SQLite and the kernel are real
  const clock = new FakeClock();
  // refused commits after the first are logged at debug level, with their count: what the test watches
  const refused = { events: 0, telemetry: 0 };
  const log = pino({ level: 'debug' }, {
    write(line: string) {
      const { msg } = JSON.parse(line) as { msg?: string };
      if (msg?.startsWith('event commit failed')) refused.events++;
      if (msg?.startsWith('telemetry commit failed')) refused.telemetry++;
    },
  });

  beforeAll(async () => {
    opened = await openOutbox({ path: join(mnt, 'buffer.db'), commitMs: 50, clock, log, onWriteTrouble: (t) => trouble.push(t) });
  });

  it('keeps every sample and event in memory while the disk is full, says why, and commits them in order once it has room', async () => {
    const { outbox } = opened!;
    const t0 = Date.now();
    outbox.addSample(dp(1, t0, 800));
    await outbox.addEvent(sparkEvent(1, t0));
    await outbox.flush();
    expect(outbox.usage().writeError).toBeUndefined();

    fillDisk(filler);
    // enough telemetry that the WAL must grow: ~200 KB of samples
    const readings = Array.from({ length: 6000 }, (_, i) => dp(1 + (i % 10), t0 + 1 + i, 800 + (i % 97)));
    for (const s of readings) outbox.addSample(s);
    let eventsCommitted = 0;
    // each with a 100 kB trace that does not compress, so that no event fits in what the WAL file already has
    const events: PlantEvent[] = [2, 3, 4].map((n) => ({ ...sparkEvent(n, t0 + 10_000 + n), detail: { trace: randomBytes(75_000).toString('base64') } }));
    const eventWrites = events.map((e) => outbox.addEvent(e).then(() => eventsCommitted++));
    // an alarm flood behind them, over many ticks: more than one message's worth (200 a message)
    const flood = Array.from({ length: 450 }, (_, i) => sparkEvent(100 + i, t0 + 20_000 + i));
    for (const [i, e] of flood.entries()) {
      eventWrites.push(outbox.addEvent(e).then(() => eventsCommitted++));
      if (i % 25 === 0) await new Promise((r) => setImmediate(r));
    }

    await waitFor('the disk to refuse a commit', () => trouble.length > 0, 5000);
    expect(trouble[0]!.error).toMatch(/SQLITE_FULL|disk is full/);
    expect(outbox.usage().writeError).toBe(trouble[0]!.error);
    // a second look once the buffer has tried again (its event retry, 1 s; its next commits):
    // still refused, still waiting, nothing given up, one report only
    const before = { ...refused };
    await clock.advanceAsync(1500);
    await waitFor('the retries refused too', () => refused.events > before.events && refused.telemetry > before.telemetry, {
      timeoutMs: 5000,
      state: () => JSON.stringify({ before, refused }),
    });
    expect(eventsCommitted).toBe(0);
    expect(trouble).toHaveLength(1);
    const stuckAt = { data: outbox.nextSeq('data'), events: outbox.nextSeq('events') };

    unlinkSync(filler);
    // the event retry armed after the last refusal fires within its second
    await clock.advanceAsync(1000);
    await Promise.all(eventWrites);
    await waitFor('commits to go through again', () => outbox.usage().writeError === undefined && trouble.length === 2, 5000);
    expect(trouble[1]).toBeUndefined();
    await outbox.flush();

    const stored = await outbox.readRange('data', 1, outbox.nextSeq('data') - 1);
    const samples = stored.flatMap((m: StoredMessage) => (m.stream === 'data' ? m.samples : []));
    expect(samples.map((s) => [s.p, s.t, s.v])).toEqual([dp(1, t0, 800), ...readings].map((s) => [s.p, s.t, s.v]));
    const storedEvents = (await outbox.readRange('events', 1, outbox.nextSeq('events') - 1)).flatMap((m: StoredMessage) => (m.stream === 'events' ? m.events : []));
    expect(storedEvents.map((e) => e.id)).toEqual([...seriesEventIds(outbox.epoch), 'spark1-1', 'spark1-2', 'spark1-3', 'spark1-4', ...flood.map((e) => e.id)]);
    // the seqs that waited are the next ones: no hole where the refused commits were
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    expect(outbox.nextSeq('events')).toBeGreaterThan(stuckAt.events);
    // nothing was lost: the only events the buffer recorded are the new series' announcement
    expect(opened!.systemEvents.map((e) => e.id)).toEqual(seriesEventIds(outbox.epoch));
    await outbox.close();
  }, 30_000);

  it('refuses a first start on a full disk with the file, the reason and what to check, exit 74 so systemd tries again', async () => {
    await opened!.outbox.close();
    opened = undefined;
    rmSync(join(mnt, 'buffer.db'), { force: true });
    rmSync(join(mnt, 'buffer.db.seq'), { force: true });
    fillDisk(filler);
    const root = new URL('../..', import.meta.url).pathname;
    const site = join(mkdtempSync(join(tmpdir(), 'fb-full-site-')), 'site.yaml');
    const demo = readFileSync(join(root, 'config/demo.site.yaml'), 'utf8');
    writeFileSync(site, demo.replace('./demo-data/buffer.db', join(mnt, 'buffer.db')).replace('0.0.0.0:8080', '127.0.0.1:0'));
    const r = spawnSync(process.execPath, [join(root, 'dist/agent/cli.js'), 'run', '--config', site, '--simulate'], { encoding: 'utf8', timeout: 20_000 });
    unlinkSync(filler);
    expect(r.status).toBe(74);
    expect(r.stderr).toContain(`firebreak: the buffer ${join(mnt, 'buffer.db')} cannot be opened (SQLITE_FULL: database or disk is full): check that its disk has room`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});

describe('the buffer-write alarm', () => {
  it('is raised with the reason while commits fail, and returns to normal when they go through', () => {
    const clock = new FakeClock();
    const { alarms, events } = recordedAlarms(clock);
    const onWriteTrouble = bufferWriteAlarm(alarms, clock);
    onWriteTrouble({ error: 'SQLITE_FULL: database or disk is full', since: clock.now() });
    expect(events).toEqual([expect.objectContaining({ source: BUFFER_WRITE_ALARM_ID, state: 'unack', priority: 'medium' })]);
    expect(events[0]!.message).toContain('网关缓存无法写入磁盘（SQLITE_FULL: database or disk is full）');
    expect(alarms.views().find((a) => a.id === BUFFER_WRITE_ALARM_ID)?.messageEn).toContain('free space or replace the card');
    onWriteTrouble(undefined);
    expect(events.at(-1)).toMatchObject({ source: BUFFER_WRITE_ALARM_ID, state: 'rtn_unack' });
  });
});

describe('what is given up before buffering', () => {
  it('is counted with the span of its times and reported as a gap event of its stream', () => {
    let samples = countDropped(undefined, 10);
    for (const t of [12, 15, 20]) samples = countDropped(samples, t);
    expect(samples).toEqual({ n: 4, fromT: 10, toT: 20 });
    expect(droppedEvent(1000, 'data', samples)).toEqual({
      id: 'gap-data-overflow-1000',
      t: 1000,
      type: 'gap',
      source: 'buffer',
      priority: 'high',
      state: 'lost',
      message: '磁盘无法写入，丢弃 4 个采样 / disk not accepting writes: 4 samples dropped before buffering',
      detail: { stream: 'data', samples: 4, fromT: 10, toT: 20, reason: 'ingest overflow' },
    });
    expect(droppedEvent(1000, 'events', { n: 3, fromT: 11, toT: 21 })).toEqual({
      id: 'gap-events-dropped-1000',
      t: 1000,
      type: 'gap',
      source: 'buffer',
      priority: 'high',
      state: 'lost',
      message: '磁盘长时间无法写入，丢弃 3 个事件 / disk not accepting writes for too long: 3 events dropped before buffering',
      detail: { stream: 'events', events: 3, fromT: 11, toT: 21, reason: 'events waiting in memory overflowed' },
    });
  });
});
