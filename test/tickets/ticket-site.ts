/**
 * The workshop site (config/site.workshop.yaml) with its work tickets on a fake clock: GPIO
 * through the simulator twin, the four-gas detector's readings delivered as acquisition delivers
 * them, the tickets and hazard records in a real SQLite file on one queue, and every event that
 * would reach the buffer recorded. `restart()` reopens the same file, as a new process would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialQueue } from '../../agent/buffer/serial.js';
import { closeDb, openDb } from '../../agent/buffer/sqlite.js';
import { loadSiteFile } from '../../agent/config/load.js';
import type { SiteConfig } from '../../agent/config/schema.js';
import { FakeClock } from '../../agent/core/clock.js';
import { createLogger } from '../../agent/core/log.js';
import type { PlantEvent, Quality } from '../../agent/core/types.js';
import { HazardLoop } from '../../agent/records/hazard-loop.js';
import { buildSafetyCore } from '../../agent/safety-core.js';
import { PeopleLedger } from '../../agent/tickets/people-ledger.js';
import { TicketLoop } from '../../agent/tickets/ticket-loop.js';
import { SimGpio } from '../../drivers/sim/gpio-sim.js';

export const SUPERVISOR = { user: '王主管', role: 'supervisor' } as const;
export const TESTER = { user: '李检测', role: 'operator' } as const;
export const DAY = 86_400_000;
export const MIN = 60_000;

export async function workshopConfig(file = new URL('../../config/site.workshop.yaml', import.meta.url).pathname): Promise<SiteConfig> {
  const loaded = await loadSiteFile(file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
}

/** `contactsOn`: inputs already active on the wire when the gateway starts (a restart mid-entry) */
export async function ticketSite(opts: { dir?: string; clock?: FakeClock; siteFile?: string; contactsOn?: string[] } = {}) {
  const config = await workshopConfig(opts.siteFile);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fb-tickets-'));
  const clock = opts.clock ?? new FakeClock(Date.parse('2026-12-02T01:00:00Z'));
  const gpio = new SimGpio(clock);
  const log = createLogger('silent');
  const { plant } = buildSafetyCore({ config, clock, gpio, log, bootId: `t${Math.random().toString(36).slice(2, 8)}` });
  const events: PlantEvent[] = [];
  plant.onEvent((e) => events.push(e));
  plant.start();
  for (const id of opts.contactsOn ?? []) gpio.set(config.gpio!.inputs.find((i) => i.id === id)!.line, true);
  clock.advance(60); // the contacts' levels, past their debounce, before the loops listen
  const db = await openDb(join(dir, 'buffer.db'));
  const queue = new SerialQueue();
  const serial = <T>(work: () => Promise<T>) => queue.run(work);
  const emit = async (e: PlantEvent) => {
    events.push(e);
  };
  const hazards = await HazardLoop.start({ plant, rules: [], cleaning: config.cleaning ?? [], db: { db, serial }, emit, clock, log });
  const ledger = new PeopleLedger(join(dir, 'people.json'));
  const tickets = await TicketLoop.start({
    plant,
    spaces: config.confinedSpaces ?? [],
    hotWork: config.workTickets?.hotWork ?? [],
    ledger,
    lastCleanedAt: (a) => hazards.cleaning.lastCleanedAt(a),
    find: (f) => hazards.records.find(f),
    db: { db, serial },
    emit,
    clock,
    log,
  });
  hazards.addPresence((r) => tickets.present(r));
  const line = (id: string) => {
    const io = [...(config.gpio?.inputs ?? []), ...(config.gpio?.outputs ?? [])].find((x) => x.id === id);
    if (!io) throw new Error(`no gpio ${id}`);
    return io.line;
  };
  let detector: Record<string, number> | undefined;
  const s = {
    config,
    dir,
    clock,
    gpio,
    plant,
    hazards,
    tickets,
    ledger,
    events,
    contact(id: string, active: boolean) {
      gpio.set(line(id), active);
      clock.advance(60); // past the 50 ms debounce
    },
    reading(p: string, v: number | null, q: Quality = 'good') {
      plant.ingest({ p, t: clock.now(), v, q });
    },
    /** the detector's four readings, as one poll delivers them; advance() polls them again each second */
    gas(o2: number, lel = 0, h2s = 0, co = 0) {
      detector = { 'gd1.o2': o2, 'gd1.lel': lel, 'gd1.h2s': h2s, 'gd1.co': co };
      for (const [p, v] of Object.entries(detector)) s.reading(p, v);
    },
    relay(id: string) {
      return gpio.outputLevel(line(id));
    },
    /** advance in 1 s steps, so the loop's tick judges each second */
    advance(ms: number) {
      for (let left = ms; left > 0; left -= 1000) {
        clock.advance(Math.min(1000, left));
        for (const [p, v] of Object.entries(detector ?? {})) s.reading(p, v);
      }
    },
    ticketEvents(state?: string) {
      return events.filter((e) => e.type === 'ticket' && (state === undefined || e.state === state));
    },
    alarm(id: string) {
      return plant.alarms.views().find((a) => a.id === id);
    },
    async settle() {
      await new Promise((r) => setImmediate(r));
      await queue.idle();
    },
    /** a clean stop of this gateway, the file kept */
    async stop() {
      await tickets.stop();
      await hazards.stop();
      await queue.idle();
      plant.stop();
      await closeDb(db);
    },
    async remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return s;
}

export type TicketSite = Awaited<ReturnType<typeof ticketSite>>;

/** The ledger's three people: an attendant, two entrants, and a welder whose certificate expired yesterday. */
export async function fillLedger(s: TicketSite): Promise<void> {
  const now = s.clock.now();
  const cert = (type: string, expires: number) => ({ type, number: `C-${type.length}-${expires}`, authority: '应急管理局', expires });
  await s.ledger.add('赵监护', [cert('有限空间作业', now + 300 * DAY)], 'test', now);
  await s.ledger.add('钱一', [], 'test', now);
  await s.ledger.add('孙二', [], 'test', now);
  await s.ledger.add('周焊工', [cert('焊接与热切割作业', now - DAY / 2)], 'test', now);
  await s.ledger.add('吴焊工', [cert('焊接与热切割作业', now + 20 * DAY)], 'test', now);
}
