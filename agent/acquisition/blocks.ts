/**
 * Block planning: the points of one device whose registers sit close together are read in one
 * request. A request costs 8 bytes out and 5 bytes of reply overhead plus two 3.5-character
 * silences, about 20 characters; reading 8 unused registers (16 bytes) is cheaper, hence the
 * default gap of 8. Limits per request from the Application Protocol: 125 registers (§6.3),
 * 2000 bits (§6.1).
 */
import type { PointConfig, RegisterConfig } from '../config/schema.js';
import { isBitTable, registerSpan } from './decode.js';

export interface PointSlot {
  point: PointConfig;
  /** position of the point's first register (or bit) within the block */
  offset: number;
}

export interface ReadBlock {
  table: RegisterConfig['table'];
  address: number;
  count: number;
  points: PointSlot[];
}

export interface BlockPlanOptions {
  /** unused registers bridged between two points to keep them in one request (default 8) */
  maxGap?: number;
  /** unused bits bridged in coil and discrete tables (default 128: 16 bytes, as 8 registers) */
  maxBitGap?: number;
  maxRegisters?: number;
  maxBits?: number;
}

const TABLE_ORDER: RegisterConfig['table'][] = ['holding', 'input', 'coil', 'discrete'];

export function planBlocks(points: readonly PointConfig[], opts: BlockPlanOptions = {}): ReadBlock[] {
  const blocks: ReadBlock[] = [];
  for (const table of TABLE_ORDER) {
    const bits = isBitTable(table);
    const maxGap = bits ? (opts.maxBitGap ?? 128) : (opts.maxGap ?? 8);
    const maxCount = bits ? (opts.maxBits ?? 2000) : (opts.maxRegisters ?? 125);
    const inTable = points.filter((p) => p.register.table === table).sort((a, b) => a.register.address - b.register.address);
    let current: ReadBlock | undefined;
    for (const point of inTable) {
      const start = point.register.address;
      const end = start + registerSpan(point.register);
      const currentEnd = current ? current.address + current.count : 0;
      if (current && start - currentEnd <= maxGap && Math.max(currentEnd, end) - current.address <= maxCount) {
        current.count = Math.max(currentEnd, end) - current.address;
        current.points.push({ point, offset: start - current.address });
      } else {
        current = { table, address: start, count: end - start, points: [{ point, offset: 0 }] };
        blocks.push(current);
      }
    }
  }
  return blocks;
}

/**
 * One block per point. Some devices answer "illegal data address" (exception 2) to a read that
 * spans a hole in their register map; their points are then read one by one.
 */
export function splitBlock(block: ReadBlock): ReadBlock[] {
  // A gap of -1 joins only points that overlap, e.g. several bits of one status word.
  return planBlocks(
    block.points.map((s) => s.point),
    { maxGap: -1, maxBitGap: -1 },
  );
}
