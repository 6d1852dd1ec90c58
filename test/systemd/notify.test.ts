/**
 * The compiled agent under a fake systemd: READY=1 once running, WATCHDOG=1 at half of
 * WATCHDOG_USEC from its own event loop, STOPPING=1 on SIGTERM; a bad site file exits 78
 * (which the unit's RestartPreventExitStatus=78 keeps from restarting) without READY=1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { minimalSite } from '../helpers/minimal-site.js';
import { listenNotify, type NotifyListener } from '../helpers/notify-socket.js';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');

function site(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fb-notify-site-'));
  const file = join(dir, 'site.yaml');
  writeFileSync(file, body.replace('BUFFER', join(dir, 'buffer.db')));
  return file;
}

const GOOD = minimalSite('GW-NOTIFY-01', 'BUFFER');

/** the systemd-notify calls of `pid` still running (an exited one the stopped agent cannot reap is a zombie, `Z`) */
function notifiesRunning(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // pid (comm) state ppid ...
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && comm === 'systemd-notify' && state !== 'Z') out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

let listener: NotifyListener | undefined;
afterEach(() => listener?.close());

function runAgent(configFile: string, notifySocket: string, watchdogUsec: number) {
  const child = spawn(process.execPath, [cli, 'run', '--config', configFile, '--simulate'], {
    env: { ...process.env, NOTIFY_SOCKET: notifySocket, WATCHDOG_USEC: String(watchdogUsec), FIREBREAK_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, stderr: () => stderr };
}

describe('the agent under systemd (Type=notify)', () => {
  it('says READY=1, pings WATCHDOG=1 at about half the interval, and says STOPPING=1 on SIGTERM', async () => {
    listener = await listenNotify();
    const agent = runAgent(site(GOOD), listener.path, 1_000_000); // WatchdogSec=1s → a ping every 500 ms
    const ready = await listener.waitFor('READY=1', 20_000);
    expect(ready.lines.some((l) => l.startsWith('STATUS=running'))).toBe(true);

    const pingsSince = () => listener!.received.filter((n) => n.lines.includes('WATCHDOG=1') && n.at >= ready.at);
    await waitFor('six watchdog pings', () => pingsSince().length >= 6, 10_000);
    const pings = pingsSince();
    // at least four within 3 s of READY=1
    expect(pings[3]!.at - ready.at).toBeLessThan(3000);
    const gaps = pings.slice(1).map((p, i) => p.at - pings[i]!.at);
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
    expect(median).toBeGreaterThan(350);
    expect(median).toBeLessThan(700);
    // every ping names the agent as the main process (systemd-notify --pid), as NotifyAccess=all needs
    expect(pings[0]!.lines).toContain(`MAINPID=${agent.child.pid}`);

    agent.child.kill('SIGTERM');
    await listener.waitFor('STOPPING=1', 10_000);
    expect(await agent.exit).toBe(0);
  }, 40_000);

  it('stops pinging when its event loop hangs, so systemd would kill it', async () => {
    // The pings come from the agent's own loop: SIGSTOP stands in for a hung loop.
    listener = await listenNotify();
    const agent = runAgent(site(GOOD), listener.path, 600_000);
    await listener.waitFor('READY=1', 20_000);
    agent.child.kill('SIGSTOP');
    // a ping already in flight is a systemd-notify child, which SIGSTOP does not stop: once none
    // is left, nothing more can be sent (the listener stamps what it receives with its own time)
    await waitFor('no systemd-notify of the agent running', () => notifiesRunning(agent.child.pid!).length === 0, 5000);
    const quietFrom = Date.now();
    // the hang itself: five ping intervals (300 ms) of a stopped process, which only real time gives
    await new Promise((r) => setTimeout(r, 1500));
    expect(listener.received.filter((n) => n.at > quietFrom)).toEqual([]);
    agent.child.kill('SIGCONT');
    await listener.waitFor('WATCHDOG=1', 5000);
    agent.child.kill('SIGTERM');
    expect(await agent.exit).toBe(0);
  }, 40_000);

  it('exits 78 on a bad site file and never says READY=1', async () => {
    listener = await listenNotify();
    const agent = runAgent(site(GOOD.replace('unitId: 1', 'unitId: 300')), listener.path, 1_000_000);
    expect(await agent.exit).toBe(78);
    expect(agent.stderr()).toContain('devices[0].unitId: must be 1..247 (got 300)');
    expect(listener.received.flatMap((n) => n.lines)).not.toContain('READY=1');
  }, 30_000);
});
