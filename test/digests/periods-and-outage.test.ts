/**
 * Periods on the site's clock (Asia/Shanghai, the workshop's shifts 00:00/08:00/16:00, weeks
 * from Monday), and the summaries of periods that ended while the gateway was off: one each,
 * in the order they ended, sent at the next start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Calendar } from '../../agent/digests/periods.js';
import { schemaProblems } from '../uplink/schemas.js';
import { MIN, SHIFT_START, rig, workshopConfig } from './scripted-shift.js';

const H = 60 * MIN;
const calendar = new Calendar(workshopConfig().digests!, 'Asia/Shanghai');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('the site’s periods', () => {
  it('names the shift, day, week and month of an instant by their local start', () => {
    // 2026-06-21 is a Sunday; 08:00 local is 00:00 UTC
    expect(calendar.shiftAt(SHIFT_START + 3 * H)).toMatchObject({ id: 'S-20260621-0800', name: '早班', from: SHIFT_START, to: SHIFT_START + 8 * H });
    expect(calendar.shiftAt(SHIFT_START - 1)).toMatchObject({ id: 'S-20260621-0000', name: '夜班', from: SHIFT_START - 8 * H });
    expect(calendar.shiftAt(SHIFT_START + 15 * H + 59 * MIN)).toMatchObject({ id: 'S-20260621-1600', to: SHIFT_START + 16 * H });
    expect(calendar.dayAt(SHIFT_START)).toMatchObject({ id: 'D-20260621', from: SHIFT_START - 8 * H, to: SHIFT_START + 16 * H });
    expect(calendar.weekAt(SHIFT_START)).toMatchObject({ id: 'W-20260615', from: Date.UTC(2026, 5, 14, 16), to: Date.UTC(2026, 5, 21, 16) });
    expect(calendar.monthAt(SHIFT_START)).toMatchObject({ id: 'M-202606', from: Date.UTC(2026, 4, 31, 16), to: Date.UTC(2026, 5, 30, 16) });
    expect(calendar.shiftsIn(calendar.dayAt(SHIFT_START)).map((s) => s.name)).toEqual(['夜班', '早班', '中班']);
  });
});

describe('summaries after an outage', () => {
  it('sends every period that ended while the gateway was off, once, in order', async () => {
    const r = await rig();
    cleanups.push(() => r.close());
    r.w.advance(2 * H);
    await r.loop.stop();
    // off from 10:00 Sunday to 09:00 Monday: 早班, 中班, the Sunday, the week, 夜班 ended meanwhile
    r.w.advance(23 * H);
    await r.restart();
    await r.loop.idle();
    expect(r.summaries.map((e) => e.id)).toEqual([
      'summary-S-20260621-0800',
      'summary-S-20260621-1600',
      'summary-D-20260621',
      'summary-W-20260615',
      'summary-S-20260622-0000',
    ]);
    // the first shift saw the gateway for 2 of its 8 hours
    expect(r.summaries[0]!.detail).toMatchObject({ figures: { runningPct: 25 } });
    await r.restart();
    await r.loop.idle();
    expect(r.summaries).toHaveLength(5);
  });
});

describe('the briefing before a shift', () => {
  it('gives the last shift’s digest, and the team leader’s signature is an operator event naming its summary', async () => {
    const r = await rig();
    cleanups.push(() => r.close());
    r.w.advance(8 * H + MIN);
    await r.w.clock.advanceAsync(1);
    await r.loop.idle();
    const b = await r.loop.briefing();
    expect(b.lastShift).toMatchObject({ id: 'S-20260621-0800', name: '早班' });
    const e = r.loop.signBriefing(b.lastShift.id, '王班长');
    expect(r.w.events.at(-1)).toEqual(e);
    expect(e).toMatchObject({ type: 'operator', user: '王班长', state: 'briefing_signed', detail: { summary: 'summary-S-20260621-0800' } });
    expect(schemaProblems({ kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events: [e] })).toEqual([]);
  });
});

describe('records the plant does not log', () => {
  it('counts a major hazard gone overdue, and the shift is red with that reason', async () => {
    const r = await rig();
    cleanups.push(() => r.close());
    const found = { id: 'h1', type: 'hazard' as const, record: 'HZ-20260621-001', rule: 'airlock-stopped', grade: 'major' as const, by: 'gateway' };
    r.loop.observe({ ...found, t: r.w.clock.now(), state: 'found', due: SHIFT_START + 2 * H });
    r.w.advance(2 * H);
    r.loop.observe({ ...found, id: 'h2', t: r.w.clock.now(), state: 'overdue' });
    r.w.advance(3 * H);
    const d = await r.loop.current();
    expect(d.figures.hazards).toEqual({ found: 1, closed: 0, overdue: 1, majorOverdue: 1, openAtEnd: 1, openMajorOverdue: 1, oldestOpenH: 8 });
    expect(d.risk).toBe('red');
    expect(d.reasons[0]).toMatchObject({ rule: 'major-hazard-overdue', level: 'red' });
  });
});
