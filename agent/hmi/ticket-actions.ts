/**
 * The JSON API of work tickets (作业票) and the special-operations ledger (docs/TICKETS.md):
 * read without a login; open a ticket, manage the ledger and pause, resume or close with a
 * supervisor's session; gas tests and people in and out with an operator's or a supervisor's.
 * Checked in the order of every action (route-guards.ts): session and role, body, target,
 * Idempotency-Key. The tickets refuse in their own words; only here does a refusal get its status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';
import { endOfDay, type LedgerRefusal } from '../tickets/people-ledger.js';
import type { TicketRefusal, TicketStep } from '../tickets/ticket-loop.js';
import { BODY_LIMIT } from './auth.js';
import { HttpError, readJsonBody, SECURITY_HEADERS, sendJson } from './http.js';
import type { PlantModel, TicketDesk } from './model.js';
import type { ReplayGuard } from './replay.js';
import { claimKey, decodeId, notAllowed, refusalError, sessionFor } from './route-guards.js';
import type { SessionStore } from './sessions.js';
import { objectWith, text } from './validate.js';

export interface TicketDeps {
  model: PlantModel;
  sessions: SessionStore;
  replay: ReplayGuard;
  log: Logger;
}

const TICKET_PATH = /^\/api\/tickets(?:\/([^/]+)(?:\/(test|enter|exit|suspend|resume|close|print))?)?$/;
const PEOPLE_PATH = /^\/api\/people(?:\/([^/]+)\/(remove))?$/;
const SUPERVISOR = ['supervisor'] as const;
const PEOPLE = ['operator', 'supervisor'] as const;
/** the print view is a document: its own inline styles, no script, nothing from elsewhere */
const PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";
const MAX_ENTRANTS = 50;

const TICKET_STATUS: Record<TicketRefusal, number> = {
  'wrong-state': 409,
  'not-permitted': 403,
  'not-isolated': 409,
  'not-ventilated': 409,
  'no-test': 409,
  'test-failed': 409,
  'test-stale': 409,
  'no-attendant': 409,
  'not-an-entrant': 409,
  'already-inside': 409,
  'not-inside': 409,
  full: 409,
  'people-inside': 409,
  'no-readings': 400,
  'unknown-space': 404,
  'work-required': 400,
  'attendant-required': 400,
  'entrants-required': 400,
  'entrant-twice': 400,
  'attendant-entrant': 400,
  'unknown-ticket': 404,
  'space-busy': 409,
  'unknown-person': 409,
  'unknown-work': 404,
  'no-certificate': 409,
  'certificate-expired': 409,
  'not-cleaned': 409,
  conditions: 409,
};
const LEDGER_STATUS: Record<LedgerRefusal, number> = { 'name-invalid': 400, exists: 409, 'unknown-person': 404, 'certificate-invalid': 400, 'on-open-ticket': 409 };

/** Answers a request under /api/tickets or /api/people; false if the path is neither's. */
export async function ticketRoute(path: string, method: string, req: IncomingMessage, res: ServerResponse, deps: TicketDeps): Promise<boolean> {
  const t = TICKET_PATH.exec(path);
  const p = t ? undefined : path === '/api/people.csv' ? ([path] as unknown as RegExpExecArray) : PEOPLE_PATH.exec(path);
  if (!t && !p) return false;
  const desk = deps.model.tickets;
  if (!desk) throw new HttpError(404, 'not_found', 'this site has no confined spaces or hot work (confinedSpaces, workTickets)');
  if (t) await ticket(desk, t[1], t[2], method, req, res, deps);
  else await people(desk, path === '/api/people.csv' ? 'csv' : p![1], method, req, res, deps);
  return true;
}

async function ticket(desk: TicketDesk, rawId: string | undefined, verb: string | undefined, method: string, req: IncomingMessage, res: ServerResponse, deps: TicketDeps): Promise<void> {
  if (rawId === undefined) {
    if (method === 'GET') return sendJson(res, 200, deps.model.snapshot().tickets);
    if (method !== 'POST') throw notAllowed('GET, POST');
    return open(desk, req, res, deps);
  }
  const id = decodeId(rawId);
  if (verb === undefined || verb === 'print') {
    if (method !== 'GET') throw notAllowed('GET');
    if (verb === 'print') {
      const html = await desk.print(id);
      if (html === undefined) throw new HttpError(404, 'not_found', `no ticket ${id}`);
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Security-Policy': PRINT_CSP, 'X-Frame-Options': 'SAMEORIGIN', 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(html);
      return;
    }
    const found = await desk.ticket(id);
    if (!found) throw new HttpError(404, 'not_found', `no ticket ${id}`);
    return sendJson(res, 200, { ticket: found, history: (await desk.history(id)) ?? [], ...(found.kind === 'confined_space' ? { readings: desk.readings(found.space) } : {}) });
  }
  if (method !== 'POST') throw notAllowed('POST');
  const roles = verb === 'test' || verb === 'enter' || verb === 'exit' ? PEOPLE : SUPERVISOR;
  const session = sessionFor(verb, roles, req, deps.sessions);
  const body = await readJsonBody(req, BODY_LIMIT);
  let step: TicketStep;
  if (verb === 'test') {
    const r = objectWith(body, ['portable']);
    step = { kind: 'test', ...(r['portable'] !== undefined ? { portable: portableReadings(r['portable']) } : {}) };
  } else if (verb === 'enter' || verb === 'exit') {
    step = { kind: verb, person: text(objectWith(body, ['person']), 'person', 1, 32) };
  } else {
    objectWith(body, []);
    step = { kind: verb as 'suspend' | 'resume' | 'close' };
  }
  claimKey(req, deps.replay);
  deps.sessions.touch(session);
  const by = { user: session.user.name, role: session.user.role };
  const result = await desk.act(id, step, by);
  deps.log.info({ user: by.user, action: `ticket-${verb}`, ticket: id, ok: result.ok, ...(result.ok ? {} : { refusal: result.refusal }) }, 'operator action');
  if (!result.ok) throw refusalError(TICKET_STATUS[result.refusal], result.refusal, result.reason);
  sendJson(res, 200, { ok: true, ticket: result.ticket });
}

