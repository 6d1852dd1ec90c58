/**
 * Alarm handling feedback (处置反馈) for one alarm occurrence, as one transition table: an
 * occurrence of a configured priority opens pending; a logged-in operator or supervisor records
 * its cause and action; none within the site's `withinMin` makes it overdue (once), and it stays
 * listed until someone records it. The page, the tests and docs/CLOSED-LOOP.md read this table.
 */
import type { Priority } from '../core/types.js';
import type { Actor, Role } from './hazard-machine.js';
import { GATEWAY, isPerson } from './actors.js';
import { DISPOSITION_ACTIONS, DISPOSITION_CAUSES, OTHER, presetOf } from './disposition-presets.js';

export type DispositionState = 'pending' | 'overdue' | 'recorded';

/** One occurrence of an alarm (each time it became active) and its handling feedback. */
export interface Occurrence {
  /** the id of the alarm event that reported the activation: the uplink's `alarm` */
  id: string;
  alarm: string;
  source: string;
  name: string;
  nameEn?: string;
  priority: Priority;
  /** when the alarm became active */
  t: number;
  /** the alarm's text as it fired, Chinese first */
  message: string;
  /** feedback is due by then: t + withinMin */
  due: number;
  state: DispositionState;
  overdueAt?: number;
  /** a preset's code, or what the person wrote */
  cause?: string;
  action?: string;
  note?: string;
  by?: string;
  recordedAt?: number;
}

export type DispositionAction = { kind: 'record'; by: Actor; cause: string; action: string; note?: string } | { kind: 'overdue' };

export type DispositionRefusal = 'already-recorded' | 'wrong-state' | 'not-permitted' | 'cause-required' | 'action-required' | 'note-required' | 'too-long' | 'not-due';

export interface DispositionRefused {
  ok: false;
  refusal: DispositionRefusal;
  reason: { zh: string; en: string };
}

export interface DispositionAccepted {
  ok: true;
  occurrence: Occurrence;
}

/** A cause or action fits one line of the page; a note a few sentences. Longer is a forged request. */
export const MAX_CHOICE_CHARS = 200;
export const MAX_NOTE_CHARS = 2000;

interface Row {
  from: readonly DispositionState[];
  /** who may: people by role, or the gateway's own deadline check */
  by: readonly (Role | typeof GATEWAY)[];
  to: DispositionState;
}

export const DISPOSITION_TRANSITIONS: Record<DispositionAction['kind'], Row> = {
  // a logged-in person records cause and action, late or not
  record: { from: ['pending', 'overdue'], by: ['operator', 'supervisor'], to: 'recorded' },
  // the gateway marks it overdue once, past `due`
  overdue: { from: ['pending'], by: [GATEWAY], to: 'overdue' },
};

const STATE_WORDS: Record<DispositionState, { zh: string; en: string }> = {
  pending: { zh: '待处置反馈', en: 'awaiting feedback' },
  overdue: { zh: '处置反馈超时', en: 'feedback overdue' },
  recorded: { zh: '已反馈', en: 'feedback recorded' },
};

export function dispositionWords(s: DispositionState): { zh: string; en: string } {
  return STATE_WORDS[s];
}

function refuse(refusal: DispositionRefusal, zh: string, en: string): DispositionRefused {
  return { ok: false, refusal, reason: { zh, en } };
}

/** The occurrence after the action, or why not. */
export function applyDisposition(o: Occurrence, a: DispositionAction, now: number): DispositionAccepted | DispositionRefused {
  const row = DISPOSITION_TRANSITIONS[a.kind];
  if (!row.from.includes(o.state)) {
    if (o.state === 'recorded') return refuse('already-recorded', `报警 ${o.name} 的处置已由 ${o.by ?? '—'} 填写`, `feedback for ${o.nameEn ?? o.name} was already recorded by ${o.by ?? 'someone'}`);
    return refuse('wrong-state', `该报警当前为「${STATE_WORDS[o.state].zh}」`, `the occurrence is ${STATE_WORDS[o.state].en}`);
  }
  if (a.kind === 'overdue') {
    if (now <= o.due) return refuse('not-due', '尚未到处置反馈期限', 'feedback is not yet due');
    return { ok: true, occurrence: { ...o, state: row.to, overdueAt: now } };
  }
  if (!isPerson(a.by) || !row.by.includes(a.by.role)) return refuse('not-permitted', '请登录操作员或主管账号后填写处置反馈', 'only a logged-in operator or supervisor may record feedback');
  const cause = a.cause.trim();
  const action = a.action.trim();
  const note = a.note?.trim() ?? '';
  if (!cause) return refuse('cause-required', '请选择或填写报警原因', 'choose or write the cause');
  if (!action) return refuse('action-required', '请选择或填写处置措施', 'choose or write what was done');
  if (cause.length > MAX_CHOICE_CHARS || action.length > MAX_CHOICE_CHARS || note.length > MAX_NOTE_CHARS) {
    return refuse('too-long', `原因和措施不超过 ${MAX_CHOICE_CHARS} 字，备注不超过 ${MAX_NOTE_CHARS} 字`, `cause and action take at most ${MAX_CHOICE_CHARS} characters, a note ${MAX_NOTE_CHARS}`);
  }
  if ((cause === OTHER || action === OTHER) && !note) return refuse('note-required', '选择「其他」时请在备注中说明', 'say what "other" was in the note');
  return { ok: true, occurrence: { ...o, state: row.to, cause, action, ...(note ? { note } : {}), by: a.by.user.trim(), recordedAt: now } };
}

/** A cause or action as the platform and the page read it: a preset's words, or the text as written. */
export function causeWords(code: string): { zh: string; en: string; preset?: string } {
  const p = presetOf(DISPOSITION_CAUSES, code);
  return p ? { zh: p.zh, en: p.en, preset: p.code } : { zh: code, en: code };
}

export function actionWords(code: string): { zh: string; en: string; preset?: string } {
  const p = presetOf(DISPOSITION_ACTIONS, code);
  return p ? { zh: p.zh, en: p.en, preset: p.code } : { zh: code, en: code };
}

/** Waiting for feedback: pending, or overdue and still not recorded. */
export function awaitsFeedback(o: Occurrence): boolean {
  return o.state !== 'recorded';
}
