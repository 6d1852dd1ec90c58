/**
 * The installer's commands against the simulator: `firebreak scan`, `read` and `write`, over
 * a socat pty pair reached through a /dev/serial/by-id style symlink, and (for the line
 * settings) over the in-process binding, where a port opened at the wrong baud rate or parity
 * sees garbage as a real UART would.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusDeviceSim } from '../../drivers/sim/modbus-device.js';
import { serveSimulator, startPtyPair } from '../../drivers/sim/modbus-pty.js';
import { registerSimulator } from '../../drivers/sim/sim-binding.js';
import { listCandidatePorts } from '../../drivers/modbus/ports.js';
import { readCommand } from '../../agent/cli/field-read.js';
import { writeCommand } from '../../agent/cli/field-write.js';
import { scanCommand } from '../../agent/cli/scan.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function terminal() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

/** The simulator behind a pty whose master side is reached as /dev/serial/by-id/usb-FTDI_...-if00-port0. */
async function adapterOnPty(sim: ModbusDeviceSim): Promise<string> {
  const dev = mkdtempSync(join(tmpdir(), 'fb-dev-'));
  const pair = await startPtyPair({ linkA: join(dev, 'ttyUSB0') });
  const served = await serveSimulator(sim, pair.b);
  cleanups.push(() => pair.stop(), () => served.close(), () => sim.close());
  mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
  const byId = join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A10KXYZ-if00-port0');
  symlinkSync(join(dev, 'ttyUSB0'), byId);
  return byId;
}

describe('firebreak read and write on a by-id path', () => {
  it('reads the collector differential pressure and a float dust concentration, decoded', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false });
    sim.unit(1).setHolding(0, 650);
    sim.unit(2).setFloat32('holding', 4, 12.5, 'little');
    const port = await adapterOnPty(sim);
    const t = terminal();
    expect(await readCommand(['--port', port, '--unit', '1', '--table', 'holding', '--address', '0'], t.io)).toBe(0);
    expect(t.out).toEqual(['holding 0: 650 (uint16; 0x028a)']);
    const f = terminal();
    expect(await readCommand(['--port', port, '--unit', '2', '--address', '4', '--type', 'float32', '--word-order', 'little'], f.io)).toBe(0);
    expect(f.out[0]).toMatch(/^holding 4: 12\.5 \(float32, little word order; 0x0000 0x4148\)$/);
  });

  it('says what to check when the unit does not answer, and exits 1', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false });
    const port = await adapterOnPty(sim);
    const t = terminal();
    expect(await readCommand(['--port', port, '--unit', '9', '--address', '0', '--timeout', '100'], t.io)).toBe(1);
    expect(t.err[0]).toMatch(/no reply from unit 9 within 100 ms at 9600 8N1 \(check the unit id, baud rate, parity/);
  });

  it('writes a float32 setpoint with --yes as two words in one request, and reads it back', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false });
    sim.unit(3);
    const port = await adapterOnPty(sim);
    const t = terminal();
    const code = await writeCommand(['--port', port, '--unit', '3', '--address', '10', '--type', 'float32', '--value', '1800.5', '--yes'], t.io);
    expect(code).toBe(0);
    expect([sim.unit(3).holding(10), sim.unit(3).holding(11)]).toEqual([0x44e1, 0x1000]);
    expect(t.out).toEqual(['wrote holding 10: 1800.5 (float32); reads back 1800.5']);
  });

  it('refuses to write without --yes when there is no terminal to ask, and writes nothing', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false });
    sim.unit(3).setHolding(10, 7);
    const port = await adapterOnPty(sim);
    const t = terminal();
    expect(await writeCommand(['--port', port, '--unit', '3', '--address', '10', '--value', '99'], t.io)).toBe(64);
    expect(t.err[0]).toMatch(/not on a terminal; add --yes/);
    expect(sim.unit(3).holding(10)).toBe(7);
    expect(sim.framesReceived).toBe(0);
  });

  it('asks on a terminal and writes only on yes', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false });
    sim.unit(3).setHolding(10, 7);
    const port = await adapterOnPty(sim);
    const questions: string[] = [];
    const no = terminal();
    expect(await writeCommand(['--port', port, '--unit', '3', '--address', '10', '--value', '99'], { ...no.io, confirm: async (q) => (questions.push(q), false) })).toBe(1);
    expect(sim.unit(3).holding(10)).toBe(7);
    expect(questions[0]).toBe(`write 99 (uint16) to holding 10 of unit 3 on ${port} at 9600 8N1?`);
    const yes = terminal();
    expect(await writeCommand(['--port', port, '--unit', '3', '--address', '10', '--value', '99'], { ...yes.io, confirm: async () => true })).toBe(0);
    expect(sim.unit(3).holding(10)).toBe(99);
  });

  it('refuses a value the type cannot hold before touching the line', async () => {
    const t = terminal();
    expect(await writeCommand(['--port', '/dev/null-port', '--unit', '3', '--address', '10', '--value', '70000', '--yes'], t.io)).toBe(64);
    expect(t.err[0]).toMatch(/70000 is not a uint16/);
  });

  it('exits 69 with the reason when the port cannot be opened', async () => {
    const t = terminal();
    expect(await readCommand(['--port', '/dev/serial/by-id/usb-nothing-here', '--unit', '1', '--address', '0'], t.io)).toBe(69);
    expect(t.err[0]).toMatch(/cannot open \/dev\/serial\/by-id\/usb-nothing-here/);
  });
});

