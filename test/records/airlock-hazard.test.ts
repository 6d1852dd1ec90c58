/**
 * The workshop's own rule finds the hazard (site.workshop.yaml, `airlock-stopped` under 粉尘-6):
 * the rotary airlock stopped for 10 min while the collector fan runs opens a major record with a
 * 24 h deadline; it cannot be rectified while the valve is still stopped; the same rule holding
 * again after the record closed opens a new record naming the first.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSiteText } from '../../agent/config/load.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { closeDb, openDb } from '../../agent/buffer/sqlite.js';
import { HazardStore } from '../../agent/records/hazard-store.js';
import { HazardRecords } from '../../agent/records/hazard-records.js';
import { HazardWatch } from '../../agent/records/hazard-watch.js';
import { workshop } from '../interlocks/workshop.js';
import { waitFor } from '../helpers/wait.js';

const MIN = 60_000;
const supervisor = { user: '王主管', role: 'supervisor' } as const;
const supervisor2 = { user: '李主管', role: 'supervisor' } as const;
const fixer = { user: '张师傅', role: 'operator' } as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function workshopWithRecords() {
  const r = parseSiteText(readFileSync(new URL('../../config/site.workshop.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const w = workshop(r.config);
  const db = await openDb(join(mkdtempSync(join(tmpdir(), 'fb-airlock-')), 'buffer.db'));
  const store = await HazardStore.open(db);
  const sent: PlantEvent[] = [];
  // eslint-disable-next-line prefer-const -- the records may ask before the watch exists; a const would throw there
  let watch: HazardWatch | undefined;
  const records = await HazardRecords.open({ store, clock: w.clock, log: createLogger('silent'), emit: async (e) => void sent.push(e), conditionPresent: (rule) => watch?.rules.present(rule) ?? false });
  watch = new HazardWatch(r.config.hazards ?? [], w.plant.points, records, w.clock, createLogger('silent'));
  w.plant.onSample((s) => watch.observe(s));
  cleanups.push(async () => {
    watch.stop();
    await store.close();
    await closeDb(db);
  });
  return { ...w, records, sent };
}

describe('the airlock stopped while the fan runs (粉尘-6)', () => {
  it('is found after 10 min, fixed only once the valve runs, rejected, fixed again and closed; then found again as a new record', async () => {
    const w = await workshopWithRecords();
    w.healthy();
    w.advance(1000);
    w.contact('valve1.run', false);
    w.advance(10 * MIN - 1000);
    await new Promise((r) => setImmediate(r));
    expect(w.records.list()).toEqual([]);
    w.advance(2000);
    const record = await waitFor('the hazard record', () => w.records.list()[0]);
    expect(record).toMatchObject({ rule: 'airlock-stopped', clause: '粉尘-6', grade: 'major', state: 'found', foundBy: 'gateway', title: '干式除尘系统锁气卸灰装置未正常运行' });
    expect(record.due! - record.foundAt).toBe(24 * 60 * MIN);

    // the valve keeps standing: no second record
    w.advance(30 * MIN);
    expect(w.records.list()).toHaveLength(1);

    await w.records.act(record.id, { kind: 'assign', by: supervisor, assignee: fixer.user, due: w.clock.now() + 24 * 60 * MIN });
    expect(await w.records.act(record.id, { kind: 'rectify', by: fixer, note: '更换电机' })).toMatchObject({ ok: false, refusal: 'condition-present' });
    w.contact('valve1.run', true);
    w.advance(100);
    expect(await w.records.act(record.id, { kind: 'rectify', by: fixer, note: '更换电机' })).toMatchObject({ ok: true });
    expect(await w.records.act(record.id, { kind: 'reject', by: supervisor, note: '没有试运行记录' })).toMatchObject({ ok: true });
    expect(await w.records.act(record.id, { kind: 'rectify', by: fixer, note: '试运行 30 分钟' })).toMatchObject({ ok: true });
    expect(await w.records.act(record.id, { kind: 'close', by: supervisor2 })).toMatchObject({ ok: true, record: { state: 'closed' } });

    w.contact('valve1.run', false);
    w.advance(10 * MIN + 1000);
    const second = await waitFor('the second record', () => w.records.list().find((r) => r.id !== record.id));
    expect(second).toMatchObject({ previous: record.id, state: 'found' });
    expect(w.sent.map((e) => `${e.record}:${e.state}`)).toEqual([
      `${record.id}:found`,
      `${record.id}:assigned`,
      `${record.id}:rectified`,
      `${record.id}:rejected`,
      `${record.id}:rectified`,
      `${record.id}:closed`,
      `${second.id}:found`,
    ]);
  });

  it('is not found while the fan is off', async () => {
    const w = await workshopWithRecords();
    w.healthy();
    w.advance(1000);
    w.contact('fan1.run', false);
    w.contact('valve1.run', false);
    w.advance(20 * MIN);
    await new Promise((r) => setImmediate(r));
    expect(w.records.list()).toEqual([]);
  });
});
