/**
 * A small sanding workshop for the Hebei tests: a dust-concentration meter and a collector
 * differential pressure with limits, a spark contact, a real SQLite outbox in a temp dir, the
 * real alarm list and limit alarms, and the Hebei uplink built from the site file, aimed at the
 * mock platform. Samples go where the plant would send them: the buffer and the limit alarms.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LimitAlarms } from '../../agent/alarms/limits.js';
import type { Outbox } from '../../agent/buffer/outbox.js';
import { SiteConfigSchema, type SiteConfig } from '../../agent/config/schema.js';
import { SystemClock, type Clock, type FakeClock } from '../../agent/core/clock.js';
import { waitFor } from '../helpers/wait.js';
import type { PlantEvent, Sample } from '../../agent/core/types.js';
import { recordedAlarms } from '../helpers/alarms.js';
import { createHebeiUplink } from '../../agent/uplink/hebei/index.js';
import type { ProvincialUplink } from '../../agent/uplink/provincial/provincial-uplink.js';
import { openOutbox, quiet } from '../buffer/tmp-outbox.js';
import { MockPlatform } from './mock-platform.js';

export const KEY = 'Fb8kEy01';
export const QYBM = '012345678912';
export const WGBM = '01234567891201';
export const TNM = {
  conc: '0123456789120106001',
  dp: '0123456789120101001',
  spark: '0123456789120103001',
} as const;

export function siteConfig(dir: string, baseUrl: string, extra: { heartbeatS?: number; periodSeconds?: number } = {}): SiteConfig {
  const keyFile = join(dir, 'hebei-des.key');
  writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
  return SiteConfigSchema.parse({
    version: 1,
    site: { enterprise: '91130100MA0EXAMPLE', gateway: 'GW-HB-01', name: '示例木业 砂光车间' },
    buses: [{ id: 'rs485a', port: 'sim:hebei' }],
    devices: [
      {
        id: 'ds1',
        bus: 'rs485a',
        unitId: 2,
        points: [
          {
            id: 'ds1.conc',
            name: '粉尘浓度',
            kind: 'dust_concentration',
            unit: 'mg/m3',
            register: { table: 'holding', address: 0, type: 'float32' },
            heartbeatS: extra.heartbeatS ?? 60,
            limits: { high: 10, highHigh: 20, hysteresis: 0.5 },
          },
        ],
      },
      {
        id: 'dc1',
        bus: 'rs485a',
        unitId: 1,
        points: [
          {
            id: 'dc1.dp',
            name: '除尘器进出口压差',
            kind: 'differential_pressure',
            unit: 'Pa',
            register: { table: 'holding', address: 0, type: 'uint16' },
            heartbeatS: extra.heartbeatS ?? 60,
            limits: { low: 300, high: 1800 },
          },
        ],
      },
    ],
    gpio: { backend: 'sim', inputs: [{ id: 'spark1', name: '1号风管火花探测', kind: 'spark', line: 17 }] },
    buffer: { path: join(dir, 'buffer.db'), commitMs: 50 },
    uplink: {
      hebei: {
        baseUrl,
        qybm: QYBM,
        wgbm: WGBM,
        keyFile,
        periodSeconds: extra.periodSeconds ?? 5,
        points: { 'ds1.conc': TNM.conc, 'dc1.dp': TNM.dp, spark1: TNM.spark },
      },
    },
  });
}

export interface Workshop {
  dir: string;
  config: SiteConfig;
  outbox: Outbox;
  hebei: ProvincialUplink;
  /** every sample fed, in order */
  fed: Sample[];
  /** every event the alarms raised */
  events: PlantEvent[];
  /** a reading from the field: to the buffer and the limit alarms */
  feed(p: string, v: number | boolean): void;
  /** stop the uplink and close the buffer (the agent going down) */
  close(): Promise<void>;
}

export interface WorkshopOptions {
  platform: MockPlatform;
  dir?: string;
  /** test period; the site file says 5 s, the tests run at 1 s */
  periodMs?: number;
  heartbeatS?: number;
  timeoutMs?: number;
  autostart?: boolean;
  /** the plant's, the buffer's and the uplink's clock (the wall clock unless a test brings a FakeClock) */
  clock?: Clock;
}

export async function startWorkshop(o: WorkshopOptions): Promise<Workshop> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'firebreak-hebei-'));
  const config = siteConfig(dir, o.platform.baseUrl, { heartbeatS: o.heartbeatS });
  const clock = o.clock ?? new SystemClock();
  const { outbox } = await openOutbox({ path: config.buffer.path, commitMs: config.buffer.commitMs, clock });
  const { alarms, events, log } = recordedAlarms(clock, 'hb');
  log.onEvent((e) => void outbox.addEvent(e).catch(() => undefined));
  const limits = new LimitAlarms(
    config.devices.flatMap((d) => d.points),
    alarms,
    clock,
  );
  const hebei = createHebeiUplink({
    site: config,
    outbox,
    clock,
    log: quiet,
    periodMs: o.periodMs ?? 1000,
    graceMs: 300,
    timeoutMs: o.timeoutMs ?? 2000,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  if (o.autostart !== false) await hebei.start();
  const fed: Sample[] = [];
  return {
    dir,
    config,
    outbox,
    hebei,
    fed,
    events,
    feed(p, v) {
      const s: Sample = { p, t: clock.now(), v, q: 'good' };
      fed.push(s);
      outbox.addSample(s);
      limits.update(s);
    },
    async close() {
      await hebei.stop();
      await outbox.close();
    },
  };
}

/** ms since the epoch of a platform timestamp (China time, UTC+8) */
export function fromChinaTime(ts: string): number {
  return Date.parse(`${ts.replace(' ', 'T')}+08:00`);
}

/** the value the gateway should report for point p at boundary b: its newest sample at or before b */
export function expectedAt(fed: Sample[], p: string, b: number): Sample | undefined {
  let best: Sample | undefined;
  for (const s of fed) if (s.p === p && s.t <= b && (!best || s.t >= best.t)) best = s;
  return best;
}

/**
 * Run a workshop on fake time: every 100 ms `feed(now)` gives the field readings, then the clock
 * moves on and what was fed is committed; for `ms` of fake time or until `until` holds. With
 * `caughtUp`, each step also waits (on the wall clock) until the uplink owes nothing, so fake
 * time never runs ahead of a platform that is answering.
 */
export async function runFor(ws: Workshop, clock: FakeClock, until: number | (() => boolean), feed: (now: number) => void, o: { caughtUp?: boolean } = {}): Promise<void> {
  const end = typeof until === 'number' ? clock.now() + until : Infinity;
  const giveUp = Date.now() + 20_000;
  for (;;) {
    if (typeof until === 'number' ? clock.now() >= end : until()) return;
    if (Date.now() > giveUp) throw new Error(`still waiting after 20 s (fake time ${clock.now()}): ${JSON.stringify(ws.hebei.status())}`);
    feed(clock.now());
    await clock.advanceAsync(100);
    await ws.outbox.flush();
    if (o.caughtUp) await waitFor('the uplink to owe nothing', () => ws.hebei.status().pending === 0);
  }
}

export function mockOptions() {
  return { key: KEY, qybm: QYBM, wgbm: WGBM, tnms: Object.values(TNM) };
}
