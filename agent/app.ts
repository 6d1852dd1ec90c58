/**
 * The one place that builds the agent. Start-up order: outputs to their safe state, the plant
 * (interlocks, alarms), the buffer, field acquisition, the uplink, the operator page. Shutdown
 * mirrors it: outputs to their safe state first, each part stopped in its own try, the buffer
 * flushed and closed last, all within a deadline.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Outbox } from './buffer/outbox.js';
import { bufferWriteAlarm } from './buffer/write-alarm.js';
import type { SiteConfig } from './config/schema.js';
import { SystemClock, type Clock } from './core/clock.js';
import { GuardedClock } from './core/guarded-clock.js';
import type { Logger } from './core/log.js';
import type { ModbusAcquisition } from './acquisition/modbus-acquisition.js';
import type { Plant } from './plant/plant.js';
import type { PlantModel } from './hmi/model.js';
import { pageModel } from './page-model.js';
import { HazardLoop } from './records/hazard-loop.js';
import type { DispositionRecords } from './records/disposition-records.js';
import type { DigestLoop } from './digests/digest-loop.js';
import type { TicketLoop } from './tickets/ticket-loop.js';
import type { PlantEvent } from './core/types.js';
import { buildSafetyCore } from './safety-core.js';
import { LoopDelayWatch } from './plant/loop-watch.js';
import { ClockSync, SystemSyncProbe, type SyncProbe } from './core/clock-sync.js';
import { MqttUplink } from './uplink/mqtt-uplink.js';
import type { Destination } from './uplink/destination.js';
import type { BirthContent } from './uplink/messages.js';
import type { GpioBackend } from '../drivers/gpio/backend.js';
import { selectGpioBackend } from '../drivers/gpio/select.js';
import type { SiteSimulator } from './acquisition/site-simulator.js';
import { EX_IOERR, EX_UNAVAILABLE } from './core/exit-codes.js';
import { StartupError } from './core/startup-error.js';
// The operator page, the Node-RED feed, the Hebei uplink and the simulators are loaded only
// when the site file asks for them: a gateway without them need not hold their modules
// (measured: the agent's resident memory is the bench target acquisition.rssMiB).

export const AGENT_VERSION = '0.1.0';

export interface AgentOptions {
  config: SiteConfig;
  log: Logger;
  clock?: Clock;
  /** put the built-in simulators behind every bus and the GPIO */
  simulate?: boolean;
  /** a GPIO backend from outside (tests); otherwise chosen from the site file */
  gpio?: GpioBackend;
  syncProbe?: SyncProbe;
  bootId?: string;
}

export interface Agent {
  readonly bootId: string;
  readonly config: SiteConfig;
  readonly plant: Plant;
  /** what the operator page sees and may do (built whether or not the page is served) */
  readonly page: PlantModel;
  readonly outbox: Outbox;
  /** the hidden-hazard records and the cleaning check-ins (agent/records/) */
  readonly hazards: HazardLoop;
  /** alarm handling feedback, where the site file asks for it */
  readonly dispositions?: DispositionRecords;
  /** the shift, day, week and month digests, where the site file asks for them */
  readonly digests?: DigestLoop;
  /** the work tickets and the special-operations ledger, where the site file has them */
  readonly tickets?: TicketLoop | undefined;
  readonly gpio: GpioBackend;
  readonly simulator?: SiteSimulator;
  readonly uplink?: MqttUplink;
  /** the Hebei provincial uplink, when uplink.hebei is configured */
  readonly hebei?: Destination;
  readonly hmiPort?: number;
  stop(reason: string): Promise<void>;
}

/** How long shutdown may take before the remaining parts are abandoned (systemd's stop timeout is longer). */
const STOP_DEADLINE_MS = 8000;

/** With --simulate, every bus is served by its own in-process simulator. */
export function simulatedConfig(config: SiteConfig): SiteConfig {
  return {
    ...config,
    buses: config.buses.map((b) => (b.port.startsWith('sim:') ? b : { ...b, port: `sim:${b.id}` })),
    gpio: config.gpio ? { ...config.gpio, backend: 'sim' } : config.gpio,
  };
}

