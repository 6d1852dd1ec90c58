/**
 * The workshop (config/site.workshop.yaml) with its hidden-hazard loop, cleaning check-ins and
 * alarm handling feedback behind a real HmiServer, on real time, as app.ts composes them: the
 * plant on the GPIO twin, the records in a SQLite file, photos beside it, every record event
 * kept for the test. The airlock rule's 10 min and the limits' delays are cut short, since the
 * page and the browser run on the wall clock; `uncleanedForH` starts the sanding room's clock
 * that long ago (the site file's cleaning areas are left out without it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SerialQueue } from '../../agent/buffer/serial.js';
import { closeDb, openDb } from '../../agent/buffer/sqlite.js';
import { loadSiteFile } from '../../agent/config/load.js';
import { SystemClock } from '../../agent/core/clock.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { DEFAULT_CONNECTIONS, HmiServer } from '../../agent/hmi/server.js';
import { addUser, UserStore } from '../../agent/hmi/users.js';
import { pageModel } from '../../agent/page-model.js';
import { DigestLoop } from '../../agent/digests/digest-loop.js';
import { CleaningStore } from '../../agent/records/cleaning-store.js';
import { DispositionRecords } from '../../agent/records/disposition-records.js';
import { DispositionStore } from '../../agent/records/disposition-store.js';
import { HazardLoop } from '../../agent/records/hazard-loop.js';
import { HazardPhotos } from '../../agent/records/hazard-photos.js';
import { PeopleLedger } from '../../agent/tickets/people-ledger.js';
import { TicketLoop } from '../../agent/tickets/ticket-loop.js';
import { buildSafetyCore } from '../../agent/safety-core.js';
import { SimGpio } from '../../drivers/sim/gpio-sim.js';
import { OPERATOR, SUPERVISOR } from './harness.js';

export { OPERATOR, SUPERVISOR };
/** a second supervisor, who verifies what the first one's team fixed */
export const SUPERVISOR2 = { name: 'wang.super', password: 'night-lead-2024' };
export const LINE = { fan: 5, valve: 6 } as const;

export async function hazardBoard(o: { uncleanedForH?: number; digests?: boolean; tickets?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fb-hazard-board-'));
  const usersFile = join(dir, 'users.json');
  await addUser(usersFile, OPERATOR.name, OPERATOR.password, 'operator');
  await addUser(usersFile, SUPERVISOR.name, SUPERVISOR.password, 'supervisor');
  await addUser(usersFile, SUPERVISOR2.name, SUPERVISOR2.password, 'supervisor');
  const loaded = await loadSiteFile(new URL('../../config/site.workshop.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const config = {
    ...loaded.config,
    hazards: loaded.config.hazards!.map((h) => ({ ...h, when: h.when.map((w) => ('forMs' in w && w.forMs ? { ...w, forMs: 300 } : w)) })),
    devices: loaded.config.devices.map((d) => ({ ...d, points: d.points.map((p) => (p.limits ? { ...p, limits: { ...p.limits, delayMs: 0 } } : p)) })),
    // the hopper's 30 min of ventilation cut to 300 ms: the wall clock runs here
    confinedSpaces: loaded.config.confinedSpaces!.map((c) => ({ ...c, ventilation: { ...c.ventilation, forMs: 300 } })),
  };
  const clock = new SystemClock();
  const log = pino({ level: process.env.FIREBREAK_LOG_LEVEL ?? 'silent' });
  const gpio = new SimGpio(clock);
  const { plant } = buildSafetyCore({ config, clock, gpio, log, bootId: 'board' });
  plant.start();
  const db = await openDb(join(dir, 'buffer.db'));
  const events: PlantEvent[] = [];
  const plantEvents: PlantEvent[] = [];
  plant.onEvent((e) => plantEvents.push(e));
  const emit = async (e: PlantEvent) => void events.push(e);
  // every store on the one connection goes through one queue, as on the buffer's (Outbox.shared()):
  // two stores' transactions would otherwise interleave on it
  const queue = new SerialQueue();
  const serial = <T>(work: () => Promise<T>) => queue.run(work);
  if (o.uncleanedForH !== undefined) {
    const cleaning = await CleaningStore.open(db, serial);
    await cleaning.write({ area: 'sanding-room', since: clock.now() - o.uncleanedForH * 3_600_000 });
    await cleaning.close();
  }
  const hazards = await HazardLoop.start({ plant, rules: config.hazards, ...(o.uncleanedForH !== undefined ? { cleaning: config.cleaning } : {}), db: { db, serial }, emit, clock, log });
  const dispositionConfig = config.alarms!.disposition!;
  const dispositionStore = await DispositionStore.open(db, serial);
  const dispositions = await DispositionRecords.open({ config: dispositionConfig, store: dispositionStore, clock, log, emit });
  dispositions.watch(plant.alarms);
  const digests = o.digests ? await DigestLoop.start({ plant, config, db: { db, serial }, emit, clock, log }) : undefined;
  const tickets = o.tickets
    ? await TicketLoop.start({
        plant,
        spaces: config.confinedSpaces,
        hotWork: config.workTickets!.hotWork,
        ledger: new PeopleLedger(join(dir, 'people.json')),
        lastCleanedAt: (a) => hazards.cleaning.lastCleanedAt(a),
        find: (f) => hazards.records.find(f),
        db: { db, serial },
        emit,
        clock,
        log,
      })
    : undefined;
  const photos = new HazardPhotos(join(dir, 'hazard-photos'));
  const model = pageModel({ plant, clock, hazards, photos, dispositions: { records: dispositions, withinMin: dispositionConfig.withinMin }, ...(digests ? { digests } : {}), ...(tickets ? { tickets } : {}) });
  const inputLine = (id: string) => config.gpio!.inputs.find((i) => i.id === id)!.line;
  const server = new HmiServer({ model, users: new UserStore(usersFile), clock, log, listen: { host: '127.0.0.1', port: 0 },
    // every page of a test comes from 127.0.0.1, and a closed browser context's keep-alive sockets linger a while
    connections: { ...DEFAULT_CONNECTIONS, perAddress: 64 },
  });
  const { port } = await server.start();
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    origin: base,
    plant,
    model,
    hazards,
    dispositions,
    digests,
    tickets,
    photos,
    events,
    /** a contact changes on the wire (its debounce runs on the wall clock) */
    contact(id: string, active: boolean) {
      gpio.set(inputLine(id), active);
    },
    /** the four-gas detector's readings, as acquisition would deliver them */
    gas(o2: number, lel = 0, h2s = 0, co = 0) {
      for (const [p, v] of Object.entries({ 'gd1.o2': o2, 'gd1.lel': lel, 'gd1.h2s': h2s, 'gd1.co': co })) plant.ingest({ p, t: clock.now(), v, q: 'good' });
    },
    /** the briefing signatures the plant's event log reported */
    signedOnPlant: () => plantEvents.filter((e) => e.type === 'operator' && e.state === 'briefing_signed'),
    /** the collector's differential pressure, as acquisition would deliver it */
    dp(v: number) {
      plant.ingest({ p: 'dc1.dp', t: clock.now(), v, q: 'good' });
    },
    /** the collector fan runs and the airlock valve runs (true) or stands (false) */
    airlock(running: boolean) {
      gpio.set(LINE.fan, true);
      gpio.set(LINE.valve, running);
    },
    async close() {
      await server.stop();
      await tickets?.stop();
      await digests?.stop();
      await dispositions.close();
      await dispositionStore.close();
      await hazards.stop();
      plant.stop();
      await closeDb(db);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
