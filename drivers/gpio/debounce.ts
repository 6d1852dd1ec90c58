/**
 * Debounce of one contact, shared by every input backend that sees raw edges itself (libgpiod
 * tools, the simulator): a change is reported once the line has held its new level for
 * `debounceMs`, stamped with the time of the first edge of the bouncing transition (the
 * interrupt time), after active-low is applied.
 */
import type { Clock, Timer } from '../clock.js';
import type { EdgeListener, InputOptions } from './backend.js';

export class ContactDebouncer {
  /** electrical level on the wire */
  private raw: boolean;
  /** logical level reported after debounce */
  reported: boolean;
  private edgeAt = 0;
  private settle?: Timer;

  constructor(
    private readonly opts: InputOptions,
    private readonly listener: EdgeListener,
    private readonly clock: Clock,
    initialHigh: boolean,
  ) {
    this.raw = initialHigh;
    this.reported = initialHigh !== opts.activeLow;
  }

  /** The wire went to `high` at `t` (ms since epoch). */
  edge(high: boolean, t: number): void {
    if (this.raw === high) return;
    if (!this.settle) this.edgeAt = t;
    this.raw = high;
    this.settle?.cancel();
    if (this.opts.debounceMs === 0) this.settled();
    else this.settle = this.clock.setTimeout(() => this.settled(), this.opts.debounceMs);
  }

  cancel(): void {
    this.settle?.cancel();
    this.settle = undefined;
  }

  private settled(): void {
    this.settle = undefined;
    const logical = this.raw !== this.opts.activeLow;
    if (logical === this.reported) return;
    this.reported = logical;
    this.listener(logical, this.edgeAt);
  }
}
