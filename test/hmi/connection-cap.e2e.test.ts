/**
 * A flood of half-open connections to the page (issue #14, item 5), against the compiled agent
 * with its open-file limit lowered (`ulimit -n`, then `prlimit` on the running process), over real loopback sockets: the LAN clients are
 * 127.0.0.x addresses other than the panel's 127.0.0.1. The agent must live through it, refuse
 * what is beyond its cap with a 503, close the idle sockets itself, and serve the panel after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTIONS } from '../../agent/hmi/server.js';
import { freePort } from '../helpers/broker.js';
import { minimalSite } from '../helpers/minimal-site.js';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');

interface Running {
  child: ChildProcess;
  port: number;
  exited: () => boolean;
  output: () => string;
}

let agent: Running | undefined;
afterEach(() => {
  agent?.child.kill('SIGKILL');
  agent = undefined;
});

/** The compiled agent on its simulators with the page on loopback, under `ulimit -n openFiles`. */
async function startAgent(openFiles: number): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-conncap-'));
  const port = await freePort();
  const file = join(dir, 'site.yaml');
  writeFileSync(file, minimalSite('GW-CONNCAP-01', join(dir, 'buffer.db'), `hmi: { listen: "127.0.0.1:${port}", usersFile: ${join(dir, 'users.json')} }\n`));
  const child = spawn('bash', ['-c', `ulimit -n ${openFiles} && exec "$0" "$@"`, process.execPath, cli, 'run', '--config', file, '--simulate'], {
    env: { ...process.env, FIREBREAK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.on('exit', () => (exited = true));
  const running = { child, port, exited: () => exited, output: () => output };
  await waitFor(
    'the agent to serve its page',
    async () => {
      if (exited) throw new Error(`agent exited before serving its page: ${output.slice(-2000)}`);
      return (await statusFrom(running, '127.0.0.1').catch(() => 0)) === 200;
    },
    { timeoutMs: 30_000, state: () => output.slice(-2000) },
  );
  return running;
}

/** GET /api/snapshot from a given loopback address: the status code. */
function statusFrom(a: Running, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: a.port, path: '/api/snapshot', localAddress: address, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    req.end();
  });
}

interface Idle {
  socket: Socket;
  /** what the server sent on it (a refusal), as text */
  received: string;
  closed: boolean;
}

/** `count` sockets that connect and never send a request, spread over LAN addresses `perAddress` at a time. */
async function openIdle(a: Running, count: number, perAddress: number): Promise<Idle[]> {
  const out: Idle[] = [];
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const idle: Idle = { socket: connect({ host: '127.0.0.1', port: a.port, localAddress: `127.0.${1 + Math.floor(i / perAddress / 250)}.${2 + (Math.floor(i / perAddress) % 250)}` }), received: '', closed: false };
      out.push(idle);
      idle.socket.on('data', (d: Buffer) => (idle.received += d.toString()));
      idle.socket.on('close', () => (idle.closed = true));
      idle.socket.on('error', () => undefined);
      return new Promise((resolve) => {
        idle.socket.once('connect', resolve);
        idle.socket.once('error', resolve);
      });
    }),
  );
  return out;
}

describe('the page under a flood of half-open connections', () => {
  it('answers 503 beyond its cap, keeps the panel served, closes idle sockets and lives on', async () => {
    agent = await startAgent(256);
    const a = agent;
    const { max, perAddress } = DEFAULT_CONNECTIONS;
    // 15 per address, under the per-address cap: only the total cap refuses them
    const flood = await openIdle(a, max + 100, perAddress - 1);
    const refused = () => flood.filter((s) => s.received.startsWith('HTTP/1.1 503'));
    await waitFor('the refusals', () => refused().length >= 100, 10_000);
    expect(refused()).toHaveLength(100);
    expect(refused()[0]!.received).toContain('"error":"busy"');
    // a LAN browser has no place left, the panel on the gateway still does
    expect(await statusFrom(a, '127.0.9.9')).toBe(503);
    expect(await statusFrom(a, '127.0.0.1')).toBe(200);
    // the sockets that got in but never sent a request are closed by the header timeout
    await waitFor('the idle sockets closed by the agent', () => flood.every((s) => s.closed), 30_000);
    expect(a.exited()).toBe(false);
    expect(await statusFrom(a, '127.0.9.9')).toBe(200);
  }, 90_000);

  it('lets one address take no more than its share: the panel and another LAN client still get in', async () => {
    agent = await startAgent(256);
    const a = agent;
    const flood = await openIdle(a, 100, 100);
    await waitFor('the refusals', () => flood.filter((s) => s.received.startsWith('HTTP/1.1 503')).length >= 100 - DEFAULT_CONNECTIONS.perAddress, 10_000);
    expect(await statusFrom(a, '127.0.0.1')).toBe(200);
    expect(await statusFrom(a, '127.0.9.9')).toBe(200);
    for (const s of flood) s.socket.destroy();
  }, 60_000);

  it('lives through running out of file handles, and serves the panel once the sockets close', async () => {
    // Start-up needs more handles while it loads its modules; once running it holds ~27, so 40
    // leaves the cap unable to keep the sockets within the limit: accept() itself fails with EMFILE.
    agent = await startAgent(256);
    const a = agent;
    await new Promise<void>((resolve, reject) =>
      spawn('prlimit', [`--pid=${a.child.pid}`, '--nofile=40:40'], { stdio: 'inherit' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`prlimit exited ${code}`)))),
    );
    const flood = await openIdle(a, 100, 5);
    // the handles did run out: past them the kernel's connections were closed unanswered
    await waitFor('connections closed unanswered past the handle limit', () => flood.some((s) => s.closed && s.received === ''), 10_000);
    expect(a.exited()).toBe(false);
    for (const s of flood) s.socket.destroy();
    await waitFor('the flood closed', () => flood.every((s) => s.closed), 10_000);
    expect(await statusFrom(a, '127.0.0.1')).toBe(200);
    expect(a.exited()).toBe(false);
  }, 60_000);
});