async function open(desk: TicketDesk, req: IncomingMessage, res: ServerResponse, deps: TicketDeps): Promise<void> {
  const session = sessionFor('opening a ticket', SUPERVISOR, req, deps.sessions);
  const r = objectWith(await readJsonBody(req, BODY_LIMIT), ['kind', 'space', 'work', 'inCharge', 'attendant', 'entrants', 'worker']);
  const kind = r['kind'];
  if (kind !== 'confined_space' && kind !== 'hot_work') throw new HttpError(400, 'invalid', 'kind: must be confined_space or hot_work');
  const space = text(r, 'space', 1, 64);
  const work = text(r, 'work', 0, 200);
  const inCharge = r['inCharge'] === undefined ? '' : text(r, 'inCharge', 0, 32);
  let entry: { attendant: string; entrants: string[] } | undefined;
  let worker: string | undefined;
  if (kind === 'confined_space') {
    if (r['worker'] !== undefined) throw new HttpError(400, 'invalid', 'worker: only for hot work');
    const entrants = r['entrants'];
    if (!Array.isArray(entrants) || entrants.length > MAX_ENTRANTS || entrants.some((e) => typeof e !== 'string' || [...e].length > 32)) throw new HttpError(400, 'invalid', `entrants: must be a list of at most ${MAX_ENTRANTS} names`);
    entry = { attendant: text(r, 'attendant', 0, 32), entrants: entrants as string[] };
  } else {
    if (r['attendant'] !== undefined || r['entrants'] !== undefined) throw new HttpError(400, 'invalid', 'attendant, entrants: only for confined-space entry');
    worker = text(r, 'worker', 1, 32);
  }
  claimKey(req, deps.replay);
  deps.sessions.touch(session);
  const by = { user: session.user.name, role: session.user.role };
  const result = entry ? await desk.openEntry({ space, work, inCharge, ...entry }, by) : await desk.openHotWork({ space, work, worker: worker!, inCharge }, by);
  deps.log.info({ user: by.user, action: 'ticket-open', kind, space, ok: result.ok, ...(result.ok ? { ticket: result.ticket.id } : { refusal: result.refusal }) }, 'operator action');
  if (!result.ok) throw refusalError(TICKET_STATUS[result.refusal], result.refusal, result.reason);
  sendJson(res, 200, { ok: true, ticket: result.ticket });
}

function portableReadings(v: unknown): Record<string, number> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'invalid', 'portable: must be an object of reading → number');
  const out: Record<string, number> = {};
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 20) throw new HttpError(400, 'invalid', 'portable: at most 20 readings');
  for (const [k, n] of entries) {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new HttpError(400, 'invalid', `portable.${k}: must be a number`);
    out[k] = n;
  }
  return out;
}

async function people(desk: TicketDesk, target: string | undefined, method: string, req: IncomingMessage, res: ServerResponse, deps: TicketDeps): Promise<void> {
  if (target === 'csv') {
    if (method !== 'GET') throw notAllowed('GET');
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="people.csv"', 'Cache-Control': 'no-store' });
    res.end(await desk.people.csv());
    return;
  }
  if (target === undefined && method === 'GET') return sendJson(res, 200, { people: await desk.people.views() });
  if (method !== 'POST') throw notAllowed(target === undefined ? 'GET, POST' : 'POST');
  const session = sessionFor('the ledger', SUPERVISOR, req, deps.sessions);
  const body = await readJsonBody(req, BODY_LIMIT);
  if (target !== undefined) {
    objectWith(body, []);
    const name = decodeId(target);
    claimKey(req, deps.replay);
    deps.sessions.touch(session);
    const r = await desk.people.remove(name);
    deps.log.info({ user: session.user.name, action: 'ledger-remove', person: name, ok: r.ok }, 'operator action');
    if (!r.ok) throw refusalError(LEDGER_STATUS[r.refusal], r.refusal, r.reason);
    return sendJson(res, 200, { ok: true, person: r.person });
  }
  const r = objectWith(body, ['name', 'certificates']);
  const name = text(r, 'name', 1, 32);
  const list = r['certificates'] ?? [];
  if (!Array.isArray(list) || list.length > 10) throw new HttpError(400, 'invalid', 'certificates: must be a list of at most 10');
  const certs = list.map((c, i) => {
    const o = objectWith(c, ['type', 'number', 'authority', 'expires']);
    const expires = typeof o['expires'] === 'string' ? endOfDay(o['expires']) : undefined;
    if (expires === undefined) throw new HttpError(400, 'invalid', `certificates[${i}].expires: must be a date YYYY-MM-DD`);
    return { type: text(o, 'type', 1, 64), number: text(o, 'number', 1, 64), authority: text(o, 'authority', 1, 64), expires };
  });
  claimKey(req, deps.replay);
  deps.sessions.touch(session);
  const added = await desk.people.add(name, certs, session.user.name);
  deps.log.info({ user: session.user.name, action: 'ledger-add', person: name, ok: added.ok }, 'operator action');
  if (!added.ok) throw refusalError(LEDGER_STATUS[added.refusal], added.refusal, added.reason);
  sendJson(res, 200, { ok: true, person: added.person });
}
