/**
 * `firebreak write --port P --unit N --table holding --address A --value V [--type float32] [--yes]`:
 * one write to a field device (a unit id, a range), then the register read back. On a terminal
 * it asks first; elsewhere it needs --yes, so a script cannot write by accident.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { encodeRegisters } from '../acquisition/encode.js';
import { decodeRegisters } from '../acquisition/decode.js';
import { EX_USAGE } from '../core/exit-codes.js';
import { explain, intOption, lineBus, lineName, openLine, UsageError } from './field-options.js';
import { COMMANDS } from './commands.js';
import { fail, registerOptions, type FieldIo } from './field-read.js';

export interface WriteIo extends FieldIo {
  /** ask a yes/no question; undefined when there is no terminal to ask on */
  confirm?: (question: string) => Promise<boolean>;
}

export function terminalConfirm(): WriteIo['confirm'] {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^(y|yes|是)$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  };
}

export async function writeCommand(args: string[], io: WriteIo): Promise<number> {
  let master;
  try {
    const { values } = parseArgs({ args, options: COMMANDS.write.flags });
    const bus = lineBus(values);
    const unit = intOption('unit', values.unit, 1, 247);
    const reg = registerOptions(values, ['holding', 'coil']);
    if (values.value === undefined) throw new UsageError('--value is required');
    let words: number[] | undefined;
    let on: boolean | undefined;
    if (reg.table === 'coil') {
      const v = values.value.toLowerCase();
      if (!['1', '0', 'on', 'off', 'true', 'false'].includes(v)) throw new UsageError(`--value for a coil must be on or off (got ${values.value})`);
      on = ['1', 'on', 'true'].includes(v);
    } else {
      const n = Number(values.value);
      if (values.value.trim() === '' || Number.isNaN(n)) throw new UsageError(`--value must be a number (got ${values.value})`);
      try {
        words = encodeRegisters(n, reg.type, reg.wordOrder);
      } catch (err) {
        throw new UsageError(`--value: ${(err as Error).message}`);
      }
    }
    const what = `${reg.table} ${reg.address} of unit ${unit} on ${bus.port} at ${lineName(bus)}`;
    const shown = on === undefined ? `${values.value} (${reg.type})` : on ? 'on' : 'off';
    if (!values.yes) {
      if (!io.confirm) {
        io.err(`firebreak write: not on a terminal; add --yes to write ${shown} to ${what}`);
        return EX_USAGE;
      }
      if (!(await io.confirm(`write ${shown} to ${what}?`))) {
        io.err('not written');
        return 1;
      }
    }
    master = await openLine(bus, io.openPort);
    try {
      if (on !== undefined) {
        await master.writeCoil(unit, reg.address, on);
        const back = await master.readBits(unit, 'coil', reg.address, 1);
        io.out(`wrote coil ${reg.address}: ${on ? 1 : 0}; reads back ${back[0] ? 1 : 0}`);
      } else {
        // FC6 for one register; FC16 for the two words of a 32-bit value (never half of one).
        if (words!.length === 1) await master.writeRegister(unit, reg.address, words![0]!);
        else await master.writeRegisters(unit, reg.address, words!);
        const back = await master.readRegisters(unit, 'holding', reg.address, words!.length);
        io.out(`wrote holding ${reg.address}: ${values.value} (${reg.type}); reads back ${decodeRegisters(back, 0, reg)}`);
      }
      return 0;
    } catch (err) {
      io.err(`firebreak write: ${explain(err, bus, unit)}`);
      return 1;
    }
  } catch (err) {
    return fail('write', err, io);
  } finally {
    await master?.stop();
  }
}
