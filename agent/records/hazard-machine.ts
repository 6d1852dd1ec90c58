/**
 * A hidden-hazard record's life (隐患排查整改闭环), as one transition table: state × action →
 * next state, or a typed refusal naming why. found → assigned → rectified → closed; a
 * supervisor's verification can send it back (rejected → rectified again). The page, the CLI,
 * the tests and docs/HAZARDS.md all read this table; nothing else changes a record's state.
 */

export type HazardState = 'found' | 'assigned' | 'rectified' | 'rejected' | 'closed';
export type Grade = 'major' | 'general';
export type Role = 'operator' | 'supervisor';

export interface HazardRecord {
  /** HZ-20261202-003: date found, then the day's count */
  id: string;
  /** the site file's hazard, cleaning or confined-space id; `manual` for one a person entered */
  rule: string;
  clause: string;
  grade: Grade;
  /** what was found, Chinese first */
  title: string;
  description?: string;
  state: HazardState;
  foundAt: number;
  /** `gateway` for a rule's finding, else the user who entered it */
  foundBy: string;
  assignee?: string;
  /** deadline for rectifying, ms since the epoch */
  due?: number;
  rectifiedBy?: string;
  closedAt?: number;
  /** when the gateway first saw it past due while not rectified */
  overdueAt?: number;
  /** the closed record of the same rule this one follows */
  previous?: string;
  photos: string[];
}

export interface Actor {
  user: string;
  role: Role;
}

export type HazardAction =
  | { kind: 'assign'; by: Actor; assignee: string; due: number; note?: string }
  | { kind: 'rectify'; by: Actor; note: string; photos?: string[] }
  | { kind: 'close'; by: Actor; note?: string }
  | { kind: 'reject'; by: Actor; note: string };

export type HazardRefusal =
  | 'wrong-state'
  | 'not-permitted'
  | 'not-assignee'
  | 'rectifier-verifies'
  | 'condition-present'
  | 'note-required'
  | 'bad-due';

export interface Refused {
  ok: false;
  refusal: HazardRefusal;
  reason: { zh: string; en: string };
}

export interface Accepted {
  ok: true;
  record: HazardRecord;
}

interface Row {
  from: readonly HazardState[];
  roles: readonly Role[];
  to: HazardState;
}

/** Who may do what from where. Guards beyond state and role are in check() below. */
export const HAZARD_TRANSITIONS: Record<HazardAction['kind'], Row> = {
  // a supervisor assigns (or re-assigns) a fixer and a deadline
  assign: { from: ['found', 'assigned', 'rejected'], roles: ['supervisor'], to: 'assigned' },
  // the assignee rectifies; refused while the gateway still sees the condition
  rectify: { from: ['assigned', 'rejected'], roles: ['operator', 'supervisor'], to: 'rectified' },
  // a supervisor who did not rectify it verifies: closed, or back to the fixer
  close: { from: ['rectified'], roles: ['supervisor'], to: 'closed' },
  reject: { from: ['rectified'], roles: ['supervisor'], to: 'rejected' },
};

const STATE_WORDS: Record<HazardState, { zh: string; en: string }> = {
  found: { zh: '待指派', en: 'found' },
  assigned: { zh: '整改中', en: 'assigned' },
  rectified: { zh: '待验收', en: 'awaiting verification' },
  rejected: { zh: '验收未通过，重新整改', en: 'rejected, back to the fixer' },
  closed: { zh: '已闭环', en: 'closed' },
};

export function stateWords(s: HazardState): { zh: string; en: string } {
  return STATE_WORDS[s];
}

function refuse(refusal: HazardRefusal, zh: string, en: string): Refused {
  return { ok: false, refusal, reason: { zh, en } };
}

/**
 * The record after the action, or why not. `conditionPresent` says whether the gateway still
 * sees what the record's rule watches (false for manual records and for what it cannot see).
 */
export function applyHazardAction(r: HazardRecord, a: HazardAction, ctx: { now: number; conditionPresent: boolean }): Accepted | Refused {
  const row = HAZARD_TRANSITIONS[a.kind];
  if (!row.from.includes(r.state)) {
    return refuse('wrong-state', `隐患 ${r.id} 当前为「${STATE_WORDS[r.state].zh}」，不能${ACTION_ZH[a.kind]}`, `record ${r.id} is ${STATE_WORDS[r.state].en}: it cannot be ${ACTION_EN[a.kind]}`);
  }
  if (!row.roles.includes(a.by.role)) {
    return refuse('not-permitted', `只有${row.roles.includes('operator') ? '操作员或' : ''}主管可以${ACTION_ZH[a.kind]}`, `only a ${row.roles.join(' or ')} may ${a.kind} a record`);
  }
  const next: HazardRecord = { ...r, photos: [...r.photos], state: row.to };
  switch (a.kind) {
    case 'assign':
      if (!a.assignee.trim()) return refuse('not-assignee', '请填写整改责任人', 'name the person who will rectify it');
      if (!Number.isFinite(a.due) || a.due <= ctx.now) return refuse('bad-due', '整改期限必须晚于现在', 'the deadline must be in the future');
      next.assignee = a.assignee.trim();
      next.due = a.due;
      delete next.overdueAt;
      break;
    case 'rectify':
      if (a.by.user !== r.assignee) return refuse('not-assignee', `隐患 ${r.id} 由 ${r.assignee ?? '—'} 整改，不是 ${a.by.user}`, `record ${r.id} is assigned to ${r.assignee ?? 'nobody'}, not ${a.by.user}`);
      if (!a.note.trim()) return refuse('note-required', '请写明整改措施', 'say what was done');
      if (ctx.conditionPresent) return refuse('condition-present', '网关仍检测到该隐患条件，不能提交整改', 'the gateway still sees the condition: it cannot be rectified yet');
      next.rectifiedBy = a.by.user;
      next.photos.push(...(a.photos ?? []));
      break;
    case 'close':
    case 'reject':
      if (a.by.user === r.rectifiedBy) return refuse('rectifier-verifies', '整改人不能验收自己的整改', 'the person who rectified it cannot verify it');
      if (a.kind === 'reject' && !a.note.trim()) return refuse('note-required', '请写明验收未通过的原因', 'say why it is rejected');
      if (a.kind === 'close') next.closedAt = ctx.now;
      else delete next.rectifiedBy;
      break;
  }
  return { ok: true, record: next };
}

/** Past its deadline while nobody has rectified it. */
export function isOverdue(r: HazardRecord, now: number): boolean {
  return (r.state === 'found' || r.state === 'assigned' || r.state === 'rejected') && r.due !== undefined && now > r.due;
}

export function isOpen(r: HazardRecord): boolean {
  return r.state !== 'closed';
}

const ACTION_ZH: Record<HazardAction['kind'], string> = { assign: '指派', rectify: '提交整改', close: '验收闭环', reject: '驳回' };
const ACTION_EN: Record<HazardAction['kind'], string> = { assign: 'assigned', rectify: 'rectified', close: 'closed', reject: 'rejected' };
