/**
 * A confined-space entry ticket (有限空间作业票) as one transition table: a supervisor opens it;
 * the gateway permits entry only when every isolation lockout is applied, ventilation has run its
 * time, a passing gas test is younger than `testValidMin` and the attendant is present; entrants
 * check in and out (never more than `maxEntrants`); a pause suspends it (longer than
 * `retestAfterPauseMin` needs a new test); any reading out of range, ventilation stopping or the
 * attendant leaving evacuates it until everyone is out; closing records who was inside.
 * Refusals name the unmet step, Chinese first, and change nothing.
 */
import type { Actor, Role } from '../records/hazard-machine.js';
import { GATEWAY, isPerson } from '../records/actors.js';

/** `refused`: an open a supervisor asked for and the gateway refused, kept so its id and reason stay on record */
export type EntryState = 'opened' | 'permitted' | 'suspended' | 'evacuate' | 'closed' | 'refused';

export interface GasReading {
  name: string;
  value: number;
  /** typed in from a portable detector, not read from a fixed one */
  portable?: boolean;
  ok: boolean;
}

export interface GasTest {
  t: number;
  by: string;
  readings: GasReading[];
  pass: boolean;
}

/** A ticket: what the supervisor asked for (OpenRequest), and every step since. */
export interface EntryTicket extends OpenRequest {
  openedAt: number;
  openedBy: string;
  state: EntryState;
  /** who is inside now */
  inside: string[];
  /** everyone who was ever inside */
  wasInside: string[];
  test?: GasTest;
  permittedAt?: number;
  suspendedAt?: number;
  /** who paused it: a supervisor, or the gateway when a check stopped holding with nobody inside */
  suspendedBy?: string;
  /** why the gateway paused it */
  holdCause?: { zh: string; en: string };
  evacuateAt?: number;
  evacuateCause?: { zh: string; en: string };
  closedAt?: number;
  closedBy?: string;
}

/** What the gateway sees of the space at the moment of the action (from the plant). */
export interface SpaceFacts {
  /** lockouts not applied, by input name */
  notIsolated: string[];
  /** ms the ventilation condition has held continuously; undefined when it does not hold */
  ventilatedForMs: number | undefined;
  attendantPresent: boolean;
}

export interface SpaceLimits {
  maxEntrants: number;
  ventilationMs: number;
  testValidMin: number;
  retestAfterPauseMin: number;
}

export type EntryAction =
  | { kind: 'test'; by: Actor; readings: GasReading[] }
  | { kind: 'permit' }
  | { kind: 'enter'; by: Actor; person: string }
  | { kind: 'exit'; by: Actor; person: string }
  | { kind: 'suspend'; by: Actor }
  /** the gateway pauses a permitted ticket with nobody inside when a check stops holding */
  | { kind: 'hold'; cause: { zh: string; en: string } }
  | { kind: 'resume'; by: Actor }
  | { kind: 'evacuate'; cause: { zh: string; en: string } }
  | { kind: 'close'; by: Actor };

export type EntryRefusal =
  | 'wrong-state'
  | 'not-permitted'
  | 'not-isolated'
  | 'not-ventilated'
  | 'no-test'
  | 'test-failed'
  | 'test-stale'
  | 'no-attendant'
  | 'not-an-entrant'
  | 'already-inside'
  | 'not-inside'
  | 'full'
  | 'people-inside'
  | 'no-readings'
  | 'unknown-space'
  | 'work-required'
  | 'attendant-required'
  | 'entrants-required'
  | 'entrant-twice'
  | 'attendant-entrant';

export interface EntryRefused {
  ok: false;
  refusal: EntryRefusal;
  reason: { zh: string; en: string };
}

export interface EntryAccepted {
  ok: true;
  ticket: EntryTicket;
}

interface Row {
  from: readonly EntryState[];
  by: readonly (Role | typeof GATEWAY)[];
  /** undefined: the state stays as it is */
  to?: EntryState;
}

export const ENTRY_TRANSITIONS: Record<EntryAction['kind'], Row> = {
  // a logged-in tester records the detector's readings at a moment they choose
  test: { from: ['opened', 'permitted', 'suspended'], by: ['operator', 'supervisor'] },
  // the gateway permits once every check holds, and again after it paused the ticket itself
  permit: { from: ['opened', 'suspended'], by: [GATEWAY], to: 'permitted' },
  enter: { from: ['permitted'], by: ['operator', 'supervisor'] },
  // leaving is always allowed, evacuating above all
  exit: { from: ['permitted', 'suspended', 'evacuate'], by: ['operator', 'supervisor'] },
  suspend: { from: ['permitted'], by: ['supervisor'], to: 'suspended' },
  hold: { from: ['permitted'], by: [GATEWAY], to: 'suspended' },
  resume: { from: ['suspended'], by: [GATEWAY, 'supervisor'], to: 'permitted' },
  evacuate: { from: ['permitted', 'suspended'], by: [GATEWAY], to: 'evacuate' },
  close: { from: ['opened', 'permitted', 'suspended', 'evacuate'], by: ['supervisor'], to: 'closed' },
};

