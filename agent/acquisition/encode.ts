/**
 * Engineering-side values into register words, the inverse of decode.ts for the types the site
 * file knows. Used by `firebreak write`; the agent itself never writes to field devices.
 */
import type { RegisterConfig } from '../config/schema.js';

export function encodeRegisters(value: number, type: RegisterConfig['type'], wordOrder: RegisterConfig['wordOrder'] = 'big'): number[] {
  const b = Buffer.alloc(4);
  switch (type) {
    case 'uint16':
      if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${value} is not a uint16 (0..65535)`);
      return [value];
    case 'int16':
      if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff) throw new RangeError(`${value} is not an int16 (-32768..32767)`);
      return [value & 0xffff];
    case 'bool':
      throw new RangeError('a bool inside a register is written as the whole register (use --type uint16)');
    case 'int32':
      if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`${value} is not an int32`);
      b.writeInt32BE(value);
      break;
    case 'uint32':
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${value} is not a uint32`);
      b.writeUInt32BE(value);
      break;
    case 'float32':
      if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
      b.writeFloatBE(value);
      break;
  }
  const hi = b.readUInt16BE(0);
  const lo = b.readUInt16BE(2);
  return wordOrder === 'little' ? [lo, hi] : [hi, lo];
}
