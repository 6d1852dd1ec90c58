/**
 * Dry contacts on GPIO (spark, fault, fan and valve run feedback, lockout) become samples.
 * The sample's time is the edge time taken at the interrupt, not when we got round to it.
 */
import type { GpioInputConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { SampleSink } from '../core/types.js';
import type { GpioBackend, GpioInputLine } from '../../drivers/gpio/backend.js';

export class ContactInputs {
  private readonly lines: GpioInputLine[] = [];

  constructor(
    private readonly backend: GpioBackend,
    private readonly clock: Clock,
    private readonly onSample: SampleSink,
  ) {}

  open(configs: GpioInputConfig[]): void {
    for (const cfg of configs) {
      const line = this.backend.input(cfg.line, { activeLow: cfg.activeLow, debounceMs: cfg.debounceMs }, (v, t) =>
        this.onSample({ p: cfg.id, t, v, q: 'good' }),
      );
      this.lines.push(line);
      this.onSample({ p: cfg.id, t: this.clock.now(), v: line.read(), q: 'good' });
    }
  }

  close(): void {
    for (const l of this.lines.splice(0)) l.close();
  }
}
