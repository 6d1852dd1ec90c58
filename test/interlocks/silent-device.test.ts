/**
 * The whole agent on its simulators, in real time: the collector's control box stops answering
 * on the RS-485 bus, and after three missed polls every permit fed by its points drops.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../agent/app.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import type { SimGpio } from '../../drivers/sim/gpio-sim.js';
import { waitFor } from '../helpers/wait.js';
import { exampleSite } from './workshop.js';

let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop('test over');
  agent = undefined;
});

describe('a device gone silent', () => {
  it('drops every permit that depends on it after three missed polls, and only its own points go to comm', async () => {
    const site = exampleSite((y) =>
      y
        .replaceAll('pollMs: 1000', 'pollMs: 100')
        .replace('timeoutMs: 200', 'timeoutMs: 50')
        .replace('retries: 1', 'retries: 0')
        .replace('{ input: fan1.run, is: true, forMs: 30000 }', '{ input: fan1.run, is: true }'),
    );
    const config = { ...site, uplink: undefined, hmi: undefined, buffer: { ...site.buffer, path: join(mkdtempSync(join(tmpdir(), 'fb-silent-')), 'buffer.db') } };
    agent = await startAgent({ config, log: createLogger('silent'), simulate: true });
    const events: PlantEvent[] = [];
    agent.plant.onEvent((e) => events.push(e));
    const sim = agent.simulator!;
    sim.set('dc1.dp', 650);
    sim.set('dc1.hopperTemp', 35);
    sim.set('ds1.conc', 3);
    const gpio = agent.gpio as SimGpio;
    for (const line of [5, 6]) gpio.set(line, true); // fan and airlock valve running
    const outputs = agent.plant.outputs;
    await waitFor('the sander permit', () => outputs.isOn('sander1.permit'));

    await waitFor('the hopper temperature', () => agent!.plant.points.get('dc1.hopperTemp')?.v === 35);
    sim.bus('rs485a')!.unit(1).fault({ kind: 'silence' });
    const silentFrom = Date.now();
    await waitFor('the permit to drop', () => !outputs.isOn('sander1.permit'), 5000);
    const took = Date.now() - silentFrom;
    expect(took).toBeGreaterThanOrEqual(150); // not on the first missed poll: three are needed
    expect(agent.plant.points.get('dc1.dp')?.q).toBe('comm');
    await waitFor('the hopper temperature to go comm too', () => agent!.plant.points.get('dc1.hopperTemp')?.q === 'comm');
    expect(agent.plant.points.get('dc1.hopperTemp')?.v).toBe(35); // the last good value, marked as not current
    expect(agent.plant.points.get('ds1.conc')?.q).toBe('good');
    const trip = events.find((e) => e.type === 'interlock' && e.state === 'tripped');
    expect(trip?.detail).toMatchObject({ firstOut: { key: 'permitWhen[1]' } });
    await waitFor('the system event for dc1', () => events.some((e) => e.type === 'system' && e.source === 'dc1' && e.state === 'comm'));
    expect(agent.page.snapshot().alarms.map((a) => a.id)).toEqual(expect.arrayContaining(['dc1.dp.fault', 'sander1-permit.trip']));
  });
});
