/**
 * The three things the page may do to the plant — acknowledge, shelve, reset — each checked in a
 * fixed order before the model is touched: origin, session, CSRF token, role, body, target id,
 * idempotency key. Any refusal leaves the plant exactly as it was.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { actor, BODY_LIMIT } from './auth.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import type { ActionResult, PlantModel } from './model.js';

type Refusal = Extract<ActionResult, { ok: false }>['refusal'];

/** The rules refuse in their own words; only here does a refusal become an HTTP status. */
const REFUSAL_STATUS: Record<Refusal, 400 | 404 | 409> = {
  'unknown-alarm': 404,
  'unknown-permit': 404,
  'shelve-ends-past': 400,
  'not-awaiting-ack': 409,
  'not-shelvable': 409,
  'already-so': 409,
  'not-latched': 409,
  'conditions-fail': 409,
};
import { IDEMPOTENCY_KEY, type ReplayGuard } from './replay.js';
import type { SessionStore } from './sessions.js';
import type { Role } from './users.js';
import { emptyBody, shelveBody, type ShelveBody } from './validate.js';

export type ActionKind = 'ack' | 'shelve' | 'reset';

export interface ActionDeps {
  model: PlantModel;
  sessions: SessionStore;
  replay: ReplayGuard;
  clock: Clock;
  log: Logger;
}

/**
 * Shelving hides an alarm from the operator for a time, so ISA-18.2 wants it controlled:
 * only a supervisor may shelve. Acknowledging and resetting a latched permit (on site, after the
 * cause is gone, as the site file's `latch` comment says) are operator duties.
 */
const NEEDS: Record<ActionKind, readonly Role[]> = {
  ack: ['operator', 'supervisor'],
  reset: ['operator', 'supervisor'],
  shelve: ['supervisor'],
};

export const IDEMPOTENCY_HEADER = 'idempotency-key';

type Request = { kind: 'ack' } | { kind: 'reset' } | ({ kind: 'shelve' } & ShelveBody);

function parse(kind: ActionKind, body: unknown): Request {
  if (kind === 'shelve') return { kind, ...shelveBody(body) };
  emptyBody(body);
  return { kind };
}

export async function act(kind: ActionKind, id: string, req: IncomingMessage, res: ServerResponse, deps: ActionDeps): Promise<void> {
  const session = actor(req, deps.sessions);
  if (!NEEDS[kind].includes(session.user.role)) {
    throw new HttpError(403, 'role', `${kind} needs the role ${NEEDS[kind].join(' or ')}`);
  }
  const body = await readJsonBody(req, BODY_LIMIT);
  const request = parse(kind, body);

  const snapshot = deps.model.snapshot();
  const known = kind === 'reset' ? snapshot.permits.some((p) => p.id === id) : snapshot.alarms.some((a) => a.id === id);
  if (!known) throw new HttpError(404, 'not_found', `no ${kind === 'reset' ? 'interlock' : 'alarm'} with id ${id}`);

  const key = req.headers[IDEMPOTENCY_HEADER];
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(400, 'invalid', 'Idempotency-Key header: must be 16..128 letters, digits, _ or -');
  }
  if (!deps.replay.claim(key)) throw new HttpError(409, 'replayed', 'this request was already received (Idempotency-Key reused)');

  deps.sessions.touch(session);
  const user = session.user.name;
  let result: ActionResult;
  if (request.kind === 'ack') result = await deps.model.acknowledge(id, user);
  else if (request.kind === 'reset') result = await deps.model.reset(id, user);
  else result = await deps.model.shelve(id, user, request.reason, deps.clock.now() + request.minutes * 60_000);
  deps.log.info({ user, action: kind, id, ok: result.ok, ...(result.ok ? {} : { error: result.error }) }, 'operator action');
  if (!result.ok) throw new HttpError(REFUSAL_STATUS[result.refusal], 'refused', result.error);
  sendJson(res, 200, { ok: true });
}
