/**
 * Where a bus's bytes go: a real serial port, or an in-process simulator for `sim:NAME`
 * paths (registered with `registerSimulator` in drivers/sim/sim-binding.ts). The master takes
 * one of these in its constructor and calls it on every (re)open.
 */
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { isSimPath, SimBinding } from '../sim/sim-binding.js';
import { BindingSerialPort } from './binding-port.js';
import type { BusLine } from './line.js';
import { EventLoopBinding, stockBinding } from './loop-binding.js';
import type { SerialStream } from './rtu-port.js';

export type PortFactory = (bus: BusLine) => SerialStream;

/**
 * How a real port reads and writes: `loop` (drivers/modbus/loop-binding.ts, on the event loop;
 * the default on Linux) or `threadpool` (serialport's stock binding, fs.read/fs.write in libuv's
 * thread pool). Chosen by FIREBREAK_SERIAL_BINDING, so the old one stays one variable away and
 * the bench can measure both side by side.
 */
export type SerialBindingKind = 'loop' | 'threadpool';

export function serialBindingKind(env: NodeJS.ProcessEnv = process.env): SerialBindingKind {
  return env.FIREBREAK_SERIAL_BINDING === 'threadpool' || process.platform !== 'linux' ? 'threadpool' : 'loop';
}

export type SerialOptions = ReturnType<typeof serialOptions>;

/** serialport options for a bus; the port is opened by the master, never on construction. */
export function serialOptions(bus: Pick<BusLine, 'port' | 'baudRate' | 'parity' | 'dataBits' | 'stopBits'>) {
  return {
    path: bus.port,
    baudRate: bus.baudRate,
    parity: bus.parity,
    dataBits: bus.dataBits,
    stopBits: bus.stopBits,
    autoOpen: false,
  } as const;
}

/**
 * A factory for real ports with the given binding; `sim:NAME` still goes to the simulator.
 * `loop`: the event-loop binding under BindingSerialPort (no Node stream in between);
 * `threadpool`: serialport's stock binding under its SerialPortStream, as `new SerialPort()` builds it.
 */
export function portFactoryWith(kind: SerialBindingKind): PortFactory {
  return (bus) => (isSimPath(bus.port) ? new SerialPortStream({ ...serialOptions(bus), binding: SimBinding }) : osSerialPort(serialOptions(bus), kind));
}

/** An OS serial port (not yet open) read and written through the binding `kind`. */
export function osSerialPort(options: SerialOptions, kind: SerialBindingKind = serialBindingKind()): SerialStream {
  if (kind === 'loop') return new BindingSerialPort(EventLoopBinding as BindingInterface, options);
  return new SerialPortStream({ ...options, binding: stockBinding() });
}

/** `sim:NAME` → the simulator registered under NAME; anything else → the OS serial port. */
export const defaultPortFactory: PortFactory = (bus) => portFactoryWith(serialBindingKind())(bus);
