/**
 * A confined-space ticket in the running agent, seen at a real broker (mosquitto where it is
 * installed): the four-gas detector served by the Modbus simulator on the workshop's bus, the
 * contacts through the GPIO twin. The ticket is opened, the gas test records the detector's
 * polled readings, one person goes in, O₂ falls to 19.0 % at the detector and evacuate follows
 * within one poll, with the beacon. Every step arrives as a `ticket` event on {root}/events,
 * each message valid against both uplink schemas. The fan's 30 min are cut to 300 ms: the wall
 * clock runs here, since the broker and the uplink do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../agent/app.js';
import type { PlantEvent } from '../../agent/core/types.js';
import type { SimGpio } from '../../drivers/sim/gpio-sim.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { schemaProblems } from '../uplink/schemas.js';
import { Platform, waitFor } from '../uplink/subscriber.js';
import { SUPERVISOR, TESTER, workshopConfig } from './ticket-site.js';

let broker: TestBroker;
let dir: string;
beforeAll(async () => {
  broker = await startBroker();
  dir = mkdtempSync(join(tmpdir(), 'fb-ticket-uplink-'));
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('sends every step of a ticket, and the evacuate when O₂ falls at the detector, to the broker', async () => {
  const c = await workshopConfig();
  const config = {
    ...c,
    site: { ...c.site, gateway: `GW-TK-${process.pid}` },
    confinedSpaces: c.confinedSpaces!.map((s) => ({ ...s, ventilation: { ...s.ventilation, forMs: 300 } })),
    uplink: { mqtt: { ...c.uplink!.mqtt!, url: broker.url } },
    buffer: { ...c.buffer, path: join(dir, 'buffer.db') },
    hmi: undefined,
  };
  const line = (id: string) => config.gpio!.inputs.find((i) => i.id === id)!.line;
  const platform = await Platform.connect(broker.url, `firebreak/v1/${config.site.enterprise}/${config.site.gateway}`);
  let agent: Agent | undefined;
  try {
    agent = await startAgent({ config, log: pino({ level: process.env.FIREBREAK_LOG_LEVEL ?? 'silent' }), simulate: true });
    const gpio = agent.gpio as SimGpio;
    const tickets = agent.tickets!;
    for (const [p, v] of Object.entries({ 'gd1.o2': 20.9, 'gd1.lel': 0, 'gd1.h2s': 0, 'gd1.co': 1 })) agent.simulator!.set(p, v);
    await tickets.ledger.add('赵监护', [], 'test', Date.now());
    await tickets.ledger.add('钱一', [], 'test', Date.now());
    for (const id of ['loto.hopper1', 'vfan1.run', 'att1.present']) gpio.set(line(id), true);
    await waitFor('the detector polled', () => agent!.plant.points.get('gd1.o2')?.v === 20.9);

    const opened = await tickets.openEntry({ space: 'hopper1', work: '清理灰斗积灰', inCharge: '王主管', attendant: '赵监护', entrants: ['钱一'] }, SUPERVISOR);
    if (!opened.ok) throw new Error(opened.reason.en);
    const id = opened.ticket.id;
    await waitFor('the fan’s time', () => tickets.nextStep(tickets.get(id)!)?.en === 'no gas test taken');
    expect(await tickets.act(id, { kind: 'test' }, TESTER)).toMatchObject({ ok: true, ticket: { state: 'permitted' } });
    expect(await tickets.act(id, { kind: 'enter', person: '钱一' }, TESTER)).toMatchObject({ ok: true });
    const beacon = config.gpio!.outputs.find((o) => o.id === config.alarms!.beacon)!.line;
    expect(gpio.outputLevel(beacon)).toBe(false);

    agent.simulator!.set('gd1.o2', 19.0);
    const pollMs = config.devices.find((d) => d.id === 'gd1')!.pollMs;
    const since = Date.now();
    await waitFor('evacuate', () => tickets.get(id)?.state === 'evacuate', { timeoutMs: pollMs * 3 });
    // one poll period, and the poll's own time on the wire
    expect(Date.now() - since).toBeLessThan(pollMs + 500);
    expect(gpio.outputLevel(beacon)).toBe(true);

    const ticketEvents = () => platform.on('events').flatMap((m) => (m.body.events as PlantEvent[]).filter((e) => e.type === 'ticket' && e.ticket === id));
    await waitFor('the ticket’s steps at the broker', () => ticketEvents().some((e) => e.state === 'evacuate'), { state: () => JSON.stringify(ticketEvents().map((e) => e.state)) });
    expect(ticketEvents().map((e) => e.state)).toEqual(['opened', 'tested', 'entry_permitted', 'entered', 'evacuate']);
    const tested = ticketEvents().find((e) => e.state === 'tested')!;
    expect(tested.detail?.['readings']).toEqual([
      { name: 'gd1.o2', value: 20.9, ok: true },
      { name: 'gd1.lel', value: 0, ok: true },
      { name: 'gd1.h2s', value: 0, ok: true },
      { name: 'gd1.co', value: 1, ok: true },
    ]);
    const alarm = await waitFor('the evacuate alarm at the broker', () => platform.on('events').flatMap((m) => m.body.events as PlantEvent[]).find((e) => e.type === 'alarm' && e.source === 'hopper1.evacuate'));
    expect(alarm).toMatchObject({ priority: 'critical', state: 'unack' });
    expect(alarm.message).toContain('撤离');
    for (const m of platform.on('events')) expect(schemaProblems(m.body)).toEqual([]);
  } finally {
    await agent?.stop('test over');
    await platform.close();
  }
}, 60_000);
