/**
 * The Firebreak nodes in a real Node-RED runtime (node-red-node-test-helper), reading the feed of
 * a real agent on its simulators: samples arrive, an alarm raised by a simulated differential
 * pressure arrives, and the example flows load and produce a shift report.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../agent/app.js';
import { SiteConfigSchema } from '../../agent/config/schema.js';
import { createLogger } from '../../agent/core/log.js';
import { waitFor } from '../helpers/wait.js';

const require = createRequire(import.meta.url);
interface TestNode {
  on(event: 'input', fn: (msg: Record<string, unknown>) => void): void;
  receive(msg: Record<string, unknown>): void;
  context(): { flow: { get(key: string): unknown } };
}
interface Helper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  startServer(done: () => void): void;
  stopServer(done: () => void): void;
  load(nodes: unknown[], flow: unknown[], done: () => void): void;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
}
const helper = require('node-red-node-test-helper') as Helper;
const root = new URL('../..', import.meta.url).pathname;
const firebreakNodes = require(join(root, 'flows/nodes/firebreak/firebreak.js')) as unknown;
const core = (p: string) => require(join(root, 'node_modules/@node-red/nodes/core', p)) as unknown;
helper.init(require.resolve('node-red'));

let agent: Agent;
let socket: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-nodes-'));
  socket = join(dir, 'feed.sock');
  const config = SiteConfigSchema.parse({
    version: 1,
    site: { enterprise: '91130100MA0EXAMPLE', gateway: 'GW-FLOWS-01', name: '测试车间' },
    buses: [{ id: 'rs485a', port: 'sim:rs485a' }],
    devices: [
      {
        id: 'dc1',
        name: '1号除尘器',
        bus: 'rs485a',
        unitId: 1,
        pollMs: 100,
        points: [{ id: 'dc1.dp', name: '压差', kind: 'differential_pressure', unit: 'Pa', register: { table: 'holding', address: 0 }, heartbeatS: 1, limits: { high: 1800, highHigh: 2500, delayMs: 0 } }],
      },
    ],
    interlocks: [],
    buffer: { path: join(dir, 'buffer.db'), maxBytes: '16MiB' },
    feed: { socket },
  });
  agent = await startAgent({ config, log: createLogger('silent'), simulate: true, syncProbe: { isSynchronized: async () => true } });
  agent.simulator!.set('dc1.dp', 900);
  await new Promise<void>((r) => helper.startServer(r));
}, 30_000);

afterAll(async () => {
  await new Promise<void>((r) => helper.stopServer(r));
  await agent?.stop('test over');
});

afterEach(async () => {
  await helper.unload();
});

function collect(node: TestNode) {
  const msgs: Record<string, unknown>[] = [];
  node.on('input', (m) => msgs.push(m));
  return {
    msgs,
    until: (pred: (m: Record<string, unknown>) => boolean, timeoutMs = 8000) =>
      waitFor('the message', () => msgs.find(pred), { timeoutMs, state: () => `got ${JSON.stringify(msgs.slice(-5))}` }),
  };
}

const load = (flow: unknown[], nodes: unknown[] = [firebreakNodes]) => new Promise<void>((r) => helper.load(nodes, flow, r));

describe('Firebreak nodes in Node-RED', () => {
  it('firebreak samples: the points the filter names, with value, quality and point info', async () => {
    await load([
      { id: 's1', type: 'firebreak samples', points: 'dc1.*', socket, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const out = collect(helper.getNode('out'));
    const m = await out.until((x) => x.topic === 'dc1.dp' && x.payload === 900);
    expect(m).toMatchObject({ quality: 'good', gateway: 'GW-FLOWS-01', point: { id: 'dc1.dp', name: '压差', unit: 'Pa' } });
    expect(typeof m.t).toBe('number');
  }, 15_000);

  it('firebreak alarms: a raised alarm, at or above the priority asked for', async () => {
    await load([
      { id: 'a1', type: 'firebreak alarms', minPriority: 'high', socket, wires: [['out']] },
      { id: 'l1', type: 'firebreak alarms', mode: 'list', socket, wires: [['list']] },
      { id: 'out', type: 'helper' },
      { id: 'list', type: 'helper' },
    ]);
    const out = collect(helper.getNode('out'));
    const list = collect(helper.getNode('list'));
    await list.until((m) => Array.isArray(m.payload)); // the list on connect: the node is on the feed
    agent.simulator!.set('dc1.dp', 2600);
    const m = await out.until((x) => x.state === 'unack' && (x.payload as { value?: number }).value === 2600 && (x.payload as { limitKind?: string }).limitKind === 'highHigh');
    expect(m).toMatchObject({ priority: 'high', payload: { type: 'alarm', limit: 2500 } });
    // the high alarm (medium priority) crossed on the way is below what the node asked for
    expect(out.msgs.some((x) => (x.payload as { limitKind?: string }).limitKind === 'high')).toBe(false);
    await list.until((x) => (x.payload as { state: string }[]).some((a) => a.state === 'unack'));
    agent.simulator!.set('dc1.dp', 900);
  }, 15_000);

  it('firebreak events: only the event types asked for', async () => {
    agent.simulator!.set('dc1.dp', 900);
    // the previous test's alarms clear first, so the one this test raises is a new event
    await waitFor('the previous test\'s alarms to clear', () => agent.plant.alarms.views().every((a) => !a.active), {
      state: () => JSON.stringify(agent.plant.alarms.views().filter((a) => a.active).map((a) => a.id)),
    });
    await load([
      { id: 'e1', type: 'firebreak events', types: 'alarm', socket, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const out = collect(helper.getNode('out'));
    agent.simulator!.set('dc1.dp', 2600);
    await out.until((m) => (m.payload as { limitKind?: string }).limitKind === 'highHigh');
    expect(out.msgs.every((m) => m.topic === 'alarm')).toBe(true);
    agent.simulator!.set('dc1.dp', 900);
  }, 15_000);

  it('the shift-report example turns samples into a report at shift end', async () => {
    const flow = (JSON.parse(readFileSync(join(root, 'flows/examples/shift-report.json'), 'utf8')) as Record<string, unknown>[])
      .filter((n) => n.type !== 'file' && n.type !== 'debug')
      .map((n) => (n.type?.toString().startsWith('firebreak') ? { ...n, socket } : n.id === 'sr.report' ? { ...n, wires: [['out']] } : n));
    await load([...flow, { id: 'out', type: 'helper' }], [firebreakNodes, core('function/10-function.js'), core('common/20-inject.js')]);
    const out = collect(helper.getNode('out'));
    // a few samples of dc1.dp in the shift's statistics (flow context, kept by sr.acc)
    const counted = () => ((helper.getNode('sr.acc').context().flow.get('shiftStats') as Record<string, { n: number }> | undefined)?.['dc1.dp']?.n ?? 0);
    await waitFor('three samples of dc1.dp counted for the shift', () => counted() >= 3);
    helper.getNode('sr.end').receive({});
    const m = await out.until(() => true);
    expect(m.payload).toMatch(/^班组报告 Shift report/);
    expect(m.payload).toMatch(/压差 \(dc1\.dp\) Pa \| \d+ \| [\d.]+ \| \d+ \| [1-9]\d*/);
    expect(m.filename).toMatch(/^\/var\/lib\/firebreak-node-red\/reports\/shift-\d{4}-\d\d-\d\d-\d\dh\.txt$/);
  }, 15_000);

  it('the critical-alarm example flow loads with every node type known', async () => {
    const flow = JSON.parse(readFileSync(join(root, 'flows/examples/critical-alarm-forward.json'), 'utf8')) as Record<string, unknown>[];
    await load(
      flow.map((n) => (n.type === 'firebreak alarms' ? { ...n, socket } : n)),
      [firebreakNodes, core('function/10-function.js'), core('function/10-switch.js'), core('network/21-httprequest.js'), core('common/21-debug.js')],
    );
    for (const n of flow.filter((x) => x.type !== 'tab')) expect(helper.getNode(n.id as string), n.id as string).toBeTruthy();
  }, 15_000);
});
