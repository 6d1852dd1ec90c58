/**
 * A USB adapter pulled for a minute and plugged back: the master, with the default 30 s reopen
 * ceiling on a fake clock, reopens over a real pty the moment the path is back, not at its next
 * backoff step. Both pty ends vanish with socat, as the adapter's node and by-id link do.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { ModbusMaster, type PortStateChange } from '../../drivers/modbus/master.js';
import { portFactoryWith } from '../../drivers/modbus/port-factory.js';
import { ModbusDeviceSim } from '../../drivers/sim/modbus-device.js';
import { serveSimulator, startPtyPair } from '../../drivers/sim/modbus-pty.js';
import { waitFor } from '../helpers/wait.js';
import { busConfig, quietLog } from './helpers.js';

describe('an adapter that comes back after a minute', () => {
  it('is reopened within a second of its return, though the backoff had reached 30 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firebreak-pty-'));
    const links = { linkA: join(dir, 'usb-FTDI_FT232R-if00-port0'), linkB: join(dir, 'field') };
    const sim = new ModbusDeviceSim();
    sim.unit(1).setHolding(0, 650);
    let pair = await startPtyPair(links);
    let served = await serveSimulator(sim, pair.b);
    const clock = new FakeClock();
    const changes: PortStateChange[] = [];
    const master = new ModbusMaster({
      bus: busConfig(links.linkA, { timeoutMs: 200 }),
      openPort: portFactoryWith('loop'),
      clock,
      log: quietLog,
      onPortState: (c) => changes.push(c),
    });
    try {
      expect(await master.start()).toBe(true);
      expect(await master.readRegisters(1, 'holding', 0, 1)).toEqual([650]);

      await served.close();
      await pair.stop();
      await waitFor('the port lost', () => master.state === 'lost');
      // a minute without the adapter: reopen attempts at +0.5, +1.5, +3.5 … s, then every 30 s
      for (let s = 0; s < 60; s++) {
        await clock.advanceAsync(1000);
        // an attempt fails on real I/O: let it, before fake time moves on
        await waitFor('the reopen attempt over', () => master.state !== 'opening');
        await new Promise((r) => setImmediate(r));
      }
      expect(changes.filter((c) => c.state === 'openFailed').at(-1)?.retryInMs).toBe(30_000);
      expect(master.state).not.toBe('open');

      pair = await startPtyPair(links);
      const back = Date.now();
      served = await serveSimulator(sim, pair.b);
      // the fake clock stands still: only the watch on the path can reopen it now
      await waitFor('the port open again', () => master.state === 'open', 1000);
      expect(await master.readRegisters(1, 'holding', 0, 1)).toEqual([650]);
      expect(Date.now() - back).toBeLessThan(1000);
    } finally {
      await master.stop();
      await served.close();
      sim.close();
      await pair.stop();
    }
  });
});
