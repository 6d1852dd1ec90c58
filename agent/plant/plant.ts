/**
 * The plant in memory: every sample goes through here, in this order, synchronously —
 * point table, interlocks (which write the permit relays), limit alarms, the beacon — and only
 * then out to the listeners that record and show it (buffer, operator page). Nothing on this
 * path waits for the disk, the network or a browser.
 */
import type { SiteConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PlantEvent, Sample, SampleSink } from '../core/types.js';
import { AlarmList } from '../alarms/alarm-list.js';
import { LimitAlarms } from '../alarms/limits.js';
import { ContactAlarms } from '../alarms/contact-alarms.js';
import { ContactInputs } from '../acquisition/contacts.js';
import type { ActionResult, DeviceHealthView, PlantModel, PlantSnapshot, PointView, UplinkView } from '../hmi/model.js';
import { InterlockEngine } from '../interlocks/engine.js';
import { Outputs } from '../outputs/outputs.js';
import type { GpioBackend } from '../../drivers/gpio/backend.js';
import { EventLog } from './events.js';
import { PointTable } from './points.js';
import { StaleWatch } from './stale.js';

export interface PlantOptions {
  config: SiteConfig;
  clock: Clock;
  log: Logger;
  gpio: GpioBackend;
  bootId: string;
  clockSynced?: () => boolean;
}

/** What the plant needs from the rest of the agent to fill in the operator page. */
export interface PlantPeripherals {
  uplinks?: () => UplinkView[];
  devices?: () => DeviceHealthView[];
  trend?: (pointId: string, fromMs: number, toMs: number) => Promise<{ t: number; v: number | null }[]>;
}

export class Plant implements PlantModel {
  readonly points: PointTable;
  readonly alarms: AlarmList;
  readonly events: EventLog;
  readonly outputs: Outputs;
  readonly interlocks: InterlockEngine;
  private readonly limits: LimitAlarms;
  private readonly contactAlarms: ContactAlarms;
  private readonly stale: StaleWatch;
  private readonly contacts: ContactInputs;
  private readonly sampleListeners: SampleSink[] = [];
  private readonly changeListeners = new Set<() => void>();
  private peripherals: PlantPeripherals = {};
  private readonly config: SiteConfig;
  private readonly clock: Clock;

  constructor(opts: PlantOptions) {
    const { config, clock } = opts;
    this.config = config;
    this.clock = clock;
    this.points = new PointTable(config);
    this.events = new EventLog(opts.bootId, opts.clockSynced ?? (() => true));
    this.alarms = new AlarmList(clock, this.events.report);
    this.outputs = new Outputs(opts.gpio, clock, opts.log.child({ component: 'outputs' }), (s) => {
      this.points.update(s);
      this.publish(s);
    });
    this.interlocks = new InterlockEngine(
      config.interlocks,
      config.gpio?.inputs ?? [],
      this.points,
      this.outputs,
      this.alarms,
      clock,
      this.events.report,
    );
    this.limits = new LimitAlarms(
      config.devices.flatMap((d) => d.points),
      this.alarms,
      clock,
    );
    this.contactAlarms = new ContactAlarms(config.gpio?.inputs ?? [], this.alarms);
    this.stale = new StaleWatch(config.devices, this.points, clock, (s) => this.ingest(s));
    this.contacts = new ContactInputs(opts.gpio, clock, (s) => this.ingest(s));
    this.alarms.onChange(() => this.driveBeacon());
    this.events.onEvent(() => this.changed());
  }

  /** Outputs to their safe state first, then permits off, then the contacts. */
  start(): void {
    this.outputs.open(this.config.gpio?.outputs ?? []);
    this.interlocks.start();
    this.contacts.open(this.config.gpio?.inputs ?? []);
    this.stale.start();
  }

  /** Shutdown mirrors start-up: outputs to their safe state before anything else. */
  stop(): void {
    this.outputs.close();
    this.stale.stop();
    this.interlocks.stop();
    this.contacts.close();
  }

  attach(p: PlantPeripherals): void {
    this.peripherals = { ...this.peripherals, ...p };
  }

  /** Every sample from the field, Modbus or GPIO, comes in here. */
  readonly ingest = (s: Sample): void => {
    this.points.update(s);
    // The sample's own alarms first (in-memory, microseconds), so that in a flood the cause is
    // raised before the trip it causes and is the one marked first-out; then the relays.
    this.limits.update(s);
    this.contactAlarms.update(s);
    this.interlocks.update(s);
    this.publish(s);
  };

  onSample(listener: SampleSink): void {
    this.sampleListeners.push(listener);
  }

  onEvent(listener: (e: PlantEvent) => void): void {
    this.events.onEvent(listener);
  }

  private publish(s: Sample): void {
    for (const l of this.sampleListeners) l(s);
    this.changed();
  }

  private driveBeacon(): void {
    const beacon = this.config.alarms?.beacon;
    if (beacon) this.outputs.set(beacon, this.alarms.beaconWanted());
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  // ---- PlantModel, for the operator page ----

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  snapshot(): PlantSnapshot {
    const view = (role: 'analog' | 'contact'): PointView[] =>
      [...this.points.info.values()]
        .filter((i) => i.role === role)
        .map((i) => {
          const cur = this.points.get(i.id);
          return {
            id: i.id,
            name: i.name,
            kind: i.kind,
            unit: i.unit,
            v: cur?.v ?? null,
            q: cur?.q ?? 'stale',
            t: cur?.t ?? 0,
            ...(i.limits ? { limits: i.limits } : {}),
          };
        });
    return {
      site: { name: this.config.site.name, gateway: this.config.site.gateway, enterprise: this.config.site.enterprise },
      t: this.clock.now(),
      points: view('analog'),
      contacts: view('contact'),
      outputs: this.outputs.list(),
      permits: this.interlocks.permits(),
      alarms: this.alarms.views(),
      lockouts: this.interlocks.lockoutViews(),
      uplinks: this.peripherals.uplinks?.() ?? [],
      devices: this.peripherals.devices?.() ?? [],
      ...(this.alarms.flood() ? { flood: this.alarms.flood() } : {}),
    };
  }

  async acknowledge(alarmId: string, user: string): Promise<ActionResult> {
    return this.alarms.acknowledge(alarmId, user);
  }

  async reset(interlockId: string, user: string): Promise<ActionResult> {
    return this.interlocks.reset(interlockId, user);
  }

  async shelve(alarmId: string, user: string, reason: string, untilMs: number): Promise<ActionResult> {
    return this.alarms.shelve(alarmId, user, reason, untilMs);
  }

  async trend(pointId: string, fromMs: number, toMs: number): Promise<{ t: number; v: number | null }[]> {
    if (!this.points.info.has(pointId)) return [];
    return this.peripherals.trend?.(pointId, fromMs, toMs) ?? [];
  }
}
