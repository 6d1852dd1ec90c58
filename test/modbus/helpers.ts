/** Shared set-up for the Modbus tests: a bus's line settings as the master takes them, a quiet logger. */
import { pino } from 'pino';
import type { BusLine } from '../../drivers/modbus/line.js';

export const quietLog = pino({ level: 'silent' });

export function busConfig(port: string, over: Partial<BusLine> = {}): BusLine {
  return { id: 'rs485a', port, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 200, retries: 0, ...over };
}
