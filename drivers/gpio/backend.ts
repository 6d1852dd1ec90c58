/**
 * GPIO behind one small interface: onoff (sysfs) on a gateway, the simulator elsewhere.
 * Lines are BCM numbers; the backend maps them to its chip. Levels here are logical
 * (true = contact closed / relay energised) after active-low is applied.
 */
export interface InputOptions {
  activeLow: boolean;
  debounceMs: number;
}

export interface OutputOptions {
  activeLow: boolean;
  /** logical level written before anything else */
  initial: boolean;
}

/** `t` is the time of the edge taken at the interrupt (ms since epoch). */
export type EdgeListener = (value: boolean, t: number) => void;

export interface GpioInputLine {
  read(): boolean;
  close(): void;
}

export interface GpioOutputLine {
  write(value: boolean): void;
  read(): boolean;
  close(): void;
}

export interface GpioBackend {
  readonly name: string;
  input(line: number, opts: InputOptions, onEdge: EdgeListener): GpioInputLine;
  output(line: number, opts: OutputOptions): GpioOutputLine;
  close(): Promise<void>;
}
