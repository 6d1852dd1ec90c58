/** Shared set-up for the Modbus tests: a bus config as the site file would give it, a quiet logger. */
import { pino } from 'pino';
import type { BusConfig } from '../../agent/config/schema.js';

export const quietLog = pino({ level: 'silent' });

export function busConfig(port: string, over: Partial<BusConfig> = {}): BusConfig {
  return { id: 'rs485a', port, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, timeoutMs: 200, retries: 0, ...over };
}
