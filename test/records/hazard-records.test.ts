/**
 * A hidden-hazard record from finding to closing, on a real SQLite file and a fake clock: the
 * airlock stopped while the fan runs is found under 粉尘-6, assigned with a 24 h deadline,
 * refused while the valve is still stopped, rectified, rejected, rectified again and closed by a
 * supervisor who did not fix it; every change is stored and sent as a `hazard` event.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { closeDb, openDb, type Db } from '../../agent/buffer/sqlite.js';
import { HazardStore } from '../../agent/records/hazard-store.js';
import { HazardRecords, MANUAL_RULE, type Finding } from '../../agent/records/hazard-records.js';
import type { EventsMessage } from '../../agent/uplink/messages.js';
import { schemaProblems } from '../uplink/schemas.js';

const HOUR = 3_600_000;
const supervisor = { user: '王主管', role: 'supervisor' } as const;
const supervisor2 = { user: '李主管', role: 'supervisor' } as const;
const fixer = { user: '张师傅', role: 'operator' } as const;
const airlock: Finding = { rule: 'airlock-stopped', clause: '粉尘-6', grade: 'major', title: '干式除尘系统锁气卸灰装置未正常运行', by: 'gateway', rectifyWithinH: 24 };

const opened: { db: Db; stores: HazardStore[] }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await shut(o);
});

async function shut(o: { db: Db; stores: HazardStore[] }): Promise<void> {
  for (const s of o.stores) await s.close();
  await closeDb(o.db);
}

async function gateway(file = join(mkdtempSync(join(tmpdir(), 'fb-hazards-')), 'buffer.db'), clock = new FakeClock(Date.UTC(2026, 11, 2, 1, 0, 0)), sent: PlantEvent[] = []) {
  const db = await openDb(file);
  const store = await HazardStore.open(db);
  const handle = { db, stores: [store] };
  opened.push(handle);
  const valve = { stopped: true };
  const records = await HazardRecords.open({
    store,
    clock,
    log: createLogger('silent'),
    emit: async (e) => void sent.push(e),
    conditionPresent: (rule) => rule === 'airlock-stopped' && valve.stopped,
  });
  return { file, db, handle, clock, sent, valve, records, states: () => sent.map((e) => e.state) };
}

/** what the platform would receive: the events in one events message, checked against both schemas */
function platformProblems(events: PlantEvent[]): string[] {
  const m: EventsMessage = { kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events };
  return schemaProblems(m);
}

