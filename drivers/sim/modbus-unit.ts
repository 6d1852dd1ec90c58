/**
 * One simulated Modbus unit (slave id): its four tables, the function codes 1-6, 15, 16,
 * and the misbehaviour a test can order from it. The bus simulator (modbus-device.ts)
 * frames bytes and keeps time; this file only knows the application protocol.
 */
import { EXCEPTION, FC } from '../modbus/pdu.js';

export type SimTable = 'holding' | 'input' | 'coil' | 'discrete';
export type WordOrder = 'big' | 'little';

/** How a unit misbehaves on its next requests (see ModbusDeviceSim for what reaches the wire). */
export type SimFault =
  /** no reply at all, as a unit that lost power or has the wrong address */
  | { kind: 'silence' }
  /** the right reply, `ms` after it was due */
  | { kind: 'late'; ms: number }
  /** the right reply with its CRC inverted */
  | { kind: 'badCrc' }
  /** an exception reply with this code, whatever was asked */
  | { kind: 'exception'; code: number }
  /** the right reply, sent under another unit id (default: this id + 1) */
  | { kind: 'wrongUnit'; unitId?: number }
  /** line noise before the right reply (default 00 FF FE, as seen at bus turnaround); only the noise with `reply: false` */
  | { kind: 'noise'; bytes?: number[]; reply?: boolean }
  /** only the first `keep` bytes of the reply (default: half of it) */
  | { kind: 'truncate'; keep?: number }
  /**
   * A read reply whose byte count says `by` bytes more than asked (default 2; negative: fewer),
   * with a good CRC. `frame: 'asked'` (default) keeps the frame the length the request implies,
   * so only the count field lies; `'counted'` carries as many data bytes as the count says, as
   * a device answering another quantity does. Writes are answered normally.
   */
  | { kind: 'wrongByteCount'; by?: number; frame?: 'asked' | 'counted' }
  /** the right reply (or exception) under another function code, good CRC (default: its twin, e.g. 3 ↔ 4) */
  | { kind: 'wrongFunction'; fc?: number }
  /** a write's reply echoing another address (`field: 'address'`) or value/quantity (default), good CRC; reads are answered normally */
  | { kind: 'wrongEcho'; field?: 'address' | 'value' };

export interface TableSizes {
  holding: number;
  input: number;
  coil: number;
  discrete: number;
}

const DEFAULT_SIZES: TableSizes = { holding: 1000, input: 1000, coil: 1000, discrete: 1000 };
const MAX_READ_REGISTERS = 125; // Application Protocol §6.3
const MAX_READ_BITS = 2000; // Application Protocol §6.1
const MAX_WRITE_REGISTERS = 123; // §6.12
const MAX_WRITE_BITS = 1968; // §6.11

export class SimUnit {
  private readonly holdingRegs: Uint16Array;
  private readonly inputRegs: Uint16Array;
  private readonly coils: Uint8Array;
  private readonly discretes: Uint8Array;
  private currentFault: SimFault | null = null;
  private faultTimes = Infinity;
  private faultSource: (() => SimFault | null) | undefined;
  /** requests addressed to this unit with a good CRC, answered or not */
  requests = 0;

  constructor(
    readonly id: number,
    sizes: Partial<TableSizes> = {},
  ) {
    const s = { ...DEFAULT_SIZES, ...sizes };
    this.holdingRegs = new Uint16Array(s.holding);
    this.inputRegs = new Uint16Array(s.input);
    this.coils = new Uint8Array(s.coil);
    this.discretes = new Uint8Array(s.discrete);
  }

  setHolding(address: number, value: number): this {
    return this.setRegisters('holding', address, [value]);
  }
  setInput(address: number, value: number): this {
    return this.setRegisters('input', address, [value]);
  }
  setCoil(address: number, on: boolean): this {
    this.bitTable('coil')[this.checkIndex(this.coils, address)] = on ? 1 : 0;
    return this;
  }
  setDiscrete(address: number, on: boolean): this {
    this.bitTable('discrete')[this.checkIndex(this.discretes, address)] = on ? 1 : 0;
    return this;
  }

  /** Raw 16-bit words; negative numbers are stored as two's complement. */
  setRegisters(table: 'holding' | 'input', address: number, words: number[]): this {
    const regs = this.registerTable(table);
    words.forEach((w, i) => (regs[this.checkIndex(regs, address + i)] = w & 0xffff));
    return this;
  }

