/**
 * The GPIO twin: contacts driven from code (a test, the demo story) with real debounce on the
 * injected clock, and relays whose levels can be read back. Levels driven here are electrical
 * (true = line high); the backend applies active-low like the real one.
 */
import type { Clock } from '../clock.js';
import type { EdgeListener, GpioBackend, GpioInputLine, GpioOutputLine, InputOptions, OutputOptions } from '../gpio/backend.js';
import { ContactDebouncer } from '../gpio/debounce.js';

interface SimInput {
  opts: InputOptions;
  contact: ContactDebouncer;
  closed: boolean;
}

export class SimGpio implements GpioBackend {
  readonly name = 'sim';
  private readonly inputs = new Map<number, SimInput>();
  private readonly levels = new Map<number, boolean>();
  private readonly outputs = new Map<number, { activeLow: boolean; closed: boolean }>();
  /** output lines that refuse writes, with the error they throw (a failing output module) */
  private readonly refusing = new Map<number, string>();
  /** every output write, for tests that check what reached the relays */
  readonly writes: { line: number; value: boolean; t: number }[] = [];

  constructor(private readonly clock: Clock) {}

  input(line: number, opts: InputOptions, onEdge: EdgeListener): GpioInputLine {
    const raw = this.levels.get(line) ?? opts.activeLow; // pulled up when active-low, else down: contact open
    const input: SimInput = { opts, contact: new ContactDebouncer(opts, onEdge, this.clock, raw), closed: false };
    this.inputs.set(line, input);
    return {
      read: () => input.contact.reported,
      close: () => {
        input.closed = true;
        input.contact.cancel();
      },
    };
  }

  output(line: number, opts: OutputOptions): GpioOutputLine {
    const out = { activeLow: opts.activeLow, closed: false };
    this.outputs.set(line, out);
    const write = (value: boolean) => {
      if (out.closed) throw new Error(`gpio line ${line} is closed`);
      const refusal = this.refusing.get(line);
      if (refusal !== undefined) throw Object.assign(new Error(refusal), { code: refusal.split(':')[0] });
      this.levels.set(line, value !== opts.activeLow);
      this.writes.push({ line, value, t: this.clock.now() });
    };
    write(opts.initial);
    return {
      write,
      read: () => this.levels.get(line) !== opts.activeLow,
      close: () => (out.closed = true),
    };
  }

  async close(): Promise<void> {
    for (const i of this.inputs.values()) i.contact.cancel();
    this.inputs.clear();
  }

  /** Make an output line refuse every write with `error` (e.g. `EIO: i/o error, write`), or take writes again. */
  refuseWrites(line: number, error: string | undefined): void {
    if (error === undefined) this.refusing.delete(line);
    else this.refusing.set(line, error);
  }

  /** Set the contact at `line` to its logical level (true = closed / active). */
  set(line: number, active: boolean): void {
    const input = this.inputs.get(line);
    this.drive(line, input ? active !== input.opts.activeLow : active);
  }

  /** Drive the electrical level of an input line, as a contact on the wire would. */
  drive(line: number, high: boolean): void {
    this.levels.set(line, high);
    const input = this.inputs.get(line);
    if (!input || input.closed) return;
    input.contact.edge(high, this.clock.now());
  }

  /** A contact that chatters `bounces` times, 1 ms apart, before settling at `active`. */
  bounce(line: number, active: boolean, bounces: number): void {
    for (let i = 0; i < bounces; i++) {
      this.clock.setTimeout(() => this.set(line, i % 2 === 0 ? active : !active), i);
    }
    this.clock.setTimeout(() => this.set(line, active), bounces);
  }

  /** Logical level last written to an output line (true = relay energised). */
  outputLevel(line: number): boolean | undefined {
    const out = this.outputs.get(line);
    const level = this.levels.get(line);
    return out && level !== undefined ? level !== out.activeLow : undefined;
  }
}
