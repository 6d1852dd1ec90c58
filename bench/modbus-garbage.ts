/**
 * modbus.garbageRun.repliesChecked / modbus.garbageRun.wrongGoodValues (issue #14): the
 * seeded garbage-slave run of drivers/sim/garbage-run.ts at length: 100,000 requests (the same
 * in quick mode: the length is the point), 20 pty pairs side by side at 115200 baud without
 * wire-time emulation, so that it fits in a few minutes; most of its time is timeouts and the
 * silences after them. Timeouts of 100 ms: at 50 ms, with the machine loaded to 20 by parallel
 * builds, 8 replies in 100,000 reached the master after the silence it waits out after a timeout
 * and, of the same shape, were taken for the next request's answer (RTU has nothing else to tell
 * them apart); on a quiet machine 50 ms gave 0. Late-reply faults are left out of the mix for
 * the same reason (drivers/sim/garbage-run.ts). wrongGoodValues must be 0: a value the unit does not hold, or a write it
 * did not take, reported as good. The other figures say how the replies were mixed.
 */
import { SystemClock } from '../agent/core/clock.js';
import { createLogger } from '../agent/core/log.js';
import { garbageRun } from '../drivers/sim/garbage-run.js';
import type { Bench } from './run.js';

const LANES = 20;
const PER_LANE = 5000;

export const modbusGarbageBench: Bench = {
  name: 'modbus.garbageRun',
  async run() {
    const run = await garbageRun({
      seed: 14,
      replies: PER_LANE,
      lanes: LANES,
      baudRate: 115_200,
      wireTime: false,
      timeoutMs: 100,
      clock: new SystemClock(),
      log: createLogger('silent'),
    });
    for (const w of run.wrong) process.stdout.write(`  wrong good value: ${w}\n`);
    return {
      'modbus.garbageRun.repliesChecked': run.repliesChecked,
      'modbus.garbageRun.wrongGoodValues': run.wrongGoodValues,
      'modbus.garbageRun.goodAnswers': run.good,
      'modbus.garbageRun.refusedMismatch': run.failed.mismatch ?? 0,
      'modbus.garbageRun.refusedCrc': run.failed.crc ?? 0,
      'modbus.garbageRun.refusedWrongUnit': run.failed.wrongUnit ?? 0,
      'modbus.garbageRun.exceptions': run.failed.exception ?? 0,
      'modbus.garbageRun.timeouts': run.failed.timeout ?? 0,
    };
  },
};
