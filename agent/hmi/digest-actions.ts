/**
 * The risk digests on the page (docs/DIGESTS.md): the briefing before a shift (the last shift's
 * digest, the running one so far, the early warnings) read without a login; its signature by
 * the team leader (a supervisor, 班长) with a session; and the printable report of a shift, day,
 * week or month, the same HTML `firebreak report` writes, served with no script allowed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PeriodKind } from '../digests/periods.js';
import { BODY_LIMIT } from './auth.js';
import { HttpError, readJsonBody, SECURITY_HEADERS, sendJson } from './http.js';
import type { PlantModel } from './model.js';
import type { ReplayGuard } from './replay.js';
import { claimKey, notAllowed, sessionFor } from './route-guards.js';
import type { SessionStore } from './sessions.js';
import { objectWith, text } from './validate.js';

export interface DigestDeps {
  model: PlantModel;
  sessions: SessionStore;
  replay: ReplayGuard;
  clock: Clock;
  log: Logger;
}

const KINDS: readonly PeriodKind[] = ['shift', 'day', 'week', 'month'];
/** the report is a document: its own inline styles and SVG, no script, nothing from elsewhere */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/** Answers /api/briefing, /api/briefing/sign and /api/report; false for any other path. */
export async function digestRoute(url: URL, method: string, req: IncomingMessage, res: ServerResponse, deps: DigestDeps): Promise<boolean> {
  const path = url.pathname;
  if (path !== '/api/briefing' && path !== '/api/briefing/sign' && path !== '/api/report') return false;
  const desk = deps.model.digests;
  if (!desk) throw new HttpError(404, 'not_found', 'this site keeps no risk digests (digests)');
  if (path === '/api/briefing') {
    if (method !== 'GET') throw notAllowed('GET');
    sendJson(res, 200, await desk.briefing());
  } else if (path === '/api/briefing/sign') {
    if (method !== 'POST') throw notAllowed('POST');
    const session = sessionFor('sign the briefing', ['supervisor'], req, deps.sessions);
    const digest = text(objectWith(await readJsonBody(req, BODY_LIMIT), ['digest']), 'digest', 1, 64);
    const { lastShift } = await desk.briefing();
    if (digest !== lastShift.id) throw new HttpError(409, 'refused', `only the last shift's briefing (${lastShift.id}) can be signed`, {}, { refusal: 'not-the-briefing', reason: { zh: `只能签阅上一班次（${lastShift.id}）的班前预判`, en: `only the last shift's briefing (${lastShift.id}) can be signed` } });
    claimKey(req, deps.replay);
    deps.sessions.touch(session);
    const event = desk.sign(digest, session.user.name);
    deps.log.info({ user: session.user.name, action: 'briefing-sign', digest }, 'operator action');
    sendJson(res, 200, { ok: true, event });
  } else {
    if (method !== 'GET') throw notAllowed('GET');
    const kind = url.searchParams.get('period') ?? 'shift';
    if (!(KINDS as readonly string[]).includes(kind)) throw new HttpError(400, 'invalid', `period: must be one of ${KINDS.join(', ')}`);
    const rawAt = url.searchParams.get('at');
    const now = deps.clock.now();
    const at = rawAt === null ? now : Number(rawAt);
    if (!Number.isSafeInteger(at) || at < 0) throw new HttpError(400, 'invalid', 'at: must be a time in ms since the epoch');
    if (at > now) throw new HttpError(400, 'invalid', 'at: a period in the future has no report yet');
    const html = await desk.report(kind as PeriodKind, at);
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Security-Policy': REPORT_CSP, 'X-Frame-Options': 'SAMEORIGIN', 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  }
  return true;
}
