/**
 * The operator page in a real browser (Debian chromium through playwright-core) against an
 * HmiServer over a FakePlant on real time. Screenshots go to test-artifacts/hmi/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import type { FakePlant } from './fake-plant.js';
import { makeUsers, OPERATOR, startServer, SUPERVISOR, type Running } from './harness.js';
import { sandingWorkshop } from './sanding-workshop.js';
import { alarmRow, ARTIFACTS, haveChromium, launchChromium, logIn, openPage, warnIfNoChromium } from './browser.js';

warnIfNoChromium('page tests');

describe.skipIf(!haveChromium)('operator page in a browser', () => {
  let browser: Browser;
  let plant: FakePlant;
  let r: Running;
  let cleanup: () => void;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const made = await makeUsers();
    cleanup = made.cleanup;
    plant = sandingWorkshop(new SystemClock());
    plant.raiseAlarm({
      id: 'dc1.dp:high',
      source: 'dc1.dp',
      name: '除尘器进出口压差',
      nameEn: 'Collector differential pressure',
      priority: 'high',
      message: '压差高：滤袋可能堵塞',
      messageEn: 'Differential pressure high: bags may be blinding',
      value: 1850,
      limit: 1800,
      limitKind: 'high',
      firstOut: true,
    });
    plant.raiseAlarm({ id: 'spark1.fault', source: 'spark1.fault', name: '火花探测系统故障', priority: 'critical', message: '火花探测系统故障，防护不可用', value: true });
    plant.raiseAlarm({ id: 'ds1.conc:comm', source: 'ds1.conc', name: '粉尘浓度', priority: 'medium', message: '通讯中断', value: null });
    await plant.acknowledge('ds1.conc:comm', SUPERVISOR.name);
    plant.actions.length = 0;
    r = await startServer(plant, made.users, new SystemClock());
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await r?.server.stop();
    cleanup?.();
  });

  const open = (viewport = { width: 1280, height: 900 }, touch = false): Promise<Page> => openPage(browser, r.base, { viewport, touch, ready: '#alarm-list .alarm', errors: consoleErrors });


  it('shows an alarm raised in the model within 1 s', async () => {
    const page = await open();
    plant.raiseAlarm({ id: 'spark1:count', source: 'spark1', name: '1号风管火花探测', priority: 'high', message: '10 s 内火花 3 次', value: 3, limit: 3 });
    const raised = Date.now();
    await alarmRow(page, 'spark1:count').waitFor({ timeout: 1000 });
    expect(Date.now() - raised).toBeLessThan(1000);
    await expect.poll(() => alarmRow(page, 'spark1:count').getAttribute('data-state')).toBe('unack');
    // The chart needs its first trend fetch before the screenshot.
    await page.locator('#trend-chart canvas').waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${ARTIFACTS}/desktop-zh.png`, fullPage: true });
    await page.context().close();
  });

  it('shows a value of bad quality struck through with its quality word, never like a good one', async () => {
    const page = await open();
    const bad = page.locator('#point-list [data-id="ds1.conc"]');
    await expect.poll(() => bad.locator('.badge.quality').textContent()).toContain('通讯中断');
    expect(await bad.locator('.v-value').evaluate((el) => getComputedStyle(el).textDecorationLine)).toContain('line-through');
    const good = page.locator('#point-list [data-id="dc1.dp"]');
    expect(await good.locator('.badge.quality').count()).toBe(0);
    expect(await good.locator('.v-value').evaluate((el) => getComputedStyle(el).textDecorationLine)).toBe('none');
    await page.context().close();
  });

  it('acknowledges after login, and a second open page sees the new state', async () => {
    const operator = await open();
    const watcher = await open();
    await logIn(operator, OPERATOR);
    await alarmRow(operator, 'dc1.dp:high').locator('[data-action="ack"]').click();
    await expect.poll(() => alarmRow(watcher, 'dc1.dp:high').getAttribute('data-state'), { timeout: 2000 }).toBe('ack');
    expect(await alarmRow(watcher, 'dc1.dp:high').locator('.badge.state').textContent()).toBe('已确认');
    expect(plant.actions).toMatchObject([{ action: 'acknowledge', id: 'dc1.dp:high', user: OPERATOR.name }]);
    await watcher.screenshot({ path: `${ARTIFACTS}/after-ack.png` });
    await operator.context().close();
    await watcher.context().close();
  });

  it('lets a supervisor shelve an alarm with a reason', async () => {
    const page = await open();
    await logIn(page, SUPERVISOR);
    await alarmRow(page, 'spark1.fault').locator('[data-action="shelve"]').click();
    await page.locator('#shelve-presets button').first().click();
    await page.selectOption('#shelve-minutes', '30');
    await page.screenshot({ path: `${ARTIFACTS}/shelve-dialog.png` });
    await page.click('#shelve-submit');
    await expect.poll(() => alarmRow(page, 'spark1.fault').getAttribute('data-state'), { timeout: 2000 }).toBe('shelved');
    expect(plant.actions.at(-1)).toMatchObject({ action: 'shelve', user: SUPERVISOR.name, reason: '仪表检修' });
    await page.context().close();
  });

  it('shows which condition holds a tripped permit off, then resets it once it holds again', async () => {
    const page = await open();
    await logIn(page, OPERATOR);
    plant.trip('sander1-permit', 'permitWhen[0]');
    const card = page.locator('#permit-board [data-id="sander1-permit"]');
    await expect.poll(() => card.getAttribute('class')).toContain('is-off');
    expect(await card.locator('.condition.fails').textContent()).toContain('除尘风机运行');
    expect(await card.locator('.first-out-line').textContent()).toContain('除尘风机运行');
    expect(await card.locator('[data-action="reset"]').isDisabled()).toBe(true);
    await page.locator('#permits').screenshot({ path: `${ARTIFACTS}/permit-tripped.png` });
    plant.restore('sander1-permit', 'permitWhen[0]');
    await expect.poll(() => card.locator('[data-action="reset"]').isEnabled()).toBe(true);
    await card.locator('[data-action="reset"]').click();
    await page.click('#reset-submit'); // the confirmation: resetting lets the sander start again
    await expect.poll(() => card.getAttribute('class'), { timeout: 2000 }).toContain('is-on');
    expect(plant.actions.at(-1)).toMatchObject({ action: 'reset', id: 'sander1-permit', user: OPERATOR.name });
    await page.context().close();
  });

  it('switches to English with one tap and remembers it', async () => {
    const page = await open();
    expect(await page.textContent('#alarms h2')).toBe('报警');
    await page.click('#lang-button');
    expect(await page.textContent('#alarms h2')).toBe('Alarms');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.locator('#alarm-list .alarm').first().waitFor();
    expect(await page.textContent('#alarms h2')).toBe('Alarms');
    expect(await page.locator('#point-list [data-id="ds1.conc"] .badge.quality').textContent()).toContain('comm lost');
    // The agent's English where it sent one, the Chinese where it did not.
    expect(await alarmRow(page, 'dc1.dp:high').locator('.alarm-name').textContent()).toBe('Collector differential pressure');
    expect(await alarmRow(page, 'dc1.dp:high').locator('.alarm-msg').textContent()).toBe('Differential pressure high: bags may be blinding');
    expect(await alarmRow(page, 'spark1.fault').locator('.alarm-name').textContent()).toBe('火花探测系统故障');
    const card = page.locator('#permit-board [data-id="sander1-permit"]');
    const condition = (key: string) => card.locator(`.condition[data-key="${key}"] .condition-text`).textContent();
    expect(await condition('permitWhen[1]')).toBe('除尘器进出口压差 between 300 and 1800 Pa');
    expect(await condition('permitWhen[2]')).toBe('1号砂光机上锁 为 否');
    plant.trip('sander1-permit', 'permitWhen[1]');
    plant.permit('sander1-permit').firstOut!.simultaneous = ['permitWhen[2]'];
    plant.changed();
    await expect.poll(() => card.locator('.first-out-line').textContent()).toContain('First out: 除尘器进出口压差 between 300 and 1800 Pa');
    // the other condition that failed at the same instant by its words, not its key
    expect(await card.locator('.first-out-line').textContent()).toContain('simultaneous: 1号砂光机上锁 为 否');
    await page.locator('#permits').screenshot({ path: `${ARTIFACTS}/permit-tripped-en.png` });
    plant.restore('sander1-permit', 'permitWhen[1]');
    await plant.reset('sander1-permit', SUPERVISOR.name);
    plant.actions.length = 0;
    await page.locator('#trend-chart canvas').waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${ARTIFACTS}/desktop-en.png`, fullPage: true });
    await page.click('#lang-button');
    expect(await page.textContent('#alarms h2')).toBe('报警');
    await page.context().close();
  });

  it('fits an 800 × 480 touch panel without sideways scrolling', async () => {
    for (let i = 0; i < 6; i++) {
      plant.raiseAlarm({
        id: `flood${i}`,
        source: 'dc1.hopperTemp',
        name: `灰斗温度超高报警（第${i + 1}路）长名称长名称长名称`,
        priority: (['critical', 'high', 'medium', 'low'] as const)[i % 4] ?? 'low',
        message: '灰斗温度超过高高限，请立即检查卸灰阀与灰斗积灰情况AVeryLongUnbrokenEnglishWordFromAFieldDevice',
        value: 72.4,
        limit: 70,
        limitKind: 'highHigh',
      });
    }
    const page = await open({ width: 800, height: 480 }, true);
    await alarmRow(page, 'flood5').waitFor();
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    // The first alarm row is on screen, below the sticky header, without scrolling.
    const box = await page.locator('#alarm-list .alarm').first().boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(480);
    const ack = await page.locator('#alarm-list [data-action="ack"]').first().boundingBox();
    expect(ack?.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: `${ARTIFACTS}/panel-800x480.png` });
    // English labels are longer ("Acknowledge"): still no sideways scrolling.
    await page.click('#lang-button');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/panel-800x480-en.png` });
    await page.click('#lang-button');
    await page.locator('#permits').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/panel-800x480-permits.png` });
    await page.context().close();
  });

  it('shows a progress bar while an uplink backlog drains', async () => {
    const page = await open({ width: 800, height: 480 }, true);
    const mqtt = plant.uplinks[0]!;
    Object.assign(mqtt, { connected: false, pending: 1000, oldestPendingMs: 600_000 });
    plant.changed();
    const card = page.locator('#uplink-list [data-name="mqtt"]');
    await expect.poll(() => card.textContent()).toContain('待发送 1000 条');
    expect(await card.locator('progress').count()).toBe(0);
    Object.assign(mqtt, { connected: true, pending: 400, oldestPendingMs: 240_000 });
    plant.changed();
    await expect.poll(() => card.locator('progress').getAttribute('value')).toBe('60');
    await page.locator('#system').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/panel-800x480-system.png` });
    Object.assign(mqtt, { pending: 0, oldestPendingMs: null });
    plant.changed();
    await expect.poll(() => card.locator('progress').count()).toBe(0);
    await page.context().close();
  });

  it('puts an alarm flood\'s first-out and count above the list', async () => {
    const page = await open();
    plant.flood = { leader: 'dc1.dp:high', count: 3, t: Date.now() };
    plant.changed();
    const banner = page.locator('.flood-banner');
    await expect.poll(() => banner.textContent(), { timeout: 2000 }).toBe('报警泛滥：1 秒内 3 个报警，首出：除尘器进出口压差');
    expect(await page.locator('.alarm-list li').first().getAttribute('data-id')).toBe('dc1.dp:high');
    plant.flood = undefined;
    plant.changed();
    await expect.poll(() => banner.count(), { timeout: 2000 }).toBe(0);
    await page.close();
  });

  it('sounds the horn until a loud alarm is acknowledged, says when the sound is off, and silences until the next alarm', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    // what leaves the page as sound: every beep is two oscillators started
    await context.addInitScript(() => {
      const w = window as unknown as { oscillators: number };
      w.oscillators = 0;
      const create = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.oscillators++;
        return create.call(this);
      };
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.clock.install();
    await page.goto(r.base);
    await page.locator('#alarm-list .alarm').first().waitFor({ timeout: 5000 });
    const beeps = async () => (await page.evaluate(() => (window as unknown as { oscillators: number }).oscillators)) / 2;
    const bar = page.locator('#sound-bar');
    const silence = page.locator('#silence-button');
    plant.raiseAlarm({ id: 'ds1.conc:hh', source: 'ds1.conc', name: '粉尘浓度', priority: 'critical', message: '粉尘浓度高高', value: 9, limit: 8 });
    await alarmRow(page, 'ds1.conc:hh').waitFor({ timeout: 2000 });

    // Until the first touch the browser keeps the page silent, and the page says so.
    expect(await bar.isVisible()).toBe(true);
    expect(await bar.textContent()).toContain('报警声音未开启：点此开启');
    expect(await beeps()).toBe(0);
    await bar.click();
    await expect.poll(() => bar.isVisible()).toBe(false);
    expect(await silence.textContent()).toBe('消音');

    // A critical alarm nobody has acknowledged: the horn repeats every 5 s.
    const before = await beeps();
    await page.clock.runFor(10_100);
    expect(await beeps()).toBe(before + 2);

    // Silenced on this page: quiet, though the alarm still waits for acknowledgement.
    await silence.click();
    await expect.poll(() => silence.isVisible()).toBe(false);
    const silenced = await beeps();
    await page.clock.runFor(15_000);
    expect(await beeps()).toBe(silenced);
    expect(await alarmRow(page, 'ds1.conc:hh').getAttribute('data-state')).toBe('unack');

    // The next new alarm ends the silence: one beep at once, then the repeat again.
    plant.raiseAlarm({ id: 'dc1.temp:high', source: 'dc1.temp', name: '除尘器温度', priority: 'high', message: '温度高', value: 72, limit: 70 });
    await expect.poll(() => beeps(), { timeout: 2000 }).toBe(silenced + 1);
    await expect.poll(() => silence.isVisible()).toBe(true);
    await page.clock.runFor(5_000);
    expect(await beeps()).toBe(silenced + 2);

    // Every loud alarm acknowledged (from anywhere): the horn stops and the button goes.
    for (const a of plant.snapshot().alarms) if (a.state === 'unack') await plant.acknowledge(a.id, OPERATOR.name);
    await expect.poll(() => silence.isVisible(), { timeout: 2000 }).toBe(false);
    const acknowledged = await beeps();
    await page.clock.runFor(15_000);
    expect(await beeps()).toBe(acknowledged);
    await context.close();
  });

  it('sounds without a touch in a kiosk browser that allows it, and shows no sound bar there', async () => {
    const kiosk = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
    try {
      const page = await kiosk.newPage({ locale: 'zh-CN' });
      await page.goto(r.base);
      await page.locator('#alarm-list .alarm').first().waitFor({ timeout: 5000 });
      plant.raiseAlarm({ id: 'spark2:count', source: 'spark2', name: '2号风管火花探测', priority: 'high', message: '10 s 内火花 3 次', value: 3, limit: 3 });
      await expect.poll(() => page.locator('#silence-button').isVisible(), { timeout: 2000 }).toBe(true);
      expect(await page.locator('#sound-bar').isVisible()).toBe(false);
      await plant.acknowledge('spark2:count', OPERATOR.name);
    } finally {
      await kiosk.close();
    }
  });

  it('loaded without script errors', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('shows the connection-lost banner when the server stops', async () => {
    const page = await open();
    expect(await page.locator('#conn-banner').isVisible()).toBe(false);
    await r.server.stop();
    await page.locator('#conn-banner').waitFor({ state: 'visible', timeout: 5000 });
    expect(await page.textContent('#conn-banner')).toContain('与控制器的连接已断开');
    await page.screenshot({ path: `${ARTIFACTS}/connection-lost.png` });
    await page.context().close();
  });
});
