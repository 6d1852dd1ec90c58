/**
 * The alarm list and the header as a new user meets them on an 800 × 480 panel, in a real
 * browser (Debian chromium through playwright-core) against an HmiServer over a FakePlant.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import type { FakePlant } from './fake-plant.js';
import { makeUsers, OPERATOR, startServer, SUPERVISOR, type Running } from './harness.js';
import { sandingWorkshop } from './sanding-workshop.js';
import { alarmRow, ARTIFACTS, haveChromium, launchChromium, logIn, openPage, warnIfNoChromium } from './browser.js';

warnIfNoChromium('alarm page tests');

const PANEL = { width: 800, height: 480 };

describe.skipIf(!haveChromium)('the alarm list on the page', () => {
  let browser: Browser;
  let plant: FakePlant;
  let r: Running;
  let cleanup: () => void;
  const errors: string[] = [];

  beforeAll(async () => {
    const made = await makeUsers();
    cleanup = made.cleanup;
    plant = sandingWorkshop(new SystemClock());
    r = await startServer(plant, made.users, new SystemClock());
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await r?.server.stop();
    cleanup?.();
  });

  it('lists an acknowledged critical alarm still present above medium ones that have cleared', async () => {
    plant.raiseAlarm({ id: 'ds1.conc.high', source: 'ds1.conc', name: '粉尘浓度超上限', priority: 'medium', message: '粉尘浓度超上限报警' });
    plant.raiseAlarm({ id: 'vent1.alarm', source: 'vent1', name: '泄爆片动作', priority: 'critical', message: '泄爆片动作' });
    plant.raiseAlarm({ id: 'dc1.hopperTemp.high', source: 'dc1.hopperTemp', name: '灰斗温度超上限', priority: 'medium', message: '灰斗温度超上限报警' });
    // a minute apart, oldest first, so that time decides between the two medium ones
    plant.alarm('ds1.conc.high').t -= 120_000;
    plant.alarm('vent1.alarm').t -= 60_000;
    plant.clearAlarm('ds1.conc.high');
    plant.clearAlarm('dc1.hopperTemp.high');
    await plant.acknowledge('vent1.alarm', 'li.super');
    const page = await openPage(browser, r.base, { viewport: PANEL, touch: true, ready: '#alarm-list .alarm', errors });
    const rows = page.locator('#alarm-list li.alarm');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-id'), e.getAttribute('data-state')]))).toEqual([
      ['vent1.alarm', 'ack'],
      ['dc1.hopperTemp.high', 'rtn_unack'],
      ['ds1.conc.high', 'rtn_unack'],
    ]);
    await page.context().close();
  });

  it('offers a supervisor no shelve button for an interlock trip, and one for an ordinary alarm', async () => {
    plant.raiseAlarm({ id: 'sander1-permit.trip', source: 'sander1-permit', name: '1号砂光机启动许可联锁跳闸', priority: 'high', message: '1号砂光机启动许可跳闸: 1号风管火花探测: 10 s 内 3 次火花' });
    plant.alarm('sander1-permit.trip').shelvable = false;
    plant.raiseAlarm({ id: 'dc1.dp.high', source: 'dc1.dp', name: '除尘器进出口压差超上限', priority: 'medium', message: '压差高' });
    const page = await openPage(browser, r.base, { viewport: PANEL, touch: true, ready: '#alarm-list .alarm', errors });
    await logIn(page, SUPERVISOR);
    await expect.poll(() => alarmRow(page, 'dc1.dp.high').locator('[data-action="shelve"]').count()).toBe(1);
    expect(await alarmRow(page, 'sander1-permit.trip').locator('[data-action="ack"]').count()).toBe(1);
    expect(await alarmRow(page, 'sander1-permit.trip').locator('[data-action="shelve"]').count()).toBe(0);
    await page.context().close();
  });

  /** The header after login: one line of controls, the gateway whole, each permit's state on screen. */
  async function headerChecks(page: Page, viewport: { width: number; height: number }) {
    const controls = await page.locator('.top-row > :visible').evaluateAll((els) =>
      els.map((e) => ({ id: e.id || e.className, height: e.getBoundingClientRect().height, lines: Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || '20')) })),
    );
    for (const c of controls.filter((x) => x.id.endsWith('button'))) expect(c.height, `${c.id} on one line`).toBeLessThanOrEqual(48);
    const gateway = await page.locator('#gateway').evaluate((e) => ({ text: e.textContent, cut: e.scrollWidth > e.clientWidth }));
    expect(gateway).toEqual({ text: 'GW-SANDING-01', cut: false });
    const chip = page.locator('#permit-strip [data-id="sander1-permit"]');
    const box = await chip.boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(viewport.height);
    expect(await chip.textContent()).toMatch(/1号砂光机启动许可.*(允许|禁止)/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  }

  it('keeps the header on one line after login at 800 × 480, the gateway whole and every permit state on the first screen', async () => {
    const page = await openPage(browser, r.base, { viewport: PANEL, touch: true, ready: '#alarm-list .alarm', errors });
    await logIn(page, SUPERVISOR);
    if (await page.locator('#sound-bar').isVisible()) await page.locator('#sound-bar').click();
    await headerChecks(page, PANEL);
    const row = await page.locator('.top-row').boundingBox();
    expect(row?.height).toBeLessThanOrEqual(56);
    await page.screenshot({ path: `${ARTIFACTS}/header-800x480.png` });
    await page.context().close();
  });

  it('shows the header whole and the permit states on a 360 × 800 phone', async () => {
    const phone = { width: 360, height: 800 };
    const page = await openPage(browser, r.base, { viewport: phone, touch: true, ready: '#alarm-list .alarm', errors });
    await logIn(page, OPERATOR);
    await headerChecks(page, phone);
    await page.screenshot({ path: `${ARTIFACTS}/header-360x800.png` });
    await page.context().close();
  });

  it('asks before a reset, and the toast that reports it does not cover the permit card', async () => {
    const page = await openPage(browser, r.base, { viewport: PANEL, touch: true, ready: '#alarm-list .alarm', errors });
    await logIn(page, OPERATOR);
    plant.trip('sander1-permit', 'permitWhen[4]');
    plant.restore('sander1-permit', 'permitWhen[4]');
    const card = page.locator('#permit-board [data-id="sander1-permit"]');
    await expect.poll(() => card.locator('[data-action="reset"]').isEnabled()).toBe(true);
    await expect.poll(() => page.locator('#permit-strip [data-id="sander1-permit"]').textContent()).toContain('禁止');
    plant.actions.length = 0;
    await card.locator('[data-action="reset"]').click();
    const dialog = page.locator('#reset-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('1号砂光机启动许可');
    expect(await dialog.textContent()).toContain('sander1.permit');
    await page.screenshot({ path: `${ARTIFACTS}/reset-confirm-800x480.png` });
    await page.click('#reset-cancel');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(plant.actions).toEqual([]);

    await card.locator('[data-action="reset"]').click();
    await page.click('#reset-submit');
    await expect.poll(() => plant.actions.map((a) => a.action)).toEqual(['reset']);
    const toast = page.locator('#toast.show');
    await expect.poll(() => toast.textContent()).toBe('已复位');
    const [t, c] = [await toast.boundingBox(), await card.boundingBox()];
    const overlap = !!t && !!c && t.x < c.x + c.width && c.x < t.x + t.width && t.y < c.y + c.height && c.y < t.y + t.height;
    expect(overlap).toBe(false);
    await expect.poll(() => page.locator('#permit-strip [data-id="sander1-permit"]').textContent()).toContain('允许');
    await page.screenshot({ path: `${ARTIFACTS}/reset-toast-800x480.png` });
    await page.context().close();
  });

  it('loaded without script errors', () => {
    expect(errors).toEqual([]);
  });
});
