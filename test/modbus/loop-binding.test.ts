/**
 * The event-loop serial binding on a real pty: the line settings reach the terminal, a close
 * we ask for is not reported as a loss, and a far end that goes away is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { portFactoryWith, serialOptions } from '../../drivers/modbus/port-factory.js';
import { stockBinding } from '../../drivers/modbus/loop-binding.js';
import type { SerialStream } from '../../drivers/modbus/rtu-port.js';
import { startPtyPair, type PtyPair } from '../../drivers/sim/modbus-pty.js';
import { waitFor } from '../helpers/wait.js';
import { busConfig } from './helpers.js';

const open = (port: SerialStream) => new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));

describe('the event-loop serial binding', () => {
  let pair: PtyPair | undefined;
  afterEach(async () => {
    await pair?.stop();
    pair = undefined;
  });

  it('opens the port raw at the bus baud rate, and carries bytes both ways', async () => {
    pair = await startPtyPair();
    const port = portFactoryWith('loop')(busConfig(pair.ptys[0], { baudRate: 19200, parity: 'even' }));
    await open(port);
    try {
      // stty may open a port held with TIOCEXCL only as root; elsewhere the settings go unchecked
      if (process.getuid?.() === 0) {
        const stty = execFileSync('stty', ['-a', '-F', pair.ptys[0]], { encoding: 'utf8' });
        expect(stty).toMatch(/speed 19200 baud/);
        // (parity is not checked: Linux's pty driver refuses PARENB, `stty parenb` fails on a pty too)
        expect(stty).toMatch(/-icanon/);
        expect(stty).toMatch(/-echo(\s|$)/);
      }
      const far = portFactoryWith('loop')(busConfig(pair.ptys[1], { baudRate: 19200, parity: 'even' }));
      await open(far);
      const got: number[] = [];
      far.on('data', (d) => got.push(...d));
      port.write(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0a]));
      await waitFor('all 8 bytes', () => got.length === 8, 2000);
      expect(got).toEqual([0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0a]);
      await new Promise<void>((resolve) => far.close(() => resolve()));
    } finally {
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  });

  it('reports a close it was asked for without an error, and a vanished far end with one', async () => {
    pair = await startPtyPair();
    const asked = portFactoryWith('loop')(busConfig(pair.a));
    await open(asked);
    const askedClose: (Error | null)[] = [];
    asked.on('close', (err) => askedClose.push(err));
    await new Promise<void>((resolve) => asked.close(() => resolve()));
    expect(askedClose).toEqual([null]);
    expect(asked.isOpen).toBe(false);

    const lost = portFactoryWith('loop')(busConfig(pair.a));
    await open(lost);
    const lostClose: (Error | null)[] = [];
    lost.on('close', (err) => lostClose.push(err));
    lost.on('error', () => {});
    await pair.stop(); // socat gone: both ptys hang up, as when a USB adapter is pulled
    pair = undefined;
    await waitFor('the port closed as lost', () => lostClose.length > 0, 2000);
    expect(lostClose[0]).toBeInstanceOf(Error);
    expect(lost.isOpen).toBe(false);
  });

  it('(stock thread-pool binding) reports a pty hung up before the read started as lost, instead of reading 0 bytes forever', async () => {
    pair = await startPtyPair();
    const port = await stockBinding().open({ ...serialOptions(busConfig(pair.a)), autoOpen: undefined } as never);
    try {
      const slave = pair.ptys[0];
      await pair.stop(); // hung up while no read is waiting: every read(2) now returns 0
      pair = undefined;
      // the kernel removes /dev/pts/N once the master side is closed: the hang-up is done
      await waitFor('the pty hung up', () => !existsSync(slave), 2000);
      const outcome = await Promise.race([
        port.read(Buffer.alloc(64), 0, 64).then(
          () => 'data',
          (err: { disconnect?: boolean; message: string }) => (err.disconnect ? 'lost' : err.message),
        ),
        new Promise((r) => setTimeout(() => r('still reading after 1 s'), 1000)),
      ]);
      expect(outcome).toBe('lost');
    } finally {
      if (port.isOpen) await port.close();
    }
  });
});
