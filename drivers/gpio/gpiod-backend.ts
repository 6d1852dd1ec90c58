/**
 * GPIO through the character device (/dev/gpiochipN) with Debian's libgpiod tools, for kernels
 * built without sysfs GPIO, where onoff cannot work. One `gpiomon` per input line streams edges
 * with the kernel's timestamps; one `gpioset` per output holds its line and is restarted to
 * change the level (v1 has no other way to keep a line). Debounce runs here, on the injected
 * clock, the same way as in the simulator: the edge time is the first edge of a bounce.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Clock, Timer } from '../clock.js';
import type { Logger } from 'pino';
import type { EdgeListener, GpioBackend, GpioInputLine, GpioOutputLine, InputOptions, OutputOptions } from './backend.js';
import { gpiogetArgs, gpiomonArgs, gpiosetArgs, headerChip, parseGpiodetect, parseGpiodVersion, parseGpioget, parseGpiomonLine, type GpiodMajor } from './gpiod-tools.js';
import { ContactDebouncer } from './debounce.js';

export interface GpiodOptions {
  major: GpiodMajor;
  chip: string;
  clock: Clock;
  log: Logger;
  /** environment for the tools (tests put fake ones first on PATH) */
  env?: NodeJS.ProcessEnv;
  /** CLOCK_MONOTONIC in ms, to place v1's monotonic event timestamps on the wall clock */
  monotonicMs?: () => number;
  /** wait before restarting a gpiomon that exited (default 1 s) */
  restartMs?: number;
}

const DAY_MS = 86_400_000;

