/**
 * The 作业票 tab in Debian's chromium at 800 × 480 and 360 × 800: a supervisor adds people to
 * the ledger, opens a confined-space ticket on the hopper, watches the checks turn green as the
 * lockout, the fan and the attendant come (the gateway permits entry itself after a passing gas
 * test by an operator), checks an entrant in and out, closes the ticket and prints it. Every step
 * reaches the buffer as a `ticket` event. Screenshots: /tmp/shots-tickets/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventsMessage } from '../../agent/uplink/messages.js';
import { schemaProblems } from '../uplink/schemas.js';
import { haveChromium, launchChromium, logIn, openPage, warnIfNoChromium } from './browser.js';
import { hazardBoard, OPERATOR, SUPERVISOR } from './hazard-board.js';

warnIfNoChromium('ticket page tests');
const SHOTS = '/tmp/shots-tickets';

describe.skipIf(!haveChromium)('the 作业票 tab in a browser', () => {
  let b: Awaited<ReturnType<typeof hazardBoard>>;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    b = await hazardBoard({ tickets: true });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await b?.close();
  });

  for (const [name, viewport] of [['panel', { width: 800, height: 480 }], ['phone', { width: 360, height: 800 }]] as const) {
    it(`walks a supervisor through a ticket from opening to closing, and prints it, at ${viewport.width} × ${viewport.height}`, async () => {
      // the space at rest: nobody inside, the lockout off, the fan off
      for (const c of ['loto.hopper1', 'vfan1.run', 'att1.present']) b.contact(c, false);
      b.gas(20.9);
      const page = await openPage(browser, `${b.base}/#tickets`, { viewport, touch: true, ready: '#ticket-board', errors });
      try {
        await logIn(page, SUPERVISOR);
        for (const who of [`赵监护${name}`, `钱一${name}`]) {
          await page.click('#person-add');
          await page.fill('#pp-name', who);
          if (who.startsWith('赵')) {
            await page.fill('#pp-type', '有限空间作业');
            await page.fill('#pp-number', 'YX-001');
            await page.fill('#pp-authority', '应急管理局');
            await page.fill('#pp-expires', '2027-01-10');
          }
          await page.click('#ticket-submit');
          await page.locator(`.ledger li[data-person="${who}"]`).waitFor();
        }
        // a certificate within 30 days of its expiry is a warning
        expect(await page.locator(`.ledger li[data-person="赵监护${name}"]`).getAttribute('data-status')).toMatch(/valid|expiring/);

        await page.click('#ticket-open');
        await page.fill('#tk-work', '清理灰斗积灰');
        await page.selectOption('#tk-attendant', `赵监护${name}`);
        await page.check(`#tk-entrants input[value="钱一${name}"]`);
        // a confined-space ticket asks for no hot-work worker
        expect(await page.locator('#tk-worker').isVisible()).toBe(false);
        await page.screenshot({ path: `${SHOTS}/${name}-1-open.png` });
        await page.click('#ticket-submit');
        const card = page.locator('.ticket[data-state="opened"]');
        await card.waitFor();
        await expect.poll(() => card.locator('.next-step').textContent()).toContain('隔离未完成');
        await page.screenshot({ path: `${SHOTS}/${name}-2-checks.png`, fullPage: true });

        b.contact('loto.hopper1', true);
        b.contact('vfan1.run', true);
        b.contact('att1.present', true);
        await expect.poll(() => card.locator('.next-step').textContent(), { timeout: 5000 }).toContain('尚未进行气体检测');

        // the gas test is an operator's: the detector's readings at that moment
        await page.click('#user-button');
        await logIn(page, OPERATOR);
        b.gas(20.9);
        await card.locator('[data-act="test"]').click();
        await expect.poll(() => page.locator('#ticket-dialog .readings li').count()).toBe(4);
        await page.click('#ticket-submit');
        const permitted = page.locator('.ticket[data-state="permitted"]');
        await permitted.waitFor();
        await permitted.locator(`[data-act="enter"][data-person="钱一${name}"]`).click();
        await expect.poll(() => permitted.locator('.inside').textContent()).toContain(`钱一${name}`);
        await page.screenshot({ path: `${SHOTS}/${name}-3-inside.png`, fullPage: true });
        await permitted.locator(`[data-act="exit"][data-person="钱一${name}"]`).click();
        await expect.poll(() => permitted.locator('.inside').textContent()).toContain('0/2');

        await page.click('#user-button');
        await logIn(page, SUPERVISOR);
        await permitted.locator('[data-act="close"]').click();
        const closed = page.locator('.ticket[data-state="closed"]').first();
        await closed.waitFor();
        const id = await closed.getAttribute('data-id');

        const print = await page.context().newPage();
        const res = await print.goto(`${b.base}/api/tickets/${id}/print`);
        expect(res?.status()).toBe(200);
        expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
        const text = await print.textContent('body');
        for (const s of ['有限空间作业票', '清理灰斗积灰', `赵监护${name}`, `钱一${name}`, '气体检测', '20.9', '张工', 'li.super']) expect(text).toContain(s);
        await print.setViewportSize(viewport);
        await print.screenshot({ path: `${SHOTS}/${name}-4-print.png`, fullPage: true });

        const mine = b.events.filter((e) => e.type === 'ticket' && e.ticket === id);
        expect(mine.map((e) => e.state)).toEqual(['opened', 'tested', 'entry_permitted', 'entered', 'exited', 'closed']);
        const message: EventsMessage = { kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'test', hist: false, events: mine };
        expect(schemaProblems(message)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 90_000);
  }
});
