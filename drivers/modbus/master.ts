/**
 * One Modbus RTU master per bus: one transaction at a time from a queue, retries from the
 * bus config, errors sorted into kinds, statistics per bus and per unit, and a port that
 * reopens by itself after it vanished. The protocol work (request building, CRC check,
 * exception decoding) is modbus-serial's ModbusRTU, over our RtuFramePort, which first checks
 * every reply against its request (reply-check.ts).
 *
 * Traps measured in modbus-serial 8.0.25 and how this file avoids them (upstream issues where
 * one exists, as of 2026-12):
 * - no timeout unless set → `setTimeout(bus.timeoutMs)` on every client
 *   (https://github.com/yaacov/node-modbus-serial/issues/332: no answer at all without it);
 * - a reply arriving after its timeout is taken as the answer to the next request → after a
 *   timeout we wait until the line has been silent for a whole timeout, then discard (no
 *   upstream issue found: RTU has no transaction id, and the client matches on arrival);
 * - a truncated frame spoils the next good reply → the port starts each request empty, and
 *   after any error we wait for silence and discard (rtu-port.ts);
 * - a request in flight when the port closes waits out its timeout → we fail it at once
 *   (https://github.com/yaacov/node-modbus-serial/issues/547: close() leaves pending
 *   transactions, only destroy() cancels them);
 * - a byte count that disagrees with the request, inside a frame of the right length, is decoded
 *   as good values → the port refuses it (kind `mismatch`) before modbus-serial sees it (no
 *   upstream issue found; seen in its index.js: `_readFC3or4` decodes whatever byte count the
 *   frame states).
 */
import modbusSerial from 'modbus-serial';
import type { Clock, Timer } from '../clock.js';
import type { Logger } from 'pino';
import { classify, ModbusError, type ModbusErrorKind } from './errors.js';
import { charMs, type BusLine, type LineSettings } from './line.js';
import type { PortFactory } from './port-factory.js';
import { fsPathWatcher, type PathWatch, type PathWatcher } from './port-watch.js';
import { RtuFramePort } from './rtu-port.js';
import { emptyStats, type TransactionStats } from './stats.js';

// modbus-serial is CommonJS typed with `export default`; under NodeNext the class is `.default`
// (the package sets module.exports.default = module.exports, so this holds at run time too).
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

export type RegisterTable = 'holding' | 'input';
export type BitTable = 'coil' | 'discrete';
export type PortState = 'closed' | 'opening' | 'open' | 'lost' | 'stopped';

export interface PortStateChange {
  bus: string;
  state: 'open' | 'lost' | 'openFailed';
  error?: string;
  /** for lost and openFailed: when the next open attempt is made */
  retryInMs?: number;
}

export interface RequestOptions {
  /** `probe` requests (a dead device being tried) wait until no `normal` request is queued */
  priority?: 'normal' | 'probe';
  /** overrides the bus's retries, e.g. 0 for a device already known dead */
  retries?: number;
}

export interface ModbusMasterOptions {
  bus: BusLine;
  openPort: PortFactory;
  clock: Clock;
  log: Logger;
  onPortState?: (change: PortStateChange) => void;
  /**
   * reopen backoff for a port that is not open: first delay, doubling up to max (default 0.5 s →
   * 30 s). A port whose device path is gone is also watched, and reopened the moment it returns.
   */
  reopen?: { firstMs?: number; maxMs?: number };
  /** how the device path is watched for its return (default: fs.watch on its folder) */
  watchPath?: PathWatcher;
}

export interface BusStats extends TransactionStats {
  bus: string;
  state: PortState;
  units: Map<number, TransactionStats>;
}

type NodeCallback = (err: unknown, res?: unknown) => void;

interface Job {
  unit: number;
  what: string;
  send: (client: ModbusRTU, done: NodeCallback) => void;
  priority: 'normal' | 'probe';
  retries: number;
  resolve: (data: unknown[]) => void;
  reject: (err: ModbusError) => void;
}

/** After a garbled reply, silence of this many characters means the sender has finished. */
const NOISE_QUIET_CHARS = 8;
/** Never treat less than this as silence: USB adapters deliver in chunks up to 16 ms apart. */
const MIN_QUIET_MS = 20;
/** modbus-serial's own timer fires first; ours only catches a callback that never comes. */
const GUARD_MARGIN_MS = 250;

