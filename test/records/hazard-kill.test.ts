/**
 * A hidden-hazard record survives the agent being killed with SIGKILL between two of its state
 * changes: the compiled `firebreak run` on the workshop site takes a person's finding and an
 * assignment through its page's API, is killed the moment the assignment is answered, and after
 * a restart on the same buffer the record is there as assigned, with its history, the platform
 * has both events (seq without a hole), and the loop goes on. npm test builds dist/ first.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addUser } from '../../agent/hmi/users.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { freePort, startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../buffer/tmp-outbox.js';
import { cli, exited, runAgent } from '../helpers/agent-process.js';
import { login, OPERATOR, post, SUPERVISOR, type Endpoint } from '../hmi/harness.js';
import { schemaProblems } from '../uplink/schemas.js';
import { Platform, waitFor } from '../uplink/subscriber.js';

const GATEWAY = `GW-HZKILL-${process.pid}`;

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.stop();
});

/** the workshop's own site file, pointed at the test broker, a temp buffer and a page on a free port */
async function siteFile(dir: string, port: number): Promise<string> {
  const usersFile = join(dir, 'users.json');
  await addUser(usersFile, OPERATOR.name, OPERATOR.password, 'operator');
  await addUser(usersFile, SUPERVISOR.name, SUPERVISOR.password, 'supervisor');
  const yaml = readFileSync(new URL('../../config/site.workshop.yaml', import.meta.url), 'utf8')
    .replace(/gateway: \S+/, `gateway: ${GATEWAY}`)
    .replace('url: mqtt://127.0.0.1:1883', `url: ${broker.url}`)
    .replace('path: /var/lib/firebreak/buffer.db', `path: ${join(dir, 'buffer.db')}`)
    .replace('listen: 0.0.0.0:8080', `listen: 127.0.0.1:${port}\n  usersFile: ${usersFile}`);
  const file = join(dir, 'site.yaml');
  writeFileSync(file, yaml);
  return file;
}


async function pageUp(page: Endpoint): Promise<boolean> {
  return fetch(`${page.base}/api/hazards`).then(
    (r) => r.ok,
    () => false,
  );
}

it('keeps a record killed between two state changes, and goes on with it after the restart', async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first (npm test does)`);
  const dir = tempDir();
  const port = await freePort();
  const file = await siteFile(dir, port);
  const page: Endpoint = { base: `http://127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` };
  const config = readFileSync(file, 'utf8');
  const enterprise = /enterprise: "?([0-9A-Z]+)/.exec(config)![1];
  const platform = await Platform.connect(broker.url, `firebreak/v1/${enterprise}/${GATEWAY}`);
  const first = runAgent(file);
  let second: ReturnType<typeof runAgent> | undefined;
  try {
    await waitFor('the first run’s page', () => pageUp(page), { timeoutMs: 20_000, state: first.output });
    const [sup, op] = [await login(page, SUPERVISOR), await login(page, OPERATOR)];
    const found = await post(page, '/api/hazards', { session: op, body: JSON.stringify({ clause: '粉尘-3', grade: 'major', title: '泄爆片锈蚀' }) });
    expect(found.status).toBe(201);
    const id = (found.body as { record: { id: string } }).record.id;
    const assigned = await post(page, `/api/hazards/${id}/assign`, { session: sup, body: JSON.stringify({ assignee: OPERATOR.name }) });
    // the plug is pulled the moment the assignment is answered
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(assigned.status).toBe(200);

    second = runAgent(file);
    await waitFor('the second run’s page', () => pageUp(page), { timeoutMs: 20_000, state: second.output });
    const after = (await (await fetch(`${page.base}/api/hazards/${encodeURIComponent(id)}`)).json()) as { record: { state: string; assignee: string }; history: { state: string; by: string }[] };
    expect(after.record).toMatchObject({ state: 'assigned', assignee: OPERATOR.name });
    expect(after.history.map((c) => [c.state, c.by])).toEqual([
      ['found', OPERATOR.name],
      ['assigned', SUPERVISOR.name],
    ]);

    // the loop goes on after the restart (sessions lived in the killed process: log in again)
    const op2 = await login(page, OPERATOR);
    expect(await post(page, `/api/hazards/${id}/rectify`, { session: op2, body: JSON.stringify({ note: '已更换泄爆片' }) })).toMatchObject({ status: 200 });

    const hazardEvents = () => platform.on('events').flatMap((m) => (m.body.events as PlantEvent[]).filter((e) => e.record === id));
    await waitFor('the record’s three changes at the broker', () => new Set(hazardEvents().map((e) => e.id)).size >= 3, { state: () => JSON.stringify(hazardEvents().map((e) => e.state)) });
    expect([...new Map(hazardEvents().map((e) => [e.id, e.state])).entries()]).toEqual([
      [`${id}#1`, 'found'],
      [`${id}#2`, 'assigned'],
      [`${id}#3`, 'rectified'],
    ]);
    const seqs = [...new Set(platform.on('events').map((m) => m.body.seq as number))].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    for (const m of platform.on('events')) expect(schemaProblems(m.body)).toEqual([]);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nfirst run:\n${first.output().slice(-1500)}\nsecond run:\n${second?.output().slice(-1500) ?? ''}`, { cause: err });
  } finally {
    first.child.kill('SIGKILL');
    second?.child.kill('SIGTERM');
    if (second) await exited(second.child);
    await platform.close();
  }
}, 90_000);
