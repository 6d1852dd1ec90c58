/** The bus simulator at byte level, on fake time: framing, replies, faults and wire time. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { crc16, crcOk, withCrc } from '../../drivers/modbus/crc.js';
import { ModbusDeviceSim } from '../../drivers/sim/modbus-device.js';

function rig(opts: ConstructorParameters<typeof ModbusDeviceSim>[0] = {}) {
  const clock = new FakeClock();
  const sim = new ModbusDeviceSim({ clock, ...opts });
  const out: { t: number; bytes: Buffer }[] = [];
  sim.onTransmit((bytes) => out.push({ t: clock.monotonic(), bytes }));
  return { clock, sim, out };
}

const readHolding = (unit: number, address: number, count: number) =>
  withCrc(Buffer.from([unit, 3, address >> 8, address & 0xff, count >> 8, count & 0xff]));

describe('the Modbus RTU bus simulator', () => {
  it('computes CRC-16/MODBUS as the standard example gives it', () => {
    // Modbus over Serial Line V1.02, appendix B: 01 03 00 00 00 01 → CRC 84 0A on the wire
    expect(crc16(Buffer.from([1, 3, 0, 0, 0, 1]))).toBe(0x0a84);
    expect([...withCrc(Buffer.from([1, 3, 0, 0, 0, 1])).subarray(6)]).toEqual([0x84, 0x0a]);
  });

  it('answers only after request and reply would have crossed a 9600 baud 8N1 line', () => {
    const { clock, sim, out } = rig({ line: { baudRate: 9600 } });
    sim.unit(1).setRegisters('holding', 0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    sim.receive(readHolding(1, 0, 10));
    // (8 + 25 bytes) × 10 bits / 9600 + 2 × 3.5 chars = 34.4 + 7.3 = 41.6 ms
    clock.advance(41);
    expect(out).toEqual([]);
    clock.advance(1);
    expect(out).toHaveLength(1);
    expect([...out[0]!.bytes.subarray(0, 3)]).toEqual([1, 3, 20]);
    expect(crcOk(out[0]!.bytes, 0, out[0]!.bytes.length)).toBe(true);
  });


  it('with precise timing on the real clock, never answers before the wire time has passed (node timers alone may fire early)', async () => {
    const sim = new ModbusDeviceSim({ line: { baudRate: 19200 }, preciseTiming: true });
    sim.unit(1).setRegisters('holding', 0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // (8 + 25 bytes) × 10 bits / 19200 + 2 × 3.5 chars = 17.19 + 3.65 = 20.83 ms
    const dueMs = (33 * 10 * 1000) / 19200 + (2 * 3.5 * 10 * 1000) / 19200;
    const early: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const took = await new Promise<number>((resolve) => {
        const off = sim.onTransmit(() => (off(), resolve(performance.now() - t0)));
        sim.receive(readHolding(1, 0, 10));
      });
      if (took < dueMs) early.push(took);
    }
    sim.close();
    expect(early).toEqual([]);
  });
  it('counts 11 bits a character with even parity', () => {
    const { clock, sim, out } = rig({ line: { baudRate: 9600, parity: 'even' } });
    sim.unit(1);
    sim.receive(readHolding(1, 0, 10));
    // 33 × 11 / 9600 + 7 × 11 / 9600 = 45.8 ms
    clock.advance(45);
    expect(out).toEqual([]);
    clock.advance(1);
    expect(out).toHaveLength(1);
  });

  it('takes a request split across reads as one frame, but two frames apart by more than 3.5 characters as two', () => {
    const { clock, sim, out } = rig({ wireTime: false });
    sim.unit(1).setHolding(0, 650);
    const req = readHolding(1, 0, 1);
    sim.receive(req.subarray(0, 3));
    clock.advance(1);
    sim.receive(req.subarray(3));
    clock.advance(10);
    expect(out).toHaveLength(1);
    expect(out[0]!.bytes.readUInt16BE(3)).toBe(650);

    // the same bytes with a 10 ms pause inside: two broken frames, both dropped silently
    sim.receive(req.subarray(0, 3));
    clock.advance(10);
    sim.receive(req.subarray(3));
    clock.advance(10);
    expect(out).toHaveLength(1);
    expect(sim.framesRejected).toBe(2);
  });

  it('stays silent on a bad CRC and for a unit that is not on the bus', () => {
    const { clock, sim, out } = rig({ wireTime: false });
    sim.unit(1);
    const bad = readHolding(1, 0, 1);
    bad[bad.length - 1]! ^= 1;
    sim.receive(bad);
    clock.advance(10);
    sim.receive(readHolding(9, 0, 1));
    clock.advance(10);
    expect(out).toEqual([]);
  });

  it('answers exceptions: illegal function 1, illegal address 2, illegal value 3', () => {
    const { clock, sim, out } = rig({ wireTime: false });
    sim.unit(1, { holding: 10 });
    sim.receive(withCrc(Buffer.from([1, 0x2b, 0x0e, 1, 0])));
    clock.advance(10);
    sim.receive(readHolding(1, 8, 4));
    clock.advance(10);
    sim.receive(readHolding(1, 0, 126));
    clock.advance(10);
    expect(out.map((o) => [...o.bytes.subarray(0, 3)])).toEqual([
      [1, 0xab, 1],
      [1, 0x83, 2],
      [1, 0x83, 3],
    ]);
  });

  it('misbehaves on order: late, wrong unit, noise, truncated, for a set number of requests', () => {
    const { clock, sim, out } = rig({ wireTime: false });
    const u = sim.unit(1).setHolding(0, 650);
    u.fault({ kind: 'late', ms: 300 }, 1);
    sim.receive(readHolding(1, 0, 1));
    clock.advance(299);
    expect(out).toHaveLength(0);
    clock.advance(10);
    expect(out).toHaveLength(1);

    u.fault({ kind: 'wrongUnit' }, 1);
    sim.receive(readHolding(1, 0, 1));
    clock.advance(10);
    expect(out[1]!.bytes[0]).toBe(2);

    u.fault({ kind: 'noise', bytes: [0xaa] }, 1);
    sim.receive(readHolding(1, 0, 1));
    clock.advance(10);
    expect([...out[2]!.bytes.subarray(0, 2)]).toEqual([0xaa, 1]);

    u.fault({ kind: 'truncate', keep: 3 }, 1);
    sim.receive(readHolding(1, 0, 1));
    clock.advance(10);
    expect(out[3]!.bytes).toHaveLength(3);

    sim.receive(readHolding(1, 0, 1));
    clock.advance(10);
    expect(out[4]!.bytes).toHaveLength(7);
    expect(u.requests).toBe(5);
  });

  it('acts on a broadcast write in every unit without answering', () => {
    const { clock, sim, out } = rig({ wireTime: false });
    sim.unit(1);
    sim.unit(2);
    sim.receive(withCrc(Buffer.from([0, 6, 0, 5, 0x01, 0x2c])));
    clock.advance(10);
    expect(out).toEqual([]);
    expect([sim.unit(1).holding(5), sim.unit(2).holding(5)]).toEqual([300, 300]);
  });
});
