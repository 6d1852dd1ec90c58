/**
 * Logged-in sessions of the page: a random token in an HttpOnly cookie, a CSRF token the page
 * sends back in a header, and two expiries measured on the injected Clock: 15 min without an
 * action (a touch panel left logged in on the shop floor) and 12 h at most (one shift and handover).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { User } from './users.js';

export interface Session {
  token: string;
  csrf: string;
  user: User;
  created: number;
  lastSeen: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
  /** more live sessions than this drop the oldest; the panel has a handful of users */
  max: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 15 * 60_000, absoluteMs: 12 * 3600_000, max: 256 };

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  create(user: User): Session {
    const now = this.clock.now();
    const session: Session = {
      token: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      user,
      created: now,
      lastSeen: now,
    };
    this.sweep();
    // Map keeps insertion order, so the first key is the oldest session.
    while (this.sessions.size >= this.limits.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(session.token, session);
    return session;
  }

  /** The live session for a token, or undefined if unknown or expired (an expired one is dropped). */
  get(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (this.clock.now() >= this.expiresAt(session)) {
      this.sessions.delete(token);
      return undefined;
    }
    return session;
  }

  /** An action keeps the session alive; merely watching the page does not. */
  touch(session: Session): void {
    session.lastSeen = this.clock.now();
  }

  destroy(token: string): void {
    this.sessions.delete(token);
  }

  expiresAt(session: Session): number {
    return Math.min(session.lastSeen + this.limits.idleMs, session.created + this.limits.absoluteMs);
  }

  sweep(): void {
    const now = this.clock.now();
    for (const [token, s] of this.sessions) if (now >= this.expiresAt(s)) this.sessions.delete(token);
  }

  get size(): number {
    return this.sessions.size;
  }
}
