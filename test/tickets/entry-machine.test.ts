/**
 * The confined-space entry table on its own: each step refused with the unmet step named until
 * it holds, the count never above maxEntrants, refusals change nothing, evacuate until all out.
 */
import { describe, expect, it } from 'vitest';
import { applyEntry, evacuateHolds, openEntry, type EntryAction, type EntryTicket, type SpaceFacts, type SpaceLimits } from '../../agent/tickets/entry-machine.js';

const MIN = 60_000;
const sup = { user: '王主管', role: 'supervisor' as const };
const op = { user: '李检测', role: 'operator' as const };
const lim: SpaceLimits = { maxEntrants: 2, ventilationMs: 30 * MIN, testValidMin: 30, retestAfterPauseMin: 30 };
const ready: SpaceFacts = { notIsolated: [], ventilatedForMs: 30 * MIN, attendantPresent: true };
const good = [{ name: 'o2', value: 20.9, ok: true }, { name: 'h2s', value: 0, ok: true }];

function opened(): EntryTicket {
  return { id: 'T1', space: 'hopper', work: '清灰', inCharge: '王主管', attendant: '赵监护', entrants: ['张三', '李四', '钱五'], openedAt: 0, openedBy: '王主管', state: 'opened', inside: [], wasInside: [] };
}

function step(t: EntryTicket, a: EntryAction, now: number, f: SpaceFacts = ready): EntryTicket {
  const r = applyEntry(t, a, now, f, lim);
  if (!r.ok) throw new Error(r.reason.en);
  return r.ticket;
}