export class ModbusMaster {
  readonly bus: BusLine;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly openPort: PortFactory;
  private readonly onPortState: (change: PortStateChange) => void;
  private readonly line: LineSettings;
  private readonly firstBackoffMs: number;
  private readonly maxBackoffMs: number;
  private backoffMs: number;
  private portState: PortState = 'closed';
  private port: RtuFramePort | undefined;
  private client: ModbusRTU | undefined;
  private queue: Job[] = [];
  private pumping = false;
  private inFlight: { fail: (e: ModbusError) => void } | undefined;
  private dirty: { since: number; quietMs: number } | undefined;
  private reopenTimer: Timer | undefined;
  private readonly watchPath: PathWatcher;
  private pathWatch: PathWatch | undefined;
  private readonly busStats = emptyStats();
  private readonly unitStats = new Map<number, TransactionStats>();

  constructor(opts: ModbusMasterOptions) {
    this.bus = opts.bus;
    this.clock = opts.clock;
    this.log = opts.log;
    this.openPort = opts.openPort;
    this.onPortState = opts.onPortState ?? (() => {});
    this.line = { baudRate: opts.bus.baudRate, parity: opts.bus.parity, dataBits: opts.bus.dataBits, stopBits: opts.bus.stopBits };
    this.firstBackoffMs = opts.reopen?.firstMs ?? 500;
    this.maxBackoffMs = opts.reopen?.maxMs ?? 30_000;
    this.backoffMs = this.firstBackoffMs;
    this.watchPath = opts.watchPath ?? fsPathWatcher;
  }

  get state(): PortState {
    return this.portState;
  }

  /**
   * Opens the port. Resolves true when open; false when the first attempt failed, in which
   * case the master keeps trying with backoff and reports through onPortState.
   */
  async start(): Promise<boolean> {
    if (this.portState !== 'closed') return this.portState === 'open';
    try {
      await this.connect();
      return true;
    } catch (err) {
      this.reportOpenFailed(err);
      return false;
    }
  }

  /** Fails everything queued, stops reopening and closes the port. */
  async stop(): Promise<void> {
    this.portState = 'stopped';
    this.reopenTimer?.cancel();
    this.pathWatch?.close();
    this.pathWatch = undefined;
    this.failAll('master stopped');
    const client = this.client;
    this.client = undefined;
    this.port = undefined;
    if (client?.isOpen) await new Promise<void>((resolve) => client.close(() => resolve()));
  }

  readRegisters(unit: number, table: RegisterTable, address: number, count: number, opts?: RequestOptions): Promise<number[]> {
    const what = `${table} ${address}+${count}`;
    const send =
      table === 'holding'
        ? (c: ModbusRTU, cb: NodeCallback) => c.writeFC3(unit, address, count, cb)
        : (c: ModbusRTU, cb: NodeCallback) => c.writeFC4(unit, address, count, cb);
    return this.enqueue(unit, what, send, opts).then((data) => data.map(Number));
  }

  readBits(unit: number, table: BitTable, address: number, count: number, opts?: RequestOptions): Promise<boolean[]> {
    const what = `${table} ${address}+${count}`;
    const send =
      table === 'coil'
        ? (c: ModbusRTU, cb: NodeCallback) => c.writeFC1(unit, address, count, cb)
        : (c: ModbusRTU, cb: NodeCallback) => c.writeFC2(unit, address, count, cb);
    // modbus-serial returns whole bytes of bits; the padding past `count` is not data.
    return this.enqueue(unit, what, send, opts).then((data) => data.slice(0, count).map(Boolean));
  }

  async writeRegister(unit: number, address: number, value: number, opts?: RequestOptions): Promise<void> {
    await this.enqueue(unit, `write holding ${address}`, (c, cb) => c.writeFC6(unit, address, value, cb), opts);
  }
  async writeRegisters(unit: number, address: number, values: number[], opts?: RequestOptions): Promise<void> {
    await this.enqueue(unit, `write holding ${address}+${values.length}`, (c, cb) => c.writeFC16(unit, address, values, cb), opts);
  }
  async writeCoil(unit: number, address: number, on: boolean, opts?: RequestOptions): Promise<void> {
    await this.enqueue(unit, `write coil ${address}`, (c, cb) => c.writeFC5(unit, address, on, cb), opts);
  }
  async writeCoils(unit: number, address: number, states: boolean[], opts?: RequestOptions): Promise<void> {
    await this.enqueue(unit, `write coil ${address}+${states.length}`, (c, cb) => c.writeFC15(unit, address, states, cb), opts);
  }

