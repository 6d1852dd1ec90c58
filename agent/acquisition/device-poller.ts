/**
 * One Modbus device on its bus: reads its blocks when the bus cycle gives it its slot
 * (bus-cycle.ts), turns words into samples, and keeps the quality honest. No reply for 3 polls →
 * `comm` (docs/DOMAIN.md, "A reading that cannot be trusted is a fault"); an exception → `bad` at
 * once. Nothing here holds a healthy device's slot past its reads: a retry, and a device that
 * stopped answering (probed less and less often), wait for free bus time (`extra`).
 */
import type { DeviceConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
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
  /** further attempts of a read that failed, made in free bus time (the bus's `retries`, default 1) */
  retries?: number;
  /** consecutive missed polls before a point's quality becomes `comm` (default 3) */
  missedPollsForComm?: number;
  /** longest interval between probes of a dead device (default 30 s) */
  maxProbeIntervalMs?: number;
}

/** Bus work that must wait for free bus time: a retry, or a dead device's probe. */
export interface ExtraWork {
  /** monotonic ms from when it may run */
  dueAt: number;
  kind: 'retry' | 'probe';
  /** reads it makes: each may take a whole timeout and the settle after it */
  reads: number;
  /** past this it runs at the first free moment even without room for its worst case */
  runByAt: number;
  run(): Promise<void>;
}

interface BlockState {
  block: ReadBlock;
  missed: number;
  /** the device has answered this block at least once since start-up */
  answered: boolean;
  /** attempts left for a read that failed in the slot, made in free time */
  retriesLeft: number;
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
  private readonly retries: number;
  private readonly reporters = new Map<string, PointReporter>();
  private blocks: BlockState[];
  private dead = false;
  private probeIntervalMs: number;
  private probeDueAt = 0;
  /** its slot came while it was suspect and there was no room for its worst case */
  private owesPoll = false;
  /** the last poll got an answer for every block */
  lastPollOk = false;

  constructor(opts: DevicePollerOptions) {
    this.device = opts.device;
    this.master = opts.master;
    this.clock = opts.clock;
    this.log = opts.log;
    this.onSample = opts.onSample;
    this.onHealth = opts.onHealth;
    this.missedForComm = opts.missedPollsForComm ?? 3;
    this.maxProbeMs = Math.max(opts.maxProbeIntervalMs ?? 30_000, this.device.pollMs);
    this.retries = opts.retries ?? 1;
    this.probeIntervalMs = this.device.pollMs;
    for (const p of this.device.points) this.reporters.set(p.id, new PointReporter(p, this.device.pollMs));
    this.blocks = planBlocks(this.device.points, opts.plan).map((block) => ({ block, missed: 0, answered: false, retriesLeft: 0 }));
  }

  get health(): DeviceHealth {
    return this.dead ? 'comm' : 'ok';
  }

  /** Probe now, e.g. when the bus came back: a dead device need not wait out its probe interval. */
  wake(): void {
    this.probeIntervalMs = this.device.pollMs;
    this.probeDueAt = this.clock.monotonic();
  }

  /**
   * It missed its last poll but is not yet `comm`: its next poll may take a whole timeout per
   * read, so the bus cycle gives it its slot only when that worst case fits before the next one.
   */
  get suspect(): boolean {
    return !this.dead && this.blocks.some((b) => b.missed > 0);
  }

  get reads(): number {
    return this.blocks.length;
  }

  /**
   * Its slot had no room for its worst case: it polls in free bus time instead. False when it
   * already waited a whole period for free time: then it polls in its slot, as it did before.
   */
  deferPoll(): boolean {
    if (this.owesPoll) return false;
    this.owesPoll = true;
    return true;
  }

  /** The device's slot: every block once, no retries (they wait for free time). */
  async poll(): Promise<void> {
    this.owesPoll = false;
    let failed = 0;
    for (const state of this.blocks) {
      // a retry the bus had no time for is a missed poll
      if (state.retriesLeft > 0) this.giveUp(state);
      // Retries help a healthy device through a burst of noise; for a block that already missed
      // its last poll, or was never answered since start-up (a device dead at power-up), they only
      // take bus time: measured with 10 devices at 1 s and 9600 baud, a dead unit's retried first
      // poll (800 ms of timeouts and settling) made the five devices behind it miss their period.
      const retry = state.missed === 0 && state.answered ? this.retries : 0;
      if (!(await this.readBlock(state, false))) {
        failed++;
        if (retry > 0) state.retriesLeft = retry;
        else this.giveUp(state);
      }
    }
    this.lastPollOk = failed === 0;
    this.judge();
  }

