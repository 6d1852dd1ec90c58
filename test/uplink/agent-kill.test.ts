/**
 * The whole agent, killed with SIGKILL while it polls, raises alarms and uplinks, then started
 * again on the same buffer: the platform must end up with every message the first run had
 * committed, seq without a hole, and the first run must have been committing up to its last
 * commit window. Runs the compiled `firebreak` (npm test builds it first).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { all, closeDb, openDb } from '../../agent/buffer/sqlite.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../buffer/tmp-outbox.js';
import { cli, exited, runAgent } from '../helpers/agent-process.js';
import { schemaProblems } from './schemas.js';
import { Platform, waitFor, type Received } from './subscriber.js';

const ENTERPRISE = '91330100MA2TEST01X';
const GATEWAY = 'GW-KILL-01';
const COMMIT_MS = 250;

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.stop();
});

/** six collectors of eight registers polled every 100 ms; every point below its low limit, each alarm after its own delay */
function siteFile(dir: string): { file: string; buffer: string } {
  const buffer = join(dir, 'buffer.db');
  const devices = Array.from({ length: 6 }, (_, d) => ({
    id: `dc${d + 1}`,
    bus: 'rs485a',
    unitId: d + 1,
    pollMs: 100,
    points: Array.from({ length: 8 }, (_, r) => ({
      id: `dc${d + 1}.p${r}`,
      kind: 'differential_pressure',
      unit: 'Pa',
      register: { table: 'holding', address: r, type: 'uint16' },
      heartbeatS: 1,
      // the simulated registers read 0: a low alarm per point, spread over the first 5 s
      limits: { low: 100, delayMs: (d * 8 + r) * 100 },
    })),
  }));
  const site = {
    version: 1,
    site: { enterprise: ENTERPRISE, gateway: GATEWAY, name: 'kill test' },
    buses: [{ id: 'rs485a', port: 'sim:kill', baudRate: 115200, parity: 'none', timeoutMs: 100, retries: 0 }],
    devices,
    uplink: { mqtt: { url: broker.url, topicPrefix: 'firebreak/v1' } },
    buffer: { path: buffer, maxBytes: '64MiB', keepSentHours: 24, commitMs: COMMIT_MS },
  };
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(site));
  return { file, buffer };
}


async function onDisk(path: string): Promise<{ data: number[]; events: number[]; lastCommitMs: number }> {
  const db = await openDb(path);
  try {
    const data = (await all<{ seq: number }>(db, 'SELECT seq FROM data ORDER BY seq')).map((r) => r.seq);
    const events = (await all<{ seq: number }>(db, 'SELECT seq FROM events ORDER BY seq')).map((r) => r.seq);
    const last = await all<{ c: number }>(db, 'SELECT max(created) AS c FROM data');
    return { data, events, lastCommitMs: last[0]?.c ?? 0 };
  } finally {
    await closeDb(db);
  }
}

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const uniqueSeqs = (rs: Received[]) => [...new Set(rs.map((r) => r.body.seq as number))].sort((a, b) => a - b);

it('an agent killed with SIGKILL under load loses no committed message and no event; seq continues without a hole', async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first (npm test does)`);
  const dir = tempDir();
  const { file, buffer } = siteFile(dir);
  const root = `firebreak/v1/${ENTERPRISE}/${GATEWAY}`;
  const platform = await Platform.connect(broker.url, root);
  const first = runAgent(file);
  try {
    // killed in the middle of its alarm flood, with data flowing
    await waitFor('data and a first wave of alarms', () => platform.on('data').length >= 5 && platform.on('events').length >= 8, 20_000);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await exited(first.child);
    const boot1 = platform.on('state').find((r) => r.body.online === true)!.body.bootId as string;

    const committed = await onDisk(buffer);
    expect(committed.data).toEqual(oneTo(committed.data.length));
    expect(committed.events).toEqual(oneTo(committed.events.length));
    // it was committing up to the end: what died with it is at most the last commit window (and a loaded machine's lag)
    expect(killedAt - committed.lastCommitMs).toBeLessThan(COMMIT_MS + 750);

    const second = runAgent(file);
    try {
      const data = () => platform.on('data');
      const events = () => platform.on('events');
      const fromBoot2 = (rs: Received[]) => rs.filter((r) => r.body.bootId !== boot1);
      await waitFor(
        'every committed message of the first run, and the second run live',
        () =>
          committed.data.every((s) => data().some((r) => r.body.seq === s)) &&
          committed.events.every((s) => events().some((r) => r.body.seq === s)) &&
          fromBoot2(data()).some((r) => r.body.hist === false) &&
          fromBoot2(events()).some((r) => r.body.hist === false),
        30_000,
      );
      // the second run never reuses a seq: what it sends live is numbered after the first run's last commit
      for (const r of fromBoot2(data()).filter((m) => m.body.hist === false)) expect(r.body.seq).toBeGreaterThan(committed.data.length);
      for (const r of fromBoot2(events()).filter((m) => m.body.hist === false)) expect(r.body.seq).toBeGreaterThan(committed.events.length);
      // the restart continues the same seq series: one epoch over both runs
      const epochs = new Set([...data(), ...events()].map((r) => r.body.epoch));
      expect([...epochs]).toEqual([expect.stringMatching(/^[0-9a-f]{16}$/)]);
      // a message sent twice (live before the kill, backlog after) is the same message
      for (const rs of [data(), events()]) {
        const bySeq = new Map<number, string>();
        for (const r of rs) {
          const { bootId: _b, hist: _h, ...content } = r.body;
          const key = JSON.stringify(content);
          const seen = bySeq.get(r.body.seq as number);
          if (seen !== undefined) expect(key).toBe(seen);
          bySeq.set(r.body.seq as number, key);
        }
      }
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
    // no hole at the platform, and nothing there that is not in the buffer
    const after = await onDisk(buffer);
    for (const [stream, stored] of [['data', after.data], ['events', after.events]] as const) {
      const got = uniqueSeqs(platform.on(stream));
      expect(got).toEqual(oneTo(got.length));
      expect(stored).toEqual(oneTo(stored.length));
      expect(stored.length).toBeGreaterThanOrEqual(got.length);
    }
    // every alarm of the first run that reached the disk reached the platform
    const eventIds = platform.on('events').flatMap((r) => (r.body.events as { id: string }[]).map((e) => e.id));
    expect(new Set(eventIds).size).toBeGreaterThanOrEqual(committed.events.length);
    for (const r of platform.received.filter((m) => !m.topic.includes('/cmd'))) expect(schemaProblems(r.body)).toEqual([]);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nagent output:\n${first.output().slice(-2000)}`, { cause: err });
  } finally {
    first.child.kill('SIGKILL');
    await platform.close();
  }
}, 90_000);
