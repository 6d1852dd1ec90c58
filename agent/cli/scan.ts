/**
 * `firebreak scan --port /dev/ttyUSB0 [--baud 9600,19200] [--parity none] [--units 1-20]
 * [--timeout 150] [--json]`: finds every device on a line, with a sample of its registers.
 * Without --port it lists the serial ports there are. Progress goes to stderr: a bar with a
 * time estimate on a terminal, plain lines in a log; the findings go to stdout (JSON with
 * --json, for `firebreak provision --from-scan`).
 */
import { parseArgs } from 'node:util';
import { SystemClock } from '../core/clock.js';
import { createLogger } from '../core/log.js';
import { defaultPortFactory } from '../../drivers/modbus/port-factory.js';
import { listCandidatePorts, type PortListing } from '../../drivers/modbus/ports.js';
import { defaultScanTimeoutMs, scanLine, USUAL_BAUDS, USUAL_PARITIES, type FoundDevice, type ScanProgress, type ScanSetting } from '../../drivers/modbus/scan.js';
import { baudOption, intOption, lineName, parityOption, UsageError } from './field-options.js';
import { fail, type FieldIo } from './field-read.js';
import { COMMANDS } from './commands.js';

export interface ScanIo extends FieldIo {
  /** progress as a redrawn bar (a terminal) or as plain lines */
  tty: boolean;
  /** writes to the terminal without a line end, for the redrawn bar */
  draw?: (text: string) => void;
  listPorts?: () => Promise<PortListing>;
  /** set by SIGINT: the scan stops after the probe in hand and prints what it found */
  cancelled?: () => boolean;
}

export function parseUnits(text: string): number[] {
  const units = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < 1 || to > 247 || from > to) throw new UsageError(`--units must be ids or ranges within 1..247, like 1-20 or 1,3,10-12 (got ${text})`);
    for (let u = from; u <= to; u++) units.add(u);
  }
  return [...units].sort((a, b) => a - b);
}

export async function scanCommand(args: string[], io: ScanIo): Promise<number> {
  try {
    const { values } = parseArgs({ args, options: COMMANDS.scan.flags });
    if (!values.port) return listPorts(io);
    const bauds = values.baud ? values.baud.split(',').map((b) => baudOption(b.trim())) : USUAL_BAUDS;
    const parities = values.parity ? values.parity.split(',').map((p) => parityOption(p.trim())) : USUAL_PARITIES;
    const units = values.units ? parseUnits(values.units) : parseUnits('1-247');
    const timeoutMs = values.timeout === undefined ? undefined : intOption('timeout', values.timeout, 20, 10_000);
    const settings: ScanSetting[] = bauds.flatMap((baudRate) => parities.map((parity) => ({ baudRate, parity })));
    const firstGuessMs = settings.reduce((ms, s) => ms + units.length * (timeoutMs ?? defaultScanTimeoutMs(s.baudRate, s.parity)), 0);
    io.err(`scanning ${values.port}: ${settings.length} line setting(s) × ${units.length} unit id(s), at most ${formatDuration(firstGuessMs)}`);
    const progress = new ProgressLine(io);
    const found = await scanLine({
      port: values.port,
      settings,
      units,
      timeoutMs,
      openPort: io.openPort ?? defaultPortFactory,
      clock: new SystemClock(),
      log: createLogger('silent'),
      cancelled: io.cancelled,
      onProgress: (p) => progress.update(p),
      onFound: (d) => progress.note(`found unit ${d.unitId} at ${lineName(d)}`),
      onNoise: (s, n) => n > 0 && progress.note(`${n} garbled repl${n === 1 ? 'y' : 'ies'} at ${lineName(s)}: a device may be there on other settings`),
    });
    progress.end();
    if (values.json) {
      io.out(JSON.stringify(found.map((d) => ({ port: d.port, baudRate: d.baudRate, parity: d.parity, unitId: d.unitId })), null, 2));
    } else if (found.length === 0) {
      io.out(`no device answered on ${values.port}${io.cancelled?.() ? ' (scan interrupted)' : ''}`);
    } else {
      io.out(`${found.length} device(s) on ${values.port}${io.cancelled?.() ? ' (scan interrupted)' : ''}:`);
      for (const d of found) io.out(describe(d));
    }
    return found.length > 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof Error && /^cannot open/.test(err.message)) {
      io.err(`firebreak scan: ${err.message}`);
      return 69;
    }
    return fail('scan', err, io);
  }
}

export function describe(d: FoundDevice): string {
  const head = `unit ${String(d.unitId).padStart(3)}  ${lineName(d)}`;
  if (d.sample) return `${head}  ${d.sample.table} ${d.sample.address}..${d.sample.address + d.sample.values.length - 1}: ${d.sample.values.join(' ')}`;
  return `${head}  answers with exceptions (${d.exceptions.map((e) => `${e.table}: ${e.code}`).join(', ')}): there, but registers 0..9 are not readable`;
}

async function listPorts(io: ScanIo): Promise<number> {
  const { ports, listError } = await (io.listPorts ?? listCandidatePorts)();
  // Without udev (a container, a minimal image) SerialPort.list() fails; its error text means
  // nothing to an installer, and the device nodes are still there to list.
  if (listError) io.err('udev is not running here, so the ports are listed from /dev (their makers are not shown)');
  if (ports.length === 0) {
    io.err('no serial ports found (looked in /dev/serial/by-id, /dev/ttyUSB*, /dev/ttyACM*, /dev/ttyAMA*): is the RS-485 adapter plugged in?');
    return 69;
  }
  io.out('serial ports (scan one with --port):');
  for (const p of ports) io.out(`  ${p.path}${p.device ? ` -> ${p.device}` : ''}${p.manufacturer ? `  (${p.manufacturer})` : ''}`);
  return 0;
}

class ProgressLine {
  private lastSetting = '';
  private drawn = false;
  constructor(private readonly io: ScanIo) {}

  update(p: ScanProgress): void {
    const setting = lineName(p.setting);
    const left = formatDuration((p.total - p.done) * p.msPerProbe);
    if (this.io.tty && this.io.draw) {
      const width = 30;
      const filled = Math.round((width * p.done) / p.total);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor((100 * p.done) / p.total)).padStart(3)}%  ${setting} unit ${p.unitId}  found ${p.found}  ~${left} left`;
      this.io.draw?.(`\r${bar}\x1b[K`);
      this.drawn = true;
    } else if (setting !== this.lastSetting) {
      this.io.err(`scanning ${setting} (${p.done}/${p.total} probes done, found ${p.found}, about ${left} left)`);
    }
    this.lastSetting = setting;
  }

  note(line: string): void {
    this.clear();
    this.io.err(line);
  }

  end(): void {
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.io.draw?.('\r\x1b[K');
    this.drawn = false;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
