/**
 * The checks every closed-loop record route makes before it changes anything (hazards,
 * dispositions, cleaning), in the same order as the plant's actions (actions.ts): a session
 * with the role the step needs, a fresh Idempotency-Key, a well-formed id. Only here and in
 * actions.ts does a refusal of the records become an HTTP status.
 */
import type { IncomingMessage } from 'node:http';
import { actor } from './auth.js';
import { HttpError } from './http.js';
import { IDEMPOTENCY_KEY, type ReplayGuard } from './replay.js';
import type { Session, SessionStore } from './sessions.js';
import type { Role } from './users.js';
import { IDEMPOTENCY_HEADER } from './actions.js';

/** The session of a person whose role may take this step, or a 401/403. */
export function sessionFor(verb: string, roles: readonly Role[], req: IncomingMessage, sessions: SessionStore): Session {
  const session = actor(req, sessions);
  if (!roles.includes(session.user.role)) throw new HttpError(403, 'role', `${verb} needs the role ${roles.join(' or ')}`);
  return session;
}

/** The request's Idempotency-Key, claimed once: a double tap or a replay is a 409. */
export function claimKey(req: IncomingMessage, replay: ReplayGuard): void {
  const key = req.headers[IDEMPOTENCY_HEADER];
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(400, 'invalid', 'Idempotency-Key header: must be 16..128 letters, digits, _ or -');
  }
  if (!replay.claim(key)) throw new HttpError(409, 'replayed', 'this request was already received (Idempotency-Key reused)');
}

/** A record's refusal, in both languages, with its status. */
export function refusalError(status: number, kind: string, reason: { zh: string; en: string }): HttpError {
  return new HttpError(status, 'refused', reason.en, {}, { refusal: kind, reason });
}

export function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'invalid', 'id is not valid URL encoding');
  }
}

export function notAllowed(allow: string): HttpError {
  return new HttpError(405, 'method_not_allowed', `use ${allow}`, { Allow: allow });
}
