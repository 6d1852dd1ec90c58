/**
 * PeriodRollup on an in-memory buffer: the state of every mapped point at a boundary, from
 * data messages as the outbox stores them (samples of one commit interval, roughly in time
 * order, some late), through a real Cursor.
 */
import { describe, expect, it } from 'vitest';
import { Cursor } from '../../agent/buffer/cursor.js';
import type { StoredMessage } from '../../agent/buffer/types.js';
import type { Sample } from '../../agent/core/types.js';
import { PeriodRollup, type RollupPoint } from '../../agent/uplink/provincial/period-rollup.js';

const T0 = Date.UTC(2026, 5, 21, 0, 0, 0);

function buffer() {
  const msgs: StoredMessage[] = [];
  const cursor = new Cursor('hebei', {
    now: () => T0,
    nextSeq: () => msgs.length + 1,
    floor: () => 0,
    read: async (_s, from, to, limit) => msgs.filter((m) => m.seq >= from && m.seq <= to).slice(0, limit),
    createdAt: async () => undefined,
  }, { data: [], events: [] });
  return {
    cursor,
    nextSeq: () => msgs.length + 1,
    /** commit these samples as one data message, created at `createdMs` */
    commit(createdMs: number, samples: Sample[]) {
      msgs.push({ stream: 'data', seq: msgs.length + 1, epoch: '0123456789abcdef', createdMs, samples });
    },
  };
}

const s = (p: string, dt: number, v: number | boolean | null, q: Sample['q'] = 'good'): Sample => ({ p, t: T0 + dt, v, q });
const points = new Map<string, RollupPoint>([
  ['dc1.dp', { maxAgeMs: 5000 }],
  ['spark1', {}],
]);

describe('PeriodRollup', () => {
  it('gives each point its newest sample at or before the boundary, and keeps later ones for the next', async () => {
    const b = buffer();
    b.commit(T0 + 300, [s('dc1.dp', 100, 800), s('dc1.dp', 250, 801), s('other.point', 260, 5)]);
    b.commit(T0 + 1300, [s('dc1.dp', 900, 805), s('spark1', 950, true), s('dc1.dp', 1100, 810)]);
    const r = new PeriodRollup(b.cursor, b.nextSeq, points);
    await r.advanceTo(T0 + 1000, 500);
    expect(r.valuesAt(T0 + 1000)).toEqual([
      { p: 'dc1.dp', t: T0 + 900, v: 805, q: 'good' },
      { p: 'spark1', t: T0 + 950, v: true, q: 'good' },
    ]);
    // message 2 still holds a sample after the boundary: only message 1 is folded completely
    expect(r.foldedBefore()).toBe(2);
    await r.advanceTo(T0 + 2000, 500);
    expect(r.valuesAt(T0 + 2000).find((v) => v.p === 'dc1.dp')?.v).toBe(810);
    expect(r.foldedBefore()).toBe(3);
  });

  it('folds a late sample into the next period without letting it replace a newer one', async () => {
    const b = buffer();
    b.commit(T0 + 200, [s('dc1.dp', 100, 800)]);
    const r = new PeriodRollup(b.cursor, b.nextSeq, points);
    await r.advanceTo(T0 + 1000, 300);
    // committed long after its own time: the next period sees it, but not over a newer value
    b.commit(T0 + 1800, [s('dc1.dp', 1500, 830), s('dc1.dp', 700, 790)]);
    await r.advanceTo(T0 + 2000, 300);
    expect(r.valuesAt(T0 + 2000)[0]?.v).toBe(830);
  });

  it('leaves out bad values and values older than the point allows; contacts hold their last state', async () => {
    const b = buffer();
    b.commit(T0 + 100, [s('dc1.dp', 0, 800), s('spark1', 0, false)]);
    b.commit(T0 + 1100, [s('dc1.dp', 1000, null, 'comm')]);
    const r = new PeriodRollup(b.cursor, b.nextSeq, points);
    await r.advanceTo(T0 + 500, 100);
    expect(r.worthSending(r.valuesAt(T0 + 500))).toBe(true);
    await r.advanceTo(T0 + 2000, 100);
    expect(r.valuesAt(T0 + 2000)).toEqual([{ p: 'spark1', t: T0, v: false, q: 'good' }]);
    // only the contact: not worth a request while an analog point is mapped
    expect(r.worthSending(r.valuesAt(T0 + 2000))).toBe(false);
  });

  it('skips the periods with nothing fresh in one step: up to the next sample read, or to now when all is read', async () => {
    const b = buffer();
    b.commit(T0 + 100, [s('dc1.dp', 0, 800)]);
    b.commit(T0 + 3_600_100, [s('dc1.dp', 3_600_050, 820)]); // an hour later: the agent was off
    const r = new PeriodRollup(b.cursor, b.nextSeq, points);
    await r.advanceTo(T0 + 10_000, 500);
    expect(r.worthSending(r.valuesAt(T0 + 10_000))).toBe(false);
    expect(r.skipTo(T0 + 10_000, 1000, T0 + 7_200_000)).toBe(T0 + 3_600_000);
    await r.advanceTo(T0 + 3_601_000, 500);
    expect(r.valuesAt(T0 + 3_601_000)[0]?.v).toBe(820);
    await r.advanceTo(T0 + 3_700_000, 500);
    expect(r.worthSending(r.valuesAt(T0 + 3_700_000))).toBe(false);
    expect(r.skipTo(T0 + 3_700_000, 1000, T0 + 7_200_000)).toBe(T0 + 7_200_000);
  });
});
