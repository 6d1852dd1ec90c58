/**
 * Permit relays and the beacon. Each output is written to its declared safe state when it is
 * opened, before anything else runs, and again on every shutdown path. Permits are
 * energise-to-run (docs/DOMAIN.md, "The safety boundary"): if the agent dies the relay drops and the machine may not start.
 */
import type { GpioOutputConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { SampleSink } from '../core/types.js';
import type { GpioBackend, GpioOutputLine } from '../../drivers/gpio/backend.js';

export class Outputs {
  private readonly lines = new Map<string, { cfg: GpioOutputConfig; line: GpioOutputLine; on: boolean }>();

  constructor(
    private readonly backend: GpioBackend,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onSample: SampleSink,
  ) {}

  /** Open every output at its safe state. Call first at start-up. */
  open(configs: GpioOutputConfig[]): void {
    for (const cfg of configs) {
      const safe = cfg.safeState === 'on';
      const line = this.backend.output(cfg.line, { activeLow: cfg.activeLow, initial: safe });
      this.lines.set(cfg.id, { cfg, line, on: safe });
      this.onSample({ p: cfg.id, t: this.clock.now(), v: safe, q: 'good' });
    }
  }

  /** Write an output. Synchronous: the interlock path never waits. */
  set(id: string, on: boolean): void {
    const out = this.lines.get(id);
    if (!out || out.on === on) return;
    try {
      out.line.write(on);
      out.on = on;
      this.onSample({ p: id, t: this.clock.now(), v: on, q: 'good' });
    } catch (err) {
      this.log.error({ output: id, err }, 'output write failed');
    }
  }

  isOn(id: string): boolean {
    return this.lines.get(id)?.on ?? false;
  }

  list(): { id: string; name?: string; on: boolean }[] {
    return [...this.lines.values()].map((o) => ({ id: o.cfg.id, name: o.cfg.name, on: o.on }));
  }

  /** Every output to its safe state, each in its own try: one failure must not keep a relay on. */
  safeState(): void {
    for (const [id, out] of this.lines) {
      try {
        out.line.write(out.cfg.safeState === 'on');
        out.on = out.cfg.safeState === 'on';
      } catch (err) {
        this.log.error({ output: id, err }, 'could not write safe state');
      }
    }
  }

  close(): void {
    this.safeState();
    for (const out of this.lines.values()) {
      try {
        out.line.close();
      } catch (err) {
        this.log.warn({ err }, 'output release failed');
      }
    }
    this.lines.clear();
  }
}
