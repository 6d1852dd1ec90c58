/**
 * The far end of the bench's RS-485 line, in its own process: a ModbusDeviceSim serving the
 * master side of a pty (`fd`, handed over by modbus-line.ts) or one side of a socat pty pair
 * (`path`). Kept out of the measured process so that the agent's CPU figures and its event
 * loop carry no simulator work.
 *
 * Started with a JSON argument and an IPC channel (by fork(), or by python3 exec'ing node with
 * the pty on `fd`); answers IPC messages:
 *   → { kind: 'ready' } once the port is open
 *   ← { kind: 'stats' } → { kind: 'stats', requests: { [unit]: n }, frames: n }
 */
import { writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { ModbusDeviceSim } from '../drivers/sim/modbus-device.js';
import { serveSimulator } from '../drivers/sim/modbus-pty.js';

export interface SimChildArgs {
  /** a serial device to open (one end of a socat pty pair) … */
  path?: string;
  /** … or the master side of a pty, already open on this fd */
  fd?: number;
  baudRate: number;
  wireTime: boolean;
  /** unit ids that answer, each with `registers` holding registers from address 0 */
  units: number[];
  registers: number;
  /** unit ids that stay silent (a dead device) */
  silent?: number[];
  /** after every reply, move every register by a small random step, as live sensors do */
  vary?: boolean;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as SimChildArgs;
  const sim = new ModbusDeviceSim({ wireTime: args.wireTime, frameByLength: !args.wireTime, preciseTiming: args.wireTime, line: { baudRate: args.baudRate } });
  const words = Array.from({ length: args.registers }, (_, i) => 1000 + i);
  for (const u of args.units) sim.unit(u).setRegisters('holding', 0, words);
  for (const u of args.silent ?? []) sim.unit(u).fault({ kind: 'silence' });
  if (args.vary) {
    sim.onTransmit(() => {
      for (let i = 0; i < words.length; i++) words[i] = (words[i]! + (Math.random() < 0.5 ? -1 : 1) * (1 + Math.floor(Math.random() * 5))) & 0xffff;
      for (const u of args.units) sim.unit(u).setRegisters('holding', 0, words);
    });
  }
  const served = args.fd !== undefined ? serveOnPtyMaster(sim, args.fd) : await serveSimulator(sim, args.path!);
  process.on('message', (m: { kind?: string }) => {
    if (m.kind !== 'stats') return;
    const requests: Record<number, number> = {};
    for (const u of [...args.units, ...(args.silent ?? [])]) requests[u] = sim.unit(u).requests;
    process.send?.({ kind: 'stats', requests, frames: sim.framesReceived });
  });
  process.on('disconnect', () => {
    void served.close().finally(() => process.exit(0));
  });
  process.send?.({ kind: 'ready' });
}

/**
 * The simulator on a pty's master side. A pty master is a tty to libuv: it reads through a
 * tty stream (one poll registration for the life of the line) and writes whole frames at once.
 */
function serveOnPtyMaster(sim: ModbusDeviceSim, fd: number): { close(): Promise<void> } {
  const input = new ReadStream(fd);
  input.on('data', (d: Buffer) => sim.receive(d));
  input.on('error', (err) => process.stderr.write(`sim child: pty read failed: ${err.message}\n`));
  const unsubscribe = sim.onTransmit((bytes) => void writeSync(fd, bytes));
  return {
    close: async () => {
      unsubscribe();
      input.destroy();
    },
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`sim child: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
