/**
 * Register words and bits into the values the site file describes: 16- and 32-bit integers,
 * IEEE-754 float32, one bit inside a register, coils and discrete inputs. Modbus sends each
 * 16-bit word big-endian (Application Protocol §4.2); the order of the two words of a 32-bit
 * value is the device's choice, hence `wordOrder`.
 */
import type { PointConfig, RegisterConfig } from '../config/schema.js';
import { roundSignificant } from './significant.js';

/** How many registers (or bits, for coil and discrete tables) a point occupies. */
export function registerSpan(reg: RegisterConfig): number {
  return reg.type === 'int32' || reg.type === 'uint32' || reg.type === 'float32' ? 2 : 1;
}

export function isBitTable(table: RegisterConfig['table']): table is 'coil' | 'discrete' {
  return table === 'coil' || table === 'discrete';
}

/** Decodes the point at `offset` of a block of 16-bit words read from a register table. */
export function decodeRegisters(words: readonly number[], offset: number, reg: RegisterConfig): number | boolean {
  const word = (i: number): number => {
    const w = words[offset + i];
    if (w === undefined) throw new RangeError(`register ${reg.address + i} missing from the reply`);
    return w & 0xffff;
  };
  switch (reg.type) {
    case 'uint16':
      return word(0);
    case 'int16':
      return (word(0) << 16) >> 16;
    case 'bool':
      return ((word(0) >> (reg.bit ?? 0)) & 1) === 1;
    case 'int32':
    case 'uint32':
    case 'float32': {
      const [hi, lo] = reg.wordOrder === 'little' ? [word(1), word(0)] : [word(0), word(1)];
      const b = Buffer.alloc(4);
      b.writeUInt16BE(hi, 0);
      b.writeUInt16BE(lo, 2);
      if (reg.type === 'int32') return b.readInt32BE(0);
      if (reg.type === 'uint32') return b.readUInt32BE(0);
      // A float32 carries about 7 significant digits; more are artefacts of widening to double
      // (12.5 mg/m3 would read 12.4999990463).
      const f = b.readFloatBE(0);
      return roundSignificant(f, 7);
    }
  }
}

/** Decodes the point at `offset` of a block of bits read from a coil or discrete table. */
export function decodeBit(bits: readonly boolean[], offset: number, reg: RegisterConfig): boolean {
  const b = bits[offset];
  if (b === undefined) throw new RangeError(`${reg.table} ${reg.address} missing from the reply`);
  return b;
}

/**
 * Engineering value: raw × scale + offset. Rounded to 12 significant digits so that 653 × 0.1
 * reads 65.3, not 65.30000000000001, in alarms, the page and the uplink.
 */
export function engineeringValue(raw: number, point: Pick<PointConfig, 'scale' | 'offset'>): number {
  return roundSignificant(raw * point.scale + point.offset, 12);
}
