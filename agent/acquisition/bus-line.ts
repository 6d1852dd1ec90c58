/**
 * The site file's bus as the Modbus driver takes it: the driver has a line-settings type of its
 * own (drivers/modbus/line.ts), so it knows nothing of the site file's shape.
 */
import type { BusConfig } from '../config/schema.js';
import type { BusLine } from '../../drivers/modbus/line.js';

export function busLine(bus: BusConfig): BusLine {
  return {
    id: bus.id,
    port: bus.port,
    baudRate: bus.baudRate,
    parity: bus.parity,
    dataBits: bus.dataBits,
    stopBits: bus.stopBits,
    timeoutMs: bus.timeoutMs,
    retries: bus.retries,
  };
}
