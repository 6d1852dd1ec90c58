/**
 * `firebreak gpio watch [--config site.yaml] [--lines 5,6,17] [--backend auto|onoff|gpiod|sim]`:
 * for wiring contacts. Prints every input's state, then each debounced change with its edge
 * time and the input's name from the site file, until Ctrl-C. Where GPIO cannot be opened it
 * says what to fix (group gpio, sysfs or the gpiod tools) and exits 69.
 */
import { parseArgs } from 'node:util';
import type { GpioInputConfig } from '../config/schema.js';
import { SystemClock, type Clock } from '../core/clock.js';
import { createLogger } from '../core/log.js';
import type { GpioBackend, GpioInputLine } from '../../drivers/gpio/backend.js';
import { selectGpioBackend } from '../../drivers/gpio/select.js';
import { EX_CONFIG, EX_UNAVAILABLE } from '../core/exit-codes.js';
import { COMMANDS } from './commands.js';
import { UsageError } from './field-options.js';
import { fail } from './field-read.js';
import { loadOrExplain } from './run.js';

export interface GpioWatchIo {
  out: (line: string) => void;
  err: (line: string) => void;
  clock?: Clock;
  /** a backend from outside (tests); otherwise chosen like the agent chooses it */
  backend?: GpioBackend;
  /** resolves when watching should stop (SIGINT) */
  until: Promise<void>;
}

interface Watched {
  line: number;
  name: string;
  activeLow: boolean;
  debounceMs: number;
}

export async function gpioWatchCommand(args: string[], io: GpioWatchIo): Promise<number> {
  const clock = io.clock ?? new SystemClock();
  let backend: GpioBackend | undefined;
  const opened: GpioInputLine[] = [];
  try {
    const { values } = parseArgs({ args, options: COMMANDS.gpio.flags });
    let inputs: GpioInputConfig[] = [];
    let backendName = values.backend ?? 'auto';
    let chipBase: number | undefined;
    let chip: string | undefined;
    if (values.config) {
      const config = await loadOrExplain(values.config, io.err);
      if (!config) return EX_CONFIG;
      inputs = config.gpio?.inputs ?? [];
      backendName = values.backend ?? config.gpio?.backend ?? 'auto';
      chipBase = config.gpio?.chipBase;
      chip = config.gpio?.chip;
    }
    if (!['auto', 'onoff', 'gpiod', 'sim'].includes(backendName)) throw new UsageError(`--backend must be auto, onoff, gpiod or sim (got ${backendName})`);
    const debounce = values.debounce === undefined ? undefined : Number(values.debounce);
    if (debounce !== undefined && (!Number.isInteger(debounce) || debounce < 0 || debounce > 10_000)) throw new UsageError(`--debounce must be 0..10000 ms (got ${values.debounce})`);
    const watched = chooseLines(inputs, values.lines, debounce);
    if (watched.length === 0) throw new UsageError('nothing to watch: give --lines 5,6,17 or a --config whose gpio has inputs');

    if (io.backend) backend = io.backend;
    else {
      const choice = selectGpioBackend({ backend: backendName as 'auto', simulate: false, chipBase, chip, clock, log: createLogger('warn') });
      if (!choice.ok) {
        io.err(`firebreak gpio watch: ${choice.error}`);
        return EX_UNAVAILABLE;
      }
      backend = choice.backend;
    }
    io.out(`watching ${watched.length} input(s) through ${backend.name}; Ctrl-C to stop`);
    for (const w of watched) {
      const line = backend.input(w.line, { activeLow: w.activeLow, debounceMs: w.debounceMs }, (active, t) =>
        io.out(`${timeOfDay(t)}  line ${String(w.line).padStart(2)}  ${w.name}  ${active ? 'ACTIVE (closed)' : 'inactive (open)'}`),
      );
      opened.push(line);
      io.out(`${timeOfDay(clock.now())}  line ${String(w.line).padStart(2)}  ${w.name}  now ${line.read() ? 'ACTIVE (closed)' : 'inactive (open)'}${w.activeLow ? ', active-low' : ''}`);
    }
    await io.until;
    return 0;
  } catch (err) {
    if (err instanceof Error && !(err instanceof UsageError) && !(err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`firebreak gpio watch: ${err.message} (is the line used by another program, or the user not in group gpio?)`);
      return EX_UNAVAILABLE;
    }
    return fail('gpio watch', err, io);
  } finally {
    for (const l of opened) l.close();
    await backend?.close();
  }
}

/** The site file's inputs, narrowed to --lines; a listed line the file does not name is watched as is. */
export function chooseLines(inputs: GpioInputConfig[], lines: string | undefined, debounce: number | undefined): Watched[] {
  const fromConfig = (i: GpioInputConfig): Watched => ({ line: i.line, name: i.name ? `${i.id} ${i.name}` : i.id, activeLow: i.activeLow, debounceMs: debounce ?? i.debounceMs });
  if (lines === undefined) return inputs.map(fromConfig);
  return lines.split(',').map((text) => {
    const line = Number(text.trim());
    if (!Number.isInteger(line) || line < 0 || line > 511) throw new UsageError(`--lines must be BCM line numbers 0..511, like 5,6,17 (got ${text})`);
    const known = inputs.find((i) => i.line === line);
    return known ? fromConfig(known) : { line, name: `line ${line}`, activeLow: false, debounceMs: debounce ?? 20 };
  });
}

/** Local time of day with ms: what an installer compares with the contact they just closed. */
function timeOfDay(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