const STATE_WORDS: Record<EntryState, { zh: string; en: string }> = {
  opened: { zh: '已开票', en: 'opened' },
  permitted: { zh: '准许进入', en: 'entry permitted' },
  suspended: { zh: '暂停', en: 'suspended' },
  evacuate: { zh: '撤离', en: 'evacuate' },
  closed: { zh: '已关闭', en: 'closed' },
  refused: { zh: '未开票（被拒绝）', en: 'refused' },
};

export function entryWords(s: EntryState): { zh: string; en: string } {
  return STATE_WORDS[s];
}

function refuse(refusal: EntryRefusal, zh: string, en: string): EntryRefused {
  return { ok: false, refusal, reason: { zh, en } };
}

/** The first unmet step before entry, or undefined when entry may be permitted. */
export function unmetStep(t: EntryTicket, f: SpaceFacts, lim: SpaceLimits, now: number, sincePauseMs?: number): EntryRefused | undefined {
  if (f.notIsolated.length) return refuse('not-isolated', `隔离未完成：${f.notIsolated.join('、')} 未上锁`, `isolation not applied: ${f.notIsolated.join(', ')}`);
  const vent = f.ventilatedForMs;
  if (vent === undefined) return refuse('not-ventilated', '通风未运行', 'ventilation is not running');
  if (vent < lim.ventilationMs) {
    const left = Math.ceil((lim.ventilationMs - vent) / 60_000);
    return refuse('not-ventilated', `通风时间不足，还需 ${left} 分钟`, `ventilation has not run its time: ${left} min to go`);
  }
  if (!t.test) return refuse('no-test', '尚未进行气体检测', 'no gas test taken');
  if (!t.test.pass) {
    const bad = t.test.readings.filter((r) => !r.ok).map((r) => `${r.name}=${r.value}`).join(', ');
    return refuse('test-failed', `气体检测不合格：${bad}`, `gas test failed: ${bad}`);
  }
  const ageMin = (now - t.test.t) / 60_000;
  if (ageMin > lim.testValidMin) return refuse('test-stale', `气体检测已过 ${lim.testValidMin} 分钟，请重新检测`, `the gas test is older than ${lim.testValidMin} min: test again`);
  // a pause longer than retestAfterPauseMin needs a test taken after the pause began
  if (sincePauseMs !== undefined && t.suspendedAt !== undefined && sincePauseMs > lim.retestAfterPauseMin * 60_000 && t.test.t < t.suspendedAt) {
    return refuse('test-stale', `暂停超过 ${lim.retestAfterPauseMin} 分钟，请重新检测`, `paused longer than ${lim.retestAfterPauseMin} min: test again`);
  }
  if (!f.attendantPresent) return refuse('no-attendant', '监护人不在岗', 'the attendant is not present');
  return undefined;
}

