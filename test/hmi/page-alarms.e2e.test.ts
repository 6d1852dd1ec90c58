/**
 * The alarm list and the header as a new user meets them on an 800 × 480 panel, in a real
 * browser (Debian chromium through playwright-core) against an HmiServer over a FakePlant.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import type { FakePlant } from './fake-plant.js';
import { makeUsers, startServer, SUPERVISOR, type Running } from './harness.js';
import { sandingWorkshop } from './sanding-workshop.js';
import { alarmRow, haveChromium, launchChromium, logIn, openPage, warnIfNoChromium } from './browser.js';

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

  it('loaded without script errors', () => {
    expect(errors).toEqual([]);
  });
});
