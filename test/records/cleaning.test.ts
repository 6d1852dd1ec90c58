/**
 * Dust-cleaning check-ins on the workshop's settings (sanding-room: every 8 h, 60 min grace,
 * 粉尘-10): checked in on time, nothing happens; missed past its grace, one `cleaning` overdue
 * event and a major hazard record under 粉尘-10 that cannot be rectified until the area is
 * checked in again; a restart neither repeats the overdue nor loses the check-in. Real SQLite
 * files, a fake clock, every event checked against both uplink schemas.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialQueue } from '../../agent/buffer/serial.js';
import { closeDb, openDb } from '../../agent/buffer/sqlite.js';
import { parseSiteText } from '../../agent/config/load.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { HazardLoop } from '../../agent/records/hazard-loop.js';
import type { EventsMessage } from '../../agent/uplink/messages.js';
import { workshop } from '../interlocks/workshop.js';
import { schemaProblems } from '../uplink/schemas.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const operator = { user: '张师傅', role: 'operator' } as const;
const supervisor = { user: '王主管', role: 'supervisor' } as const;
const supervisor2 = { user: '李主管', role: 'supervisor' } as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function workshopConfig() {
  const r = parseSiteText(readFileSync(new URL('../../config/site.workshop.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/** The workshop plant and its records loop on one buffer file; `restart` opens the loop again on the same file and clock. */
async function gateway(file = join(mkdtempSync(join(tmpdir(), 'fb-cleaning-')), 'buffer.db'), w = workshop(workshopConfig()), sent: PlantEvent[] = []) {
  const config = w.plant.config;
  const db = await openDb(file);
  // the hazard and cleaning stores share the connection: one queue, as on the buffer's
  const queue = new SerialQueue();
  const loop = await HazardLoop.start({ plant: w.plant, rules: config.hazards ?? [], cleaning: config.cleaning ?? [], db: { db, serial: (work) => queue.run(work) }, emit: async (e) => void sent.push(e), clock: w.clock, log: createLogger('silent') });
  let open = true;
  const shut = async () => {
    if (!open) return;
    open = false;
    await loop.stop();
    await closeDb(db);
  };
  cleanups.push(shut);
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await loop.cleaning.settled();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { w, loop, sent, settle, shut, reopen: () => gateway(file, w, sent), restart: async () => (await shut(), gateway(file, w, sent)) };
}

function platformProblems(events: PlantEvent[]): string[] {
  const m: EventsMessage = { kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events };
  return schemaProblems(m);
}

