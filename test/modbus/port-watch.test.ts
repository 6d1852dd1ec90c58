/**
 * The watch on a vanished adapter's path, on the real file system: udev removes the by-id link
 * and, with the last serial adapter, /dev/serial itself; the watch must see the link come back.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsPathWatcher } from '../../drivers/modbus/port-watch.js';
import { waitFor } from '../helpers/wait.js';

describe('watching for an adapter to come back', () => {
  it('sees a by-id link return even when its folders went with it', async () => {
    const dev = mkdtempSync(join(tmpdir(), 'fb-dev-'));
    const byId = join(dev, 'serial', 'by-id');
    const link = join(byId, 'usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0');
    let appeared = 0;
    const watch = fsPathWatcher(link, () => appeared++);
    try {
      await new Promise((r) => setTimeout(r, 50));
      mkdirSync(byId, { recursive: true });
      await new Promise((r) => setTimeout(r, 50));
      expect(appeared).toBe(0);
      writeFileSync(link, '');
      await waitFor('the watch to see the link', () => appeared === 1, 1000);
      writeFileSync(join(byId, 'another'), '');
      await new Promise((r) => setTimeout(r, 50));
      expect(appeared).toBe(1); // once
    } finally {
      watch.close();
      rmSync(dev, { recursive: true, force: true });
    }
  });

  it('does not watch a path that is there (a port that will not open is the backoff’s)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-dev-'));
    const tty = join(dir, 'ttyUSB0');
    writeFileSync(tty, '');
    let appeared = 0;
    fsPathWatcher(tty, () => appeared++).close();
    fsPathWatcher('sim:demo', () => appeared++).close();
    expect(appeared).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
