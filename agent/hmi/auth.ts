/**
 * Who may act: login, logout and the checks every action passes — same origin, a live session,
 * and the session's CSRF token in a header. The cookie is SameSite=Strict and HttpOnly; the page
 * learns the CSRF token from /api/session, which another site cannot read (no CORS headers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../core/log.js';
import type { PlantEvent } from '../core/types.js';
import { HttpError, parseCookies, readJsonBody, sendJson } from './http.js';
import { sameSecret, type Session, type SessionStore } from './sessions.js';
import type { Lockout, LoginThrottle } from './throttle.js';
import type { UserStore } from './users.js';
import { emptyBody, loginBody } from './validate.js';

export const SESSION_COOKIE = 'fb_session';
export const CSRF_HEADER = 'x-csrf-token';
export const BODY_LIMIT = 4096;

export interface AuthDeps {
  users: UserStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  log: Logger;
  /** logins being checked right now */
  loginsInFlight: { count: number };
  /** where a lockout goes as a `system` event (the plant's event log, so the buffer and the platform get it) */
  report?: (draft: Omit<PlantEvent, 'id' | 'tq'>) => void;
  now(): number;
}

/** A socket's peer as the throttle and the connection cap count it: an IPv4 peer seen through a dual-stack socket is the same peer. */
export function peerAddress(socket: Socket): string {
  const addr = socket.remoteAddress ?? '?';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/**
 * The request comes from a page served by this server: Origin (or, failing that, Referer) names
 * the host the request was sent to. A request with neither is refused; browsers send Origin on POST.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const claimed = req.headers.origin ?? req.headers.referer;
  if (!claimed) return false;
  let url: URL;
  try {
    url = new URL(claimed);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
}

function sessionOf(req: IncomingMessage, sessions: SessionStore): Session | undefined {
  return sessions.get(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
}

/** The session behind an action, or an HttpError: 403 cross-site, 401 not logged in, 403 bad CSRF token. */
export function actor(req: IncomingMessage, sessions: SessionStore): Session {
  if (!sameOrigin(req)) throw new HttpError(403, 'bad_origin', 'request must come from this page (Origin/Referer mismatch)');
  const session = sessionOf(req, sessions);
  if (!session) throw new HttpError(401, 'no_session', 'log in first (no session, or it expired)');
  const csrf = req.headers[CSRF_HEADER];
  if (typeof csrf !== 'string' || !sameSecret(csrf, session.csrf)) {
    throw new HttpError(403, 'bad_csrf', 'CSRF token missing or wrong');
  }
  return session;
}

function cookie(token: string, maxAgeS: number): string {
  // No `Secure`: the panel is served over plain HTTP on the plant LAN; SameSite=Strict still keeps it off cross-site requests.
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}`;
}

function sessionBody(session: Session, sessions: SessionStore): object {
  return { user: session.user, csrf: session.csrf, expiresAt: sessions.expiresAt(session) };
}

// scrypt takes ~32 MiB each: cap the logins checked at once so a burst cannot exhaust a small gateway.
const MAX_LOGINS_IN_FLIGHT = 4;

export async function login(req: IncomingMessage, res: ServerResponse, deps: AuthDeps): Promise<void> {
  if (!sameOrigin(req)) throw new HttpError(403, 'bad_origin', 'request must come from this page (Origin/Referer mismatch)');
  const { name, password } = loginBody(await readJsonBody(req, BODY_LIMIT));
  const attempt = { name, address: peerAddress(req.socket) };
  const wait = deps.throttle.retryAfter(attempt);
  if (wait > 0) {
    const s = Math.ceil(wait / 1000);
    throw new HttpError(429, 'throttled', `too many failed logins; try again in ${s} s`, { 'Retry-After': String(s) });
  }
  if (deps.loginsInFlight.count >= MAX_LOGINS_IN_FLIGHT) throw new HttpError(429, 'busy', 'too many logins at once; try again', { 'Retry-After': '1' });
  deps.loginsInFlight.count += 1;
  let user;
  try {
    user = await deps.users.verify(name, password);
  } finally {
    deps.loginsInFlight.count -= 1;
  }
  if (!user) {
    const lockouts = deps.throttle.failed(attempt);
    deps.log.warn({ user: name, addr: attempt.address }, 'login failed');
    for (const lockout of lockouts) reportLockout(lockout, deps);
    throw new HttpError(401, 'bad_credentials', 'wrong user name or password');
  }
  deps.throttle.succeeded(attempt);
  const old = sessionOf(req, deps.sessions);
  if (old) deps.sessions.destroy(old.token);
  const session = deps.sessions.create(user);
  deps.log.info({ user: user.name, role: user.role, addr: req.socket.remoteAddress }, 'logged in');
  sendJson(res, 200, sessionBody(session, deps.sessions), {
    'Set-Cookie': cookie(session.token, Math.floor(deps.sessions.limits.absoluteMs / 1000)),
  });
}

/** One log line and one `system` event per lockout; the password never leaves login(). */
function reportLockout(l: Lockout, deps: AuthDeps): void {
  const seconds = Math.ceil(l.lockedForMs / 1000);
  deps.log.warn({ scope: l.scope, user: l.name, addr: l.address, failures: l.failures, lockedForS: seconds }, 'login locked out');
  const what = l.scope === 'name' ? `用户 ${l.name} 从 ${l.address}` : `地址 ${l.address}`;
  const whatEn = l.scope === 'name' ? `user ${l.name} from ${l.address}` : `address ${l.address}`;
  deps.report?.({
    t: deps.now(),
    type: 'system',
    source: 'hmi.login',
    priority: 'medium',
    state: 'locked',
    message: `登录失败 ${l.failures} 次，${what} 暂停登录 ${seconds} s / ${l.failures} failed logins: ${whatEn} locked for ${seconds} s`,
    detail: { scope: l.scope, user: l.name, address: l.address, failures: l.failures, lockedForS: seconds },
  });
}

export async function logout(req: IncomingMessage, res: ServerResponse, deps: AuthDeps): Promise<void> {
  const session = actor(req, deps.sessions);
  emptyBody(await readJsonBody(req, BODY_LIMIT));
  deps.sessions.destroy(session.token);
  deps.log.info({ user: session.user.name }, 'logged out');
  sendJson(res, 200, { ok: true }, { 'Set-Cookie': cookie('', 0) });
}

/** Who is logged in on this browser; reading it does not extend the session. */
export function currentSession(req: IncomingMessage, res: ServerResponse, deps: AuthDeps): void {
  const session = sessionOf(req, deps.sessions);
  sendJson(res, 200, session ? sessionBody(session, deps.sessions) : { user: null });
}
