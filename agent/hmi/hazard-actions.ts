/**
 * The hidden-hazard board's JSON API (docs/HAZARDS.md lists it): read the board and a record's
 * history without a login; enter a finding, assign, rectify, close or reject with a session, in
 * the same order of checks as the plant's actions (actions.ts): origin, session, CSRF token,
 * role, body, target, Idempotency-Key. The records refuse in their own words (hazard-machine.ts);
 * only here does a refusal become an HTTP status, with the reason in both languages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { HazardAction } from '../records/hazard-machine.js';
import type { ActResult } from '../records/hazard-records.js';
import { PHOTO_MAX_BYTES, type PhotoRefusal } from '../records/hazard-photos.js';
import { BODY_LIMIT } from './auth.js';
import { assignBody, closeBody, findingBody, rectifyBody, rejectBody } from './hazard-bodies.js';
import { HttpError, readJsonBody, readRawBody, SECURITY_HEADERS, sendJson } from './http.js';
import type { HazardDesk, PlantModel } from './model.js';
import type { ReplayGuard } from './replay.js';
import { claimKey, decodeId as decode, notAllowed, refusalError, sessionFor } from './route-guards.js';
import type { Session, SessionStore } from './sessions.js';
import type { Role } from './users.js';

export type HazardVerb = 'find' | HazardAction['kind'] | 'photo';

/** Operators record and rectify; only supervisors assign, verify and close (issue #16, "Roles"). */
const NEEDS: Record<HazardVerb, readonly Role[]> = {
  find: ['operator', 'supervisor'],
  photo: ['operator', 'supervisor'],
  rectify: ['operator', 'supervisor'],
  assign: ['supervisor'],
  close: ['supervisor'],
  reject: ['supervisor'],
};

type Refusal = Extract<ActResult, { ok: false }>['refusal'];
const REFUSAL_STATUS: Record<Refusal | PhotoRefusal, 400 | 403 | 404 | 409 | 413 | 415 | 507> = {
  'unknown-record': 404,
  'wrong-state': 409,
  'condition-present': 409,
  'not-permitted': 403,
  'not-assignee': 403,
  'rectifier-verifies': 403,
  'note-required': 400,
  'bad-due': 400,
  'not-an-image': 415,
  'too-large': 413,
  'budget-full': 507,
};

const HOUR = 3_600_000;
export const HAZARD_PATH = /^\/api\/hazards(?:\/([^/]+)(?:\/(assign|rectify|close|reject))?)?$/;
const PHOTO_PATH = /^\/api\/hazards\/photos(?:\/([^/]+))?$/;

export interface HazardDeps {
  model: PlantModel;
  sessions: SessionStore;
  replay: ReplayGuard;
  clock: Clock;
  log: Logger;
}

/** Answers a request under /api/hazards; false if the path is not one of the board's. */
export async function hazardRoute(path: string, method: string, req: IncomingMessage, res: ServerResponse, deps: HazardDeps): Promise<boolean> {
  const photo = PHOTO_PATH.exec(path);
  const m = photo ? undefined : HAZARD_PATH.exec(path);
  if (!photo && !m) return false;
  const desk = deps.model.hazards;
  if (!desk) throw new HttpError(404, 'not_found', 'this gateway keeps no hazard records');

  if (photo) {
    if (photo[1] === undefined) {
      if (method !== 'POST') throw notAllowed('POST');
      await uploadPhoto(req, res, desk, deps);
    } else {
      if (method !== 'GET') throw notAllowed('GET');
      await sendPhoto(decode(photo[1]), res, desk);
    }
    return true;
  }
  const [, rawId, verb] = m!;
  if (rawId === undefined) {
    if (method === 'GET') sendJson(res, 200, deps.model.snapshot().hazards);
    else if (method === 'POST') await find(req, res, desk, deps);
    else throw notAllowed('GET, POST');
    return true;
  }
  const id = decode(rawId);
  if (verb === undefined) {
    if (method !== 'GET') throw notAllowed('GET');
    const history = await desk.history(id);
    const record = deps.model.snapshot().hazards?.records.find((r) => r.id === id);
    if (!history) throw new HttpError(404, 'not_found', `no hazard record ${id}`);
    sendJson(res, 200, { record, history });
    return true;
  }
  if (method !== 'POST') throw notAllowed('POST');
  await act(verb as HazardAction['kind'], id, req, res, desk, deps);
  return true;
}

