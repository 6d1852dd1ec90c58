/**
 * The hidden-hazard loop in the running agent, seen at a real broker (mosquitto where it is
 * installed): the workshop's airlock rule finds a record, the page's model takes it through
 * assign → rectify (refused while the valve is still stopped) → rectify → close, and the sander
 * running under its applied lockout opens a record of its own. Every change arrives as a
 * `hazard` event on {root}/events, each message valid against both uplink schemas. The rule's
 * 10 min is cut to 300 ms here: the wall clock runs, since the broker and the uplink do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../agent/app.js';
import { loadSiteFile } from '../../agent/config/load.js';
import type { SiteConfig } from '../../agent/config/schema.js';
import type { PlantEvent } from '../../agent/core/types.js';
import type { SimGpio } from '../../drivers/sim/gpio-sim.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { schemaProblems } from '../uplink/schemas.js';
import { Platform, waitFor } from '../uplink/subscriber.js';

const LINE = { fan: 5, valve: 6, lockout: 13, sanderRun: 23 } as const;
const supervisor = { user: '王主管', role: 'supervisor' } as const;
const supervisor2 = { user: '李主管', role: 'supervisor' } as const;
const fixer = { user: '张师傅', role: 'operator' } as const;

let broker: TestBroker;
let dir: string;
beforeAll(async () => {
  broker = await startBroker();
  dir = mkdtempSync(join(tmpdir(), 'fb-hazard-uplink-'));
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** the workshop site, its rules quick, the sander's run feedback wired to its lockout, no page, MQTT to the test broker */
async function quickWorkshop(): Promise<SiteConfig> {
  const loaded = await loadSiteFile(new URL('../../config/site.workshop.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const c = loaded.config;
  const gpio = c.gpio!;
  return {
    ...c,
    site: { ...c.site, gateway: `GW-HZ-${process.pid}` },
    hazards: c.hazards!.map((h) => ({ ...h, when: h.when.map((w) => ('forMs' in w && w.forMs ? { ...w, forMs: 300 } : w)) })),
    gpio: {
      ...gpio,
      inputs: [
        ...gpio.inputs.map((i) => (i.id === 'loto.sander1' ? { ...i, machine: 'sander1.run' } : i)),
        { id: 'sander1.run', name: '1号砂光机运行', kind: 'run_feedback', line: LINE.sanderRun, activeLow: false, debounceMs: 50 },
      ],
    },
    uplink: { mqtt: { ...c.uplink!.mqtt!, url: broker.url } },
    buffer: { ...c.buffer, path: join(dir, 'buffer.db') },
    hmi: undefined,
  };
}

const hazardEvents = (p: Platform): PlantEvent[] => p.on('events').flatMap((m) => (m.body.events as PlantEvent[]).filter((e) => e.type === 'hazard'));

it('sends every change of a record found by a rule, and of one found by the lockout-energy alarm, to the broker', async () => {
  const config = await quickWorkshop();
  const platform = await Platform.connect(broker.url, `firebreak/v1/${config.site.enterprise}/${config.site.gateway}`);
  let agent: Agent | undefined;
  try {
    agent = await startAgent({ config, log: pino({ level: process.env.FIREBREAK_LOG_LEVEL ?? 'silent' }), simulate: true });
    const gpio = agent.gpio as SimGpio;
    const desk = agent.page.hazards!;
    const board = () => agent!.page.snapshot().hazards!;

    gpio.set(LINE.fan, true);
    gpio.set(LINE.valve, false);
    const found = await waitFor('the airlock record', () => board().records.find((r) => r.rule === 'airlock-stopped'));
    expect(found).toMatchObject({ clause: '粉尘-6', grade: 'major', state: 'found', foundBy: 'gateway', conditionPresent: true, rectifyWithinH: 24 });
    expect(board()).toMatchObject({ openMajor: 1, open: 1 });

    expect(await desk.act(found.id, { kind: 'assign', by: supervisor, assignee: fixer.user, due: Date.now() + 24 * 3_600_000 })).toMatchObject({ ok: true });
    expect(await desk.act(found.id, { kind: 'rectify', by: fixer, note: '更换卸灰阀电机' })).toMatchObject({ ok: false, refusal: 'condition-present' });
    gpio.set(LINE.valve, true);
    await waitFor('the valve seen running', () => board().records[0]?.conditionPresent === false);
    expect(await desk.act(found.id, { kind: 'rectify', by: fixer, note: '更换卸灰阀电机' })).toMatchObject({ ok: true });
    expect(await desk.act(found.id, { kind: 'close', by: fixer })).toMatchObject({ ok: false, refusal: 'not-permitted' });
    expect(await desk.act(found.id, { kind: 'close', by: supervisor2 })).toMatchObject({ ok: true, record: { state: 'closed' } });
    expect(board()).toMatchObject({ openMajor: 0, open: 0, closedToday: 1 });

    gpio.set(LINE.lockout, true);
    gpio.set(LINE.sanderRun, true);
    const energy = await waitFor('the lockout record', () => board().records.find((r) => r.rule === 'loto.sander1.energy'));
    expect(energy).toMatchObject({ clause: '能量隔离', grade: 'major', state: 'found', conditionPresent: true });

    await waitFor('every hazard event at the broker', () => hazardEvents(platform).length >= 5, { state: () => JSON.stringify(hazardEvents(platform).map((e) => e.state)) });
    expect(hazardEvents(platform).map((e) => [e.record, e.state, e.by])).toEqual([
      [found.id, 'found', 'gateway'],
      [found.id, 'assigned', supervisor.user],
      [found.id, 'rectified', fixer.user],
      [found.id, 'closed', supervisor2.user],
      [energy.id, 'found', 'gateway'],
    ]);
    expect(hazardEvents(platform).every((e) => e.hazard === true && e.clause && e.grade === 'major')).toBe(true);
    for (const m of platform.on('events')) expect(schemaProblems(m.body)).toEqual([]);
  } finally {
    await agent?.stop('test done');
    await platform.close();
  }
}, 30_000);

const recordEvents = (p: Platform, type: string): PlantEvent[] => p.on('events').flatMap((m) => (m.body.events as PlantEvent[]).filter((e) => e.type === type));

it('sends the handling feedback of an alarm and a cleaning check-in to the broker, in the running agent', async () => {
  const config = await quickWorkshop();
  const platform = await Platform.connect(broker.url, `firebreak/v1/${config.site.enterprise}/${config.site.gateway}`);
  let agent: Agent | undefined;
  try {
    agent = await startAgent({ config: { ...config, buffer: { ...config.buffer, path: join(dir, 'feedback.db') } }, log: pino({ level: process.env.FIREBREAK_LOG_LEVEL ?? 'silent' }), simulate: true });
    const gpio = agent.gpio as SimGpio;
    // the fan runs and the airlock stands: the site's valve-stopped alarm (high) asks for feedback
    gpio.set(LINE.fan, true);
    gpio.set(LINE.valve, false);
    const occ = await waitFor('the occurrence waiting for feedback', () => agent!.page.snapshot().dispositions!.pending.find((o) => o.alarm.startsWith('valve-stopped')), { timeoutMs: 10_000 });
    expect(occ).toMatchObject({ priority: 'high', state: 'pending', due: occ.t + 30 * 60_000 });
    expect(await agent.page.dispositions!.record(occ.id, { cause: 'airlock-jammed', action: 'repaired', by: fixer })).toMatchObject({ ok: true });
    expect(await agent.page.cleaning!.checkIn('sanding-room', { by: fixer, note: '班前清扫' })).toMatchObject({ ok: true });

    await waitFor('both records at the broker', () => recordEvents(platform, 'disposition').length >= 1 && recordEvents(platform, 'cleaning').length >= 1);
    expect(recordEvents(platform, 'disposition')).toMatchObject([{ alarm: occ.id, state: 'recorded', by: fixer.user, cause: '锁气卸灰阀卡堵', action: '维修设备' }]);
    expect(recordEvents(platform, 'cleaning')).toMatchObject([{ area: 'sanding-room', state: 'done', by: fixer.user, note: '班前清扫' }]);
    for (const m of platform.on('events')) expect(schemaProblems(m.body)).toEqual([]);
  } finally {
    await agent?.stop('test done');
    await platform.close();
  }
}, 30_000);
