/**
 * Runs one bus's schedule (bus-schedule.ts) on a clock: one timer per bus, never one per device.
 * At each slot the device it belongs to reads its blocks; between slots, a retry or a dead
 * device's probe runs only if its worst case (a timeout and the settle after it) ends before the
 * next slot, so neither can move a healthy device's sample. So does the poll of a device that
 * missed its last one: a device dead from power-up shifts the slots behind it once, in the
 * first cycle, and never again.
 */
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { LineSettings } from '../../drivers/modbus/line.js';
import { BusSchedule } from './bus-schedule.js';
import { timedOutMs, transactionMs } from './bus-load.js';
import type { DevicePoller, ExtraWork } from './device-poller.js';

/**
 * Added to each slot: a pty or a USB adapter delivers a reply a few ms after its last byte left
 * the wire (FTDI's latency timer: up to 16 ms). With the margin a slot starts on a quiet bus, so
 * one device's late reply does not shift the next device's sample.
 */
const SLOT_MARGIN_MS = 6;

export interface MeasuredLoad {
  bus: string;
  /** the bus time the devices' polls took, over their periods (1 = the bus is full) */
  load: number;
  /** periods, all devices together, that went by without their poll since the last report */
  missedPolls: number;
}

export interface BusCycleOptions {
  bus: string;
  pollers: DevicePoller[];
  line: LineSettings;
  timeoutMs: number;
  clock: Clock;
  log: Logger;
  /** after every poll in a slot */
  onLoad?: (load: MeasuredLoad) => void;
}

export class BusCycle {
  readonly schedule: BusSchedule;
  private readonly opts: BusCycleOptions;
  private readonly clock: Clock;
  private readonly byId = new Map<string, DevicePoller>();
  private readonly took = new Map<string, number>();
  private readonly extraWorstMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private sleeping: { timer: Timer; done: () => void } | undefined;
  private missed = 0;

  constructor(opts: BusCycleOptions) {
    this.opts = opts;
    this.clock = opts.clock;
    for (const p of opts.pollers) this.byId.set(p.device.id, p);
    this.extraWorstMs = timedOutMs(opts.line, opts.timeoutMs) + SLOT_MARGIN_MS;
    this.schedule = new BusSchedule(
      opts.pollers.map((p) => ({
        id: p.device.id,
        periodMs: p.device.pollMs,
        slotMs: p.readBlocks.reduce((ms, b) => ms + transactionMs(b, opts.line) + SLOT_MARGIN_MS, 0),
      })),
      opts.clock.monotonic(),
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((err: unknown) => this.opts.log.error({ err }, 'bus cycle stopped unexpectedly'));
  }

  /** Stops after the transaction in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Look again at once, e.g. when the port came back and dead devices may be probed. */
  wake(): void {
    const s = this.sleeping;
    this.sleeping = undefined;
    s?.timer.cancel();
    s?.done();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const now = this.clock.monotonic();
      for (const [id, p] of this.byId) this.schedule.setActive(id, p.health === 'ok', now);
      // A slot due within its margin starts now: the bus is free, and waiting out a few ms
      // would cost a wake-up per device (~0.1 ms of CPU each on a Pi-class machine).
      const slot = this.schedule.due(now + SLOT_MARGIN_MS);
      if (slot) {
        this.missed += this.schedule.take(slot.id, now);
        const poller = this.byId.get(slot.id)!;
        // A device that just missed a poll may time out on every read: not at the cost of the next slot.
        if (poller.suspect && now + poller.reads * this.extraWorstMs > this.schedule.nextAt() && poller.deferPoll()) continue;
        await this.timed(slot.id, () => poller.poll());
        this.reportLoad();
        continue;
      }
      const nextAt = this.schedule.nextAt();
      const waiting = this.extras();
      const fits = waiting.find((w) => w.dueAt <= now && (now + w.reads * this.extraWorstMs <= nextAt || now >= w.runByAt));
      if (fits) {
        await fits.run();
        continue;
      }
      const later = waiting.flatMap((w) => [w.dueAt, w.runByAt]).filter((t) => t > now);
      const wakeAt = Math.min(nextAt, ...later);
      await this.sleep(Number.isFinite(wakeAt) ? wakeAt - now : 1000);
    }
  }

  /** Retries before probes: a healthy device's reading is worth more than news of a dead one. */
  private extras(): ExtraWork[] {
    const all: ExtraWork[] = [];
    for (const s of this.schedule.slots) {
      const w = this.byId.get(s.id)!.extra();
      if (w) all.push(w);
    }
    return [...all.filter((w) => w.kind === 'retry'), ...all.filter((w) => w.kind === 'probe')];
  }

  /**
   * How long the poll took, when it was answered: a poll that timed out says nothing about the
   * load (it is a device fault), so its slot counts at its planned width.
   */
  private async timed(id: string, f: () => Promise<void>): Promise<void> {
    const t0 = this.clock.monotonic();
    await f();
    if (this.byId.get(id)!.lastPollOk) this.took.set(id, this.clock.monotonic() - t0);
    else this.took.delete(id);
  }

  private reportLoad(): void {
    if (!this.opts.onLoad) return;
    let load = 0;
    for (const s of this.schedule.slots) if (this.byId.get(s.id)!.health === 'ok') load += (this.took.get(s.id) ?? s.slotMs) / s.periodMs;
    this.opts.onLoad({ bus: this.opts.bus, load, missedPolls: this.missed });
    this.missed = 0;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.sleeping = undefined;
        resolve();
      }, Math.max(0, ms));
      this.sleeping = { timer, done: resolve };
    });
  }
}
