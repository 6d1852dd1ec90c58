/**
 * The plug pulled during entry: a child process (fixtures/entering-agent.ts) takes the hopper's
 * ticket to two people inside on a real SQLite file and is SIGKILLed. Reopened on the same
 * file, the ticket is still permitted with both inside, and evacuate still applies: O₂ falling
 * raises it with the beacon, and it holds until both have checked out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import { FakeClock } from '../../agent/core/clock.js';
import { agentSourceDirs, buildChild } from '../buffer/child-build.js';
import { TESTER, ticketSite } from './ticket-site.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

it('keeps the ticket and both people inside through a SIGKILL during entry, and evacuate still applies', async () => {
  const { script, dir: build } = buildChild(fileURLToPath(new URL('./fixtures/entering-agent.ts', import.meta.url)), agentSourceDirs(['test/tickets']));
  const dir = mkdtempSync(join(tmpdir(), 'fb-ticket-kill-'));
  onTestFinished(() => {
    rmSync(build, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const child = spawn(process.execPath, [script, dir, join(repo, 'config/site.workshop.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const id = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /inside (\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before entry:\n${err}`)));
  });
  child.kill('SIGKILL');
  await exited;

  // the attendant, the lockout and the fan as they were: the wire's levels at the restart
  const s = await ticketSite({ dir, clock: new FakeClock(Date.parse('2026-12-02T02:00:00Z')), contactsOn: ['att1.present', 'loto.hopper1', 'vfan1.run'] });
  onTestFinished(() => s.stop());
  expect(s.tickets.get(id), JSON.stringify(s.tickets.get(id))).toMatchObject({ state: 'permitted', inside: ['钱一', '孙二'], wasInside: ['钱一', '孙二'] });
  const steps = s.events.filter((e) => e.type === 'ticket');
  // what the killed process committed but may not have handed on is sent again at the start
  expect(steps.every((e) => e.ticket === id)).toBe(true);

  s.gas(19.0);
  expect(s.tickets.get(id)).toMatchObject({ state: 'evacuate', inside: ['钱一', '孙二'] });
  expect(s.alarm('hopper1.evacuate')).toMatchObject({ active: true, priority: 'critical' });
  expect(s.relay(s.config.alarms!.beacon!)).toBe(true);
  await s.tickets.act(id, { kind: 'exit', person: '钱一' }, TESTER);
  expect(s.alarm('hopper1.evacuate')!.active).toBe(true);
  await s.tickets.act(id, { kind: 'exit', person: '孙二' }, TESTER);
  expect(s.alarm('hopper1.evacuate')!.active).toBe(false);
}, 60_000);
