import { describe, expect, it } from 'vitest';
import type { RegisterConfig } from '../../agent/config/schema.js';
import { decodeBit, decodeRegisters, engineeringValue } from '../../agent/acquisition/decode.js';

const reg = (over: Partial<RegisterConfig>): RegisterConfig => ({ table: 'holding', address: 0, type: 'uint16', wordOrder: 'big', ...over });

describe('decoding register words into plant values', () => {
  it('reads a differential pressure of 650 Pa as uint16 and a frozen hopper at -5.5 °C as int16', () => {
    expect(decodeRegisters([650], 0, reg({ type: 'uint16' }))).toBe(650);
    expect(decodeRegisters([0xffc9], 0, reg({ type: 'int16' }))).toBe(-55);
    expect(engineeringValue(-55, { scale: 0.1, offset: 0 })).toBe(-5.5);
    expect(decodeRegisters([0xffc9], 0, reg({ type: 'uint16' }))).toBe(0xffc9);
  });

  it('reads 32-bit integers in both word orders', () => {
    // 100000 = 0x0001_86A0; -2 = 0xFFFF_FFFE
    expect(decodeRegisters([0x0001, 0x86a0], 0, reg({ type: 'uint32', wordOrder: 'big' }))).toBe(100000);
    expect(decodeRegisters([0x86a0, 0x0001], 0, reg({ type: 'uint32', wordOrder: 'little' }))).toBe(100000);
    expect(decodeRegisters([0xffff, 0xfffe], 0, reg({ type: 'int32', wordOrder: 'big' }))).toBe(-2);
    expect(decodeRegisters([0xfffe, 0xffff], 0, reg({ type: 'int32', wordOrder: 'little' }))).toBe(-2);
    expect(decodeRegisters([0xffff, 0xfffe], 0, reg({ type: 'uint32', wordOrder: 'big' }))).toBe(0xfffffffe);
  });

  it('reads a dust concentration of 12.5 mg/m³ as float32 in both word orders, at an offset in the block', () => {
    // 12.5f = 0x4148_0000
    expect(decodeRegisters([7, 0x4148, 0x0000], 1, reg({ type: 'float32', wordOrder: 'big' }))).toBe(12.5);
    expect(decodeRegisters([7, 0x0000, 0x4148], 1, reg({ type: 'float32', wordOrder: 'little' }))).toBe(12.5);
    // -0.15625f = 0xBE20_0000
    expect(decodeRegisters([0xbe20, 0x0000], 0, reg({ type: 'float32' }))).toBe(-0.15625);
  });

  it('reads a fan-running bit and a fault bit out of one status word', () => {
    const status = [0b1000_0000_0000_0100];
    expect(decodeRegisters(status, 0, reg({ type: 'bool', bit: 2 }))).toBe(true);
    expect(decodeRegisters(status, 0, reg({ type: 'bool', bit: 15 }))).toBe(true);
    expect(decodeRegisters(status, 0, reg({ type: 'bool', bit: 3 }))).toBe(false);
  });

  it('reads coils and discrete inputs by position in the block', () => {
    const bits = [false, true, false, true];
    expect(decodeBit(bits, 1, reg({ table: 'coil', type: 'bool' }))).toBe(true);
    expect(decodeBit(bits, 2, reg({ table: 'discrete', type: 'bool' }))).toBe(false);
  });

  it('refuses to invent a register the reply did not carry', () => {
    expect(() => decodeRegisters([0x4148], 0, reg({ type: 'float32' }))).toThrow(RangeError);
    expect(() => decodeBit([true], 3, reg({ table: 'coil', type: 'bool' }))).toThrow(RangeError);
  });

  it('applies scale and offset without floating-point dust', () => {
    expect(engineeringValue(653, { scale: 0.1, offset: 0 })).toBe(65.3);
    expect(engineeringValue(4000, { scale: 0.25, offset: -100 })).toBe(900);
  });
});