export async function startAgent(opts: AgentOptions): Promise<Agent> {
  // every timer of the agent goes through this clock, so none can throw the process down (issue #14)
  const clock = new GuardedClock(opts.clock ?? new SystemClock(), opts.log);
  const log = opts.log;
  const config = opts.simulate ? simulatedConfig(opts.config) : opts.config;
  const bootId = opts.bootId ?? newBootId();
  const stops: [string, () => Promise<void> | void][] = [];

  try {
    // 1. GPIO, and every output to its safe state before anything else runs.
    let gpio = opts.gpio;
    if (!gpio) {
      const choice = selectGpioBackend({
        // a site without a gpio section needs no GPIO: the twin with no lines stands in
        backend: config.gpio ? config.gpio.backend : 'sim',
        simulate: opts.simulate ?? false,
        chipBase: config.gpio?.chipBase,
        chip: config.gpio?.chip,
        clock,
        log: log.child({ component: 'gpio' }),
      });
      if (!choice.ok) throw new StartupError(choice.error, EX_UNAVAILABLE);
      gpio = choice.backend;
    }
    const gpioBackend = gpio;
    stops.push(['gpio', () => gpioBackend.close()]);

    const clockSync = new ClockSync({ probe: opts.syncProbe ?? new SystemSyncProbe(), clock, log });
    const { plant, acquisition } = buildSafetyCore({ config, clock, gpio, log, bootId, clockSynced: () => clockSync.isSynced() });
    plant.start();
    stops.push(['plant', () => plant.stop()]);
    log.info({ gpio: gpio.name, outputs: config.gpio?.outputs.length ?? 0 }, 'outputs at their safe state');

    // 2. The buffer: every sample and event is written here before its first send.
    const outbox = await Outbox.open({
      ...config.buffer,
      clock,
      log, // the outbox names its own component
      timeQuality: () => clockSync.tq(),
      onSystemEvent: (e) => log.warn({ event: e }, 'buffer recorded a system event'),
      onWriteTrouble: bufferWriteAlarm(plant.alarms, clock),
    }).catch((err: unknown) => {
      // a full or read-only card on the first boot: say which file and what to do (a buffer that
      // exists keeps running on a full disk, holding what it cannot write in memory)
      throw new StartupError(`the buffer ${config.buffer.path} cannot be opened (${(err as Error).message}): check that its disk has room, is writable and that the folder belongs to the agent's user (firebreak doctor checks these)`, EX_IOERR);
    });
    stops.push(['buffer', () => outbox.close()]);
    plant.onSample((s) => outbox.addSample(s));
    plant.onEvent((e) => {
      outbox.addEvent(e).catch((err: unknown) => log.error({ err, event: e.id }, 'event not buffered'));
    });
    await clockSync.start();
    stops.push(['clock-sync', () => clockSync.stop()]);

    // The risk digests (班组日预判 …), where the site file asks for them: shift figures kept in the
    // buffer's file, one summary event per period. They count the records' events too, which
    // reach the buffer without the plant's log: each goes to both (recordEvent).
    const uplinkRef: { current?: MqttUplink } = {};
    const digests = config.digests
      ? await (await import('./digests/digest-loop.js')).DigestLoop.start({
          plant,
          config,
          db: outbox.shared(),
          emit: (e) => outbox.addEvent(e),
          clock,
          log: log.child({ component: 'digests' }),
          ...(config.uplink?.mqtt
            ? {
                uplink: () => {
                  const s = uplinkRef.current?.status();
                  return { connected: s?.connected ?? false, backlog: s?.pending ?? 0 };
                },
              }
            : {}),
        })
      : undefined;
    if (digests) stops.push(['digests', () => digests.stop()]);
    const recordEvent = (e: PlantEvent): Promise<void> => {
      digests?.observe(e);
      return outbox.addEvent(e);
    };

    // The hidden-hazard records, in the buffer's file: loaded (and what a power cut left unsent
    // sent again) before the first sample can find one; stopped before the buffer closes.
    const hazards = await HazardLoop.start({
      plant,
      rules: config.hazards ?? [],
      cleaning: config.cleaning ?? [],
      db: outbox.shared(),
      emit: recordEvent,
      clock,
      log,
      timeZone: config.site.timezone,
    });
    stops.push(['hazards', () => hazards.stop()]);

    // Alarm handling feedback (处置反馈), where the site file asks for it: every activation of
    // the configured priorities waits for a cause and an action from a logged-in person.
    const dispositionConfig = config.alarms?.disposition;
    const dispositions = dispositionConfig
      ? await (async () => {
          const [{ DispositionStore }, { DispositionRecords }] = await Promise.all([import('./records/disposition-store.js'), import('./records/disposition-records.js')]);
          const shared = outbox.shared();
          const store = await DispositionStore.open(shared.db, shared.serial);
          const records = await DispositionRecords.open({ config: dispositionConfig, store, clock, log: log.child({ component: 'disposition' }), emit: recordEvent });
          records.watch(plant.alarms);
          stops.push(['dispositions', async () => {
            await records.close();
            await store.close();
          }]);
          return records;
        })()
      : undefined;

    // Work tickets (作业票), where the site file has confined spaces or hot work: the ledger beside
    // the buffer, the tickets in its file, watching the plant before the first sample arrives.
    const tickets = config.confinedSpaces?.length || config.workTickets?.hotWork.length
      ? await (async () => {
          const [{ TicketLoop }, { PeopleLedger, ledgerFile }] = await Promise.all([import('./tickets/ticket-loop.js'), import('./tickets/people-ledger.js')]);
          const loop = await TicketLoop.start({
            plant,
            spaces: config.confinedSpaces ?? [],
            hotWork: config.workTickets?.hotWork ?? [],
            ledger: new PeopleLedger(ledgerFile(config.buffer.path)),
            lastCleanedAt: (area) => hazards.cleaning.lastCleanedAt(area),
            find: (f) => hazards.records.find(f),
            db: outbox.shared(),
            emit: recordEvent,
            clock,
            log,
            timeZone: config.site.timezone,
          });
          hazards.addPresence((rule) => loop.present(rule));
          stops.push(['tickets', () => loop.stop()]);
          return loop;
        })()
      : undefined;

    // 3. Field acquisition: simulators first, when asked for, so the first poll finds them.
    const simulator = config.buses.some((b) => b.port.startsWith('sim:'))
      ? new (await import('./acquisition/site-simulator.js')).SiteSimulator(config.buses, config.devices, clock)
      : undefined;
    if (simulator) stops.push(['simulator', () => simulator.close()]);
    await acquisition.start();
    stops.push(['acquisition', () => acquisition.stop()]);

    // 4. The uplink reads the buffer through its own cursor.
    const mqttConfig = config.uplink?.mqtt;
    const uplink = mqttConfig
      ? new MqttUplink({
          config: mqttConfig,
          enterprise: config.site.enterprise,
          gateway: config.site.gateway,
          bootId,
          outbox,
          clock,
          log,
          clockSync,
          agent: `firebreak/${AGENT_VERSION}`,
          birth: () => birthContent(config),
          snapshot: () => plant.points.samples(),
          health: () => ({ buses: busHealth(acquisition), timerFailures: clock.failureCount }),
        })
      : undefined;
    if (uplink) {
      uplinkRef.current = uplink;
      await uplink.start();
      stops.push(['uplink', () => uplink.stop()]);
    }
    // the Hebei provincial uplink: its own cursor over the same buffer (agent/uplink/hebei/, docs/HEBEI.md)
    const hebei = config.uplink?.hebei
      ? (await import('./uplink/hebei/index.js')).createHebeiUplink({ site: config, outbox, clock, log, snapshot: () => plant.points.samples() })
      : undefined;
    if (hebei) {
      await hebei.start();
      stops.push(['hebei', () => hebei.stop()]);
    } else {
      // switched off: its cursor must not hold rows back from pruning, nor make the budget evict them as unsent
      await outbox.dropCursor('hebei');
    }

    const page = pageModel({
      plant,
      clock,
      uplinks: () => [uplink, hebei].flatMap((d) => (d ? [d.status()] : [])),
      devices: () => acquisition.stats(),
      trend: async (p, from, to) => (await outbox.trend(p, from, to)).map(({ t, v }) => ({ t, v: typeof v === 'number' ? v : v === null ? null : Number(v) })),
      hazards,
      ...(digests ? { digests } : {}),
      ...(tickets ? { tickets } : {}),
      ...(dispositions && dispositionConfig ? { dispositions: { records: dispositions, withinMin: dispositionConfig.withinMin } } : {}),
      // beside the database, so the folder the installer gave the buffer holds all of it; only
      // the page takes photos (and node:crypto, which names them, costs memory: newBootId below)
      ...(config.hmi ? { photos: new (await import('./records/hazard-photos.js')).HazardPhotos(join(dirname(config.buffer.path), 'hazard-photos')) } : {}),
    });

    // 5. The operator page.
    let hmiPort: number | undefined;
    if (config.hmi) {
      const [host, port] = splitListen(config.hmi.listen);
      const [{ HmiServer }, { UserStore }] = await Promise.all([import('./hmi/server.js'), import('./hmi/users.js')]);
      const hmi = new HmiServer({ model: page, users: new UserStore(config.hmi.usersFile), clock, log: log.child({ component: 'hmi' }), listen: { host, port }, report: plant.events.report });
      hmiPort = (await hmi.start()).port;
      stops.push(['hmi', () => hmi.stop()]);
      log.info({ url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${hmiPort}/` }, 'operator page listening');
    }

    // 6. The read-only local feed for Node-RED (its own service): last up, first down; a slow
    //    reader is dropped, never waited for (agent/feed/feed-server.ts).
    if (config.feed) {
      const [{ FeedServer }, { plantFeedSource }] = await Promise.all([import('./feed/feed-server.js'), import('./feed/plant-source.js')]);
      const feed = new FeedServer({ socket: config.feed.socket, mode: parseInt(config.feed.mode, 8), source: plantFeedSource(plant, config, bootId, clock), log: log.child({ component: 'feed' }) });
      await feed.start();
      stops.push(['feed', () => feed.stop()]);
    }

    // Last: the event-loop watch, so that loading modules and opening files at start-up (one-off
    // stalls before any field value is in) do not raise the alarm on every start.
    const loopWatch = new LoopDelayWatch(plant.alarms, clock, config.alarms?.loopDelayMs ?? 100);
    loopWatch.start();
    stops.push(['loop-watch', () => loopWatch.stop()]);

    let stopping: Promise<void> | undefined;
    return {
      bootId,
      config,
      plant,
      page,
      outbox,
      hazards,
      dispositions,
      digests,
      tickets,
      gpio,
      simulator,
      uplink,
      hebei,
      hmiPort,
      stop: (reason) => (stopping ??= stopAll(stops, plant, log, reason)),
    };
  } catch (err) {
    await stopAll(stops, undefined, log, 'start-up failed');
    throw err;
  }
}

async function stopAll(stops: [string, () => Promise<void> | void][], plant: Plant | undefined, log: Logger, reason: string): Promise<void> {
  log.info({ reason }, 'stopping');
  // Outputs first: whatever happens below, the relays are already safe.
  plant?.outputs.safeState();
  const deadline = Date.now() + STOP_DEADLINE_MS;
  for (const [name, stop] of stops.reverse()) {
    const left = deadline - Date.now();
    try {
      await Promise.race([
        Promise.resolve().then(stop),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`did not stop within the deadline`)), Math.max(0, left)).unref()),
      ]);
    } catch (err) {
      log.error({ component: name, err }, 'stop failed');
    }
  }
  stops.length = 0;
}

export function splitListen(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  return [listen.slice(0, i), Number(listen.slice(i + 1))];
}

function birthContent(config: SiteConfig): BirthContent {
  return {
    site: { name: config.site.name, timezone: config.site.timezone },
    points: [
      ...config.devices.flatMap((d) =>
        d.points.map((p) => ({ id: p.id, kind: p.kind, name: p.name, unit: p.unit, device: d.id, ...(p.limits ? { limits: p.limits } : {}) })),
      ),
      ...(config.gpio?.inputs ?? []).map((i) => ({ id: i.id, kind: i.kind, name: i.name })),
    ],
    outputs: (config.gpio?.outputs ?? []).map((o) => ({ id: o.id, name: o.name, safeState: o.safeState })),
    interlocks: config.interlocks.map((r) => ({ id: r.id, name: r.name, output: r.output, latch: r.latch, priority: r.priority })),
  };
}

function busHealth(acquisition: ModbusAcquisition): Record<string, Record<string, unknown>> {
  const buses: Record<string, Record<string, unknown>> = {};
  for (const d of acquisition.stats()) {
    const devices = ((buses[d.bus] ??= { devices: {} }).devices ??= {}) as Record<string, unknown>;
    devices[d.id] = { unitId: d.unitId, ok: d.ok, transactions: d.transactions, timeouts: d.timeouts, crcErrors: d.crcErrors, exceptions: d.exceptions, lastAnswer: d.lastAnswer };
  }
  return buses;
}

/**
 * Six random bytes from the kernel, in hex. Not node:crypto: its first use sets up OpenSSL,
 * ~2 MiB of a gateway's memory that a plain-TCP agent has no other use for.
 */
function newBootId(): string {
  const id = Buffer.alloc(6);
  const fd = openSync('/dev/urandom', 'r');
  try {
    readSync(fd, id, 0, id.length, null);
  } finally {
    closeSync(fd);
  }
  return id.toString('hex');
}
