/**
 * Polls one Modbus device at its own pollMs: reads its blocks through the bus master, turns
 * words into samples, and keeps the quality honest. No reply for 3 polls → `comm` (docs/DOMAIN.md,
 * "A reading that cannot be trusted is a fault"); an exception → `bad` at once. A device that stopped answering
 * is then only probed, less and less often, with no retries and behind every healthy request,
 * so the other devices on the bus keep their period.
 */
import type { DeviceConfig } from '../config/schema.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { SampleSink } from '../core/types.js';
import { classify } from '../../drivers/modbus/errors.js';
import type { ModbusMaster } from '../../drivers/modbus/master.js';
import { EXCEPTION } from '../../drivers/modbus/pdu.js';
import { planBlocks, splitBlock, type BlockPlanOptions, type ReadBlock } from './blocks.js';
import { decodeBit, decodeRegisters, isBitTable } from './decode.js';
import { PointReporter } from './point-report.js';

/** The part of the bus master a poller uses. */
export type BusReader = Pick<ModbusMaster, 'readRegisters' | 'readBits'>;

export type DeviceHealth = 'ok' | 'comm';

export interface DevicePollerOptions {
  device: DeviceConfig;
  master: BusReader;
  clock: Clock;
  log: Logger;
  onSample: SampleSink;
  onHealth: (device: DeviceConfig, health: DeviceHealth) => void;
  plan?: BlockPlanOptions;
  /** consecutive missed polls before a point's quality becomes `comm` (default 3) */
  missedPollsForComm?: number;
  /** longest interval between probes of a dead device (default 30 s) */
  maxProbeIntervalMs?: number;
}

interface BlockState {
  block: ReadBlock;
  missed: number;
  /** the device has answered this block at least once since start-up */
  answered: boolean;
}

export class DevicePoller {
  readonly device: DeviceConfig;
  private readonly master: BusReader;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly onSample: SampleSink;
  private readonly onHealth: DevicePollerOptions['onHealth'];
  private readonly missedForComm: number;
  private readonly maxProbeMs: number;
  private readonly reporters = new Map<string, PointReporter>();
  private blocks: BlockState[];
  private timer: Timer | undefined;
  private running = false;
  private polling = false;
  private dead = false;
  private probeIntervalMs: number;
  private nextDue = 0;
  /** the last poll got an answer for every block */
  lastPollOk = false;
  /** polls that started later than due because the one before ran long */
  overruns = 0;

  constructor(opts: DevicePollerOptions) {
    this.device = opts.device;
    this.master = opts.master;
    this.clock = opts.clock;
    this.log = opts.log;
    this.onSample = opts.onSample;
    this.onHealth = opts.onHealth;
    this.missedForComm = opts.missedPollsForComm ?? 3;
    this.maxProbeMs = Math.max(opts.maxProbeIntervalMs ?? 30_000, this.device.pollMs);
    this.probeIntervalMs = this.device.pollMs;
    for (const p of this.device.points) this.reporters.set(p.id, new PointReporter(p));
    this.blocks = planBlocks(this.device.points, opts.plan).map((block) => ({ block, missed: 0, answered: false }));
  }