/** /dev/gpiochip* present: the character device exists even where sysfs GPIO was left out. */
export function hasGpioCharDev(devRoot = '/dev'): boolean {
  try {
    return readdirSync(devRoot).some((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return false;
  }
}

export type GpiodProbe = { ok: true; major: GpiodMajor; chip: string } | { ok: false; error: string };

/** Finds the tools, their syntax and the header chip; says what to install or set otherwise. */
export function probeGpiod(opts: { env?: NodeJS.ProcessEnv; chip?: string } = {}): GpiodProbe {
  const run = (tool: string, args: string[]) => {
    const r = spawnSync(tool, args, { env: opts.env ?? process.env, encoding: 'utf8', timeout: 5000 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${tool} exited ${r.status}: ${(r.stderr ?? '').trim()}`);
    return `${r.stdout}${r.stderr}`;
  };
  let version: string;
  try {
    version = run('gpiomon', ['--version']);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, error: missing ? 'gpiomon not found: apt-get install gpiod' : `gpiomon --version failed: ${(err as Error).message}` };
  }
  const major = parseGpiodVersion(version);
  if (!major) return { ok: false, error: `cannot tell the libgpiod version from "${version.trim()}"` };
  if (opts.chip) return { ok: true, major, chip: opts.chip };
  let chips;
  try {
    chips = parseGpiodetect(run('gpiodetect', []));
  } catch (err) {
    return { ok: false, error: `gpiodetect failed (is the service user in group gpio?): ${(err as Error).message}` };
  }
  const chip = headerChip(chips);
  if (!chip) return { ok: false, error: `no Raspberry Pi header chip among ${chips.map((c) => `${c.name} [${c.label}]`).join(', ') || 'no chips'}; set gpio.chip in the site file` };
  return { ok: true, major, chip: chip.name };
}

interface Monitor {
  line: number;
  opts: InputOptions;
  contact: ContactDebouncer;
  child?: ChildProcess;
  restart?: Timer;
}

interface Holder {
  line: number;
  activeLow: boolean;
  logical: boolean;
  child?: ChildProcess;
  /** level waiting for the previous gpioset to let go of the line */
  pending?: boolean;
  closed: boolean;
}

export class GpiodGpioBackend implements GpioBackend {
  readonly name = 'gpiod';
  private readonly monitors = new Set<Monitor>();
  private readonly holders = new Set<Holder>();
  private readonly monotonicMs: () => number;
  private closed = false;

  constructor(private readonly opts: GpiodOptions) {
    this.monotonicMs = opts.monotonicMs ?? (() => Number(process.hrtime.bigint()) / 1e6);
  }

  input(line: number, opts: InputOptions, onEdge: EdgeListener): GpioInputLine {
    // The level before monitoring starts; an edge between this read and gpiomon's request is
    // not seen (the tools cannot read a line another process holds).
    const out = execFileSync('gpioget', gpiogetArgs(this.opts.major, this.opts.chip, [line]), { env: this.env(), encoding: 'utf8', timeout: 5000 });
    const level = parseGpioget(out, 1);
    if (!level) throw new Error(`gpioget ${this.opts.chip} ${line}: unexpected output "${out.trim()}"`);
    const raw = level[0]!;
    const m: Monitor = { line, opts, contact: new ContactDebouncer(opts, onEdge, this.opts.clock, raw) };
    this.monitors.add(m);
    this.startMonitor(m);
    return {
      read: () => m.contact.reported,
      close: () => this.stopMonitor(m),
    };
  }

  output(line: number, opts: OutputOptions): GpioOutputLine {
    const h: Holder = { line, activeLow: opts.activeLow, logical: opts.initial, closed: false };
    this.holders.add(h);
    this.hold(h, opts.initial !== opts.activeLow);
    return {
      write: (v) => {
        if (h.closed) throw new Error(`gpio line ${line} is closed`);
        if (v === h.logical) return;
        h.logical = v;
        this.hold(h, v !== h.activeLow);
      },
      read: () => h.logical,
      close: () => this.release(h),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const exits: Promise<void>[] = [];
    for (const m of this.monitors) exits.push(this.stopMonitor(m));
    for (const h of this.holders) exits.push(this.release(h));
    await Promise.all(exits);
  }

  private env(): NodeJS.ProcessEnv {
    return this.opts.env ?? process.env;
  }

  private startMonitor(m: Monitor): void {
    const child = spawn('gpiomon', gpiomonArgs(this.opts.major, this.opts.chip, [m.line]), { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    m.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const ev = parseGpiomonLine(this.opts.major, text);
      if (ev && ev.line === m.line) m.contact.edge(ev.rising, this.wallTime(ev.ms));
    });
    child.once('error', (err) => this.opts.log.error({ line: m.line, err: err.message }, 'gpiomon could not start'));
    child.once('exit', (code, signal) => {
      if (m.child !== child) return;
      m.child = undefined;
      if (this.closed || !this.monitors.has(m)) return;
      const restartMs = this.opts.restartMs ?? 1000;
      this.opts.log.error({ line: m.line, code, signal, stderr: stderr.trim(), restartMs }, 'gpiomon exited; edges on this line are not seen until it restarts');
      m.restart = this.opts.clock.setTimeout(() => this.startMonitor(m), restartMs);
    });
  }

  /** v2 was asked for realtime stamps; v1 stamps are monotonic on kernels since 5.7, realtime before. */
  private wallTime(ms: number): number {
    const now = this.opts.clock.now();
    if (Math.abs(now - ms) < DAY_MS) return ms;
    return now - (this.monotonicMs() - ms);
  }

  private stopMonitor(m: Monitor): Promise<void> {
    this.monitors.delete(m);
    m.contact.cancel();
    m.restart?.cancel();
    return kill(m.child);
  }

  /** Holds the line at `high`: the running gpioset must let go before the next can take it. */
  private hold(h: Holder, high: boolean): void {
    if (h.child) {
      const first = h.pending === undefined;
      h.pending = high;
      if (first) {
        void kill(h.child).then(() => {
          const next = h.pending!;
          h.pending = undefined;
          if (!h.closed) this.spawnSetter(h, next);
        });
      }
      return;
    }
    this.spawnSetter(h, high);
  }

  private spawnSetter(h: Holder, high: boolean): void {
    const child = spawn('gpioset', gpiosetArgs(this.opts.major, this.opts.chip, h.line, high), { env: this.env(), stdio: ['ignore', 'ignore', 'pipe'] });
    h.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    child.once('error', (err) => this.opts.log.error({ line: h.line, err: err.message }, 'gpioset could not start'));
    child.once('exit', (code, signal) => {
      if (h.child === child) h.child = undefined;
      if (!h.closed && h.pending === undefined) this.opts.log.error({ line: h.line, code, signal, stderr: stderr.trim() }, 'gpioset let go of an output line');
    });
  }

  private release(h: Holder): Promise<void> {
    h.closed = true;
    this.holders.delete(h);
    return kill(h.child);
  }
}

function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export const SYSFS_GPIO = '/sys/class/gpio';
export const sysfsGpioPresent = (root = SYSFS_GPIO) => existsSync(root);
