import { describe, expect, it } from 'vitest';
import type { PointConfig, RegisterConfig } from '../../agent/config/schema.js';
import { planBlocks, splitBlock } from '../../agent/acquisition/blocks.js';

function point(id: string, register: Partial<RegisterConfig>): PointConfig {
  return {
    id,
    kind: 'analog',
    register: { table: 'holding', address: 0, type: 'uint16', wordOrder: 'big', ...register },
    scale: 1,
    offset: 0,
    deadband: 0,
    heartbeatS: 60,
  };
}

const shape = (blocks: ReturnType<typeof planBlocks>) =>
  blocks.map((b) => ({ table: b.table, address: b.address, count: b.count, points: b.points.map((s) => `${s.point.id}@${s.offset}`) }));

describe('planning block reads for one device', () => {
  it('reads registers a few apart in one request and bridges the gap', () => {
    const blocks = planBlocks([point('dp', { address: 0 }), point('temp', { address: 5 }), point('conc', { address: 10, type: 'float32' })]);
    expect(shape(blocks)).toEqual([{ table: 'holding', address: 0, count: 12, points: ['dp@0', 'temp@5', 'conc@10'] }]);
  });

  it('starts a new request when the gap is wider than the bridge (default 8)', () => {
    const blocks = planBlocks([point('a', { address: 0 }), point('b', { address: 9 }), point('c', { address: 19 })]);
    expect(shape(blocks)).toEqual([
      { table: 'holding', address: 0, count: 10, points: ['a@0', 'b@9'] },
      { table: 'holding', address: 19, count: 1, points: ['c@0'] },
    ]);
    expect(planBlocks([point('a', { address: 0 }), point('b', { address: 9 })], { maxGap: 2 })).toHaveLength(2);
  });

  it('never asks for more than 125 registers in one request', () => {
    const pts = Array.from({ length: 40 }, (_, i) => point(`p${i}`, { address: i * 5 }));
    const blocks = planBlocks(pts);
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) expect(b.count).toBeLessThanOrEqual(125);
    expect(blocks.flatMap((b) => b.points).length).toBe(40);
    expect(shape(blocks)[0]).toMatchObject({ address: 0, count: 121 });
  });

  it('keeps tables apart and sorts points by address', () => {
    const blocks = planBlocks([
      point('t', { table: 'input', address: 1, type: 'int16' }),
      point('fan', { table: 'discrete', address: 3, type: 'bool' }),
      point('dp', { table: 'holding', address: 0 }),
      point('valve', { table: 'discrete', address: 0, type: 'bool' }),
    ]);
    expect(shape(blocks)).toEqual([
      { table: 'holding', address: 0, count: 1, points: ['dp@0'] },
      { table: 'input', address: 1, count: 1, points: ['t@0'] },
      { table: 'discrete', address: 0, count: 4, points: ['valve@0', 'fan@3'] },
    ]);
  });

  it('reads several bits of one status word once', () => {
    const blocks = planBlocks([point('run', { type: 'bool', bit: 0, address: 4 }), point('fault', { type: 'bool', bit: 1, address: 4 })]);
    expect(shape(blocks)).toEqual([{ table: 'holding', address: 4, count: 1, points: ['run@0', 'fault@0'] }]);
  });

  it('splits a block into one read per register after the device refuses the span', () => {
    const [block] = planBlocks([
      point('a', { address: 0 }),
      point('run', { type: 'bool', bit: 0, address: 4 }),
      point('fault', { type: 'bool', bit: 1, address: 4 }),
      point('f', { address: 6, type: 'float32' }),
    ]);
    expect(shape(splitBlock(block!))).toEqual([
      { table: 'holding', address: 0, count: 1, points: ['a@0'] },
      { table: 'holding', address: 4, count: 1, points: ['run@0', 'fault@0'] },
      { table: 'holding', address: 6, count: 2, points: ['f@0'] },
    ]);
  });
});
