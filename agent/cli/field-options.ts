/**
 * What `firebreak read`, `write` and `scan` share: the line settings from the command line, a
 * master on the port, and the one-line explanations an installer needs when nothing answers.
 */
import type { BusConfig } from '../config/schema.js';
import { BAUD_RATES } from '../config/schema.js';
import { SystemClock } from '../core/clock.js';
import { createLogger } from '../core/log.js';
import { ModbusError } from '../../drivers/modbus/errors.js';
import { ModbusMaster } from '../../drivers/modbus/master.js';
import { defaultPortFactory, type PortFactory } from '../../drivers/modbus/port-factory.js';

export class UsageError extends Error {}

export function intOption(name: string, text: string | undefined, min: number, max: number, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be ${min}..${max} (got ${text})`);
  return n;
}

export function baudOption(text: string): number {
  const b = Number(text);
  if (!(BAUD_RATES as readonly number[]).includes(b)) throw new UsageError(`--baud must be one of ${BAUD_RATES.join(', ')} (got ${text})`);
  return b;
}

export function parityOption(text: string): 'none' | 'even' | 'odd' {
  const p = { none: 'none', n: 'none', even: 'even', e: 'even', odd: 'odd', o: 'odd' }[text.toLowerCase()] as 'none' | 'even' | 'odd' | undefined;
  if (!p) throw new UsageError(`--parity must be none, even or odd (got ${text})`);
  return p;
}

export function lineBus(v: { port?: string; baud?: string; parity?: string; timeout?: string }): BusConfig {
  if (!v.port) throw new UsageError('--port is required (e.g. /dev/ttyUSB0 or /dev/serial/by-id/...)');
  return {
    id: 'cli',
    port: v.port,
    baudRate: v.baud === undefined ? 9600 : baudOption(v.baud),
    parity: v.parity === undefined ? 'none' : parityOption(v.parity),
    dataBits: 8,
    stopBits: 1,
    timeoutMs: intOption('timeout', v.timeout, 20, 10_000, 500),
    retries: 0,
  };
}

export function lineName(bus: Pick<BusConfig, 'baudRate' | 'parity'>): string {
  return `${bus.baudRate} 8${bus.parity[0]!.toUpperCase()}1`;
}

/** A master on the port, or an error that says the port could not be opened and why. */
export async function openLine(bus: BusConfig, openPort: PortFactory = defaultPortFactory): Promise<ModbusMaster> {
  let error: string | undefined;
  const master = new ModbusMaster({ bus, openPort, clock: new SystemClock(), log: createLogger('silent'), onPortState: (c) => void (error ??= c.error) });
  if (!(await master.start())) {
    await master.stop();
    throw new PortError(`cannot open ${bus.port}: ${error ?? 'unknown error'}${/EACCES|permission/i.test(error ?? '') ? ' (add yourself to group dialout)' : ''}`);
  }
  return master;
}

export class PortError extends Error {}

/** One line for a failed transaction, with what to check. */
export function explain(err: unknown, bus: BusConfig, unit: number): string {
  if (!(err instanceof ModbusError)) return (err as Error).message;
  switch (err.kind) {
    case 'timeout':
      return `no reply from unit ${unit} within ${bus.timeoutMs} ms at ${lineName(bus)} (check the unit id, baud rate, parity, and A/B wiring; try firebreak scan)`;
    case 'exception':
      return `unit ${unit} refused: Modbus exception ${err.code} (${EXCEPTION_TEXT[err.code ?? 0] ?? 'device specific'})`;
    case 'crc':
    case 'frame':
      return `garbled reply from unit ${unit} (${err.message}): another baud rate or parity, or noise on the line (termination, shield)`;
    case 'mismatch':
      return `unit ${unit} answered something other than what was asked (${err.message}): a device that misreads requests, or two devices answering`;
    case 'wrongUnit':
      return `a reply came from another unit id than ${unit}: two devices share an id, or a late reply`;
    case 'portClosed':
      return `${bus.port} closed: ${err.message}`;
  }
}

const EXCEPTION_TEXT: Record<number, string> = {
  1: 'illegal function: the device does not support this read or write',
  2: 'illegal data address: no such register in this device',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge: the device is busy with a long operation',
  6: 'server device busy',
};
