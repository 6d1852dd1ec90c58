/**
 * `firebreak read --port P --unit N --table holding --address A [--count C] [--type float32]`:
 * one read, printed as the site file would decode it, to check a device before it goes in.
 */
import { parseArgs } from 'node:util';
import { REGISTER_TYPES, type RegisterConfig } from '../config/schema.js';
import { decodeBit, decodeRegisters, registerSpan } from '../acquisition/decode.js';
import type { PortFactory } from '../../drivers/modbus/port-factory.js';
import { EX_UNAVAILABLE, EX_USAGE } from '../core/exit-codes.js';
import { COMMANDS } from './commands.js';
import { explain, intOption, lineBus, lineName, openLine, PortError, UsageError } from './field-options.js';

export interface FieldIo {
  out: (line: string) => void;
  err: (line: string) => void;
  openPort?: PortFactory;
}

export function registerOptions(v: { table?: string; address?: string; type?: string; 'word-order'?: string }, tables: readonly string[]): RegisterConfig {
  const table = v.table ?? 'holding';
  if (!tables.includes(table)) throw new UsageError(`--table must be one of ${tables.join(', ')} (got ${table})`);
  const bitTable = table === 'coil' || table === 'discrete';
  const type = (v.type ?? (bitTable ? 'bool' : 'uint16')) as RegisterConfig['type'];
  if (!(REGISTER_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${REGISTER_TYPES.join(', ')} (got ${type})`);
  if (bitTable && type !== 'bool') throw new UsageError(`--type must be bool for table ${table}`);
  if (!bitTable && type === 'bool') throw new UsageError('--type bool is for coil and discrete tables; read the register as uint16');
  const wordOrder = v['word-order'] ?? 'big';
  if (wordOrder !== 'big' && wordOrder !== 'little') throw new UsageError(`--word-order must be big or little (got ${wordOrder})`);
  return { table: table as RegisterConfig['table'], address: intOption('address', v.address, 0, 65535), type, wordOrder };
}

export async function readCommand(args: string[], io: FieldIo): Promise<number> {
  let master;
  try {
    const { values } = parseArgs({ args, options: COMMANDS.read.flags });
    const bus = lineBus(values);
    const unit = intOption('unit', values.unit, 1, 247);
    const reg = registerOptions(values, ['holding', 'input', 'coil', 'discrete']);
    const count = intOption('count', values.count, 1, 125, 1);
    const span = registerSpan(reg);
    if (span * count > 125) throw new UsageError(`--count ${count} of ${reg.type} is more than 125 registers`);
    master = await openLine(bus, io.openPort);
    try {
      if (reg.table === 'coil' || reg.table === 'discrete') {
        const bits = await master.readBits(unit, reg.table, reg.address, count);
        for (let i = 0; i < count; i++) io.out(`${reg.table} ${reg.address + i}: ${decodeBit(bits, i, reg) ? 1 : 0}`);
      } else {
        const words = await master.readRegisters(unit, reg.table, reg.address, span * count);
        for (let i = 0; i < count; i++) {
          const at = reg.address + i * span;
          const raw = words.slice(i * span, (i + 1) * span).map((w) => `0x${w.toString(16).padStart(4, '0')}`).join(' ');
          io.out(`${reg.table} ${at}: ${decodeRegisters(words, i * span, reg)} (${reg.type}${span > 1 ? `, ${reg.wordOrder} word order` : ''}; ${raw})`);
        }
      }
      return 0;
    } catch (err) {
      io.err(`firebreak read: ${explain(err, bus, unit)}`);
      return 1;
    } finally {
      io.err(`(unit ${unit} on ${bus.port} at ${lineName(bus)})`);
    }
  } catch (err) {
    return fail('read', err, io);
  } finally {
    await master?.stop();
  }
}

export function fail(command: string, err: unknown, io: Pick<FieldIo, 'err'>): number {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`firebreak ${command}: ${(err as Error).message}`);
    return EX_USAGE;
  }
  if (err instanceof PortError) {
    io.err(`firebreak ${command}: ${err.message}`);
    return EX_UNAVAILABLE;
  }
  throw err;
}
