/**
 * The operator page against the real agent on its simulators: `startAgent` in-process on the
 * demo site (config/demo.site.yaml) with shorter delays, simulated Modbus devices and GPIO, the
 * real SQLite buffer, and an embedded MQTT broker whose acknowledgements the test can hold back.
 * Debian's chromium (playwright-core) drives the page. Screenshots: test-artifacts/hmi/agent-*.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../agent/app.js';
import { loadSiteFile } from '../../agent/config/load.js';
import type { SiteConfig } from '../../agent/config/schema.js';
import type { PlantEvent } from '../../agent/core/types.js';
import { addUser } from '../../agent/hmi/users.js';
import type { SimGpio } from '../../drivers/sim/gpio-sim.js';
import { alarmRow, ARTIFACTS, haveChromium, launchChromium, logIn, openPage, warnIfNoChromium } from './browser.js';
import { login, OPERATOR, post, SUPERVISOR, type Endpoint } from './harness.js';
import { waitFor } from '../helpers/wait.js';

warnIfNoChromium('agent page tests');

/** The demo's GPIO lines (config/demo.site.yaml). */
const LINE = { spark: 17, fan: 5, valve: 6, permitRelay: 26 } as const;
const POLL_MS = 200;

/**
 * An aedes broker on a free loopback port whose PUBACKs the test can hold back (the platform
 * stops acknowledging) and then release one by one, slowly enough to watch the backlog drain.
 */
interface GatedBroker {
  port: number;
  hold(): void;
  /** acknowledge again, each publish `delayMs` after it arrives (held ones one by one) */
  release(delayMs: number): void;
  close(): Promise<void>;
}