  /** What this device has waiting for free bus time, if anything. */
  extra(): ExtraWork | undefined {
    // A bus without a gap as long as a timeout still probes its dead devices, a period late.
    if (this.dead) return { dueAt: this.probeDueAt, kind: 'probe', reads: 1, runByAt: this.probeDueAt + this.device.pollMs, run: () => this.probe() };
    const now = this.clock.monotonic();
    if (this.owesPoll) return { dueAt: now, kind: 'retry', reads: this.blocks.length, runByAt: Infinity, run: () => this.poll() };
    const state = this.blocks.find((b) => b.retriesLeft > 0);
    if (!state) return undefined;
    return {
      dueAt: now,
      kind: 'retry',
      reads: 1,
      runByAt: Infinity,
      run: async () => {
        if (state.retriesLeft <= 0) return;
        if (await this.readBlock(state, false)) state.retriesLeft = 0;
        else if (--state.retriesLeft === 0) this.giveUp(state);
        this.lastPollOk = this.blocks.every((b) => b.missed === 0 && b.retriesLeft === 0);
        this.judge();
      },
    };
  }

  /** A dead device is probed with its first block only; once it answers, its slot comes back. */
  private async probe(): Promise<void> {
    const first = this.blocks[0];
    if (!first) return;
    const started = this.clock.monotonic();
    const ok = await this.readBlock(first, true);
    if (!ok) {
      this.giveUp(first);
      // Probe less and less often (2, 4, 8 … × pollMs, up to maxProbeIntervalMs) until it answers.
      this.probeDueAt = started + this.probeIntervalMs;
      this.probeIntervalMs = Math.min(this.maxProbeMs, this.probeIntervalMs * 2);
      const t = this.clock.now();
      for (const r of this.reporters.values()) this.emit(r.failed('comm', t));
      return;
    }
    this.dead = false;
    this.probeIntervalMs = this.device.pollMs;
    this.log.info({ device: this.device.id, unit: this.device.unitId }, 'device answering again');
    this.onHealth(this.device, 'ok');
  }

  private giveUp(state: BlockState): void {
    state.retriesLeft = 0;
    state.missed++;
    if (state.missed >= this.missedForComm) {
      const t = this.clock.now();
      for (const s of state.block.points) this.emit(this.reporter(s.point.id).failed('comm', t));
    }
  }

  private judge(): void {
    if (this.dead || !this.blocks.every((b) => b.missed >= this.missedForComm)) return;
    this.dead = true;
    this.probeIntervalMs = 2 * this.device.pollMs;
    this.probeDueAt = this.clock.monotonic() + this.device.pollMs;
    this.log.warn({ device: this.device.id, unit: this.device.unitId }, 'device stopped answering');
    this.onHealth(this.device, 'comm');
    const t = this.clock.now();
    for (const r of this.reporters.values()) this.emit(r.failed('comm', t));
  }

  /** Reads one block and reports its points; true when the device answered (even with an exception). */
  private async readBlock(state: BlockState, probe: boolean): Promise<boolean> {
    const { block } = state;
    const unit = this.device.unitId;
    const req = probe ? { priority: 'probe' as const, retries: 0 } : { retries: 0 };
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
      return false;
    }
  }

  private splitAfterRefusal(state: BlockState): void {
    const parts = splitBlock(state.block);
    if (parts.length < 2) return;
    this.log.info({ device: this.device.id, table: state.block.table, address: state.block.address, parts: parts.length }, 'reading points one by one after illegal address');
    const i = this.blocks.indexOf(state);
    this.blocks.splice(i, 1, ...parts.map((block) => ({ block, missed: 0, answered: true, retriesLeft: 0 })));
  }

  /** The blocks read in one poll now (after any split), for the width of the device's slot. */
  get readBlocks(): readonly ReadBlock[] {
    return this.blocks.map((b) => b.block);
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