  stats(): BusStats {
    const units = new Map<number, TransactionStats>();
    for (const [id, s] of this.unitStats) units.set(id, { ...s });
    return { ...this.busStats, bus: this.bus.id, state: this.portState, units };
  }

  statsFor(unit: number): TransactionStats {
    return { ...(this.unitStats.get(unit) ?? emptyStats()) };
  }

  private enqueue(unit: number, what: string, send: Job['send'], opts: RequestOptions = {}): Promise<unknown[]> {
    if (this.portState !== 'open') return Promise.reject(this.closedError(unit));
    return new Promise<unknown[]>((resolve, reject) => {
      this.queue.push({ unit, what, send, priority: opts.priority ?? 'normal', retries: opts.retries ?? this.bus.retries, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.takeNext(); job; job = this.takeNext()) await this.run(job);
    } finally {
      this.pumping = false;
    }
  }

  private takeNext(): Job | undefined {
    const i = this.queue.findIndex((j) => j.priority === 'normal');
    return this.queue.splice(i >= 0 ? i : 0, 1)[0];
  }

  private async run(job: Job): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.settle();
      if (this.portState !== 'open' || !this.client) return job.reject(this.closedError(job.unit));
      try {
        job.resolve(await this.transact(this.client, job));
        return;
      } catch (raw) {
        const err = classify(raw, job.unit);
        this.count(job.unit, err.kind);
        if (err.kind !== 'exception') this.markDirty(err.kind);
        const final = err.kind === 'exception' || err.kind === 'portClosed' || attempt >= job.retries;
        this.log.debug({ unit: job.unit, request: job.what, kind: err.kind, attempt, final, err: err.message }, 'transaction failed');
        if (final) return job.reject(err);
      }
    }
  }

  private transact(client: ModbusRTU, job: Job): Promise<unknown[]> {
    const started = this.clock.monotonic();
    this.bump(job.unit, (s) => s.transactions++);
    return new Promise<unknown[]>((resolve, reject) => {
      let settled = false;
      const finish = (err: unknown, res?: unknown) => {
        if (settled) return;
        settled = true;
        guard.cancel();
        this.inFlight = undefined;
        if (err || !res) return reject(err ?? new Error('empty reply'));
        const now = this.clock.now();
        const rtt = this.clock.monotonic() - started;
        this.bump(job.unit, (s) => {
          s.answers++;
          s.lastAnswer = now;
          s.lastAnswerMs = rtt;
        });
        // read replies carry `data`; write replies echo address and value only
        const data = (res as { data?: unknown }).data;
        resolve(Array.isArray(data) ? data : []);
      };
      const guard = this.clock.setTimeout(
        () => finish(new ModbusError('timeout', 'no callback from modbus-serial', job.unit)),
        this.bus.timeoutMs + GUARD_MARGIN_MS,
      );
      this.inFlight = { fail: (e) => finish(e) };
      try {
        job.send(client, finish);
      } catch (err) {
        finish(err);
      }
    });
  }