async function startGatedBroker(): Promise<GatedBroker> {
  let held = false;
  let delayMs = 0;
  const waiting: (() => void)[] = [];
  let draining = false;
  const drain = () => {
    if (draining) return;
    draining = true;
    const next = () => {
      const go = waiting.shift();
      if (!go) return void (draining = false);
      go();
      setTimeout(next, delayMs);
    };
    next();
  };
  const broker = await Aedes.createBroker({
    authorizePublish: (client, _packet, callback) => {
      if (!client) return callback(null);
      waiting.push(() => callback(null));
      if (!held) drain();
    },
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hold: () => (held = true),
    release: (ms) => {
      held = false;
      delayMs = ms;
      drain();
    },
    close: () =>
      new Promise<void>((resolve) => {
        held = false;
        delayMs = 0;
        drain();
        server.close(() => broker.close(() => resolve()));
      }),
  };
}

/** The demo site, made quick: polls every 200 ms, limit alarms without delay, the fan proven after 0.5 s. */
function quickSite(base: SiteConfig, dir: string, usersFile: string, brokerPort: number): SiteConfig {
  return {
    ...base,
    devices: base.devices.map((d) => ({
      ...d,
      pollMs: POLL_MS,
      points: d.points.map((p) => (p.limits ? { ...p, limits: { ...p.limits, delayMs: 0 } } : p)),
    })),
    interlocks: base.interlocks.map((r) =>
      r.permitWhen ? { ...r, permitWhen: r.permitWhen.map((c) => ('input' in c && c.forMs ? { ...c, forMs: 500 } : c)) } : r,
    ),
    // one message in flight, so a held acknowledgement holds everything behind it
    uplink: { mqtt: { ...base.uplink!.mqtt!, url: `mqtt://127.0.0.1:${brokerPort}`, window: 1 } },
    buffer: { ...base.buffer, path: join(dir, 'buffer.db') },
    hmi: { listen: '127.0.0.1:0', usersFile },
  };
}

describe.skipIf(!haveChromium)('operator page on the agent running on its simulators', () => {
  let dir: string;
  let broker: GatedBroker;
  let agent: Agent;
  let gpio: SimGpio;
  let browser: Browser;
  let hmi: Endpoint;
  const events: PlantEvent[] = [];
  const consoleErrors: string[] = [];

  const snapshot = () => agent.page.snapshot();
  const alarm = (id: string) => snapshot().alarms.find((a) => a.id === id);
  const permit = () => snapshot().permits.find((p) => p.id === 'sander1-permit')!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-hmi-agent-'));
    const usersFile = join(dir, 'users.json');
    await addUser(usersFile, OPERATOR.name, OPERATOR.password, 'operator');
    await addUser(usersFile, SUPERVISOR.name, SUPERVISOR.password, 'supervisor');
    const loaded = await loadSiteFile(new URL('../../config/demo.site.yaml', import.meta.url).pathname);
    if (!loaded.ok) throw new Error(`demo.site.yaml: ${JSON.stringify(loaded.problems)}`);
    broker = await startGatedBroker();
    agent = await startAgent({
      config: quickSite(loaded.config, dir, usersFile, broker.port),
      log: pino({ level: process.env.FIREBREAK_LOG_LEVEL ?? 'silent' }),
    });
    agent.plant.onEvent((e) => events.push(e));
    hmi = { base: `http://127.0.0.1:${agent.hmiPort}`, origin: `http://127.0.0.1:${agent.hmiPort}` };
    gpio = agent.gpio as SimGpio;

    // The collector runs normally; the registers start at 0, so the first poll may have seen a
    // differential pressure below its low limits: those alarms are back to normal, acknowledge them.
    agent.simulator!.set('dc1.dp', 650);
    agent.simulator!.set('dc1.hopperTemp', 35);
    agent.simulator!.set('ds1.conc', 3.2);
    gpio.set(LINE.fan, true);
    gpio.set(LINE.valve, true);
    await waitFor('the sander permit is on', () => permit().on, 5000);
    // A busy test machine may also have made a poll time out (a sensor-fault alarm, cleared by
    // now) or the agent's own event-loop watch alarm: only the field's alarms must be settled.
    await waitFor(
      'the field alarms are settled',
      () => {
        for (const a of snapshot().alarms) if (a.state === 'rtn_unack' && a.source !== 'agent') void agent.page.acknowledge(a.id, 'test-setup');
        return snapshot().alarms.every((a) => a.source === 'agent');
      },
      { timeoutMs: 5000, state: () => JSON.stringify(snapshot().alarms) },
    );

    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.stop('test done');
    await broker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = (viewport = { width: 1280, height: 900 }): Promise<Page> => openPage(browser, hmi.base, { viewport, touch: viewport.width <= 800, ready: '#point-list [data-id="dc1.dp"]', errors: consoleErrors });

  const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

  it('shows the alarm within a second of the simulated differential pressure crossing its high limit', async () => {
    const page = await open();
    const crossed = Date.now();
    agent.simulator!.set('dc1.dp', 2000);
    await alarmRow(page, 'dc1.dp.high').waitFor({ timeout: 1000 });
    const shownAfter = Date.now() - crossed;
    // one poll (200 ms) + the page's coalescing (200 ms) + the browser: well inside a second
    expect(shownAfter).toBeLessThan(1000);
    expect(await alarmRow(page, 'dc1.dp.high').getAttribute('data-state')).toBe('unack');
    expect(await alarmRow(page, 'dc1.dp.high').locator('.alarm-value').textContent()).toContain('2000 Pa');
    // the same sample dropped the sander permit, pressure out of its band, and the relay with it
    const card = page.locator('#permit-board [data-id="sander1-permit"]');
    await expect.poll(() => card.getAttribute('class')).toContain('is-off');
    expect(await card.locator('.first-out-line').textContent()).toContain('除尘器进出口压差');
    expect(gpio.outputLevel(LINE.permitRelay)).toBe(false);
    await page.screenshot({ path: `${ARTIFACTS}/agent-alarm.png`, fullPage: true });
    console.info(`alarm on the page ${shownAfter} ms after the simulator crossed the limit`);
    await page.context().close();
  });

  it('beeps for a new unacknowledged alarm once the page has been touched, and not before', async () => {
    const page = await open();
    await page.evaluate(() => {
      const w = window as unknown as { beepTones: number };
      w.beepTones = 0;
      const create = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.beepTones += 1;
        return create.call(this);
      };
    });
    const tones = () => page.evaluate(() => (window as unknown as { beepTones: number }).beepTones);
    // Browsers allow sound only after a gesture: before the first touch the page stays silent.
    agent.simulator!.set('ds1.conc', 15);
    await alarmRow(page, 'ds1.conc.high').waitFor({ timeout: 2000 });
    expect(await tones()).toBe(0);
    await page.click('#alarms h2');
    agent.simulator!.set('dc1.hopperTemp', 65);
    await alarmRow(page, 'dc1.hopperTemp.high').waitFor({ timeout: 2000 });
    // two tones per new alarm (more if the agent's own loop watch alarms meanwhile)
    await expect.poll(tones).toBeGreaterThanOrEqual(2);
    agent.simulator!.set('dc1.hopperTemp', 35);
    agent.simulator!.set('ds1.conc', 3.2);
    await page.context().close();
  });

  it('lets a logged-in operator acknowledge, and a second open page sees the new state', async () => {
    const operator = await open();
    const watcher = await open();
    await logIn(operator, OPERATOR);
    await alarmRow(operator, 'dc1.dp.high').locator('[data-action="ack"]').click();
    await expect.poll(() => alarmRow(watcher, 'dc1.dp.high').getAttribute('data-state'), { timeout: 2000 }).toBe('ack');
    expect(await alarmRow(watcher, 'dc1.dp.high').locator('.badge.state').textContent()).toBe('已确认');
    expect(await alarmRow(watcher, 'dc1.dp.high').locator('.alarm-notes').textContent()).toContain(`${OPERATOR.name} 已确认`);
    expect(alarm('dc1.dp.high')).toMatchObject({ state: 'ack', ackBy: OPERATOR.name });
    await watcher.screenshot({ path: `${ARTIFACTS}/agent-after-ack.png` });
    await operator.context().close();
    await watcher.context().close();
  });

  it('refuses forged and unauthenticated actions, and the plant is left as it was', async () => {
    agent.simulator!.set('dc1.dp', 650);
    await waitFor('the permit can be reset', () => permit().resettable, 3000);
    const trip = alarm('sander1-permit.trip');
    expect(trip?.state).toMatch(/unack/);
    const before = { trip: trip?.state, permit: permit(), relay: gpio.outputLevel(LINE.permitRelay) };
    const operatorEvents = () => events.filter((e) => e.type === 'operator' || (e.type === 'alarm' && e.user));
    const eventsBefore = operatorEvents().length;

    const session = await login(hmi, OPERATOR);
    const ack = '/api/alarms/sander1-permit.trip/ack';
    const reset = '/api/interlocks/sander1-permit/reset';
    for (const path of [ack, reset]) {
      expect((await post(hmi, path)).status, `${path} without a session`).toBe(401);
      expect((await post(hmi, path, { session, csrf: null })).status, `${path} without the CSRF token`).toBe(403);
      expect((await post(hmi, path, { session, csrf: 'f'.repeat(43) })).status, `${path} with a wrong CSRF token`).toBe(403);
      expect((await post(hmi, path, { session, origin: 'http://evil.example' })).status, `${path} from another origin`).toBe(403);
      expect((await post(hmi, path, { session, origin: null })).status, `${path} with no Origin`).toBe(403);
    }
    expect((await post(hmi, '/api/alarms/sander1-permit.trip/shelve', { session, body: JSON.stringify({ reason: 'x', minutes: 15 }) })).status).toBe(403);

    expect(alarm('sander1-permit.trip')?.state).toBe(before.trip);
    expect(permit()).toMatchObject({ on: false, latched: true });
    expect(gpio.outputLevel(LINE.permitRelay)).toBe(before.relay);
    expect(agent.plant.outputs.isOn('sander1.permit')).toBe(false);
    expect(operatorEvents().length).toBe(eventsBefore);
  });

  it('resets the latched sander permit from the page once its conditions hold, and the relay really closes', async () => {
    const page = await open();
    await logIn(page, OPERATOR);
    const card = page.locator('#permit-board [data-id="sander1-permit"]');
    const button = card.locator('[data-action="reset"]');
    await expect.poll(() => button.isEnabled()).toBe(true);
    await page.locator('#permits').screenshot({ path: `${ARTIFACTS}/agent-permit-latched.png` });
    await button.click();
    // the page asks first: resetting lets the machine start again
    await page.click('#reset-submit');
    await expect.poll(() => card.getAttribute('class'), { timeout: 2000 }).toContain('is-on');
    expect(agent.plant.outputs.isOn('sander1.permit')).toBe(true);
    expect(gpio.outputLevel(LINE.permitRelay)).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'operator', source: 'sander1-permit', state: 'reset', user: OPERATOR.name }));
    await expect.poll(() => page.locator('#output-list [data-id="sander1.permit"]').textContent()).toContain('得电');

    // Three sparks within the window trip it again, first-out the spark count; reset stays refused.
    // each edge waits until the agent has taken it (past the contact's debounce), not a fixed time
    const spark = () => agent.plant.points.get('spark1')?.v;
    for (let i = 0; i < 3; i++) {
      gpio.set(LINE.spark, true);
      await waitFor(`spark ${i + 1} seen`, () => spark() === true, 2000);
      gpio.set(LINE.spark, false);
      await waitFor(`spark ${i + 1} over`, () => spark() === false, 2000);
    }
    await expect.poll(() => card.getAttribute('class'), { timeout: 2000 }).toContain('is-off');
    expect(await card.locator('.first-out-line').textContent()).toContain('1号风管火花探测');
    expect(await button.isDisabled()).toBe(true);
    expect(gpio.outputLevel(LINE.permitRelay)).toBe(false);
    await page.locator('#permits').screenshot({ path: `${ARTIFACTS}/agent-permit-sparks.png` });
    await page.context().close();
  });

  it('switches the page to English with one tap', async () => {
    const page = await open();
    await alarmRow(page, 'sander1-permit.trip').waitFor({ timeout: 5000 });
    expect(await page.textContent('#alarms h2')).toBe('报警');
    await page.click('#lang-button');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('#alarms h2')).toBe('Alarms');
    expect(await alarmRow(page, 'sander1-permit.trip').locator('.badge.state').textContent()).toMatch(/^(Unacknowledged|Cleared, unacknowledged)$/);
    expect(await page.locator('#permit-board [data-id="sander1-permit"] .badge.permit-state').textContent()).toContain('Blocked');
    expect(await page.locator('#output-list [data-id="beacon"]').textContent()).toMatch(/energised/);
    expect(await page.locator('#device-list [data-id="dc1"]').textContent()).toContain('Transactions');
    await page.locator('#trend-chart canvas').waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${ARTIFACTS}/agent-en.png`, fullPage: true });
    await page.click('#lang-button');
    expect(await page.textContent('#alarms h2')).toBe('报警');
    await page.context().close();
  });

  it('shows the alarm list on an 800 × 480 panel without sideways scrolling, in both languages', async () => {
    const page = await open({ width: 800, height: 480 });
    await alarmRow(page, 'sander1-permit.trip').waitFor({ timeout: 5000 });
    expect(await noSidewaysScroll(page)).toBe(true);
    // the first row is on screen below the sticky header (measured again if a new snapshot redrew the list meanwhile)
    const firstRowBottom = async () => {
      const box = await page.locator('#alarm-list .alarm').first().boundingBox();
      return box ? box.y + box.height : Infinity;
    };
    await expect.poll(firstRowBottom).toBeLessThanOrEqual(480);
    await page.screenshot({ path: `${ARTIFACTS}/agent-800x480.png` });
    await page.click('#lang-button');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/agent-800x480-en.png` });
    await page.click('#lang-button');
    await page.locator('#permits').scrollIntoViewIfNeeded();
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/agent-800x480-permits.png` });
    await page.context().close();
  });

  it('draws the last hour and the last day from the real buffer', async () => {
    const res = await fetch(`${hmi.base}/api/trend?point=dc1.dp&range=1h`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { t: number[]; v: (number | null)[] };
    expect(body.t.length).toBeGreaterThan(2);
    expect(body.v).toContain(2000);
    expect(body.v).toContain(650);

    const page = await open();
    await page.selectOption('#trend-point', 'dc1.dp');
    await page.locator('#trend-chart canvas').waitFor({ timeout: 5000 });
    await page.click('[data-range="24h"]');
    await expect.poll(() => page.locator('[data-range="24h"]').getAttribute('aria-pressed')).toBe('true');
    await page.locator('#trend-chart canvas').waitFor({ timeout: 5000 });
    expect(await page.textContent('#trend-status')).toBe('');
    await page.locator('#trends').screenshot({ path: `${ARTIFACTS}/agent-trend.png` });
    await page.context().close();
  });

  it('shows the uplink backlog and its drain progress while the platform catches up', async () => {
    const page = await open({ width: 800, height: 480 });
    const card = page.locator('#uplink-list .uplink').first();
    await expect.poll(() => card.textContent(), { timeout: 5000 }).toContain('已全部发送');
    broker.hold();
    // moving values make a data message every commit while the platform does not acknowledge;
    // a backlog is the oldest message waiting 3 s or more (a message in flight is just "sending")
    for (let i = 0; i < 18; i++) {
      const v = 650 + (i % 2) * 50;
      agent.simulator!.set('dc1.dp', v);
      // the next value once this one was polled and sampled (every POLL_MS)
      await waitFor(`dc1.dp sampled at ${v}`, () => agent.plant.points.get('dc1.dp')?.v === v, 2000);
    }
    await expect.poll(() => card.textContent()).toMatch(/待发送 \d+ 条 · 最早一条已等待 \d+ 秒/);
    expect(snapshot().uplinks[0]!.pending).toBeGreaterThan(3);
    await page.locator('#system').scrollIntoViewIfNeeded();
    // slow enough that the page's 1 s refresh sees the drain half done even when the backlog is
    // only a few messages (a loaded machine commits fewer, larger batches)
    broker.release(700);
    await page.waitForFunction(
      () => {
        const p = document.querySelector<HTMLProgressElement>('#uplink-list progress');
        return p !== null && p.value > 0 && p.value < 100;
      },
      null,
      { timeout: 5000 },
    );
    await page.screenshot({ path: `${ARTIFACTS}/agent-800x480-system.png` });
    broker.release(0);
    await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('已全部发送');
    expect(await card.locator('progress').count()).toBe(0);
    await page.context().close();
  });

  it('shows bus health per device, and a device that stops answering as a comm fault with its values struck through', async () => {
    const page = await open();
    const dc1 = page.locator('#device-list [data-id="dc1"]');
    const ds1 = page.locator('#device-list [data-id="ds1"]');
    expect(await dc1.getAttribute('class')).toContain('ok');
    expect(await dc1.textContent()).toContain('总线 rs485a · 从站 1');
    agent.simulator!.bus('rs485a')!.unit(2).fault({ kind: 'silence' });
    await expect.poll(() => ds1.getAttribute('class'), { timeout: 5000 }).toContain('fault');
    expect(Number(await ds1.locator('dd').nth(1).textContent())).toBeGreaterThan(0); // timeouts
    await expect.poll(() => page.locator('#point-list [data-id="ds1.conc"]').getAttribute('data-quality')).not.toBe('good');
    await page.locator('#system').screenshot({ path: `${ARTIFACTS}/agent-system-fault.png` });
    agent.simulator!.bus('rs485a')!.unit(2).clearFault();
    await expect.poll(() => ds1.getAttribute('class'), { timeout: 5000 }).toContain('ok');
    await page.context().close();
  });

  it('ran without script errors in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
