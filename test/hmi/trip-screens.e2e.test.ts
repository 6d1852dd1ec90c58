/**
 * What an operator sees at an 800 × 480 panel when a permit trips, when sparks are the first-out,
 * when the machine is locked out with power on it, and when the permit relay cannot be written:
 * the real plant (the example workshop on a fake clock) through the real page model and server,
 * in Debian chromium. Each case is a screenshot (test-artifacts/hmi/trip-*.png) and the words
 * the operator must read: what happened, with the value, not the rule.
 */
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../agent/core/clock.js';
import { HmiServer } from '../../agent/hmi/server.js';
import type { UserStore } from '../../agent/hmi/users.js';
import { exampleSite, workshop } from '../interlocks/workshop.js';
import { ARTIFACTS, haveChromium, launchChromium, openPage, warnIfNoChromium } from './browser.js';
import { makeUsers } from './harness.js';

warnIfNoChromium('trip screen tests');

const PANEL = { width: 800, height: 480 };
const PERMIT_LINE = 26;

/** The example site with the sander's run feedback wired to its lockout. */
const withRunFeedback = () =>
  exampleSite((y) =>
    y.replace(
      '    - { id: loto.sander1, name: 1号砂光机上锁, kind: lockout, line: 13, debounceMs: 50 }',
      '    - { id: sander1.run, name: 1号砂光机运行, kind: run_feedback, line: 19, debounceMs: 50 }\n    - { id: loto.sander1, name: 1号砂光机上锁, kind: lockout, line: 13, debounceMs: 50, machine: sander1.run }',
    ),
  );

describe.skipIf(!haveChromium)('trip, first-out and lockout on the 800 × 480 panel', () => {
  let browser: Browser;
  let users: UserStore;
  let cleanup: () => void;
  let w: ReturnType<typeof workshop>;
  let server: HmiServer | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    ({ users, cleanup } = await makeUsers());
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await browser?.close();
    cleanup?.();
  });
  beforeEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** The running workshop, permit on, behind a page at 800 × 480. */
  async function panel(config = exampleSite()): Promise<Page> {
    w = workshop(config);
    w.healthy();
    w.advance(31_000);
    expect(w.relay('sander1.permit')).toBe(true);
    server = new HmiServer({ model: w.page, users, clock: new SystemClock(), log: pino({ level: 'silent' }), listen: { host: '127.0.0.1', port: 0 } });
    const { port } = await server.start();
    return openPage(browser, `http://127.0.0.1:${port}/`, { viewport: PANEL, touch: true, ready: '#permit-strip .permit-chip', errors });
  }

  const firstOutLine = (page: Page) => page.locator('#permit-board .first-out-line').first();
  const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

  it('a trip on differential pressure says the value and the limit', async () => {
    const page = await panel();
    w.reading('dc1.dp', 1955);
    await expect.poll(() => page.locator('#permit-strip .permit-chip').first().getAttribute('class')).toContain('off');
    await expect.poll(() => firstOutLine(page).textContent()).toContain('除尘器进出口压差: 1955 Pa > 1800 Pa');
    await expect.poll(() => page.locator('#alarm-list li[data-id="sander1-permit.trip"]').textContent()).toContain('1955 Pa > 1800 Pa');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/trip-dp-800x480.png` });
    await page.locator('#permits').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/trip-dp-permits-800x480.png` });
    await page.context().close();
  });

  it('a spark burst as first-out says how many sparks in how long', async () => {
    const page = await panel();
    for (let i = 0; i < 3; i++) {
      w.spark();
      w.advance(500);
    }
    await expect.poll(() => firstOutLine(page).textContent()).toContain('10 s 内 3 次火花');
    await page.locator('#permits').scrollIntoViewIfNeeded();
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/trip-sparks-800x480.png` });
    await page.context().close();
  });

  it('a lockout with power on the machine: 已上锁 as the first-out and the critical energy alarm on top', async () => {
    const page = await panel(withRunFeedback());
    w.contact('loto.sander1', true);
    for (let s = 0; s < 12; s++) {
      // a minute later, the transmitters still answering, someone powers the machine up under the lock
      w.advance(5_000);
      w.reading('dc1.dp', 650);
      w.reading('dc1.hopperTemp', 35);
      w.reading('ds1.conc', 3);
    }
    w.contact('sander1.run', true);
    w.advance(100);
    await expect.poll(() => firstOutLine(page).textContent()).toContain('已上锁');
    await expect.poll(() => page.locator('#alarm-list li.alarm').first().getAttribute('data-id')).toBe('loto.sander1.energy');
    const top = await page.locator('#alarm-list li.alarm').first().textContent();
    expect(top).toContain('1号砂光机上锁期间检测到1号砂光机运行');
    expect(top).not.toContain('上锁上锁');
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/trip-lockout-800x480.png` });
    await page.locator('#lockouts').scrollIntoViewIfNeeded();
    await expect.poll(() => page.locator('#lockout-board .lockout.applied.energy').count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/trip-lockout-board-800x480.png` });
    await page.context().close();
  });

  it('a permit relay that cannot be written shows 输出故障 in the header and the reason on the card', async () => {
    const page = await panel();
    w.gpio.refuseWrites(PERMIT_LINE, 'EIO: i/o error, write');
    w.contact('fan1.run', false);
    w.advance(100);
    await expect.poll(() => page.locator('#permit-strip .permit-chip').first().textContent()).toContain('输出故障');
    await expect.poll(() => page.locator('#permit-board .output-fault').textContent()).toContain('EIO: i/o error, write');
    await expect.poll(() => page.locator('#alarm-list li[data-id="sander1.permit.write"]').count()).toBe(1);
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/trip-output-fault-800x480.png` });
    await page.locator('#permits').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/trip-output-fault-permits-800x480.png` });
    await page.context().close();
  });

  it('ran without script errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
