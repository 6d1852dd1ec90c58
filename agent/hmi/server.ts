/**
 * The operator page's HTTP server (node:http, no framework): the page and its assets, the plant
 * snapshot as JSON and as a server-sent event stream, trends, login, the three actions, and the
 * hidden-hazard board's API (hazard-actions.ts).
 * Viewing needs no login; every action needs a session (see auth.ts and actions.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { act, type ActionKind } from './actions.js';
import { currentSession, login, logout, peerAddress, type AuthDeps } from './auth.js';
import { hazardRoute } from './hazard-actions.js';
import { recordRoute } from './record-actions.js';
import { digestRoute } from './digest-actions.js';
import { ticketRoute } from './ticket-actions.js';
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
  connections?: ConnectionLimits;
}

export interface ConnectionLimits {
  /** open sockets at once from the LAN (loopback has perAddress more); beyond it a new one is answered 503 and closed */
  max: number;
  /** open sockets from one address at once, so one client cannot take every place */
  perAddress: number;
  /** a socket that has not sent its request headers by then is closed (half-open and slowloris sockets) */
  headersTimeoutMs: number;
}

/**
 * 128 sockets: a handful of panels and browsers (6 each in HTTP/1.1, one of them the event
 * stream), far below LimitNOFILE in systemd/firebreak.service, so a flood of connections can
 * never use the handles the buffer, the serial ports and the broker need. 16 per address: one
 * browser's 6 with room for a reload. 10 s for headers: a LAN client sends them in milliseconds.
 */
export const DEFAULT_CONNECTIONS: ConnectionLimits = { max: 128, perAddress: 16, headersTimeoutMs: 10_000 };

// Written straight to a socket beyond the cap, before any request is read: the same JSON shape as every other refusal.
const BUSY_BODY = JSON.stringify({ error: 'busy', message: 'too many connections to the operator page; try again' });
const BUSY_REPLY = `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(BUSY_BODY)}\r\nRetry-After: 10\r\nConnection: close\r\n\r\n${BUSY_BODY}`;
/** a refused socket whose client does not close it is closed after this, so refusals hold no handle for long */
const REFUSED_LINGER_MS = 1000;

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
  /** open sockets per client address */
  private readonly open = new Map<string, number>();
  private openTotal = 0;
  /** refused since the last log line about it */
  private refused = 0;
  private refusedLoggedAt = -Infinity;
  private acceptFailing = false;

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
    const limits = this.opts.connections ?? DEFAULT_CONNECTIONS;
    const server = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        // bodies are at most 4 KiB (auth.ts BODY_LIMIT); an event stream's request is complete once its headers are in
        requestTimeout: 3 * limits.headersTimeoutMs,
        // how often Node looks for sockets past those timeouts (its default, 30 s, would let them pile up)
        connectionsCheckingInterval: Math.max(1000, limits.headersTimeoutMs / 2),
      },
      (req, res) => void this.handle(req, res),
    );
    // before node:http's own listener, so a socket beyond the cap is refused before it is parsed
    server.prependListener('connection', (socket: Socket) => this.admit(socket, limits));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.listen.port, this.opts.listen.host, () => {
        server.off('error', reject);
        // accept() failing (EMFILE: no file handle left) is an 'error' on the server, which
        // uncaught ends the process; libuv has already closed the connection it could not take
        server.on('error', (err) => this.acceptFailed(err));
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

  /** Counts the socket in, or answers 503 and closes it when the page or its address has no place left. */
  private admit(socket: Socket, limits: ConnectionLimits): void {
    const address = peerAddress(socket);
    const fromAddress = this.open.get(address) ?? 0;
    // the kiosk panel is a browser on the gateway itself (docs/INSTALL.md): the last perAddress
    // places are kept for loopback, so a flood from the LAN never refuses the panel
    const cap = isLoopback(address) ? limits.max + limits.perAddress : limits.max;
    if (this.openTotal >= cap || fromAddress >= limits.perAddress) {
      this.refused += 1;
      // a flood is one line a minute with its count, not one per socket
      const now = this.opts.clock.monotonic();
      if (now - this.refusedLoggedAt >= 60_000) {
        this.log.warn({ addr: address, open: this.openTotal, fromAddress, refused: this.refused }, 'connections refused: too many open');
        this.refusedLoggedAt = now;
        this.refused = 0;
      }
      socket.end(BUSY_REPLY);
      socket.setTimeout(REFUSED_LINGER_MS, () => socket.destroy());
      return;
    }
    this.acceptFailing = false;
    this.openTotal += 1;
    this.open.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.openTotal -= 1;
      const n = (this.open.get(address) ?? 1) - 1;
      if (n > 0) this.open.set(address, n);
      else this.open.delete(address);
    });
  }

  private acceptFailed(err: Error): void {
    if (this.acceptFailing) return;
    this.acceptFailing = true;
    this.log.error({ err, open: this.openTotal }, 'connection could not be accepted');
  }

  /** open sockets to the page now */
  get connections(): number {
    return this.openTotal;
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

    if (path.startsWith('/api/hazards') && (await hazardRoute(path, method, req, res, { model: this.opts.model, sessions: this.sessions, replay: this.replay, clock: this.opts.clock, log: this.log }))) return;
    if (await digestRoute(url, method, req, res, { model: this.opts.model, sessions: this.sessions, replay: this.replay, clock: this.opts.clock, log: this.log })) return;
    if ((path.startsWith('/api/tickets') || path.startsWith('/api/people')) && (await ticketRoute(path, method, req, res, { model: this.opts.model, sessions: this.sessions, replay: this.replay, log: this.log }))) return;
    if ((path.startsWith('/api/dispositions') || path.startsWith('/api/cleaning')) && (await recordRoute(path, method, req, res, { model: this.opts.model, sessions: this.sessions, replay: this.replay, log: this.log }))) return;

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
    const f = this.opts.model.digests?.forecast(point);
    // the early warning's line, from the start of its fit (or the chart's) to where it meets the
    // limit, drawn at most half a range past now
    const ends = f && [Math.max(from, f.origin), to + Math.min(f.hours * 3_600_000, RANGES[range] / 2)];
    const forecast = f && ends && { t: ends, v: ends.map((t) => f.intercept + (f.slope * (t - f.origin)) / 3_600_000), hours: f.hours, limitValue: f.limitValue };
    sendJson(res, 200, { point, range, from, to, ...thin(samples, from, to), ...(forecast ? { forecast } : {}) });
  }
}

/** the kiosk's own address: it opens http://localhost:8080 */
function isLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::1';
}

function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'no such page or API');
}

function notAllowed(allow: string): HttpError {
  return new HttpError(405, 'method_not_allowed', `use ${allow}`, { Allow: allow });
}
