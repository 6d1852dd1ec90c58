/**
 * A serialport binding (the interface serialport's own bindings implement) whose ports are
 * in-process simulators: `new SerialPortStream({ binding: SimBinding, path: 'sim:demo' })`
 * gives the real serialport stream, and through it the real modbus-serial client, a line to
 * the simulator registered as `demo`, without a pty. Like @serialport/binding-mock, but the
 * far end answers Modbus.
 */
import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
// (the package's ESM entry ships no types; its CommonJS types describe the same interface)
import type { ModbusDeviceSim } from './modbus-device.js';

const PREFIX = 'sim:';
const registry = new Map<string, ModbusDeviceSim>();
const openPorts = new Map<string, Set<SimPortBinding>>();

/** Makes `sim` reachable as port `sim:NAME`; returns a function that unplugs it again. */
export function registerSimulator(name: string, sim: ModbusDeviceSim): () => void {
  if (registry.has(name)) throw new Error(`a simulator is already registered as ${PREFIX}${name}`);
  registry.set(name, sim);
  return () => unregisterSimulator(name);
}

/** Unplugs `sim:NAME`: open ports on it see a disconnect, as when a USB adapter is pulled. */
export function unregisterSimulator(name: string): void {
  registry.delete(name);
  for (const p of openPorts.get(name) ?? []) p.unplug();
}

export function isSimPath(path: string): boolean {
  return path.startsWith(PREFIX);
}

/** An error with `canceled: true` tells serialport the read ended because we closed, not a fault. */
class SimBindingError extends Error {
  constructor(
    message: string,
    readonly canceled = false,
  ) {
    super(message);
  }
}

export class SimPortBinding implements BindingPortInterface {
  isOpen = true;
  private readonly received: Buffer[] = [];
  private unplugged: SimBindingError | undefined;
  private waiting: { wake: () => void; fail: (e: Error) => void } | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    readonly openOptions: Required<OpenOptions>,
    private readonly name: string,
    private readonly sim: ModbusDeviceSim,
  ) {
    this.unsubscribe = sim.onTransmit((bytes) => {
      if (!this.isOpen) return;
      this.received.push(this.lineMatches() ? bytes : garble(bytes));
      this.waiting?.wake();
    });
    let set = openPorts.get(name);
    if (!set) openPorts.set(name, (set = new Set()));
    set.add(this);
  }

  async close(): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    this.isOpen = false;
    this.detach(new SimBindingError('port is closed', true));
  }

  /**
   * The simulator went away: the pending read fails with an error that is not `canceled`, so
   * serialport treats it as a disconnect and closes the stream, as for a pulled USB adapter.
   */
  unplug(): void {
    if (!this.unplugged) this.detach(new SimBindingError(`simulator ${PREFIX}${this.name} unplugged`));
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.isOpen) throw new SimBindingError('Port is not open', true);
    if (this.unplugged) throw this.unplugged;
    while (this.received.length === 0) {
      await new Promise<void>((resolve, reject) => {
        this.waiting = { wake: resolve, fail: reject };
      }).finally(() => (this.waiting = undefined));
    }
    let bytesRead = 0;
    while (bytesRead < length && this.received.length > 0) {
      const head = this.received[0]!;
      const n = Math.min(head.length, length - bytesRead);
      head.copy(buffer, offset + bytesRead, 0, n);
      bytesRead += n;
      if (n === head.length) this.received.shift();
      else this.received[0] = head.subarray(n);
    }
    return { buffer, bytesRead };
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw new SimBindingError('Port is not open');
    if (this.unplugged) throw this.unplugged;
    // serialport reuses its buffers: hand the simulator a copy, a tick later, as a driver would.
    const bytes = Buffer.from(buffer);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    this.sim.receive(this.lineMatches() ? bytes : garble(bytes));
  }

  /** A port opened at another baud rate or parity than the devices use sees garbage, both ways. */
  private lineMatches(): boolean {
    return this.openOptions.baudRate === this.sim.line.baudRate && (this.openOptions.parity ?? 'none') === this.sim.line.parity;
  }

  async update(options: UpdateOptions): Promise<void> {
    this.openOptions.baudRate = options.baudRate;
  }
  async set(_options: SetOptions): Promise<void> {}
  async get(): Promise<PortStatus> {
    return { cts: true, dsr: true, dcd: true };
  }
  async getBaudRate(): Promise<{ baudRate: number }> {
    return { baudRate: this.openOptions.baudRate };
  }
  async flush(): Promise<void> {
    this.received.length = 0;
  }
  async drain(): Promise<void> {}

  private detach(err: SimBindingError): void {
    this.unplugged ??= err;
    this.unsubscribe();
    openPorts.get(this.name)?.delete(this);
    this.received.length = 0;
    this.waiting?.fail(err);
  }
}

/** What a UART makes of bytes sent at the wrong speed or parity: other bytes, fewer of them. */
function garble(bytes: Buffer): Buffer {
  const out = Buffer.alloc(Math.max(1, Math.ceil(bytes.length / 2)));
  for (let i = 0; i < out.length; i++) out[i] = (bytes[2 * i]! ^ 0xa5) & 0xff;
  return out;
}

export const SimBinding: BindingInterface<SimPortBinding, OpenOptions, PortInfo> = {
  async list(): Promise<PortInfo[]> {
    return [...registry.keys()].map((name) => ({
      path: PREFIX + name,
      manufacturer: 'Firebreak simulator',
      serialNumber: undefined,
      pnpId: undefined,
      locationId: undefined,
      productId: undefined,
      vendorId: undefined,
    }));
  },
  async open(options: OpenOptions): Promise<SimPortBinding> {
    const name = options.path.startsWith(PREFIX) ? options.path.slice(PREFIX.length) : options.path;
    const sim = registry.get(name);
    if (!sim) throw new Error(`no simulator registered as ${PREFIX}${name}`);
    const full: Required<OpenOptions> = {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...options,
    };
    await new Promise<void>((resolve) => process.nextTick(resolve));
    return new SimPortBinding(full, name, sim);
  },
};
