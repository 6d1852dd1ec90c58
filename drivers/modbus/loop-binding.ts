/**
 * A serialport binding for Linux that reads and writes on the event loop. Opening, termios
 * (baud, parity, raw mode), the exclusive lock, set/get/flush/drain and close stay with
 * serialport's own LinuxBinding (@serialport/bindings-cpp); only read and write differ.
 *
 * Why: the stock binding does every read and write as fs.read/fs.write in libuv's thread pool,
 * and a read first tries, gets EAGAIN, waits on the poller, then reads again: three pool round
 * trips per Modbus transaction. Measured on a socat pty pair (master alone, 10 registers) that
 * cost ~550-650 µs of CPU per transaction, almost none of it in JavaScript. Here a read waits for
 * the fd's readiness on the loop (the same uv_poll the stock binding uses) and then calls read(2)
 * directly on the non-blocking fd; a write calls write(2) directly and only waits for
 * writability if the kernel's tty buffer is full. Each call returns at once: bindings-cpp opens
 * the port O_NONBLOCK.
 */
import { read, readSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import type {
  BindingInterface,
  BindingPortInterface,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { LinuxBindingInterface, LinuxOpenOptions, LinuxPortBinding } from '@serialport/bindings-cpp' with { 'resolution-mode': 'require' };

/**
 * bindings-cpp is serialport's dependency, not ours: resolve it from serialport's own folder, so
 * it is the copy serialport was installed with, and without loading serialport's index (which
 * loads ten parsers and the mock binding the agent never uses).
 */
interface BindingsCpp {
  LinuxBinding: LinuxBindingInterface;
  autoDetect(): BindingInterface;
}
let fromSerialport: NodeJS.Require | undefined;
function requireFromSerialport(id: string): unknown {
  return (fromSerialport ??= createRequire(createRequire(import.meta.url).resolve('serialport')))(id);
}
let bindingsCpp: BindingsCpp | undefined;
function loadBindingsCpp(): BindingsCpp {
  return (bindingsCpp ??= requireFromSerialport('@serialport/bindings-cpp') as BindingsCpp);
}

/**
 * serialport's own binding for this system (on Linux: thread-pool reads and writes), as
 * `new SerialPort()` picks it, with one fix on Linux: its read treats a 0-byte read as "try
 * again" and reads again at once. A tty that was hung up (USB adapter pulled, pty's far end
 * gone) reads 0 forever, so the stock read spins in the thread pool and the port never reports
 * itself lost; whether a pty says EIO or 0 first is a race in the kernel. Here 0 is a hang-up.
 * Upstream: https://github.com/serialport/bindings-cpp/issues/162 (unixRead recursing on 0
 * bytes); the fix, https://github.com/serialport/bindings-cpp/pull/164, was closed unmerged.
 */
export function stockBinding(): BindingInterface {
  const cpp = loadBindingsCpp();
  const binding = cpp.autoDetect();
  if (binding !== (cpp.LinuxBinding as BindingInterface)) return binding;
  const { unixRead } = requireFromSerialport('@serialport/bindings-cpp/dist/unix-read.js') as { unixRead: UnixRead };
  return {
    ...binding,
    async open(options) {
      const port = (await binding.open(options)) as LinuxPortBinding;
      port.read = (buffer, offset, length) => unixRead({ binding: port, buffer, offset, length, fsReadAsync: readOrHangUp });
      return port;
    },
  };
}

type UnixRead = (args: { binding: LinuxPortBinding; buffer: Buffer; offset: number; length: number; fsReadAsync: typeof readOrHangUp }) => Promise<{ buffer: Buffer; bytesRead: number }>;

const readAsync = promisify(read);
async function readOrHangUp(fd: number, buffer: Buffer, offset: number, length: number, position: null): Promise<{ bytesRead: number; buffer: Buffer }> {
  const result = await readAsync(fd, buffer, offset, length, position);
  // bindings-cpp opens the port O_NONBLOCK: nothing to read is EAGAIN, so 0 is end of file
  if (result.bytesRead === 0) throw Object.assign(new Error('serial port hung up (end of file)'), { disconnect: true });
  return result;
}

interface SerialError extends Error {
  code?: string;
  /** serialport: the read or write ended because we closed the port, not a fault */
  canceled?: boolean;
  /** bindings-cpp: the device went away */
  disconnect?: boolean;
}

function canceled(message: string): SerialError {
  return Object.assign(new Error(message), { canceled: true });
}

/** Errors after which the port is gone (as bindings-cpp's unix-read.ts sorts them, plus EIO: a hung-up tty or a pty whose other end closed). */
function markDisconnect(err: SerialError): SerialError {
  if (err.code === 'EBADF' || err.code === 'ENXIO' || err.code === 'EIO' || err.code === 'UNKNOWN') err.disconnect = true;
  return err;
}

function retryable(err: SerialError): boolean {
  return err.code === 'EAGAIN' || err.code === 'EWOULDBLOCK' || err.code === 'EINTR';
}

export class EventLoopPortBinding implements BindingPortInterface {
  constructor(private readonly inner: LinuxPortBinding) {}

  get openOptions(): Required<LinuxOpenOptions> {
    return this.inner.openOptions;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  /** Closes through bindings-cpp; its poller cancels a waiting read with `canceled: true`. */
  close(): Promise<void> {
    return this.inner.close();
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      if (this.inner.fd === null) throw canceled('Port is not open');
      // Wait first: the stream asks for more right after every chunk, when the line is usually
      // quiet, and an EAGAIN from readSync is a thrown error (a stack trace per transaction).
      await this.ready('readable');
      const fd = this.inner.fd;
      if (fd === null) throw canceled('Port is not open');
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, buffer, offset, length, null);
      } catch (err) {
        if (retryable(err as SerialError)) continue;
        throw markDisconnect(err as SerialError);
      }
      // A non-blocking raw tty with nothing to read says EAGAIN; 0 is end of file: hung up.
      if (bytesRead === 0) throw Object.assign(new Error('serial port hung up (end of file)'), { disconnect: true });
      return { buffer, bytesRead };
    }
  }

  async write(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      const fd = this.inner.fd;
      if (fd === null) throw new Error('Port is not open');
      try {
        offset += writeSync(fd, buffer, offset, buffer.length - offset);
      } catch (err) {
        if (!retryable(err as SerialError)) throw markDisconnect(err as SerialError);
        // the tty's output buffer is full (kilobytes: never for Modbus frames, but possible)
        await this.ready('writable');
      }
    }
  }

  update(options: UpdateOptions): Promise<void> {
    return this.inner.update(options);
  }
  set(options: SetOptions): Promise<void> {
    return this.inner.set(options);
  }
  get(): Promise<PortStatus> {
    return this.inner.get();
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }

  private ready(event: 'readable' | 'writable'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // any poller error but our own close (canceled) means the fd is unusable: a disconnect
      this.inner.poller.once(event, (err: SerialError | null) => (err ? reject(err.canceled ? err : Object.assign(err, { disconnect: true })) : resolve()));
    });
  }
}

export const EventLoopBinding: BindingInterface<EventLoopPortBinding, LinuxOpenOptions> = {
  list: () => loadBindingsCpp().LinuxBinding.list(),
  async open(options: LinuxOpenOptions): Promise<EventLoopPortBinding> {
    return new EventLoopPortBinding(await loadBindingsCpp().LinuxBinding.open(options));
  },
};
