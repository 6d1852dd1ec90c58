/**
 * The operator page's HTTP server (node:http, no framework): the page and its assets, the plant
 * snapshot as JSON and as a server-sent event stream, trends, login, and the three actions.
 * Viewing needs no login; every action needs a session (see auth.ts and actions.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { act, type ActionKind } from './actions.js';
import { currentSession, login, logout, type AuthDeps } from './auth.js';
import { HttpError, sendError, sendJson } from './http.js';
import type { PlantModel } from './model.js';
import { ReplayGuard } from './replay.js';
import { SessionStore, DEFAULT_SESSION_LIMITS, type SessionLimits } from './sessions.js';
import { SnapshotStream, DEFAULT_STREAM, type StreamSettings } from './sse.js';
import { StaticFiles } from './static.js';
import { LoginThrottle, DEFAULT_THROTTLE, type ThrottleSettings } from './throttle.js';
import { parseRange, RANGES, thin } from './trend.js';
import type { UserStore } from './users.js';

export interface HmiServerOptions {
  model: PlantModel;
  users: UserStore;
  clock: Clock;
  log: Logger;
  listen: { host: string; port: number };
  /** overrides for tests; the defaults are the documented ones */
  sessions?: SessionLimits;
  throttle?: ThrottleSettings;
  stream?: StreamSettings;
  /** where login lockouts are reported as `system` events (the plant's event log) */
  report?: AuthDeps['report'];
}

const ACTION_PATH = /^\/api\/(alarms|interlocks)\/([^/]+)\/(ack|shelve|reset)$/;

export class HmiServer {
  private readonly log: Logger;
  private readonly sessions: SessionStore;
  private readonly replay: ReplayGuard;
  private readonly stream: SnapshotStream;
  private readonly auth: AuthDeps;
  private files: StaticFiles | undefined;
  private server: Server | undefined;
  private sweeper: Timer | undefined;

  constructor(private readonly opts: HmiServerOptions) {
    this.log = opts.log.child({ component: 'hmi' });
    this.sessions = new SessionStore(opts.clock, opts.sessions ?? DEFAULT_SESSION_LIMITS);
    this.replay = new ReplayGuard(opts.clock);
    this.stream = new SnapshotStream(opts.model, opts.clock, this.log, opts.stream ?? DEFAULT_STREAM);
    this.auth = {
      users: opts.users,
      sessions: this.sessions,
      throttle: new LoginThrottle(opts.clock, opts.throttle ?? DEFAULT_THROTTLE),
      log: this.log,
      loginsInFlight: { count: 0 },
      report: opts.report,
      now: () => opts.clock.now(),
    };
  }

  async start(): Promise<{ port: number }> {
    this.files = new StaticFiles();
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.listen.port, this.opts.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.stream.start();
    this.sweeper = this.opts.clock.setInterval(() => this.sessions.sweep(), 60_000);
    const port = (server.address() as AddressInfo).port;
    this.log.info({ host: this.opts.listen.host, port }, 'operator page listening');
    return { port };
  }

  async stop(): Promise<void> {
    this.sweeper?.cancel();
    this.stream.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Event streams and keep-alive sockets would hold close() open forever.
      server.closeAllConnections();
    });
    this.log.info('operator page stopped');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (err) {
      if (err instanceof HttpError) {
        if (err.status === 403 || err.status === 401 || err.status === 409) {
          this.log.warn({ method: req.method, url: req.url, status: err.status, code: err.code, addr: req.socket.remoteAddress }, 'request refused');
        }
        if (!res.headersSent) sendError(res, err);
        else res.end();
        return;
      }
      this.log.error({ err, method: req.method, url: req.url }, 'request failed');
      if (!res.headersSent) sendError(res, new HttpError(500, 'internal', 'internal error'));
      else res.end();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    const action = ACTION_PATH.exec(path);
    if (action) {
      const [, collection, rawId, verb] = action;
      const kind = verb as ActionKind;
      // ack and shelve are alarm actions, reset is an interlock action; any other pairing is no route.
      if ((collection === 'alarms') === (kind === 'reset')) throw notFound();
      if (method !== 'POST') throw notAllowed('POST');
      let id: string;
      try {
        id = decodeURIComponent(rawId ?? '');
      } catch {
        throw new HttpError(400, 'invalid', 'id is not valid URL encoding');
      }
      return act(kind, id, req, res, { model: this.opts.model, sessions: this.sessions, replay: this.replay, clock: this.opts.clock, log: this.log });
    }

    switch (path) {
      case '/api/snapshot':
        if (method !== 'GET') throw notAllowed('GET');
        return sendJson(res, 200, this.opts.model.snapshot());
      case '/api/events':
        if (method !== 'GET') throw notAllowed('GET');
        if (!this.stream.add(req, res)) throw new HttpError(503, 'busy', 'too many open pages', { 'Retry-After': '10' });
        return;
      case '/api/trend':
        if (method !== 'GET') throw notAllowed('GET');
        return this.trend(url, res);
      case '/api/session':
        if (method !== 'GET') throw notAllowed('GET');
        return currentSession(req, res, this.auth);
      case '/api/login':
        if (method !== 'POST') throw notAllowed('POST');
        return login(req, res, this.auth);
      case '/api/logout':
        if (method !== 'POST') throw notAllowed('POST');
        return logout(req, res, this.auth);
    }
    if (path.startsWith('/api/')) throw notFound();
    if (method !== 'GET' && method !== 'HEAD') throw notAllowed('GET');
    if (this.files && (await this.files.serve(path, res, method === 'HEAD'))) return;
    throw notFound();
  }

  private async trend(url: URL, res: ServerResponse): Promise<void> {
    const point = url.searchParams.get('point');
    const range = parseRange(url.searchParams.get('range'));
    const snapshot = this.opts.model.snapshot();
    if (!point || ![...snapshot.points, ...snapshot.contacts].some((p) => p.id === point)) {
      throw new HttpError(404, 'not_found', `no point with id ${point ?? ''}`);
    }
    const to = this.opts.clock.now();
    const from = to - RANGES[range];
    const samples = await this.opts.model.trend(point, from, to);
    sendJson(res, 200, { point, range, from, to, ...thin(samples, from, to) });
  }
}

function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'no such page or API');
}

function notAllowed(allow: string): HttpError {
  return new HttpError(405, 'method_not_allowed', `use ${allow}`, { Allow: allow });
}
