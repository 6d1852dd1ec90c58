import { describe, expect, it } from 'vitest';
import { loadSiteFile } from '../../agent/config/load.js';
import { FakeClock } from '../../agent/core/clock.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { Story } from '../../agent/demo/story.js';
import { pageModel } from '../../agent/page-model.js';
import { buildSafetyCore } from '../../agent/safety-core.js';
import { SimGpio } from '../../drivers/sim/gpio-sim.js';

const PERMIT_LINE = 26;
const BEACON_LINE = 16;

async function demoPlant() {
  const r = await loadSiteFile(new URL('../../config/demo.site.yaml', import.meta.url).pathname);
  if (!r.ok) throw new Error('demo site file does not load');
  const config = r.config;
  const clock = new FakeClock();
  const gpio = new SimGpio(clock);
  const { plant } = buildSafetyCore({ config, clock, gpio, log: createLogger('silent'), bootId: 'test' });
  const page = pageModel({ plant, clock });
  const events: PlantEvent[] = [];
  plant.onEvent((e) => events.push(e));
  plant.start();
  const lineOf = (id: string) => config.gpio!.inputs.find((i) => i.id === id)!.line;
  const story = new Story(
    {
      // instant acquisition: each value the story writes arrives as a good sample
      analog: (p, v) => plant.ingest({ p, t: clock.now(), v, q: 'good' }),
      contact: (id, active) => gpio.set(lineOf(id), active),
      reset: (id, user) => page.reset(id, user),
      say: () => {},
    },
    clock,
  );
  return { clock, gpio, plant, page, events, story };
}

describe('the demo story on a fake clock', () => {
  it('turns the sander permit on only after the fan has run for its 5 s', async () => {
    const { clock, gpio, story } = await demoPlant();
    story.start();
    clock.advance(4_900);
    expect(gpio.outputLevel(PERMIT_LINE)).toBe(false);
    clock.advance(200);
    expect(gpio.outputLevel(PERMIT_LINE)).toBe(true);
  });

  it('drops and latches the sander permit on the third spark within 10 s, naming the spark count first-out', async () => {
    const { clock, gpio, page, events, story } = await demoPlant();
    story.start();
    clock.advance(39_000);
    expect(gpio.outputLevel(PERMIT_LINE)).toBe(true);

    clock.advance(1_000 + 600 + 50); // first and second spark
    expect(gpio.outputLevel(PERMIT_LINE)).toBe(true);
    clock.advance(600); // third spark (2 ms debounce)
    expect(gpio.outputLevel(PERMIT_LINE)).toBe(false);

    const trip = events.filter((e) => e.type === 'interlock' && e.state === 'tripped').at(-1)!;
    expect(trip.source).toBe('sander1-permit');
    expect(trip.detail).toMatchObject({ latched: true, firstOut: { key: 'permitWhen[4]', simultaneous: [] } });
    expect(gpio.outputLevel(BEACON_LINE)).toBe(true);

    // the sparks age out of their window, but the latch holds the permit off until a reset
    clock.advance(12_000);
    expect(gpio.outputLevel(PERMIT_LINE)).toBe(false);
    expect(page.snapshot().permits[0]).toMatchObject({ latched: true, resettable: true });
  });

  it('keeps the permit off while the sander is locked out and raises the hidden-hazard alarm when it runs', async () => {
    const { clock, gpio, events, story } = await demoPlant();
    story.start();
    clock.advance(62_000);
    expect(gpio.outputLevel(PERMIT_LINE)).toBe(false);
    clock.advance(3_100);
    const hazard = events.find((e) => e.type === 'alarm' && e.source === 'loto.sander1.energy' && e.state === 'unack');
    expect(hazard).toMatchObject({ priority: 'critical', hazard: true });
  });
});
