/** Strict checks of the JSON bodies the page sends: exact keys, bounded strings and numbers. */
import { HttpError } from './http.js';

function invalid(message: string): HttpError {
  return new HttpError(400, 'invalid', message);
}

/** The body must be a plain object with only `allowed` keys; an unknown key is refused, never ignored. */
export function objectWith(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body must be a JSON object');
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw invalid(`unknown field(s): ${unknown.join(', ')}`);
  return record;
}

export function text(record: Record<string, unknown>, key: string, min: number, max: number): string {
  const v = record[key];
  if (typeof v !== 'string') throw invalid(`${key}: must be text`);
  const trimmed = v.trim();
  // Length in code points, so a Chinese reason counts characters, not UTF-16 units.
  const length = [...trimmed].length;
  if (length < min || length > max) throw invalid(`${key}: must be ${min}..${max} characters (got ${length})`);
  return trimmed;
}

export function integer(record: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = record[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`${key}: must be a whole number ${min}..${max}`);
  }
  return v;
}

export interface LoginBody {
  name: string;
  password: string;
}

export function loginBody(body: unknown): LoginBody {
  const r = objectWith(body, ['name', 'password']);
  const password = r['password'];
  // The password is not trimmed: spaces may be part of it.
  if (typeof password !== 'string' || password.length < 1 || password.length > 256) {
    throw invalid('password: must be text of 1..256 characters');
  }
  return { name: text(r, 'name', 1, 64), password };
}

/** ISA-18.2 asks for a time limit on shelving; 12 h matches one shift pattern and the session's absolute life. */
export const MAX_SHELVE_MINUTES = 720;

export interface ShelveBody {
  reason: string;
  minutes: number;
}

export function shelveBody(body: unknown): ShelveBody {
  const r = objectWith(body, ['reason', 'minutes']);
  return { reason: text(r, 'reason', 1, 200), minutes: integer(r, 'minutes', 1, MAX_SHELVE_MINUTES) };
}

/** Acknowledge, reset and logout carry no fields; the body must still be an empty JSON object. */
export function emptyBody(body: unknown): void {
  objectWith(body, []);
}