describe('dust-cleaning check-ins (粉尘清理)', () => {
  it('stays quiet while the sanding room is checked in every shift', async () => {
    const g = await gateway();
    for (let shift = 0; shift < 3; shift++) {
      await g.w.clock.advanceAsync(7 * HOUR);
      const r = await g.loop.cleaning.checkIn('sanding-room', { by: operator });
      expect(r.ok).toBe(true);
    }
    await g.w.clock.advanceAsync(8 * HOUR + 59 * MIN);
    await g.settle();
    expect(g.loop.cleaning.list()[0]).toMatchObject({ id: 'sanding-room', state: 'due', lastBy: operator.user });
    expect(g.sent.map((e) => [e.type, e.state])).toEqual([['cleaning', 'done'], ['cleaning', 'done'], ['cleaning', 'done']]);
    expect(g.loop.records.list()).toEqual([]);
    expect(platformProblems(g.sent)).toEqual([]);
  });

  it('a cleaning missed past its grace opens one major record under 粉尘-10, which can be rectified only after a check-in', async () => {
    const g = await gateway();
    const start = g.w.clock.now();
    await g.w.clock.advanceAsync(8 * HOUR + 60 * MIN);
    await g.settle();
    // at the end of its grace, not yet overdue
    expect(g.loop.cleaning.list()[0]!.state).toBe('due');
    expect(g.sent).toEqual([]);

    await g.w.clock.advanceAsync(MIN);
    await g.settle();
    const overdue = g.sent.filter((e) => e.type === 'cleaning');
    expect(overdue).toMatchObject([{ type: 'cleaning', area: 'sanding-room', state: 'overdue', by: 'gateway', due: start + 9 * HOUR }]);
    const [record] = g.loop.records.list();
    expect(record).toMatchObject({ rule: 'sanding-room', clause: '粉尘-10', grade: 'major', state: 'found', foundBy: 'gateway' });
    expect(g.loop.records.summary().openMajor).toBe(1);

    // an hour later still uncleaned: no second overdue, no second record
    await g.w.clock.advanceAsync(HOUR);
    await g.settle();
    expect(g.sent.filter((e) => e.type === 'cleaning')).toHaveLength(1);
    expect(g.loop.records.list()).toHaveLength(1);

    const assigned = await g.loop.records.act(record!.id, { kind: 'assign', by: supervisor, assignee: operator.user, due: g.w.clock.now() + 24 * HOUR });
    expect(assigned.ok).toBe(true);
    const early = await g.loop.records.act(record!.id, { kind: 'rectify', by: operator, note: '已安排清扫' });
    expect(early).toMatchObject({ ok: false, refusal: 'condition-present' });

    const done = await g.loop.cleaning.checkIn('sanding-room', { by: operator, note: '砂光区地面及设备顶部已清扫' });
    expect(done).toMatchObject({ ok: true, area: { state: 'ok', lastBy: operator.user } });
    expect(g.loop.present('sanding-room')).toBe(false);
    expect(await g.loop.records.act(record!.id, { kind: 'rectify', by: operator, note: '已清扫并签到' })).toMatchObject({ ok: true });
    expect(await g.loop.records.act(record!.id, { kind: 'close', by: supervisor2 })).toMatchObject({ ok: true });

    const events = g.sent.filter((e) => e.type === 'cleaning');
    expect(events.map((e) => e.state)).toEqual(['overdue', 'done']);
    expect(events[1]).toMatchObject({ by: operator.user, user: operator.user, note: '砂光区地面及设备顶部已清扫' });
    expect(g.sent.filter((e) => e.type === 'hazard').map((e) => e.state)).toEqual(['found', 'assigned', 'rectified', 'closed']);
    expect(platformProblems(g.sent)).toEqual([]);
  });

  it('refuses a check-in for an unknown area, without a person, or with a note too long, and changes nothing', async () => {
    const g = await gateway();
    expect(await g.loop.cleaning.checkIn('paint-room', { by: operator })).toMatchObject({ ok: false, refusal: 'unknown-area' });
    expect(await g.loop.cleaning.checkIn('sanding-room', { by: { user: 'gateway', role: 'operator' } })).toMatchObject({ ok: false, refusal: 'not-permitted' });
    expect(await g.loop.cleaning.checkIn('sanding-room', { by: { user: '  ', role: 'operator' } })).toMatchObject({ ok: false, refusal: 'not-permitted' });
    expect(await g.loop.cleaning.checkIn('sanding-room', { by: operator, note: '扫'.repeat(501) })).toMatchObject({ ok: false, refusal: 'too-long' });
    expect(g.sent).toEqual([]);
    expect(g.loop.cleaning.lastCleanedAt('sanding-room')).toBeUndefined();
  });

  it('keeps the check-in and the overdue across a restart, and reports a cleaning that fell overdue while the gateway was off', async () => {
    const g = await gateway();
    await g.w.clock.advanceAsync(2 * HOUR);
    await g.loop.cleaning.checkIn('sanding-room', { by: operator });
    const checkedIn = g.w.clock.now();
    // the records are off for 12 h: past the deadline before they open again
    await g.shut();
    await g.w.clock.advanceAsync(12 * HOUR);
    expect(g.sent.filter((e) => e.type === 'cleaning').map((e) => e.state)).toEqual(['done']);
    const again = await g.reopen();
    await again.settle();
    expect(again.loop.cleaning.lastCleanedAt('sanding-room')).toBe(checkedIn);
    expect(g.sent.filter((e) => e.type === 'cleaning').map((e) => e.state)).toEqual(['done', 'overdue']);
    expect(again.loop.records.list()).toMatchObject([{ rule: 'sanding-room', clause: '粉尘-10' }]);

    const third = await again.restart();
    await third.settle();
    expect(g.sent.filter((e) => e.type === 'cleaning')).toHaveLength(2);
    expect(third.loop.records.list()).toHaveLength(1);
  });
});