async function find(req: IncomingMessage, res: ServerResponse, desk: HazardDesk, deps: HazardDeps): Promise<void> {
  const session = allowed('find', req, deps);
  const finding = findingBody(await readJsonBody(req, BODY_LIMIT));
  await photosExist(finding.photos, desk);
  claim(req, deps);
  deps.sessions.touch(session);
  const record = await desk.find(finding, session.user.name);
  deps.log.info({ user: session.user.name, action: 'hazard-find', record: record.id, clause: record.clause, grade: record.grade }, 'operator action');
  sendJson(res, 201, { ok: true, record });
}

async function act(kind: HazardAction['kind'], id: string, req: IncomingMessage, res: ServerResponse, desk: HazardDesk, deps: HazardDeps): Promise<void> {
  const session = allowed(kind, req, deps);
  const body = await readJsonBody(req, BODY_LIMIT);
  const by = { user: session.user.name, role: session.user.role };
  let action: HazardAction;
  if (kind === 'assign') {
    const a = assignBody(body);
    const withinH = a.withinH ?? desk.rectifyWithinH(id);
    if (withinH === undefined) throw new HttpError(404, 'not_found', `no hazard record ${id}`);
    action = { kind, by, assignee: a.assignee, due: deps.clock.now() + withinH * HOUR };
  } else if (kind === 'rectify') {
    const r = rectifyBody(body);
    await photosExist(r.photos, desk);
    action = { kind, by, ...r };
  } else if (kind === 'close') action = { kind, by, ...closeBody(body) };
  else action = { kind, by, ...rejectBody(body) };
  if (desk.rectifyWithinH(id) === undefined) throw new HttpError(404, 'not_found', `no hazard record ${id}`);
  claim(req, deps);
  deps.sessions.touch(session);
  const result = await desk.act(id, action);
  deps.log.info({ user: by.user, action: `hazard-${kind}`, record: id, ok: result.ok, ...(result.ok ? {} : { refusal: result.refusal }) }, 'operator action');
  if (!result.ok) throw refusal(result.refusal, result.reason);
  sendJson(res, 200, { ok: true, record: deps.model.snapshot().hazards?.records.find((r) => r.id === id) ?? result.record });
}

async function uploadPhoto(req: IncomingMessage, res: ServerResponse, desk: HazardDesk, deps: HazardDeps): Promise<void> {
  const session = allowed('photo', req, deps);
  if (!desk.photos) throw new HttpError(404, 'not_found', 'this gateway keeps no photos');
  const bytes = await readRawBody(req, ['image/jpeg', 'image/png'], PHOTO_MAX_BYTES);
  claim(req, deps);
  const saved = await desk.photos.save(bytes);
  deps.log.info({ user: session.user.name, action: 'hazard-photo', bytes: bytes.length, ok: saved.ok, ...(saved.ok ? { photo: saved.name } : { refusal: saved.refusal }) }, 'operator action');
  if (!saved.ok) throw refusal(saved.refusal, saved.reason);
  sendJson(res, 201, { ok: true, photo: saved.name });
}

async function sendPhoto(name: string, res: ServerResponse, desk: HazardDesk): Promise<void> {
  const photo = await desk.photos?.read(name);
  if (!photo) throw new HttpError(404, 'not_found', `no photo ${name}`);
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': photo.type, 'Content-Length': photo.bytes.length, 'Cache-Control': 'private, max-age=86400' });
  res.end(photo.bytes);
}

function allowed(verb: HazardVerb, req: IncomingMessage, deps: HazardDeps): Session {
  return sessionFor(verb, NEEDS[verb], req, deps.sessions);
}

function claim(req: IncomingMessage, deps: HazardDeps): void {
  claimKey(req, deps.replay);
}

async function photosExist(names: string[] | undefined, desk: HazardDesk): Promise<void> {
  for (const n of names ?? []) {
    if (!(await desk.photos?.has(n))) throw new HttpError(400, 'invalid', `photos: no uploaded photo ${n}`);
  }
}

function refusal(kind: Refusal | PhotoRefusal, reason: { zh: string; en: string }): HttpError {
  return refusalError(REFUSAL_STATUS[kind], kind, reason);
}
