/**
 * The JSON API of alarm handling feedback and cleaning check-ins (docs/HAZARDS.md lists it beside
 * the hazard board's): read without a login; record feedback or check an area in with a
 * session, checked in the order of every action (route-guards.ts): session and role, body,
 * target, Idempotency-Key. The records refuse in their own words; only here does a refusal get
 * its HTTP status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';
import type { CheckInRefusal } from '../records/cleaning-records.js';
import type { RecordResult } from '../records/disposition-records.js';
import { BODY_LIMIT } from './auth.js';
import { photoNames } from './hazard-bodies.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import type { PlantModel } from './model.js';
import type { ReplayGuard } from './replay.js';
import { claimKey, decodeId, notAllowed, refusalError, sessionFor } from './route-guards.js';
import type { SessionStore } from './sessions.js';
import { objectWith, text } from './validate.js';

export interface RecordDeps {
  model: PlantModel;
  sessions: SessionStore;
  replay: ReplayGuard;
  log: Logger;
}

type DispositionRefusal = Extract<RecordResult, { ok: false }>['refusal'];
const DISPOSITION_STATUS: Record<DispositionRefusal, number> = {
  'unknown-occurrence': 404,
  'already-recorded': 409,
  'wrong-state': 409,
  'not-permitted': 403,
  'cause-required': 400,
  'action-required': 400,
  'note-required': 400,
  'too-long': 400,
  'not-due': 409,
};
const CHECKIN_STATUS: Record<CheckInRefusal, number> = { 'unknown-area': 404, 'not-permitted': 403, 'too-long': 400 };

const DISPOSITION_PATH = /^\/api\/dispositions(?:\/([^/]+))?$/;
const CLEANING_PATH = /^\/api\/cleaning(?:\/([^/]+)(?:\/(check-in))?)?$/;
/** people on both roles record feedback and check areas in (issue #16, "Roles") */
const PEOPLE = ['operator', 'supervisor'] as const;
const HISTORY_LIMIT = 50;

/** Answers a request under /api/dispositions or /api/cleaning; false if the path is neither's. */
export async function recordRoute(path: string, method: string, req: IncomingMessage, res: ServerResponse, deps: RecordDeps): Promise<boolean> {
  const d = DISPOSITION_PATH.exec(path);
  if (d) {
    await disposition(d[1], method, req, res, deps);
    return true;
  }
  const c = CLEANING_PATH.exec(path);
  if (c) {
    await cleaning(c[1], c[2], method, req, res, deps);
    return true;
  }
  return false;
}

async function disposition(rawId: string | undefined, method: string, req: IncomingMessage, res: ServerResponse, deps: RecordDeps): Promise<void> {
  const desk = deps.model.dispositions;
  if (!desk) throw new HttpError(404, 'not_found', 'this site asks for no alarm handling feedback (alarms.disposition)');
  if (rawId === undefined) {
    if (method !== 'GET') throw notAllowed('GET');
    const board = deps.model.snapshot().dispositions;
    sendJson(res, 200, { ...board, recent: await desk.history(HISTORY_LIMIT), causes: desk.causes, actions: desk.actions });
    return;
  }
  if (method !== 'POST') throw notAllowed('POST');
  const id = decodeId(rawId);
  const session = sessionFor('disposition', PEOPLE, req, deps.sessions);
  const r = objectWith(await readJsonBody(req, BODY_LIMIT), ['cause', 'action', 'note']);
  // the machine bounds and explains the lengths; these only keep a forged body small
  const cause = text(r, 'cause', 0, 200);
  const action = text(r, 'action', 0, 200);
  const note = r['note'] === undefined ? undefined : text(r, 'note', 0, 2000);
  claimKey(req, deps.replay);
  deps.sessions.touch(session);
  const by = { user: session.user.name, role: session.user.role };
  const result = await desk.record(id, { cause, action, ...(note !== undefined ? { note } : {}), by });
  deps.log.info({ user: by.user, action: 'disposition', occurrence: id, ok: result.ok, ...(result.ok ? {} : { refusal: result.refusal }) }, 'operator action');
  if (!result.ok) throw refusalError(DISPOSITION_STATUS[result.refusal], result.refusal, result.reason);
  sendJson(res, 200, { ok: true, occurrence: result.occurrence });
}

async function cleaning(rawArea: string | undefined, verb: string | undefined, method: string, req: IncomingMessage, res: ServerResponse, deps: RecordDeps): Promise<void> {
  const desk = deps.model.cleaning;
  if (!desk) throw new HttpError(404, 'not_found', 'this site has no cleaning areas (cleaning)');
  if (rawArea === undefined) {
    if (method !== 'GET') throw notAllowed('GET');
    sendJson(res, 200, deps.model.snapshot().cleaning);
    return;
  }
  const area = decodeId(rawArea);
  if (verb === undefined) {
    if (method !== 'GET') throw notAllowed('GET');
    const history = await desk.history(area);
    if (!history) throw new HttpError(404, 'not_found', `no cleaning area ${area}`);
    sendJson(res, 200, { area: deps.model.snapshot().cleaning?.areas.find((a) => a.id === area), history });
    return;
  }
  if (method !== 'POST') throw notAllowed('POST');
  const session = sessionFor('check-in', PEOPLE, req, deps.sessions);
  const r = objectWith(await readJsonBody(req, BODY_LIMIT), ['note', 'photos']);
  const note = r['note'] === undefined ? undefined : text(r, 'note', 0, 500);
  const photos = photoNames(r);
  for (const p of photos ?? []) {
    if (!(await deps.model.hazards?.photos?.has(p))) throw new HttpError(400, 'invalid', `photos: no uploaded photo ${p}`);
  }
  claimKey(req, deps.replay);
  deps.sessions.touch(session);
  const by = { user: session.user.name, role: session.user.role };
  const result = await desk.checkIn(area, { by, ...(note ? { note } : {}), ...(photos?.length ? { photos } : {}) });
  deps.log.info({ user: by.user, action: 'cleaning-check-in', area, ok: result.ok, ...(result.ok ? {} : { refusal: result.refusal }) }, 'operator action');
  if (!result.ok) throw refusalError(CHECKIN_STATUS[result.refusal], result.refusal, result.reason);
  sendJson(res, 200, { ok: true, area: result.area });
}
