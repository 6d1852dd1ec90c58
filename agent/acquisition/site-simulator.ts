/**
 * The simulated field of a whole site: one Modbus simulator per `sim:NAME` bus, with a unit for
 * every device on it, and a way to put an engineering value on a point as the device would
 * hold it (scale, offset, type and word order undone). Here, not in drivers/sim: it reads the
 * site file's buses and points, which the drivers do not know.
 */
import type { BusConfig, DeviceConfig, PointConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { ModbusDeviceSim, type SimUnit } from '../../drivers/sim/modbus-device.js';
import { isSimPath, registerSimulator } from '../../drivers/sim/sim-binding.js';

export class SiteSimulator {
  private readonly sims = new Map<string, ModbusDeviceSim>();
  private readonly unplug: (() => void)[] = [];
  private readonly points = new Map<string, { unit: SimUnit; point: PointConfig }>();

  constructor(buses: BusConfig[], devices: DeviceConfig[], clock: Clock) {
    for (const bus of buses.filter((b) => isSimPath(b.port))) {
      const sim = new ModbusDeviceSim({
        clock,
        line: { baudRate: bus.baudRate, parity: bus.parity, dataBits: bus.dataBits, stopBits: bus.stopBits },
      });
      this.sims.set(bus.id, sim);
      this.unplug.push(registerSimulator(bus.port.slice('sim:'.length), sim));
    }
    for (const d of devices) {
      const sim = this.sims.get(d.bus);
      if (!sim) continue;
      const unit = sim.unit(d.unitId);
      for (const p of d.points) this.points.set(p.id, { unit, point: p });
    }
  }

  /** Put `value` (engineering units) on the simulated register behind `pointId`. */
  set(pointId: string, value: number | boolean): void {
    const entry = this.points.get(pointId);
    if (!entry) throw new Error(`no simulated point ${pointId}`);
    const { unit, point } = entry;
    const reg = point.register;
    if (reg.table === 'coil') return void unit.setCoil(reg.address, Boolean(value));
    if (reg.table === 'discrete') return void unit.setDiscrete(reg.address, Boolean(value));
    const table = reg.table;
    if (reg.type === 'bool') {
      const word = table === 'holding' ? unit.holding(reg.address) : unit.input(reg.address);
      const mask = 1 << (reg.bit ?? 0);
      unit.setRegisters(table, reg.address, [value ? word | mask : word & ~mask]);
      return;
    }
    const raw = (Number(value) - point.offset) / point.scale;
    switch (reg.type) {
      case 'float32':
        unit.setFloat32(table, reg.address, raw, reg.wordOrder);
        break;
      case 'int32':
        unit.setInt32(table, reg.address, Math.round(raw), reg.wordOrder);
        break;
      case 'uint32':
        unit.setUint32(table, reg.address, Math.round(raw), reg.wordOrder);
        break;
      default:
        unit.setRegisters(table, reg.address, [Math.round(raw)]);
    }
  }

  /** the simulator of one bus, for fault injection */
  bus(busId: string): ModbusDeviceSim | undefined {
    return this.sims.get(busId);
  }

  close(): void {
    for (const u of this.unplug.splice(0)) u();
    for (const s of this.sims.values()) s.close();
  }
}