/** The ticket after the action, or why not; `facts` is what the plant shows now. */
export function applyEntry(t: EntryTicket, a: EntryAction, now: number, facts: SpaceFacts, lim: SpaceLimits): EntryAccepted | EntryRefused {
  const row = ENTRY_TRANSITIONS[a.kind];
  if (!row.from.includes(t.state)) return refuse('wrong-state', `作业票当前为「${STATE_WORDS[t.state].zh}」，不能${a.kind}`, `the ticket is ${STATE_WORDS[t.state].en}: cannot ${a.kind}`);
  if ('by' in a) {
    if (!isPerson(a.by) || !row.by.includes(a.by.role)) return refuse('not-permitted', '请登录有权限的账号', `a logged-in ${row.by.filter((r) => r !== GATEWAY).join(' or ')} is needed`);
  }
  const to = row.to ?? t.state;
  switch (a.kind) {
    case 'test': {
      if (a.readings.length === 0) return refuse('no-readings', '检测读数为空', 'no readings in the test');
      const test: GasTest = { t: now, by: a.by.user.trim(), readings: a.readings, pass: a.readings.every((r) => r.ok) };
      return { ok: true, ticket: { ...t, test } };
    }
    case 'permit':
    case 'resume': {
      // the gateway resumes only what it paused itself; a supervisor's pause needs a supervisor
      if (a.kind === 'permit' && t.state === 'suspended' && t.suspendedBy !== GATEWAY) return refuse('wrong-state', `作业票由 ${t.suspendedBy ?? ''} 暂停，需主管恢复`, `paused by ${t.suspendedBy ?? 'a supervisor'}: a supervisor resumes it`);
      const pause = t.suspendedAt !== undefined ? now - t.suspendedAt : undefined;
      const unmet = unmetStep(t, facts, lim, now, pause);
      if (unmet) return unmet;
      const { suspendedAt: _s, suspendedBy: _b, holdCause: _c, ...rest } = t;
      return { ok: true, ticket: { ...rest, state: to, permittedAt: now } };
    }
    case 'enter': {
      const p = a.person.trim();
      if (!t.entrants.includes(p)) return refuse('not-an-entrant', `${p} 不是本票的作业人员`, `${p} is not an entrant on this ticket`);
      if (t.inside.includes(p)) return refuse('already-inside', `${p} 已在有限空间内`, `${p} is already inside`);
      if (t.inside.length >= lim.maxEntrants) return refuse('full', `空间内已有 ${t.inside.length} 人，最多 ${lim.maxEntrants} 人`, `${t.inside.length} inside, at most ${lim.maxEntrants}`);
      // entry begins only with every check still holding, the test within testValidMin
      const unmet = unmetStep(t, facts, lim, now);
      if (unmet) return unmet;
      const wasInside = t.wasInside.includes(p) ? t.wasInside : [...t.wasInside, p];
      return { ok: true, ticket: { ...t, inside: [...t.inside, p], wasInside } };
    }
    case 'exit': {
      const p = a.person.trim();
      if (!t.inside.includes(p)) return refuse('not-inside', `${p} 不在有限空间内`, `${p} is not inside`);
      return { ok: true, ticket: { ...t, inside: t.inside.filter((x) => x !== p) } };
    }
    case 'suspend':
      if (t.inside.length) return refuse('people-inside', `暂停前请所有人员撤出：${t.inside.join('、')}`, `everyone must come out before a pause: ${t.inside.join(', ')}`);
      return { ok: true, ticket: { ...t, state: to, suspendedAt: now, suspendedBy: a.by.user.trim() } };
    case 'hold':
      return { ok: true, ticket: { ...t, state: to, suspendedAt: now, suspendedBy: GATEWAY, holdCause: a.cause } };
    case 'evacuate':
      return { ok: true, ticket: { ...t, state: to, evacuateAt: now, evacuateCause: a.cause } };
    case 'close': {
      if (t.inside.length) return refuse('people-inside', `仍有人员在内：${t.inside.join('、')}`, `still inside: ${t.inside.join(', ')}`);
      return { ok: true, ticket: { ...t, state: to, closedAt: now, closedBy: a.by.user.trim() } };
    }
  }
}

/** Evacuate holds while anyone is inside; the alarm clears when the last one checks out. */
export function evacuateHolds(t: EntryTicket): boolean {
  return t.state === 'evacuate' && t.inside.length > 0;
}

export interface OpenRequest {
  id: string;
  space: string;
  work: string;
  inCharge: string;
  attendant: string;
  entrants: string[];
}

/** A new ticket for a declared space, or why not: unknown space, no work, an entrant twice, the attendant also an entrant. */
export function openEntry(req: OpenRequest, by: Actor, now: number, spaces: ReadonlySet<string>): EntryAccepted | EntryRefused {
  if (!isPerson(by) || by.role !== 'supervisor') return refuse('not-permitted', '请登录主管账号后开票', 'only a logged-in supervisor may open a ticket');
  if (!spaces.has(req.space)) return refuse('unknown-space', `有限空间 ${req.space} 未在站点文件中声明`, `no confined space ${req.space} in the site file`);
  const work = req.work.trim();
  const attendant = req.attendant.trim();
  const entrants = req.entrants.map((e) => e.trim());
  if (!work) return refuse('work-required', '请填写作业内容', 'say what the work is');
  if (!attendant) return refuse('attendant-required', '请指定监护人', 'name the attendant');
  if (entrants.length === 0 || entrants.some((e) => !e)) return refuse('entrants-required', '请列出作业人员', 'list the entrants');
  const twice = entrants.find((e, i) => entrants.indexOf(e) !== i);
  if (twice !== undefined) return refuse('entrant-twice', `作业人员 ${twice} 重复`, `entrant ${twice} is listed twice`);
  if (entrants.includes(attendant)) return refuse('attendant-entrant', `监护人 ${attendant} 不能同时作为作业人员`, `the attendant ${attendant} cannot also be an entrant`);
  return {
    ok: true,
    ticket: { id: req.id, space: req.space, work, inCharge: req.inCharge.trim() || by.user.trim(), attendant, entrants, openedAt: now, openedBy: by.user.trim(), state: 'opened', inside: [], wasInside: [] },
  };
}
