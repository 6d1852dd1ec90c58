/**
 * The benches' RS-485 line (bench/modbus-line.ts): the simulator in its own process on the
 * master side of a pty that python3 opens (socat where python3 is missing), answering the
 * real serialport and modbus-serial the way the benches use it.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import { ModbusMaster } from '../../drivers/modbus/master.js';
import { defaultPortFactory } from '../../drivers/modbus/port-factory.js';
import { startBenchLine, type BenchLine } from '../../bench/modbus-line.js';
import { busConfig, quietLog } from '../modbus/helpers.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import pty, tty'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('the bench line', () => {
  let line: BenchLine;
  let master: ModbusMaster;

  beforeAll(async () => {
    line = await startBenchLine({ baudRate: 19200, wireTime: true, units: [1, 2], registers: 10, silent: [3] }, { cpu: 0 });
    master = new ModbusMaster({ bus: busConfig(line.path, { baudRate: 19200, timeoutMs: 200, retries: 0 }), openPort: defaultPortFactory, clock: new SystemClock(), log: quietLog });
    expect(await master.start()).toBe(true);
  });

  afterAll(async () => {
    await master?.stop();
    await line?.stop();
  });

  it(`runs on ${hasPython ? 'a pty of its own (python3 present)' : 'a socat pair (no python3)'}`, () => {
    expect(line.route).toBe(hasPython ? 'pty' : 'socat');
  });

  it('answers each unit with its registers, no sooner than the wire allows, and counts the requests', async () => {
    const t0 = performance.now();
    expect(await master.readRegisters(1, 'holding', 0, 10)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
    // 8 + 25 bytes at 19200 baud 8N1 plus two 3.5-character silences: 20.8 ms
    expect(performance.now() - t0).toBeGreaterThanOrEqual(20.5);
    expect(await master.readRegisters(2, 'holding', 5, 2)).toEqual([1005, 1006]);
    await expect(master.readRegisters(3, 'holding', 0, 1)).rejects.toMatchObject({ kind: 'timeout' });
    const stats = await line.stats();
    expect(stats.requests).toEqual({ 1: 1, 2: 1, 3: 1 });
  });
});