  get health(): DeviceHealth {
    return this.dead ? 'comm' : 'ok';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.nextDue = this.clock.monotonic();
    this.arm(0);
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Poll now, e.g. when the bus came back: a dead device need not wait out its probe interval. */
  wake(): void {
    if (!this.running) return;
    this.probeIntervalMs = this.device.pollMs;
    this.nextDue = this.clock.monotonic();
    if (!this.polling) this.arm(0);
  }

  private arm(delay: number): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => void this.tick(), Math.max(0, delay));
  }

  private async tick(): Promise<void> {
    if (!this.running || this.polling) return;
    this.polling = true;
    const started = this.clock.monotonic();
    try {
      await this.poll();
    } catch (err) {
      this.log.error({ device: this.device.id, err }, 'poll failed unexpectedly');
    } finally {
      this.polling = false;
    }
    if (!this.running) return;
    // Keep the period drift-free while polls fit in it; a dead device waits its probe interval.
    this.nextDue = this.dead ? started + this.probeIntervalMs : this.nextDue + this.device.pollMs;
    const now = this.clock.monotonic();
    if (this.nextDue < now) {
      this.overruns++;
      this.nextDue = now;
    }
    this.arm(this.nextDue - now);
  }

  private async poll(): Promise<void> {
    const probing = this.dead;
    let answered = 0;
    let failed = 0;
    // A dead device is probed with its first block only; once it answers, the rest follow.
    for (let i = 0; i < this.blocks.length; i++) {
      if (probing && answered === 0 && i > 0) break;
      const state = this.blocks[i]!;
      const ok = await this.readBlock(state, probing && answered === 0);
      if (ok) answered++;
      else failed++;
    }
    this.lastPollOk = failed === 0;
    const allMissing = this.blocks.every((b) => b.missed >= this.missedForComm);
    if (!this.dead && allMissing) {
      this.dead = true;
      this.probeIntervalMs = 2 * this.device.pollMs;
      this.log.warn({ device: this.device.id, unit: this.device.unitId }, 'device stopped answering');
      this.onHealth(this.device, 'comm');
    } else if (this.dead && answered > 0) {
      this.dead = false;
      this.probeIntervalMs = this.device.pollMs;
      this.log.info({ device: this.device.id, unit: this.device.unitId }, 'device answering again');
      this.onHealth(this.device, 'ok');
    }
    if (this.dead) {
      // Probe less and less often (2, 4, 8 … × pollMs, up to maxProbeIntervalMs) until it answers.
      if (probing) this.probeIntervalMs = Math.min(this.maxProbeMs, this.probeIntervalMs * 2);
      const t = this.clock.now();
      for (const r of this.reporters.values()) this.emit(r.failed('comm', t));
    }
  }

  /** Reads one block and reports its points; true when the device answered (even with an exception). */
  private async readBlock(state: BlockState, probe: boolean): Promise<boolean> {
    const { block } = state;
    const unit = this.device.unitId;
    // Retries help a healthy device through a burst of noise; for a block that already missed
    // its last poll, or was never answered since start-up (a device dead at power-up), they only
    // hold the bus: measured with 10 devices at 1 s and 9600 baud, a dead unit's retried first
    // poll (800 ms of timeouts and settling) made the five devices behind it miss their period.
    const req = probe ? { priority: 'probe' as const, retries: 0 } : state.missed > 0 || !state.answered ? { retries: 0 } : undefined;
    try {
      if (isBitTable(block.table)) {
        const bits = await this.master.readBits(unit, block.table, block.address, block.count, req);
        const t = this.clock.now();
        for (const s of block.points) this.emit(this.reporter(s.point.id).reading(decodeBit(bits, s.offset, s.point.register), t));
      } else {
        const words = await this.master.readRegisters(unit, block.table as 'holding' | 'input', block.address, block.count, req);
        const t = this.clock.now();
        for (const s of block.points) this.emit(this.reporter(s.point.id).reading(decodeRegisters(words, s.offset, s.point.register), t));
      }
      state.missed = 0;
      state.answered = true;
      return true;
    } catch (raw) {
      const err = classify(raw, unit);
      const t = this.clock.now();
      if (err.kind === 'exception') {
        state.missed = 0;
        state.answered = true;
        this.log.warn({ device: this.device.id, unit, table: block.table, address: block.address, count: block.count, code: err.code }, 'device refused a read');
        for (const s of block.points) this.emit(this.reporter(s.point.id).failed('bad', t));
        if (err.code === EXCEPTION.illegalDataAddress) this.splitAfterRefusal(state);
        return true;
      }
      state.missed++;
      if (state.missed >= this.missedForComm) for (const s of block.points) this.emit(this.reporter(s.point.id).failed('comm', t));
      return false;
    }
  }

  private splitAfterRefusal(state: BlockState): void {
    const parts = splitBlock(state.block);
    if (parts.length < 2) return;
    this.log.info({ device: this.device.id, table: state.block.table, address: state.block.address, parts: parts.length }, 'reading points one by one after illegal address');
    const i = this.blocks.indexOf(state);
    this.blocks.splice(i, 1, ...parts.map((block) => ({ block, missed: 0, answered: true })));
  }

  private reporter(id: string): PointReporter {
    const r = this.reporters.get(id);
    if (!r) throw new Error(`no reporter for point ${id}`);
    return r;
  }

  private emit(sample: ReturnType<PointReporter['reading']>): void {
    if (sample) this.onSample(sample);
  }
}