  /**
   * Waits until the line has been quiet long enough that whatever answered late or garbled
   * has finished, then drops what it left. Bounded, so a babbling device cannot stall the bus.
   */
  private async settle(): Promise<void> {
    const dirty = this.dirty;
    if (!dirty || !this.port) return;
    const giveUpAt = this.clock.monotonic() + 4 * dirty.quietMs;
    for (;;) {
      const now = this.clock.monotonic();
      const silentFor = now - Math.max(this.port.lastByteAt, dirty.since);
      if (silentFor >= dirty.quietMs || now >= giveUpAt) break;
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, dirty.quietMs - silentFor));
      if (!this.port) return;
    }
    this.port.discard();
    this.dirty = undefined;
  }

  private markDirty(kind: ModbusErrorKind): void {
    // A late reply may start any time after the timeout: give it a whole timeout to finish.
    const noise = Math.max(MIN_QUIET_MS, NOISE_QUIET_CHARS * charMs(this.line));
    this.dirty = { since: this.clock.monotonic(), quietMs: kind === 'timeout' ? Math.max(this.bus.timeoutMs, noise) : noise };
  }

  private count(unit: number, kind: ModbusErrorKind): void {
    this.bump(unit, (s) => {
      if (kind === 'timeout') s.timeouts++;
      else if (kind === 'crc' || kind === 'frame') s.crcErrors++;
      else if (kind === 'exception') {
        s.exceptions++;
        s.answers++;
        s.lastAnswer = this.clock.now();
      } else if (kind === 'wrongUnit') s.wrongUnit++;
      else if (kind === 'mismatch') s.mismatches++;
      else s.portClosed++;
    });
  }

  private bump(unit: number, f: (s: TransactionStats) => void): void {
    let s = this.unitStats.get(unit);
    if (!s) this.unitStats.set(unit, (s = emptyStats()));
    f(s);
    f(this.busStats);
  }

  private async connect(): Promise<void> {
    this.portState = 'opening';
    const port = new RtuFramePort(this.openPort(this.bus), this.clock, this.line);
    const client = new ModbusRTU(port);
    client.setTimeout(this.bus.timeoutMs);
    // Both re-emit serialport errors; an EventEmitter 'error' without a listener would throw.
    port.on('error', (err: Error) => this.log.warn({ err: err.message }, 'serial port error'));
    client.on('error', () => {});
    // A reply that does not answer its request never reaches modbus-serial (rtu-port.ts): it fails the transaction here.
    port.on('refused', (err: ModbusError) => this.inFlight?.fail(err));
    port.on('close', (err: Error | null) => this.onClosed(port, err));
    try {
      await new Promise<void>((resolve, reject) => client.open((err: unknown) => (err ? reject(err) : resolve())));
    } catch (err) {
      if (this.portState === 'opening') this.portState = 'closed';
      throw err;
    }
    if ((this.portState as PortState) === 'stopped') {
      client.close(() => {});
      return;
    }
    this.port = port;
    this.client = client;
    this.dirty = undefined;
    this.portState = 'open';
    this.backoffMs = this.firstBackoffMs;
    this.pathWatch?.close();
    this.pathWatch = undefined;
    this.log.info({ port: this.bus.port }, 'serial port open');
    this.onPortState({ bus: this.bus.id, state: 'open' });
  }

  private onClosed(port: RtuFramePort, err: Error | null): void {
    if (port !== this.port || this.portState === 'stopped') return;
    this.portState = 'lost';
    this.port = undefined;
    this.client = undefined;
    this.failAll('serial port closed');
    const retryInMs = this.backoffMs;
    this.log.warn({ port: this.bus.port, err: err?.message, retryInMs }, 'serial port lost');
    this.onPortState({ bus: this.bus.id, state: 'lost', error: err?.message ?? 'closed', retryInMs });
    this.scheduleReopen();
  }

  private reportOpenFailed(err: unknown): void {
    const retryInMs = this.backoffMs;
    const message = err instanceof Error ? err.message : String(err);
    this.log.warn({ port: this.bus.port, err: message, retryInMs }, 'serial port open failed');
    this.onPortState({ bus: this.bus.id, state: 'openFailed', error: message, retryInMs });
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.portState === 'stopped') return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    this.reopenTimer?.cancel();
    this.reopenTimer = this.clock.setTimeout(() => this.reopen(), delay);
    // A vanished adapter is reopened when its path returns; the backoff stays for a port that
    // exists but will not open (busy, wrong permissions), and as a net under the watch.
    this.pathWatch?.close();
    this.pathWatch = this.watchPath(this.bus.port, () => {
      this.pathWatch = undefined;
      this.log.info({ port: this.bus.port }, 'serial device is back');
      this.reopen();
    });
  }

  private reopen(): void {
    this.reopenTimer?.cancel();
    if (this.portState === 'stopped' || this.portState === 'open' || this.portState === 'opening') return;
    this.connect().catch((e: unknown) => this.portState !== 'stopped' && this.reportOpenFailed(e));
  }

  private failAll(why: string): void {
    const jobs = this.queue.splice(0);
    this.inFlight?.fail(new ModbusError('portClosed', why, -1));
    for (const j of jobs) {
      this.count(j.unit, 'portClosed');
      j.reject(new ModbusError('portClosed', why, j.unit));
    }
  }

  private closedError(unit: number): ModbusError {
    return new ModbusError('portClosed', `serial port ${this.bus.port} is ${this.portState}`, unit);
  }
}
