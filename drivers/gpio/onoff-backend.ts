/**
 * GPIO through onoff (sysfs). Edges come from epoll interrupts; the time of an edge is read
 * from the clock inside the interrupt callback, before anything else runs.
 */
import { createRequire } from 'node:module';
import type { Clock } from '../clock.js';
import type { Logger } from 'pino';
import type { EdgeListener, GpioBackend, GpioInputLine, GpioOutputLine, InputOptions, OutputOptions } from './backend.js';

type OnoffModule = typeof import('onoff');
type OnoffGpio = InstanceType<OnoffModule['Gpio']>;

/** onoff's native epoll addon may fail to load on a laptop: load it only when asked for. */
export function loadOnoff(): OnoffModule | undefined {
  try {
    return createRequire(import.meta.url)('onoff') as OnoffModule;
  } catch {
    return undefined;
  }
}

export class OnoffGpioBackend implements GpioBackend {
  readonly name = 'onoff';
  private readonly lines: OnoffGpio[] = [];

  constructor(
    private readonly onoff: OnoffModule,
    /** sysfs number of BCM line 0 (see chip.ts) */
    private readonly base: number,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  input(line: number, opts: InputOptions, onEdge: EdgeListener): GpioInputLine {
    const gpio = new this.onoff.Gpio(this.base + line, 'in', 'both', { activeLow: opts.activeLow, debounceTimeout: opts.debounceMs });
    this.lines.push(gpio);
    let last = gpio.readSync() === 1;
    gpio.watch((err, value) => {
      const t = this.clock.now();
      if (err) {
        this.log.error({ line, err }, 'gpio interrupt failed');
        return;
      }
      const v = value === 1;
      if (v === last) return;
      last = v;
      onEdge(v, t);
    });
    return { read: () => gpio.readSync() === 1, close: () => gpio.unexport() };
  }

  output(line: number, opts: OutputOptions): GpioOutputLine {
    // 'high'/'low' as direction sets the level atomically with the direction: no glitch on start.
    const gpio = new this.onoff.Gpio(this.base + line, opts.initial ? 'high' : 'low', 'none', { activeLow: opts.activeLow });
    this.lines.push(gpio);
    return {
      write: (v) => gpio.writeSync(v ? 1 : 0),
      read: () => gpio.readSync() === 1,
      close: () => gpio.unexport(),
    };
  }

  async close(): Promise<void> {
    for (const g of this.lines.splice(0)) {
      try {
        g.unexport();
      } catch (err) {
        this.log.warn({ err }, 'gpio unexport failed');
      }
    }
  }
}
