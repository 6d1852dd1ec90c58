/**
 * The one place that builds the safety core: the point table and events underneath, the
 * outputs, the rules on them (interlocks, limit and contact alarms, the stale watch), and the
 * field acquisition that feeds them (GPIO contacts, Modbus). Everything here imports from
 * below only; the page, the uplink and the CLI are composed on top of it in app.ts.
 */
import type { SiteConfig } from './config/schema.js';
import type { Clock } from './core/clock.js';
import type { Logger } from './core/log.js';
import type { Sample } from './core/types.js';
import { AlarmList } from './alarms/alarm-list.js';
import { BusOverloadAlarms } from './alarms/bus-overload.js';
import { ContactAlarms } from './alarms/contact-alarms.js';
import { LimitAlarms } from './alarms/limits.js';
import { ContactInputs } from './acquisition/contacts.js';
import { ModbusAcquisition } from './acquisition/modbus-acquisition.js';
import { InterlockEngine } from './interlocks/engine.js';
import { Outputs } from './outputs/outputs.js';
import { outputWriteAlarms } from './outputs/write-alarm.js';
import { EventLog } from './plant/events.js';
import { Plant } from './plant/plant.js';
import { PointTable } from './plant/points.js';
import { StaleWatch } from './plant/stale.js';
import type { GpioBackend } from '../drivers/gpio/backend.js';

export interface SafetyCoreOptions {
  config: SiteConfig;
  clock: Clock;
  log: Logger;
  gpio: GpioBackend;
  bootId: string;
  /** whether the clock is synchronised, for the events' time quality */
  clockSynced?: () => boolean;
}

export interface SafetyCore {
  /** started first: outputs to their safe state, then the rules and the contacts */
  plant: Plant;
  /** started once the buffer is open (app.ts), so the first values are kept */
  acquisition: ModbusAcquisition;
}

export function buildSafetyCore(o: SafetyCoreOptions): SafetyCore {
  const { config, clock } = o;
  const inputs = config.gpio?.inputs ?? [];
  const points = new PointTable(config);
  const events = new EventLog(o.bootId, o.clockSynced ?? (() => true));
  const alarms = new AlarmList(clock, events.report);
  // the plant is built below, before any sample can flow: the parts only call it once started
  const ingest = (s: Sample): void => plant.ingest(s);
  const outputs = new Outputs(
    o.gpio,
    clock,
    o.log.child({ component: 'outputs' }),
    (s) => plant.outputChanged(s),
    outputWriteAlarms(config.gpio?.outputs ?? [], alarms, clock),
  );
  const overload = new BusOverloadAlarms(config.buses, config.devices, alarms, clock);
  // a point gone stale because its bus is overloaded is that alarm's consequence, not a fault of its own
  const limits = new LimitAlarms(
    config.devices.flatMap((d) => d.points),
    alarms,
    clock,
    (p, q) => (q === 'stale' ? overload.causeOf(p) : undefined),
  );
  overload.onCleared(() => limits.releaseHeld());
  const interlocks = new InterlockEngine(config.interlocks, inputs, points, outputs, alarms, clock, events.report);
  const plant = new Plant({
    config,
    points,
    events,
    alarms,
    outputs,
    interlocks,
    limits,
    contactAlarms: new ContactAlarms(inputs, alarms),
    stale: new StaleWatch(config.devices, points, clock, ingest),
    contacts: new ContactInputs(o.gpio, clock, ingest),
  });
  const acquisition = new ModbusAcquisition({
    buses: config.buses,
    devices: config.devices,
    clock,
    log: o.log.child({ component: 'modbus' }),
    onSample: ingest,
    onSystemEvent: (e) => events.report({ t: clock.now(), type: 'system', source: e.source, state: e.state, message: e.message }),
    onBusLoad: (l) => overload.observe(l),
  });
  return { plant, acquisition };
}
