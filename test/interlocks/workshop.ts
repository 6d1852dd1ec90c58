/**
 * The installer's example workshop (config/site.example.yaml) on a fake clock: GPIO through the
 * simulator twin, analog values delivered as acquisition delivers them, and every event the
 * plant reports (what goes to the buffer and the platform) recorded.
 */
import { readFileSync } from 'node:fs';
import { parseSiteText } from '../../agent/config/load.js';
import type { SiteConfig } from '../../agent/config/schema.js';
import { FakeClock } from '../../agent/core/clock.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent, Quality } from '../../agent/core/types.js';
import { pageModel } from '../../agent/page-model.js';
import { buildSafetyCore } from '../../agent/safety-core.js';
import { SimGpio } from '../../drivers/sim/gpio-sim.js';

export function exampleSite(edit?: (yaml: string) => string): SiteConfig {
  const text = readFileSync(new URL('../../config/site.example.yaml', import.meta.url), 'utf8');
  const r = parseSiteText(edit ? edit(text) : text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

export function workshop(config = exampleSite()) {
  const clock = new FakeClock();
  const gpio = new SimGpio(clock);
  const { plant } = buildSafetyCore({ config, clock, gpio, log: createLogger('silent'), bootId: 'test' });
  /** what the operator page shows and may do, composed as app.ts composes it */
  const page = pageModel({ plant, clock });
  const events: PlantEvent[] = [];
  plant.onEvent((e) => events.push(e));
  const line = (id: string) => {
    const io = [...(config.gpio?.inputs ?? []), ...(config.gpio?.outputs ?? [])].find((x) => x.id === id);
    if (!io) throw new Error(`no gpio ${id}`);
    return io.line;
  };
  const w = {
    clock,
    gpio,
    plant,
    page,
    events,
    /** a contact changes on the wire; its debounce runs on the fake clock */
    contact(id: string, active: boolean) {
      gpio.set(line(id), active);
    },
    /** acquisition delivers a reading of an analog point */
    reading(p: string, v: number | null, q: Quality = 'good') {
      plant.ingest({ p, t: clock.now(), v, q });
    },
    relay(id: string): boolean | undefined {
      return gpio.outputLevel(line(id));
    },
    advance(ms: number) {
      clock.advance(ms);
    },
    /** a spark pulse: 100 ms on, then off */
    spark() {
      w.contact('spark1', true);
      clock.advance(100);
      w.contact('spark1', false);
    },
    eventsOf(type: PlantEvent['type'], source?: string) {
      return events.filter((e) => e.type === type && (source === undefined || e.source === source));
    },
    /** a healthy, running collector: fan on, valve on, dp and temperature in band, no lockout */
    healthy() {
      w.contact('fan1.run', true);
      w.contact('valve1.run', true);
      w.reading('dc1.dp', 650);
      w.reading('dc1.hopperTemp', 35);
      w.reading('ds1.conc', 3);
    },
  };
  plant.start();
  return w;
}
