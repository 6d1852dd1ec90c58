/**
 * The README's first command, as a newcomer runs it: `firebreak demo` from the compiled agent.
 * Within 10 s the operator page has live values and the platform has received messages that
 * validate against the shared uplink contract.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');
const sharedSchema = join(root, '../shared/spec/uplink-v1.schema.json');
const schemaFile = existsSync(sharedSchema) ? sharedSchema : join(root, 'schema/uplink-v1.floor.schema.json');

let demo: ChildProcess;
let output = '';
const received: { topic: string; payload: Record<string, unknown> }[] = [];
let client: mqtt.MqttClient;
let hmiUrl = '';

/** what the demo printed, for a wait's failure message */
const saying = (timeoutMs: number) => ({ timeoutMs, state: () => `demo said:\n${output}` });

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('dist/agent/cli.js missing: run `npm run build` (npm test does)');
  const started = Date.now();
  demo = spawn(process.execPath, [cli, 'demo', '--hmi-port', '0'], { cwd: mkdtempSync(join(tmpdir(), 'fb-demo-')), stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  demo.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  hmiUrl = await waitFor('the operator page URL', () => /operator page (http:\S+)/.exec(output)?.[1], saying(10_000));
  const broker = await waitFor('the broker URL', () => /MQTT broker (mqtt:\S+), topic root (\S+);/.exec(output), saying(1000));
  client = mqtt.connect(broker[1]!, { clientId: 'test-platform' });
  client.on('message', (topic, buf) => received.push({ topic, payload: JSON.parse(buf.toString()) as Record<string, unknown> }));
  await new Promise<void>((resolve) => client.once('connect', () => client.subscribe(`${broker[2]!}/#`, { qos: 1 }, () => resolve())));
  expect(Date.now() - started).toBeLessThan(10_000);
}, 20_000);

afterAll(async () => {
  await client?.endAsync();
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo.once('exit', r));
    demo.kill('SIGTERM');
    await exited;
  }
});

describe('firebreak demo', () => {
  it('shows live values of the collector, the room and the contacts on the operator page within 10 s', async () => {
    type Snapshot = { points: { id: string; q: string; v: unknown }[]; contacts: { id: string; q: string }[]; permits: { id: string }[] };
    let last: Snapshot | undefined;
    const body = await waitFor(
      'every point good on the operator page',
      async () => {
        last = (await (await fetch(new URL('/api/snapshot', hmiUrl))).json()) as Snapshot;
        return last.points.every((p) => p.q === 'good') && last;
      },
      { timeoutMs: 10_000, state: () => JSON.stringify(last?.points) },
    );
    const byId = new Map(body.points.map((p) => [p.id, p]));
    for (const id of ['dc1.dp', 'dc1.hopperTemp', 'ds1.conc']) expect(byId.get(id)).toMatchObject({ q: 'good', v: expect.any(Number) });
    expect(body.contacts.map((c) => c.id)).toEqual(expect.arrayContaining(['spark1', 'loto.sander1', 'fan1.run']));
    expect(body.permits.map((p) => p.id)).toEqual(['sander1-permit']);
    const page = await (await fetch(hmiUrl)).text();
    expect(page).toContain('<html');
  }, 15_000);

  it('sends the platform state, data and the permit event, every message valid under the uplink contract', async () => {
    const permitted = (m: (typeof received)[number]) =>
      m.topic.endsWith('/events') && (m.payload.events as { source?: string; state?: string }[]).some((e) => e.source === 'sander1-permit' && e.state === 'permitted');
    await waitFor('the sander permit event', () => received.find(permitted), saying(12_000));
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
    for (const m of received) {
      if (m.topic.includes('/cmd/')) continue;
      expect(validate(m.payload), `${m.topic}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    const kinds = new Set(received.map((m) => m.topic.split('/').at(-1)));
    expect([...kinds]).toEqual(expect.arrayContaining(['state', 'data', 'events']));
    const data = received.filter((m) => m.topic.endsWith('/data')).map((m) => m.payload);
    const points = new Set(data.flatMap((d) => (d.samples as { p: string }[]).map((s) => s.p)));
    expect([...points]).toEqual(expect.arrayContaining(['dc1.dp', 'dc1.hopperTemp', 'ds1.conc']));
    const seqs = data.map((d) => d.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const events = received.filter((m) => m.topic.endsWith('/events')).flatMap((m) => m.payload.events as { source: string; state: string }[]);
    expect(events).toContainEqual(expect.objectContaining({ source: 'sander1-permit', state: 'permitted' }));
    expect(output).toMatch(/\[平台 platform\] data +seq=\d+/);
  }, 15_000);
});
