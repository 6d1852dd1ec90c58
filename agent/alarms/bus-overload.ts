/**
 * A bus asked for more than its baud rate carries is one system alarm, naming the bus and its
 * measured load; the points that go stale because of it are held under it instead of raising
 * a sensor fault each (measured: 100 devices at 100 ms on 9600 baud raised 10,670 "sensor fault
 * (stale)" alarms and not one word about the bus, issue 21). `firebreak check` refuses such a
 * bus beforehand; this is for one that overloads anyway (a site file not checked, a device
 * answering slower than its wire time).
 */
import type { DeviceConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { AlarmList } from './alarm-list.js';

export interface BusLoadReport {
  bus: string;
  /** bus time the polls took over their periods: above 1 the bus cannot keep up */
  load: number;
}

/**
 * Raised after this many reports (one per poll) in a row above a full bus: one slow reply is not
 * an overload, and the alarm must come before the first stale point (heartbeat + 3 polls).
 */
const RAISE_AFTER_REPORTS = 3;
/** Cleared once under 90 % for this long. */
const CLEAR_AFTER_MS = 10_000;
const CLEAR_BELOW = 0.9;

export const busOverloadAlarmId = (bus: string): string => `bus.${bus}.overload`;

interface BusWatch {
  over: number;
  underSince?: number;
  active: boolean;
}

export class BusOverloadAlarms {
  private readonly watches = new Map<string, BusWatch>();
  private readonly busOfPoint = new Map<string, string>();
  private readonly cleared: ((bus: string) => void)[] = [];

  constructor(
    buses: readonly { id: string }[],
    devices: readonly DeviceConfig[],
    private readonly alarms: AlarmList,
    private readonly clock: Clock,
  ) {
    for (const b of buses) {
      this.watches.set(b.id, { over: 0, active: false });
      alarms.define({ id: busOverloadAlarmId(b.id), source: b.id, name: `总线 ${b.id} 过载`, nameEn: `bus ${b.id} overloaded`, priority: 'high' });
    }
    for (const d of devices) for (const p of d.points) this.busOfPoint.set(p.id, d.bus);
  }

  /** After every poll, from acquisition. */
  observe(r: BusLoadReport): void {
    const w = this.watches.get(r.bus);
    if (!w) return;
    if (r.load > 1) {
      w.underSince = undefined;
      if (++w.over >= RAISE_AFTER_REPORTS && !w.active) this.set(r.bus, w, true, r.load);
      return;
    }
    w.over = 0;
    if (!w.active) return;
    if (r.load >= CLEAR_BELOW) {
      w.underSince = undefined;
      return;
    }
    const now = this.clock.monotonic();
    w.underSince ??= now;
    if (now - w.underSince >= CLEAR_AFTER_MS) this.set(r.bus, w, false, r.load);
  }

  /** The overload alarm a point's stale value follows from, while there is one. */
  causeOf(pointId: string): string | undefined {
    const bus = this.busOfPoint.get(pointId);
    return bus !== undefined && this.watches.get(bus)?.active ? busOverloadAlarmId(bus) : undefined;
  }

  /** When a bus's overload clears: the points still stale then are faults of their own. */
  onCleared(listener: (bus: string) => void): void {
    this.cleared.push(listener);
  }

  private set(bus: string, w: BusWatch, active: boolean, load: number): void {
    w.active = active;
    w.over = 0;
    w.underSince = undefined;
    const pct = Math.round(load * 100);
    this.alarms.set(busOverloadAlarmId(bus), active, {
      t: this.clock.now(),
      value: pct,
      limit: 100,
      message: active
        ? `总线 ${bus} 过载: 实测负载 ${pct} %, 设备无法按设定周期轮询; 其设备的数据过期归于此报警, 不逐点报传感器故障`
        : `总线 ${bus} 负载恢复正常 (${pct} %)`,
      messageEn: active
        ? `bus ${bus} overloaded: measured load ${pct} %, its devices cannot be polled at their pollMs; their stale points are held under this alarm, not raised one by one`
        : `bus ${bus} load back to normal (${pct} %)`,
    });
    if (!active) for (const l of this.cleared) l(bus);
  }
}
