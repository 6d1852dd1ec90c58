/**
 * Permit relays and the beacon. Each output is written to its declared safe state when it is
 * opened, before anything else runs, and again on every shutdown path. Permits are
 * energise-to-run (docs/DOMAIN.md, "The safety boundary"): if the agent dies the relay drops and the machine may not start.
 *
 * A write that fails (the GPIO line refused it: EIO, EBUSY, a vanished chip) is a fault of that
 * output: the output keeps the level last written for sure (a permit the gateway could not switch
 * off is still on as far as anyone knows), the fault is reported at once (a high alarm, the
 * permits board, an event) and the write is retried every second until it lands or the rule no
 * longer wants it.
 */
import type { GpioOutputConfig } from '../config/schema.js';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { SampleSink } from '../core/types.js';
import type { GpioBackend, GpioOutputLine } from '../../drivers/gpio/backend.js';

/** How often a failed write is tried again. */
export const OUTPUT_RETRY_MS = 1000;

export interface OutputFault {
  /** what the line said, e.g. `EIO: i/o error, write` */
  reason: string;
  since: number;
  /** the level the rule wants and could not get */
  wanted: boolean;
  attempts: number;
}

/** Called when an output's fault begins (with it) and ends (undefined). */
export type OutputFaultListener = (id: string, fault: OutputFault | undefined) => void;

interface Output {
  cfg: GpioOutputConfig;
  line: GpioOutputLine;
  /** the level last written for sure */
  on: boolean;
  wanted: boolean;
  fault?: OutputFault;
  retry?: Timer;
  /** the fault as last told to the listener, and the timer that will tell the next */
  told?: OutputFault;
  tell?: Timer;
}

export interface OutputView {
  id: string;
  name?: string;
  on: boolean;
  fault?: { reason: string; since: number; wanted: boolean };
}

export class Outputs {
  private readonly lines = new Map<string, Output>();

  constructor(
    private readonly backend: GpioBackend,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onSample: SampleSink,
    private readonly onFault: OutputFaultListener = () => {},
  ) {}

  /** Open every output at its safe state. Call first at start-up. */
  open(configs: GpioOutputConfig[]): void {
    for (const cfg of configs) {
      const safe = cfg.safeState === 'on';
      const line = this.backend.output(cfg.line, { activeLow: cfg.activeLow, initial: safe });
      this.lines.set(cfg.id, { cfg, line, on: safe, wanted: safe });
      this.onSample({ p: cfg.id, t: this.clock.now(), v: safe, q: 'good' });
    }
  }

  /** Write an output. Synchronous: the interlock path never waits. */
  set(id: string, on: boolean): void {
    const out = this.lines.get(id);
    if (!out) return;
    out.wanted = on;
    if (out.on === on) {
      // the relay is already where the rule wants it: whatever failed before no longer matters
      if (out.fault) this.clearFault(id, out);
      return;
    }
    this.write(id, out);
  }

  isOn(id: string): boolean {
    return this.lines.get(id)?.on ?? false;
  }

  fault(id: string): OutputFault | undefined {
    return this.lines.get(id)?.fault;
  }

  list(): OutputView[] {
    return [...this.lines.values()].map((o) => ({
      id: o.cfg.id,
      name: o.cfg.name,
      on: o.on,
      ...(o.fault ? { fault: { reason: o.fault.reason, since: o.fault.since, wanted: o.fault.wanted } } : {}),
    }));
  }

  /** Every output to its safe state, each in its own try: one failure must not keep a relay on. */
  safeState(): void {
    for (const [id, out] of this.lines) {
      out.wanted = out.cfg.safeState === 'on';
      try {
        out.line.write(out.wanted);
        out.on = out.wanted;
      } catch (err) {
        this.log.error({ output: id, err }, 'could not write safe state');
      }
    }
  }

  close(): void {
    this.safeState();
    for (const out of this.lines.values()) {
      out.retry?.cancel();
      out.tell?.cancel();
      try {
        out.line.close();
      } catch (err) {
        this.log.warn({ err }, 'output release failed');
      }
    }
    this.lines.clear();
  }

  private write(id: string, out: Output): void {
    try {
      out.line.write(out.wanted);
    } catch (err) {
      this.failed(id, out, err);
      return;
    }
    out.on = out.wanted;
    this.onSample({ p: id, t: this.clock.now(), v: out.on, q: 'good' });
    if (out.fault) this.clearFault(id, out);
  }

  private failed(id: string, out: Output, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    const first = !out.fault || out.fault.wanted !== out.wanted;
    if (first) {
      out.fault = { reason, since: this.clock.now(), wanted: out.wanted, attempts: 1 };
      this.log.error({ output: id, wanted: out.wanted, err }, 'output write failed: retrying every second');
    } else {
      out.fault!.attempts++;
      out.fault!.reason = reason;
    }
    out.retry ??= this.clock.setTimeout(() => {
      out.retry = undefined;
      if (this.lines.get(id) === out && out.on !== out.wanted) this.write(id, out);
    }, OUTPUT_RETRY_MS);
    if (first) this.tell(id, out);
  }

  /**
   * Tell the listener on the next turn, not inside the write: the write is the first thing a
   * trip does, so told at once the output's alarm would lead the flood and be marked first-out
   * instead of the trip that caused it (seen on the panel: "首出：…输出写入失败" for a fan stop).
   */
  private tell(id: string, out: Output): void {
    out.tell ??= this.clock.setTimeout(() => {
      out.tell = undefined;
      if (this.lines.get(id) !== out || out.told === out.fault) return;
      out.told = out.fault;
      this.onFault(id, out.fault);
    }, 0);
  }

  private clearFault(id: string, out: Output): void {
    this.log.info({ output: id, attempts: out.fault?.attempts, on: out.on }, 'output written again');
    out.fault = undefined;
    out.retry?.cancel();
    out.retry = undefined;
    this.tell(id, out);
  }
}
