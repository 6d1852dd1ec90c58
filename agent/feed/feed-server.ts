/**
 * The read-only local feed for Node-RED and other site extras: newline-delimited JSON over a
 * unix socket in the agent's runtime directory (/run/firebreak/feed.sock, group firebreak).
 *
 * Read-only by construction: the feed reads nothing a client sends; a client that writes is
 * told so and disconnected. It never holds up the safety path either: a message is serialised
 * once and handed to each socket's buffer; a client that falls more than maxBufferedBytes
 * behind (a stuck flow) is dropped, and reconnects to a fresh hello.
 *
 * Lines: {"type":"hello",...}, {"type":"alarms",...} and the current sample of each point on
 * connect, then {"type":"sample",...}
 * for every sample, {"type":"event","event":{...}} for every plant event, and {"type":"alarms",...} with
 * the whole alarm list whenever it changes. docs/INSTALL.md, "The local feed".
 */
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../core/log.js';
import type { PlantEvent, Sample } from '../core/types.js';

export const FEED_VERSION = 1;

export interface FeedSource {
  onSample(listener: (s: Sample) => void): void;
  onEvent(listener: (e: PlantEvent) => void): void;
  onAlarmsChange(listener: () => void): void;
  alarms(): unknown[];
  /** the latest sample of every point, sent to a reader when it connects */
  current(): Sample[];
  /** who is speaking: gateway, enterprise, boot id, the point list */
  hello(): Record<string, unknown>;
  now(): number;
}

export interface FeedServerOptions {
  socket: string;
  /** file mode of the socket, e.g. 0o660: its group may read the feed */
  mode: number;
  source: FeedSource;
  log: Logger;
  /** a client further behind than this is dropped (1 MiB: minutes of samples for a small site) */
  maxBufferedBytes?: number;
}

export class FeedServer {
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();
  private alarmsPending = false;
  private readonly maxBuffered: number;

  constructor(private readonly o: FeedServerOptions) {
    this.maxBuffered = o.maxBufferedBytes ?? 1024 * 1024;
    // Listeners are registered once; with no client connected a message costs one size check.
    o.source.onSample((s) => this.broadcast({ type: 'sample', ...s }));
    o.source.onEvent((e) => this.broadcast({ type: 'event', event: e }));
    o.source.onAlarmsChange(() => this.alarmsChanged());
  }

  get clientCount(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    // systemd makes /run/firebreak (RuntimeDirectory=); outside systemd the agent makes it
    await mkdir(dirname(this.o.socket), { recursive: true, mode: 0o750 });
    await removeStaleSocket(this.o.socket);
    const server = createServer({ allowHalfOpen: false }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.o.log.error({ err }, 'feed socket failed'));
    this.server = server;
    await chmod(this.o.socket, this.o.mode);
    this.o.log.info({ socket: this.o.socket }, 'local feed listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => this.clients.delete(socket));
    socket.on('data', () => {
      // read-only: nothing a client writes is read
      this.send(socket, JSON.stringify({ type: 'error', message: 'the Firebreak feed is read-only; it accepts no commands' }) + '\n');
      socket.end();
      this.clients.delete(socket);
    });
    this.send(socket, JSON.stringify({ type: 'hello', v: FEED_VERSION, t: this.o.source.now(), ...this.o.source.hello() }) + '\n');
    this.send(socket, JSON.stringify({ type: 'alarms', t: this.o.source.now(), alarms: this.o.source.alarms() }) + '\n');
    // a reader that connects (or reconnects) learns every point's value without waiting for a heartbeat
    for (const s of this.o.source.current()) this.send(socket, JSON.stringify({ type: 'sample', ...s }) + '\n');
  }

  /** Several alarm changes in one turn of the loop make one alarms line. */
  private alarmsChanged(): void {
    if (this.alarmsPending || this.clients.size === 0) return;
    this.alarmsPending = true;
    setImmediate(() => {
      this.alarmsPending = false;
      this.broadcast({ type: 'alarms', t: this.o.source.now(), alarms: this.o.source.alarms() });
    });
  }

  private broadcast(message: Record<string, unknown>): void {
    if (this.clients.size === 0) return;
    const line = JSON.stringify(message) + '\n';
    for (const c of this.clients) this.send(c, line);
  }

  private send(socket: Socket, line: string): void {
    if (socket.destroyed) return;
    if (socket.writableLength > this.maxBuffered) {
      this.o.log.warn({ buffered: socket.writableLength }, 'feed client too far behind; disconnected');
      this.clients.delete(socket);
      socket.destroy();
      return;
    }
    socket.write(line);
  }
}

/** A socket left by a previous run is ours to remove; anything else at that path is not. */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; not replacing it`);
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