  setFloat32(table: 'holding' | 'input', address: number, value: number, wordOrder: WordOrder = 'big'): this {
    const b = Buffer.alloc(4);
    b.writeFloatBE(value);
    return this.setPair(table, address, b, wordOrder);
  }
  setInt32(table: 'holding' | 'input', address: number, value: number, wordOrder: WordOrder = 'big'): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.setPair(table, address, b, wordOrder);
  }
  setUint32(table: 'holding' | 'input', address: number, value: number, wordOrder: WordOrder = 'big'): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    return this.setPair(table, address, b, wordOrder);
  }

  holding(address: number): number {
    return this.holdingRegs[this.checkIndex(this.holdingRegs, address)]!;
  }
  input(address: number): number {
    return this.inputRegs[this.checkIndex(this.inputRegs, address)]!;
  }
  coil(address: number): boolean {
    return this.coils[this.checkIndex(this.coils, address)] === 1;
  }
  discrete(address: number): boolean {
    return this.discretes[this.checkIndex(this.discretes, address)] === 1;
  }

  /** Misbehave on the next `times` requests (default: until `clearFault()`). */
  fault(f: SimFault, times = Infinity): this {
    this.currentFault = f;
    this.faultTimes = times;
    return this;
  }
  /** Misbehave on each request as `pick` says then (null: answer right), until `clearFault()`. */
  faultEach(pick: () => SimFault | null): this {
    this.clearFault();
    this.faultSource = pick;
    return this;
  }
  clearFault(): this {
    this.currentFault = null;
    this.faultTimes = Infinity;
    this.faultSource = undefined;
    return this;
  }

  /** The fault that applies to the request being handled now, counting it down. */
  takeFault(): SimFault | null {
    if (this.faultSource) return this.faultSource();
    const f = this.currentFault;
    if (f && --this.faultTimes <= 0) this.clearFault();
    return f;
  }

  /** Answers one request PDU (function code + data) with a reply PDU, normal or exception. */
  process(pdu: Uint8Array): Buffer {
    const fc = pdu[0] ?? 0;
    const word = (i: number) => ((pdu[i] ?? 0) << 8) | (pdu[i + 1] ?? 0);
    const exception = (code: number) => Buffer.from([fc | 0x80, code]);
    const address = word(1);
    const quantity = word(3);
    switch (fc) {
      case FC.readCoils:
      case FC.readDiscreteInputs: {
        if (pdu.length !== 5 || quantity < 1 || quantity > MAX_READ_BITS) return exception(EXCEPTION.illegalDataValue);
        const bits = this.bitTable(fc === FC.readCoils ? 'coil' : 'discrete');
        if (address + quantity > bits.length) return exception(EXCEPTION.illegalDataAddress);
        const out = Buffer.alloc(2 + Math.ceil(quantity / 8));
        out[0] = fc;
        out[1] = out.length - 2;
        for (let i = 0; i < quantity; i++) if (bits[address + i]) out[2 + (i >> 3)]! |= 1 << (i & 7);
        return out;
      }
      case FC.readHoldingRegisters:
      case FC.readInputRegisters: {
        if (pdu.length !== 5 || quantity < 1 || quantity > MAX_READ_REGISTERS) return exception(EXCEPTION.illegalDataValue);
        const regs = this.registerTable(fc === FC.readHoldingRegisters ? 'holding' : 'input');
        if (address + quantity > regs.length) return exception(EXCEPTION.illegalDataAddress);
        const out = Buffer.alloc(2 + 2 * quantity);
        out[0] = fc;
        out[1] = 2 * quantity;
        for (let i = 0; i < quantity; i++) out.writeUInt16BE(regs[address + i]!, 2 + 2 * i);
        return out;
      }
      case FC.writeSingleCoil: {
        const value = word(3);
        if (pdu.length !== 5 || (value !== 0xff00 && value !== 0x0000)) return exception(EXCEPTION.illegalDataValue);
        if (address >= this.coils.length) return exception(EXCEPTION.illegalDataAddress);
        this.coils[address] = value === 0xff00 ? 1 : 0;
        return Buffer.from(pdu);
      }
      case FC.writeSingleRegister: {
        if (pdu.length !== 5) return exception(EXCEPTION.illegalDataValue);
        if (address >= this.holdingRegs.length) return exception(EXCEPTION.illegalDataAddress);
        this.holdingRegs[address] = word(3);
        return Buffer.from(pdu);
      }
      case FC.writeMultipleCoils: {
        const byteCount = pdu[5] ?? 0;
        if (quantity < 1 || quantity > MAX_WRITE_BITS || byteCount !== Math.ceil(quantity / 8) || pdu.length !== 6 + byteCount)
          return exception(EXCEPTION.illegalDataValue);
        if (address + quantity > this.coils.length) return exception(EXCEPTION.illegalDataAddress);
        for (let i = 0; i < quantity; i++) this.coils[address + i] = ((pdu[6 + (i >> 3)] ?? 0) >> (i & 7)) & 1;
        return Buffer.from(pdu.subarray(0, 5));
      }
      case FC.writeMultipleRegisters: {
        const byteCount = pdu[5] ?? 0;
        if (quantity < 1 || quantity > MAX_WRITE_REGISTERS || byteCount !== 2 * quantity || pdu.length !== 6 + byteCount)
          return exception(EXCEPTION.illegalDataValue);
        if (address + quantity > this.holdingRegs.length) return exception(EXCEPTION.illegalDataAddress);
        for (let i = 0; i < quantity; i++) this.holdingRegs[address + i] = word(6 + 2 * i);
        return Buffer.from(pdu.subarray(0, 5));
      }
      default:
        return exception(EXCEPTION.illegalFunction);
    }
  }

  private setPair(table: 'holding' | 'input', address: number, be: Buffer, wordOrder: WordOrder): this {
    const hi = be.readUInt16BE(0);
    const lo = be.readUInt16BE(2);
    return this.setRegisters(table, address, wordOrder === 'big' ? [hi, lo] : [lo, hi]);
  }

  private registerTable(table: 'holding' | 'input'): Uint16Array {
    return table === 'holding' ? this.holdingRegs : this.inputRegs;
  }
  private bitTable(table: 'coil' | 'discrete'): Uint8Array {
    return table === 'coil' ? this.coils : this.discretes;
  }
  private checkIndex(arr: { length: number }, address: number): number {
    if (!Number.isInteger(address) || address < 0 || address >= arr.length)
      throw new RangeError(`unit ${this.id}: address ${address} outside 0..${arr.length - 1}`);
    return address;
  }
}
