/**
 * What a bus's polls cost on the wire: bytes of each read the block planner makes, at the bus's
 * baud rate, with the two 3.5-character silences around every frame (Modbus over Serial Line
 * V1.02, §2.5.1.1). The same figures give each device its slot in the bus schedule
 * (bus-schedule.ts) and `firebreak check` its load per bus.
 */
import type { BusConfig, DeviceConfig } from '../config/schema.js';
import { frameGapMs, wireMs, type LineSettings } from '../../drivers/modbus/line.js';
import { planBlocks, type BlockPlanOptions, type ReadBlock } from './blocks.js';
import { isBitTable } from './decode.js';

/** A read request: unit, function, address (2), count (2), CRC (2). */
const READ_REQUEST_BYTES = 8;

export function replyBytes(block: Pick<ReadBlock, 'table' | 'count'>): number {
  // unit, function, byte count, data, CRC (2)
  const data = isBitTable(block.table) ? Math.ceil(block.count / 8) : 2 * block.count;
  return 5 + data;
}

/** One read on a healthy line: request, silence, reply, silence. */
export function transactionMs(block: Pick<ReadBlock, 'table' | 'count'>, line: LineSettings): number {
  return wireMs(line, READ_REQUEST_BYTES + replyBytes(block)) + 2 * frameGapMs(line);
}

/** One read that is never answered: the request, then the timeout and the settle after it (master.ts). */
export function timedOutMs(line: LineSettings, timeoutMs: number): number {
  return wireMs(line, READ_REQUEST_BYTES) + frameGapMs(line) + 2 * timeoutMs;
}

/** A device's reads in one poll, as its slot in the bus cycle. */
export function pollMs(device: DeviceConfig, line: LineSettings, plan?: BlockPlanOptions): number {
  return planBlocks(device.points, plan).reduce((ms, b) => ms + transactionMs(b, line), 0);
}

export interface BusLoad {
  bus: string;
  baudRate: number;
  devices: number;
  /** reads per second, all devices */
  readsPerS: number;
  /** share of the bus's time the polls take when every device answers (1 = full) */
  load: number;
  /** the same when every read times out and is retried as the bus config says */
  worstLoad: number;
}

/**
 * The load of one bus. Counted at 11 bits a character, the standard RTU character (8E1 or 8N2,
 * §2.5.1): a bus that fits at 11 bits fits at 10.
 */
export function busLoad(bus: BusConfig, devices: readonly DeviceConfig[], plan?: BlockPlanOptions): BusLoad {
  const line: LineSettings = { baudRate: bus.baudRate, parity: 'even', dataBits: 8, stopBits: 1 };
  let readsPerS = 0;
  let busyPerS = 0;
  let worstPerS = 0;
  const on = devices.filter((d) => d.bus === bus.id);
  for (const d of on) {
    const blocks = planBlocks(d.points, plan);
    const perS = 1000 / d.pollMs;
    readsPerS += blocks.length * perS;
    busyPerS += blocks.reduce((ms, b) => ms + transactionMs(b, line), 0) * perS;
    worstPerS += blocks.length * (1 + bus.retries) * timedOutMs(line, bus.timeoutMs) * perS;
  }
  return { bus: bus.id, baudRate: bus.baudRate, devices: on.length, readsPerS, load: busyPerS / 1000, worstLoad: worstPerS / 1000 };
}
