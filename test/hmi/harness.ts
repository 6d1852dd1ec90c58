/** Starts an HmiServer on a free port over a FakePlant, with two users, and speaks to it like the page does. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Clock } from '../../agent/core/clock.js';
import { HmiServer, type HmiServerOptions } from '../../agent/hmi/server.js';
import { addUser, UserStore } from '../../agent/hmi/users.js';
import type { FakePlant } from './fake-plant.js';

export const OPERATOR = { name: '张工', password: 'sander-op-2024' };
export const SUPERVISOR = { name: 'li.super', password: 'shift-lead-2024' };

/** One user file for a whole test file: scrypt is deliberately slow. */
export async function makeUsers(): Promise<{ users: UserStore; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-hmi-'));
  const file = join(dir, 'users.json');
  await addUser(file, OPERATOR.name, OPERATOR.password, 'operator');
  await addUser(file, SUPERVISOR.name, SUPERVISOR.password, 'supervisor');
  return { users: new UserStore(file), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Where a page is served: the base URL, and the Origin a browser on it sends. */
export interface Endpoint {
  base: string;
  origin: string;
}

export interface Running extends Endpoint {
  server: HmiServer;
}

export async function startServer(plant: FakePlant, users: UserStore, clock: Clock, extra: Partial<HmiServerOptions> = {}): Promise<Running> {
  const server = new HmiServer({ model: plant, users, clock, log: pino({ level: 'silent' }), listen: { host: '127.0.0.1', port: 0 }, ...extra });
  const { port } = await server.start();
  const origin = `http://127.0.0.1:${port}`;
  return { server, base: origin, origin };
}

export interface Login {
  cookie: string;
  csrf: string;
}

export async function login(r: Endpoint, who: { name: string; password: string }): Promise<Login> {
  const res = await fetch(`${r.base}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: r.origin },
    body: JSON.stringify(who),
  });
  if (res.status !== 200) throw new Error(`login as ${who.name}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const body = (await res.json()) as { csrf: string };
  return { cookie, csrf: body.csrf };
}

/** GETs a JSON answer, as a tablet app reads the board. */
export async function getJson(r: Endpoint, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${r.base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let counter = 0;
/** A fresh Idempotency-Key, as the page makes one per click. */
export function newKey(): string {
  counter += 1;
  return `test-key-${process.pid}-${counter}-${Math.random().toString(36).slice(2)}`;
}

export interface PostOptions {
  session?: Login;
  csrf?: string | null;
  origin?: string | null;
  key?: string | null;
  body?: string;
  contentType?: string;
}

/** POSTs like the page: JSON body, Origin, session cookie, CSRF header, Idempotency-Key; each can be dropped or forged. */
export async function post(r: Endpoint, path: string, opts: PostOptions = {}): Promise<{ status: number; body: { error?: string; message?: string; ok?: boolean } }> {
  const headers: Record<string, string> = { 'Content-Type': opts.contentType ?? 'application/json' };
  const origin = opts.origin === undefined ? r.origin : opts.origin;
  if (origin !== null) headers['Origin'] = origin;
  if (opts.session) headers['Cookie'] = opts.session.cookie;
  const csrf = opts.csrf === undefined ? opts.session?.csrf : opts.csrf;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const key = opts.key === undefined ? newKey() : opts.key;
  if (key !== null) headers['Idempotency-Key'] = key;
  const res = await fetch(`${r.base}${path}`, { method: 'POST', headers, body: opts.body ?? '{}' });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { error?: string }) : {} };
}
