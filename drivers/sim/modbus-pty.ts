/**
 * The pty route for tests and the bench: socat makes two connected pseudo-terminals, the
 * simulator answers on one through a real serialport, and the code under test opens the
 * other exactly as it would open /dev/ttyUSB0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { osSerialPort, serialOptions } from '../modbus/port-factory.js';
import type { SerialStream } from '../modbus/rtu-port.js';
import type { ModbusDeviceSim } from './modbus-device.js';

export interface PtyPair {
  /** the path to open on each side: the `link` asked for, else /dev/pts/N */
  a: string;
  b: string;
  /** the /dev/pts/N paths socat reported */
  ptys: [string, string];
  pid: number;
  /** kills this socat; both ends vanish, as when a USB adapter is pulled */
  stop(): Promise<void>;
}

export interface PtyPairOptions {
  /** stable symlinks (socat `link=`), so a restarted pair can reappear under the same name */
  linkA?: string;
  linkB?: string;
  /** how long to wait for socat to report both ptys (default 5 s) */
  startTimeoutMs?: number;
}

/** Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and parses the two pty paths from its log. */
export function startPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  const end = (link?: string) => `pty,raw,echo=0${link ? `,link=${link}` : ''}`;
  const child = spawn('socat', ['-d', '-d', end(opts.linkA), end(opts.linkB)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise<PtyPair>((resolve, reject) => {
    let log = '';
    const ptys: string[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socat did not report two ptys: ${log}`));
    }, opts.startTimeoutMs ?? 5000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      for (const m of log.matchAll(/PTY is (\S+)/g)) if (!ptys.includes(m[1]!)) ptys.push(m[1]!);
      // socat logs "starting data transfer loop" once both ends exist (and the links are made).
      if (ptys.length === 2 && /starting data transfer loop/.test(log)) {
        clearTimeout(timer);
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume();
        const [pa, pb] = ptys as [string, string];
        resolve({ a: opts.linkA ?? pa, b: opts.linkB ?? pb, ptys: [pa, pb], pid: child.pid!, stop: () => stopChild(child) });
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface ServedPort {
  readonly port: SerialStream;
  close(): Promise<void>;
}

/**
 * Opens `path` as the agent opens a real port (the same serial binding, so the device's side of
 * the line adds no more latency than the master's) and lets `sim` answer whatever arrives on it.
 */
export async function serveSimulator(sim: ModbusDeviceSim, path: string): Promise<ServedPort> {
  const port = osSerialPort(serialOptions({ port: path, ...sim.line }));
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  // sim.receive copies: the chunk may be the port's reused read buffer
  port.on('data', (d: Buffer) => sim.receive(d));
  // A vanished pty is reported here; the test decides what it means.
  port.on('error', () => {});
  const unsubscribe = sim.onTransmit((bytes) => {
    if (port.isOpen) port.write(bytes);
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
