/**
 * Modbus acquisition for the whole site: one master and one cycle per bus (bus-cycle.ts), one
 * poller per device read in its slot of the cycle, samples
 * out through `onSample`, bus and device troubles out as system events. Builds nothing at
 * import time; `start()` and `stop()` mirror each other.
 */
import type { BusConfig, DeviceConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { SampleSink } from '../core/types.js';
import type { DeviceStats } from './device-stats.js';
import { ModbusMaster, type PortStateChange } from '../../drivers/modbus/master.js';
import { defaultPortFactory, type PortFactory } from '../../drivers/modbus/port-factory.js';
import type { BlockPlanOptions } from './blocks.js';
import { BusCycle, type MeasuredLoad } from './bus-cycle.js';
import { busLine } from './bus-line.js';
import { DevicePoller, type DeviceHealth } from './device-poller.js';

export interface AcquisitionSystemEvent {
  /** bus id or device id */
  source: string;
  /** bus: `open`, `lost`, `openFailed`; device: `comm`, `ok` */
  state: string;
  /** human text, Chinese first */
  message: string;
}

export interface ModbusAcquisitionOptions {
  buses: BusConfig[];
  devices: DeviceConfig[];
  clock: Clock;
  log: Logger;
  /** default: the sim binding for `sim:NAME` ports, the OS serial port otherwise */
  openPort?: PortFactory;
  onSample: SampleSink;
  onSystemEvent: (e: AcquisitionSystemEvent) => void;
  /** each bus's measured load, once per bus cycle (for the overload alarm, alarms/bus-overload.ts) */
  onBusLoad?: (load: MeasuredLoad) => void;
  plan?: BlockPlanOptions;
  /** longest interval between probes of a dead device (default 30 s) */
  maxProbeIntervalMs?: number;
  /** serial port reopen backoff (default 0.5 s doubling to 30 s) */
  reopen?: { firstMs?: number; maxMs?: number };
}

export class ModbusAcquisition {
  private readonly opts: ModbusAcquisitionOptions;
  private readonly masters = new Map<string, ModbusMaster>();
  private readonly pollers: DevicePoller[] = [];
  private readonly cycles = new Map<string, BusCycle>();
  /** last port state reported per bus, so a reopen loop does not repeat the same event */
  private readonly busReported = new Map<string, string>();
  private started = false;

  constructor(opts: ModbusAcquisitionOptions) {
    this.opts = opts;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { buses, devices, clock, log } = this.opts;
    const used = new Set(devices.map((d) => d.bus));
    for (const bus of buses.filter((b) => used.has(b.id))) {
      const master = new ModbusMaster({
        bus: busLine(bus),
        openPort: this.opts.openPort ?? defaultPortFactory,
        clock,
        log: log.child({ component: 'modbus', bus: bus.id }),
        onPortState: (c) => this.onPortState(c),
        reopen: { ...this.opts.reopen, maxMs: bus.reopenMaxMs ?? this.opts.reopen?.maxMs },
      });
      this.masters.set(bus.id, master);
    }
    // Ports open in parallel; one that is missing keeps retrying on its own.
    await Promise.all([...this.masters.values()].map((m) => m.start()));
    for (const device of devices) {
      const master = this.masters.get(device.bus);
      if (!master) throw new Error(`device ${device.id}: bus ${device.bus} is not configured`);
      this.pollers.push(
        new DevicePoller({
          device,
          master,
          clock,
          log: log.child({ component: 'acquisition', bus: device.bus }),
          onSample: this.opts.onSample,
          onHealth: (d, h) => this.onDeviceHealth(d, h),
          plan: this.opts.plan,
          retries: master.bus.retries,
          maxProbeIntervalMs: this.opts.maxProbeIntervalMs,
        }),
      );
    }
    for (const [id, master] of this.masters) {
      const cycle = new BusCycle({
        bus: id,
        pollers: this.pollers.filter((p) => p.device.bus === id),
        line: master.bus,
        timeoutMs: master.bus.timeoutMs,
        clock,
        log: log.child({ component: 'acquisition', bus: id }),
        onLoad: this.opts.onBusLoad,
      });
      this.cycles.set(id, cycle);
      cycle.start();
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const cycles = [...this.cycles.values()].reverse();
    this.cycles.clear();
    this.pollers.splice(0);
    await Promise.all(cycles.map((c) => c.stop()));
    const masters = [...this.masters.values()].reverse();
    this.masters.clear();
    await Promise.all(masters.map((m) => m.stop().catch((err: unknown) => this.opts.log.warn({ err }, 'closing a bus failed'))));
  }

  /** The master of a bus, for the few writes the agent makes (none from the platform). */
  master(busId: string): ModbusMaster | undefined {
    return this.masters.get(busId);
  }

  stats(): DeviceStats[] {
    return this.pollers.map((p) => {
      const d = p.device;
      const master = this.masters.get(d.bus);
      const s = master?.statsFor(d.unitId);
      return {
        id: d.id,
        bus: d.bus,
        unitId: d.unitId,
        ok: master?.state === 'open' && p.health === 'ok' && p.lastPollOk,
        transactions: s?.transactions ?? 0,
        timeouts: s?.timeouts ?? 0,
        crcErrors: s?.crcErrors ?? 0,
        exceptions: s?.exceptions ?? 0,
        lastAnswer: s?.lastAnswer ?? null,
      };
    });
  }

  private onPortState(c: PortStateChange): void {
    const before = this.busReported.get(c.bus);
    // openFailed repeats on every reopen attempt; report only the first of a series.
    if (c.state === 'openFailed' && (before === 'lost' || before === 'openFailed')) return;
    this.busReported.set(c.bus, c.state);
    const port = this.opts.buses.find((b) => b.id === c.bus)?.port ?? '?';
    if (c.state === 'open') {
      if (before === undefined) return; // the first open of a start is not news
      this.opts.onSystemEvent({ source: c.bus, state: 'open', message: `串口已恢复 serial port ${port} back` });
      // Devices that went dead with the port need not wait out their probe interval.
      for (const p of this.pollers) if (p.device.bus === c.bus) p.wake();
      this.cycles.get(c.bus)?.wake();
    } else if (c.state === 'lost') {
      this.opts.onSystemEvent({ source: c.bus, state: 'lost', message: `串口断开 serial port ${port} lost: ${c.error ?? ''}`.trim() });
    } else {
      this.opts.onSystemEvent({ source: c.bus, state: 'openFailed', message: `串口无法打开 serial port ${port} cannot be opened: ${c.error ?? ''}`.trim() });
    }
  }

  private onDeviceHealth(d: DeviceConfig, h: DeviceHealth): void {
    const name = d.name ?? d.id;
    this.opts.onSystemEvent(
      h === 'comm'
        ? { source: d.id, state: 'comm', message: `设备通讯中断 ${name}: no reply from unit ${d.unitId} on ${d.bus}` }
        : { source: d.id, state: 'ok', message: `设备通讯恢复 ${name}: unit ${d.unitId} on ${d.bus} answering` },
    );
  }
}
