/**
 * Where a bus's bytes go: a real serial port, or an in-process simulator for `sim:NAME`
 * paths (registered with `registerSimulator` in drivers/sim/sim-binding.ts). The master takes
 * one of these in its constructor and calls it on every (re)open.
 */
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import type { BusConfig } from '../../agent/config/schema.js';
import { isSimPath, SimBinding } from '../sim/sim-binding.js';
import type { SerialStream } from './rtu-port.js';

export type PortFactory = (bus: BusConfig) => SerialStream;

/** serialport options for a bus; the port is opened by the master, never on construction. */
export function serialOptions(bus: BusConfig) {
  return {
    path: bus.port,
    baudRate: bus.baudRate,
    parity: bus.parity,
    dataBits: bus.dataBits,
    stopBits: bus.stopBits,
    autoOpen: false,
  } as const;
}

/** `sim:NAME` → the simulator registered under NAME; anything else → the OS serial port. */
export const defaultPortFactory: PortFactory = (bus) =>
  isSimPath(bus.port) ? new SerialPortStream({ ...serialOptions(bus), binding: SimBinding }) : new SerialPort(serialOptions(bus));