describe('a hidden-hazard record', () => {
  it('goes found → assigned → (refused while the valve is stopped) → rectified → rejected → rectified → closed', async () => {
    const g = await gateway();
    const found = await g.records.find(airlock);
    expect(found.record).toMatchObject({ id: 'HZ-20261202-001', state: 'found', clause: '粉尘-6', grade: 'major', due: g.clock.now() + 24 * HOUR });
    const id = found.record.id;

    expect(await g.records.act(id, { kind: 'assign', by: fixer, assignee: fixer.user, due: g.clock.now() + 24 * HOUR })).toMatchObject({ ok: false, refusal: 'not-permitted' });
    expect(await g.records.act(id, { kind: 'assign', by: supervisor, assignee: fixer.user, due: g.clock.now() + 24 * HOUR })).toMatchObject({ ok: true, record: { state: 'assigned', assignee: '张师傅' } });

    const early = await g.records.act(id, { kind: 'rectify', by: fixer, note: '更换卸灰阀电机' });
    expect(early).toMatchObject({ ok: false, refusal: 'condition-present' });
    expect(g.records.get(id)?.state).toBe('assigned');

    g.valve.stopped = false;
    expect(await g.records.act(id, { kind: 'rectify', by: supervisor2, note: '我来修' })).toMatchObject({ ok: false, refusal: 'not-assignee' });
    expect(await g.records.act(id, { kind: 'rectify', by: fixer, note: '更换卸灰阀电机' })).toMatchObject({ ok: true, record: { state: 'rectified', rectifiedBy: '张师傅' } });
    expect(await g.records.act(id, { kind: 'reject', by: supervisor, note: '未做试运行' })).toMatchObject({ ok: true, record: { state: 'rejected' } });
    expect(await g.records.act(id, { kind: 'rectify', by: fixer, note: '试运行 30 分钟正常' })).toMatchObject({ ok: true });
    expect(await g.records.act(id, { kind: 'close', by: supervisor })).toMatchObject({ ok: true, record: { state: 'closed' } });
    expect(await g.records.act(id, { kind: 'close', by: supervisor })).toMatchObject({ ok: false, refusal: 'wrong-state' });

    expect(g.states()).toEqual(['found', 'assigned', 'rectified', 'rejected', 'rectified', 'closed']);
    expect(g.sent.map((e) => e.by)).toEqual(['gateway', '王主管', '张师傅', '王主管', '张师傅', '王主管']);
    expect(new Set(g.sent.map((e) => e.id)).size).toBe(6);
    expect(platformProblems(g.sent)).toEqual([]);
    expect((await g.records.changes(id)).map((c) => [c.state, c.by, c.note])).toEqual([
      ['found', 'gateway', undefined],
      ['assigned', '王主管', undefined],
      ['rectified', '张师傅', '更换卸灰阀电机'],
      ['rejected', '王主管', '未做试运行'],
      ['rectified', '张师傅', '试运行 30 分钟正常'],
      ['closed', '王主管', undefined],
    ]);
  });

  it('may not be verified by the person who rectified it, even a supervisor', async () => {
    const g = await gateway();
    g.valve.stopped = false;
    const { record } = await g.records.find(airlock);
    await g.records.act(record.id, { kind: 'assign', by: supervisor, assignee: supervisor.user, due: g.clock.now() + HOUR });
    await g.records.act(record.id, { kind: 'rectify', by: supervisor, note: '已修复' });
    expect(await g.records.act(record.id, { kind: 'close', by: supervisor })).toMatchObject({ ok: false, refusal: 'rectifier-verifies' });
    expect(await g.records.act(record.id, { kind: 'close', by: supervisor2 })).toMatchObject({ ok: true });
  });

  it('opens no second record while the rule keeps holding, and a new one naming the old after it closed', async () => {
    const g = await gateway();
    g.valve.stopped = false;
    const first = await g.records.find(airlock);
    expect(await g.records.find(airlock)).toMatchObject({ already: true, record: { id: first.record.id } });
    await g.records.act(first.record.id, { kind: 'assign', by: supervisor, assignee: fixer.user, due: g.clock.now() + HOUR });
    await g.records.act(first.record.id, { kind: 'rectify', by: fixer, note: '已修复' });
    await g.records.act(first.record.id, { kind: 'close', by: supervisor });
    const again = await g.records.find(airlock);
    expect(again.record).toMatchObject({ id: 'HZ-20261202-002', previous: first.record.id, state: 'found' });
    expect(g.sent.at(-1)).toMatchObject({ type: 'hazard', state: 'found', previous: first.record.id });
    expect(platformProblems(g.sent)).toEqual([]);
  });

  it('is overdue past its deadline, once, and counts in the summary until it is closed', async () => {
    const g = await gateway();
    const { record } = await g.records.find(airlock);
    await g.records.act(record.id, { kind: 'assign', by: supervisor, assignee: fixer.user, due: g.clock.now() + 24 * HOUR });
    g.clock.advance(24 * HOUR - 1);
    expect(await g.records.checkOverdue()).toEqual([]);
    g.clock.advance(2);
    expect((await g.records.checkOverdue()).map((r) => r.id)).toEqual([record.id]);
    expect(await g.records.checkOverdue()).toEqual([]);
    expect(g.states()).toEqual(['found', 'assigned', 'overdue']);
    expect(g.records.summary()).toMatchObject({ openMajor: 1, overdue: 1, oldestOpenMajorMs: 24 * HOUR + 1 });
  });

  it('keeps every record and change across a restart, and sends again an event the buffer never confirmed', async () => {
    const g = await gateway();
    const { record } = await g.records.find(airlock);
    await g.records.act(record.id, { kind: 'assign', by: supervisor, assignee: fixer.user, due: g.clock.now() + HOUR });
    // the buffer refuses the next event (a power cut before its commit, as far as the record knows)
    const second = await HazardStore.open(g.db);
    g.handle.stores.push(second);
    const failing = await HazardRecords.open({ store: second, clock: g.clock, log: createLogger('silent'), emit: () => Promise.reject(new Error('disk gone')), conditionPresent: () => false });
    expect(await failing.act(record.id, { kind: 'rectify', by: fixer, note: '已修复' })).toMatchObject({ ok: true });
    await shut(opened.pop()!);

    const after = await gateway(g.file, g.clock);
    expect(after.records.get(record.id)).toMatchObject({ state: 'rectified', assignee: '张师傅' });
    expect(after.sent.map((e) => [e.id, e.state])).toEqual([[`${record.id}#3`, 'rectified']]);
    expect(after.records.summary()).toMatchObject({ open: 1, awaitingVerification: 1 });
  });

  it('takes a record a person enters for what the gateway cannot see, and refuses an unknown record', async () => {
    const g = await gateway();
    const manual = await g.records.find({ rule: MANUAL_RULE, clause: '粉尘-3', grade: 'general', title: '泄爆片锈蚀', description: '2号除尘器泄爆片锈蚀', by: '王主管', rectifyWithinH: 72 });
    expect(manual.record).toMatchObject({ foundBy: '王主管', state: 'found' });
    expect(await g.records.act('HZ-19990101-001', { kind: 'close', by: supervisor })).toMatchObject({ ok: false, refusal: 'unknown-record' });
    expect(platformProblems(g.sent)).toEqual([]);
  });
});
