/** Site-file shaped devices for the acquisition tests, as the loader would hand them over. */
import { pino } from 'pino';
import type { BusConfig, DeviceConfig, PointConfig, RegisterConfig } from '../../agent/config/schema.js';
import type { Sample } from '../../agent/core/types.js';
import type { AcquisitionSystemEvent } from '../../agent/acquisition/modbus-acquisition.js';

export const quietLog = pino({ level: 'silent' });

export function bus(port: string, over: Partial<BusConfig> = {}): BusConfig {
  return { id: 'rs485a', port, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 100, retries: 1, ...over };
}

export function point(id: string, register: Partial<RegisterConfig>, over: Partial<PointConfig> = {}): PointConfig {
  return {
    id,
    kind: 'analog',
    register: { table: 'holding', address: 0, type: 'uint16', wordOrder: 'big', ...register },
    scale: 1,
    offset: 0,
    deadband: 0,
    heartbeatS: 60,
    ...over,
  };
}

export function device(id: string, unitId: number, points: PointConfig[], pollMs = 200): DeviceConfig {
  return { id, bus: 'rs485a', unitId, pollMs, points };
}

/** The dust collector and dust monitor of site.example.yaml. */
export function sandingWorkshop(pollMs = 200): DeviceConfig[] {
  return [
    device(
      'dc1',
      1,
      [
        point('dc1.dp', { table: 'holding', address: 0, type: 'uint16' }, { kind: 'differential_pressure', deadband: 5 }),
        point('dc1.hopperTemp', { table: 'input', address: 1, type: 'int16' }, { kind: 'temperature', scale: 0.1 }),
      ],
      pollMs,
    ),
    device('ds1', 2, [point('ds1.conc', { table: 'holding', address: 0, type: 'float32', wordOrder: 'big' }, { kind: 'dust_concentration' })], pollMs),
  ];
}

/** Collects what acquisition sent out. */
export class Recorder {
  samples: Sample[] = [];
  events: AcquisitionSystemEvent[] = [];
  onSample = (s: Sample) => void this.samples.push(s);
  onSystemEvent = (e: AcquisitionSystemEvent) => void this.events.push(e);
  latest(p: string): Sample | undefined {
    return this.samples.filter((s) => s.p === p).at(-1);
  }
  of(p: string): Sample[] {
    return this.samples.filter((s) => s.p === p);
  }
}