describe('firebreak scan', () => {
  it('lists every unit that answered on a by-id path, with its registers, an input-only device and one that only refuses', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false });
    sim.unit(1).setRegisters('holding', 0, [650, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    sim.unit(4, { holding: 0 }).setRegisters('input', 0, [653, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    sim.unit(6).fault({ kind: 'exception', code: 1 });
    const port = await adapterOnPty(sim);
    const t = terminal();
    const code = await scanCommand(['--port', port, '--baud', '9600', '--parity', 'none', '--units', '1-8', '--timeout', '50'], { ...t.io, tty: false });
    expect(code).toBe(0);
    expect(t.out).toEqual([
      `3 device(s) on ${port}:`,
      'unit   1  9600 8N1  holding 0..9: 650 0 0 0 0 0 0 0 0 1',
      'unit   4  9600 8N1  input 0..9: 653 1 2 3 4 5 6 7 8 9',
      'unit   6  9600 8N1  answers with exceptions (holding: 1, input: 1): there, but registers 0..9 are not readable',
    ]);
    // plain progress lines, not a redrawn bar, when stderr is not a terminal
    expect(t.err.some((l) => l.includes('\r'))).toBe(false);
    expect(t.err[0]).toMatch(/^scanning .*: 1 line setting\(s\) × 8 unit id\(s\), at most \d+ s$/);
  });

  it('finds devices only at their own baud rate and parity, and writes JSON for provision', async () => {
    const sim = new ModbusDeviceSim({ wireTime: false, line: { baudRate: 19200, parity: 'even' } });
    sim.unit(2).setHolding(0, 650);
    sim.unit(5).setHolding(0, 125);
    cleanups.push(registerSimulator('scan-line', sim), () => sim.close());
    const t = terminal();
    const draws: string[] = [];
    const code = await scanCommand(['--port', 'sim:scan-line', '--baud', '9600,19200', '--parity', 'none,even', '--units', '1-6', '--timeout', '30', '--json'], {
      ...t.io,
      tty: true,
      draw: (s) => void draws.push(s),
    });
    expect(code).toBe(0);
    expect(JSON.parse(t.out.join('\n'))).toEqual([
      { port: 'sim:scan-line', baudRate: 19200, parity: 'even', unitId: 2 },
      { port: 'sim:scan-line', baudRate: 19200, parity: 'even', unitId: 5 },
    ]);
    // a redrawn bar with an estimate on a terminal, cleared at the end
    expect(draws.some((d) => /\[#*\.*\] +\d+% {2}\d+ 8[NEO]1 unit \d+ {2}found \d {2}~\d+ s left/.test(d))).toBe(true);
    expect(draws.at(-1)).toBe('\r\x1b[K');
    expect(t.err).toContain('found unit 2 at 19200 8E1');
  });

  it('lists candidate ports from the device nodes when udev cannot be asked', async () => {
    const dev = mkdtempSync(join(tmpdir(), 'fb-devlist-'));
    mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
    for (const n of ['ttyUSB0', 'ttyUSB1', 'ttyAMA0', 'ttyS0']) writeFileSync(join(dev, n), '');
    symlinkSync(join(dev, 'ttyUSB1'), join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R-if00-port0'));
    const listing = await listCandidatePorts({ devRoot: dev, list: () => Promise.reject(new Error('udev not running')) });
    expect(listing.listError).toBe('udev not running');
    // by-id first, the node it names not twice; on-board UARTs other than ttyAMA (ttyS0) left out
    expect(listing.ports.map((p) => p.path.slice(dev.length))).toEqual(['/serial/by-id/usb-FTDI_FT232R-if00-port0', '/ttyAMA0', '/ttyUSB0']);
    const t = terminal();
    expect(await scanCommand([], { ...t.io, tty: false, listPorts: async () => listing })).toBe(0);
    // a sentence for the installer, not the library's error text
    expect(t.err).toEqual(['udev is not running here, so the ports are listed from /dev (their makers are not shown)']);
    expect(t.out[0]).toBe('serial ports (scan one with --port):');
  });
});
