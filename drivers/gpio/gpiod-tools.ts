/**
 * The command lines of Debian's libgpiod tools (package gpiod), for kernels without sysfs GPIO.
 * Their syntax changed between libgpiod v1 (Debian 12: chip as first positional, `--mode=signal`)
 * and v2 (Debian 13: `-c CHIP`, lines hold until killed, `%e` 1 rising / 2 falling, realtime event
 * clock on request). Pure functions, so both syntaxes are tested without hardware.
 */

export type GpiodMajor = 1 | 2;

/** `gpiomon (libgpiod) v1.6.3` → 1; `gpiomon (libgpiod) v2.1.3` → 2. */
export function parseGpiodVersion(text: string): GpiodMajor | undefined {
  const m = /libgpiod\)?\s+v?(\d+)\./.exec(text) ?? /\bv(\d+)\.\d+/.exec(text);
  const major = m ? Number(m[1]) : NaN;
  return major === 1 ? 1 : major >= 2 ? 2 : undefined;
}

export interface DetectedChip {
  name: string;
  label: string;
  lines: number;
}

/** `gpiochip0 [pinctrl-bcm2711] (58 lines)` per chip; the same in v1 and v2. */
export function parseGpiodetect(text: string): DetectedChip[] {
  const chips: DetectedChip[] = [];
  for (const m of text.matchAll(/^(gpiochip\d+)\s+\[([^\]]*)\]\s+\((\d+) lines?\)/gm)) chips.push({ name: m[1]!, label: m[2]!, lines: Number(m[3]) });
  return chips;
}

/** Labels of the chip that carries the Pi's 40-pin header lines, best first (cf. chip.ts). */
const HEADER_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2712', 'pinctrl-bcm2711', 'pinctrl-bcm2835', 'raspberrypi-gpio'];

export function headerChip(chips: DetectedChip[]): DetectedChip | undefined {
  for (const label of HEADER_LABELS) {
    const c = chips.find((x) => x.label === label);
    if (c) return c;
  }
  return chips.length === 1 ? chips[0] : undefined;
}

/**
 * gpiomon for `lines`, one event per output line as `OFFSET EDGE TIME`. v1 prints seconds and
 * nanoseconds apart (its %n is not zero-padded) on the monotonic clock; v2 prints seconds.nanos
 * and is asked for the realtime clock.
 */
export function gpiomonArgs(major: GpiodMajor, chip: string, lines: number[]): string[] {
  const offsets = lines.map(String);
  return major === 1 ? ['--format=%o %e %s %n', chip, ...offsets] : ['--chip', chip, '--event-clock', 'realtime', '--format', '%o %e %S', ...offsets];
}

export interface GpiomonEvent {
  line: number;
  rising: boolean;
  /** the kernel's timestamp, ms (monotonic for v1 on kernels >= 5.7, realtime for v2 as asked) */
  ms: number;
}

export function parseGpiomonLine(major: GpiodMajor, text: string): GpiomonEvent | undefined {
  const parts = text.trim().split(/\s+/);
  const line = Number(parts[0]);
  const edge = parts[1];
  if (!Number.isInteger(line) || (edge !== '0' && edge !== '1' && edge !== '2')) return undefined;
  let ms: number;
  if (major === 1) {
    const s = Number(parts[2]);
    const ns = Number(parts[3]);
    if (!Number.isFinite(s) || !Number.isFinite(ns)) return undefined;
    ms = s * 1000 + ns / 1e6;
  } else {
    const s = Number(parts[2]);
    if (!Number.isFinite(s)) return undefined;
    ms = s * 1000;
  }
  return { line, rising: edge === '1', ms };
}

/** gpioget printing one 0/1 per line, in order. */
export function gpiogetArgs(major: GpiodMajor, chip: string, lines: number[]): string[] {
  const offsets = lines.map(String);
  return major === 1 ? [chip, ...offsets] : ['--numeric', '--chip', chip, ...offsets];
}

export function parseGpioget(text: string, count: number): boolean[] | undefined {
  const values = text.trim().split(/\s+/);
  if (values.length !== count || values.some((v) => v !== '0' && v !== '1')) return undefined;
  return values.map((v) => v === '1');
}

/** gpioset holding `line` at `high` until it is signalled (v1 needs --mode=signal; v2 holds by default). */
export function gpiosetArgs(major: GpiodMajor, chip: string, line: number, high: boolean): string[] {
  const assignment = `${line}=${high ? 1 : 0}`;
  return major === 1 ? ['--mode=signal', chip, assignment] : ['--chip', chip, assignment];
}
