/**
 * Finding the devices on an RS-485 line: every line setting asked for × every unit id, one
 * read each, no retries. A device that answers a read, or refuses it with an exception, is
 * there; a garbled reply (bad CRC, framing, or a reply that does not answer the read) hints at a device on other line settings.
 */
import type { Clock } from '../clock.js';
import type { Logger } from 'pino';
import { classify } from './errors.js';
import { wireMs, type BusLine, type LineSettings } from './line.js';
import { ModbusMaster } from './master.js';
import type { PortFactory } from './port-factory.js';

export interface ScanSetting {
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
}

export interface RegisterSample {
  table: 'holding' | 'input';
  address: number;
  values: number[];
}

export interface FoundDevice extends ScanSetting {
  port: string;
  unitId: number;
  /** the first read that was answered with data */
  sample?: RegisterSample;
  /** exception codes returned, by table, when a read was refused */
  exceptions: { table: 'holding' | 'input'; code: number }[];
}

export interface ScanProgress {
  done: number;
  total: number;
  setting: ScanSetting;
  unitId: number;
  found: number;
  /** ms per probe so far, for the estimate */
  msPerProbe: number;
}

export interface ScanOptions {
  port: string;
  settings: ScanSetting[];
  units: number[];
  /** reply timeout; default: 100 ms plus the wire time of a 10-register reply at the baud rate */
  timeoutMs?: number;
  openPort: PortFactory;
  clock: Clock;
  log: Logger;
  onProgress?: (p: ScanProgress) => void;
  onFound?: (d: FoundDevice) => void;
  /** garbled replies per setting, reported once the setting is done */
  onNoise?: (s: ScanSetting, garbled: number) => void;
  /** checked between probes; true stops the scan */
  cancelled?: () => boolean;
}

export const SAMPLE_COUNT = 10;

/** Ordered by how often field devices ship with them: 9600 8N1 first. */
export const USUAL_BAUDS = [9600, 19200, 4800, 38400, 115200, 57600, 2400, 1200];
export const USUAL_PARITIES: ScanSetting['parity'][] = ['none', 'even', 'odd'];

export function defaultScanTimeoutMs(baudRate: number, parity: ScanSetting['parity']): number {
  const line: LineSettings = { baudRate, parity, dataBits: 8, stopBits: 1 };
  // request + the longest reply we ask for, plus 100 ms for the device to think
  return Math.ceil(100 + wireMs(line, 8 + 5 + 2 * SAMPLE_COUNT));
}

export async function scanLine(opts: ScanOptions): Promise<FoundDevice[]> {
  const found: FoundDevice[] = [];
  const total = opts.settings.length * opts.units.length;
  let done = 0;
  const started = opts.clock.monotonic();
  for (const setting of opts.settings) {
    if (opts.cancelled?.()) break;
    const bus: BusLine = {
      id: 'scan',
      port: opts.port,
      baudRate: setting.baudRate,
      parity: setting.parity,
      dataBits: 8,
      stopBits: 1,
      timeoutMs: opts.timeoutMs ?? defaultScanTimeoutMs(setting.baudRate, setting.parity),
      retries: 0,
    };
    let openError: string | undefined;
    // start() reports a failed open through onPortState and would keep retrying: a scan stops instead.
    const master = new ModbusMaster({ bus, openPort: opts.openPort, clock: opts.clock, log: opts.log, onPortState: (c) => void (openError ??= c.error) });
    if (!(await master.start())) {
      await master.stop();
      throw new Error(`cannot open ${opts.port}: ${openError ?? 'unknown error'}`);
    }
    let garbled = 0;
    try {
      for (const unitId of opts.units) {
        if (opts.cancelled?.()) break;
        const device = await probeUnit(master, opts.port, setting, unitId, () => garbled++);
        done++;
        if (device) {
          found.push(device);
          opts.onFound?.(device);
        }
        opts.onProgress?.({ done, total, setting, unitId, found: found.length, msPerProbe: (opts.clock.monotonic() - started) / done });
      }
    } finally {
      await master.stop();
    }
    opts.onNoise?.(setting, garbled);
  }
  return found;
}

async function probeUnit(master: ModbusMaster, port: string, setting: ScanSetting, unitId: number, onGarbled: () => void): Promise<FoundDevice | undefined> {
  const exceptions: FoundDevice['exceptions'] = [];
  for (const table of ['holding', 'input'] as const) {
    try {
      const values = await master.readRegisters(unitId, table, 0, SAMPLE_COUNT);
      return { port, ...setting, unitId, sample: { table, address: 0, values }, exceptions };
    } catch (raw) {
      const err = classify(raw, unitId);
      if (err.kind === 'exception') {
        exceptions.push({ table, code: err.code ?? 0 });
        continue;
      }
      if (err.kind === 'crc' || err.kind === 'frame' || err.kind === 'wrongUnit' || err.kind === 'mismatch') onGarbled();
      if (err.kind === 'portClosed') throw new Error(`${port} closed during the scan: ${err.message}`, { cause: raw });
      // silence on the holding read: nobody at this id on these settings
      return exceptions.length > 0 ? { port, ...setting, unitId, exceptions } : undefined;
    }
  }
  return { port, ...setting, unitId, exceptions };
}