describe('entry machine', () => {
  it('refuses permit naming the lockout, then ventilation, then the test, then the attendant', () => {
    const t = opened();
    const r1 = applyEntry(t, { kind: 'permit' }, 0, { ...ready, notIsolated: ['lock_hopper'] }, lim);
    expect(r1).toMatchObject({ ok: false, refusal: 'not-isolated' });
    if (!r1.ok) expect(r1.reason.zh).toContain('lock_hopper');
    expect(applyEntry(t, { kind: 'permit' }, 0, { ...ready, ventilatedForMs: 29 * MIN }, lim)).toMatchObject({ ok: false, refusal: 'not-ventilated' });
    expect(applyEntry(t, { kind: 'permit' }, 0, ready, lim)).toMatchObject({ ok: false, refusal: 'no-test' });
    const failed = step(t, { kind: 'test', by: op, readings: [{ name: 'o2', value: 19.0, ok: false }] }, 0);
    expect(applyEntry(failed, { kind: 'permit' }, 0, ready, lim)).toMatchObject({ ok: false, refusal: 'test-failed' });
    const tested = step(t, { kind: 'test', by: op, readings: good }, 0);
    expect(applyEntry(tested, { kind: 'permit' }, 0, { ...ready, attendantPresent: false }, lim)).toMatchObject({ ok: false, refusal: 'no-attendant' });
    expect(step(tested, { kind: 'permit' }, 1)).toMatchObject({ state: 'permitted', permittedAt: 1 });
    expect(t.state).toBe('opened');
  });

  it('refuses entry with a test 31 min old', () => {
    let t = step(opened(), { kind: 'test', by: op, readings: good }, 0);
    t = step(t, { kind: 'permit' }, MIN);
    expect(applyEntry(t, { kind: 'enter', by: sup, person: '张三' }, 31 * MIN, ready, lim)).toMatchObject({ ok: false, refusal: 'test-stale' });
    expect(step(t, { kind: 'enter', by: sup, person: '张三' }, 30 * MIN).inside).toEqual(['张三']);
  });

  it('counts people, never above maxEntrants, no one twice, only entrants', () => {
    let t = step(step(opened(), { kind: 'test', by: op, readings: good }, 0), { kind: 'permit' }, 0);
    t = step(t, { kind: 'enter', by: sup, person: '张三' }, 1);
    expect(applyEntry(t, { kind: 'enter', by: sup, person: '张三' }, 2, ready, lim)).toMatchObject({ ok: false, refusal: 'already-inside' });
    expect(applyEntry(t, { kind: 'enter', by: sup, person: '赵监护' }, 2, ready, lim)).toMatchObject({ ok: false, refusal: 'not-an-entrant' });
    t = step(t, { kind: 'enter', by: sup, person: '李四' }, 2);
    expect(applyEntry(t, { kind: 'enter', by: sup, person: '钱五' }, 3, ready, lim)).toMatchObject({ ok: false, refusal: 'full' });
    expect(applyEntry(t, { kind: 'close', by: sup }, 3, ready, lim)).toMatchObject({ ok: false, refusal: 'people-inside' });
    t = step(step(t, { kind: 'exit', by: sup, person: '张三' }, 4), { kind: 'exit', by: sup, person: '李四' }, 5);
    t = step(t, { kind: 'close', by: sup }, 6);
    expect(t).toMatchObject({ state: 'closed', closedBy: '王主管', wasInside: ['张三', '李四'] });
  });

  it('evacuate holds until everyone is out; nothing but exit and close is accepted', () => {
    let t = step(step(opened(), { kind: 'test', by: op, readings: good }, 0), { kind: 'permit' }, 0);
    t = step(t, { kind: 'enter', by: sup, person: '张三' }, 1);
    t = step(t, { kind: 'evacuate', cause: { zh: '氧含量 19.0%', en: 'O2 19.0 %' } }, 2);
    expect(evacuateHolds(t)).toBe(true);
    expect(applyEntry(t, { kind: 'enter', by: sup, person: '李四' }, 3, ready, lim)).toMatchObject({ ok: false, refusal: 'wrong-state' });
    t = step(t, { kind: 'exit', by: sup, person: '张三' }, 3);
    expect(evacuateHolds(t)).toBe(false);
  });

  it('a pause longer than retestAfterPauseMin needs a new test; the gateway alone permits', () => {
    let t = step(step(opened(), { kind: 'test', by: op, readings: good }, 0), { kind: 'permit' }, 0);
    t = step(t, { kind: 'suspend', by: sup }, MIN);
    expect(applyEntry(t, { kind: 'resume', by: sup }, 32 * MIN, ready, lim)).toMatchObject({ ok: false, refusal: 'test-stale' });
    t = step(t, { kind: 'test', by: op, readings: good }, 32 * MIN);
    expect(step(t, { kind: 'resume', by: sup }, 33 * MIN).state).toBe('permitted');
    expect(applyEntry(opened(), { kind: 'suspend', by: op }, 0, ready, lim)).toMatchObject({ ok: false, refusal: 'wrong-state' });
    expect(applyEntry(t, { kind: 'test', by: { user: 'gateway', role: 'operator' }, readings: good }, 0, ready, lim)).toMatchObject({ ok: false, refusal: 'not-permitted' });
  });
});

describe('opening a ticket', () => {
  const spaces = new Set(['hopper']);
  const req = { id: 'T2', space: 'hopper', work: '清灰', inCharge: '王主管', attendant: '赵监护', entrants: ['张三'] };
  it('opens for a declared space', () => {
    expect(openEntry(req, sup, 5, spaces)).toMatchObject({ ok: true, ticket: { state: 'opened', openedAt: 5, openedBy: '王主管' } });
  });
  it('refuses an unknown space, an entrant twice, the attendant as entrant, an operator', () => {
    expect(openEntry({ ...req, space: 'silo' }, sup, 0, spaces)).toMatchObject({ ok: false, refusal: 'unknown-space' });
    expect(openEntry({ ...req, entrants: ['张三', ' 张三'] }, sup, 0, spaces)).toMatchObject({ ok: false, refusal: 'entrant-twice' });
    expect(openEntry({ ...req, entrants: ['张三', '赵监护'] }, sup, 0, spaces)).toMatchObject({ ok: false, refusal: 'attendant-entrant' });
    expect(openEntry(req, op, 0, spaces)).toMatchObject({ ok: false, refusal: 'not-permitted' });
  });
});
