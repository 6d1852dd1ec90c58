/**
 * The plant in memory: every sample goes through here, in this order, synchronously —
 * point table, limit and contact alarms, interlocks (which write the permit relays), the
 * beacon — and only then out to the listeners that record and show it (buffer, operator page).
 * Nothing on this path waits for the disk, the network or a browser.
 *
 * The plant holds its parts; agent/safety-core.ts builds them. It knows nothing of the page,
 * the uplink or the CLI: agent/page-model.ts reads it for the page.
 */
import type { SiteConfig } from '../config/schema.js';
import type { PlantEvent, Sample, SampleSink } from '../core/types.js';
import type { AlarmList } from '../alarms/alarm-list.js';
import type { LimitAlarms } from '../alarms/limits.js';
import type { ContactAlarms } from '../alarms/contact-alarms.js';
import type { ContactInputs } from '../acquisition/contacts.js';
import type { InterlockEngine } from '../interlocks/engine.js';
import type { Outputs } from '../outputs/outputs.js';
import type { EventLog } from './events.js';
import type { PointTable } from './points.js';
import type { StaleWatch } from './stale.js';

export interface PlantParts {
  config: SiteConfig;
  points: PointTable;
  events: EventLog;
  alarms: AlarmList;
  outputs: Outputs;
  interlocks: InterlockEngine;
  limits: LimitAlarms;
  contactAlarms: ContactAlarms;
  stale: StaleWatch;
  /** the GPIO contacts' acquisition */
  contacts: ContactInputs;
}

export class Plant {
  readonly config: SiteConfig;
  readonly points: PointTable;
  readonly alarms: AlarmList;
  readonly events: EventLog;
  readonly outputs: Outputs;
  readonly interlocks: InterlockEngine;
  private readonly parts: PlantParts;
  private readonly sampleListeners: SampleSink[] = [];
  private readonly changeListeners = new Set<() => void>();

  constructor(parts: PlantParts) {
    this.parts = parts;
    this.config = parts.config;
    this.points = parts.points;
    this.alarms = parts.alarms;
    this.events = parts.events;
    this.outputs = parts.outputs;
    this.interlocks = parts.interlocks;
    this.alarms.onChange(() => this.driveBeacon());
    this.events.onEvent(() => this.changed());
  }

  /** Outputs to their safe state first, then permits off, then the contacts. */
  start(): void {
    this.outputs.open(this.config.gpio?.outputs ?? []);
    this.interlocks.start();
    this.parts.contacts.open(this.config.gpio?.inputs ?? []);
    this.parts.stale.start();
  }

  /** Shutdown mirrors start-up: outputs to their safe state before anything else. */
  stop(): void {
    this.outputs.close();
    this.parts.stale.stop();
    this.interlocks.stop();
    this.parts.contacts.close();
  }

  /** Every sample from the field, Modbus or GPIO, comes in here. */
  readonly ingest = (s: Sample): void => {
    this.points.update(s);
    // The sample's own alarms first (in-memory, microseconds), so that in a flood the cause is
    // raised before the trip it causes and is the one marked first-out; then the relays.
    this.parts.limits.update(s);
    this.parts.contactAlarms.update(s);
    this.interlocks.update(s);
    this.publish(s);
  };

  /** An output's own sample (what was written to the relay): into the table and out, no rules. */
  readonly outputChanged = (s: Sample): void => {
    this.points.update(s);
    this.publish(s);
  };

  onSample(listener: SampleSink): void {
    this.sampleListeners.push(listener);
  }

  onEvent(listener: (e: PlantEvent) => void): void {
    this.events.onEvent(listener);
  }

  /** Called whenever something the plant shows may have changed; returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
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
}
