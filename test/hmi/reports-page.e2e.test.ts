/**
 * The 报表 tab in Debian's chromium at 800 × 480 and 360 × 800: the briefing before a shift
 * (the last shift's and the running shift's risk level with their reasons), the team leader's
 * signature (an operator event naming the summary), and the printable report of the day, the
 * same HTML `firebreak report` writes. Screenshots: /tmp/shots-reports/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaProblems } from '../uplink/schemas.js';
import { haveChromium, launchChromium, logIn, openPage, warnIfNoChromium } from './browser.js';
import { hazardBoard, OPERATOR, SUPERVISOR } from './hazard-board.js';

warnIfNoChromium('report page tests');
const SHOTS = '/tmp/shots-reports';

describe.skipIf(!haveChromium)('the 报表 tab in a browser', () => {
  let b: Awaited<ReturnType<typeof hazardBoard>>;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    b = await hazardBoard({ digests: true });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await b?.close();
  });

  for (const [name, viewport] of [['panel', { width: 800, height: 480 }], ['phone', { width: 360, height: 800 }]] as const) {
    it(`shows the briefing, lets the team leader sign it and prints the day at ${viewport.width} × ${viewport.height}`, async () => {
      const page = await openPage(browser, `${b.base}/#reports`, { viewport, touch: true, ready: '#report-board .digest', errors });
      try {
        expect(await page.locator('#report-board .digest').count()).toBe(2);
        expect(await page.locator('#report-board .briefing-hazards').getAttribute('data-open-major')).toBe('0');
        const risks = await page.locator('#report-board .digest').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.risk));
        for (const r of risks) expect(['red', 'orange', 'yellow', 'blue']).toContain(r);
        // an operator reads it; only the team leader (班长) may sign
        await logIn(page, OPERATOR);
        expect(await page.locator('#briefing-sign').count()).toBe(0);
        await page.click('#user-button');
        await logIn(page, SUPERVISOR);
        await page.locator('#briefing-sign').waitFor();
        await page.screenshot({ path: `${SHOTS}/${name}-1-briefing.png`, fullPage: true });
        await page.click('#briefing-sign');
        await expect.poll(() => page.textContent('#toast')).toContain('已签阅');

        const report = await page.context().newPage();
        const res = await report.goto(`${b.base}/api/report?period=day`);
        expect(res?.status()).toBe(200);
        expect(await report.textContent('body')).toContain('风险');
        await report.setViewportSize(viewport);
        await report.screenshot({ path: `${SHOTS}/${name}-2-day-report.png` });
      } finally {
        await page.context().close();
      }
    }, 60_000);
  }

  it('draws the early warning of a rising differential pressure on the trend chart, and raises its low alarm', async () => {
    // the last hour: 1200 → 1500 Pa, one sample a minute (300 Pa/h: the 1800 Pa high limit in about 1 h)
    const now = Date.now();
    for (let m = 60; m >= 0; m--) b.plant.ingest({ p: 'dc1.dp', t: now - m * 60_000, v: 1500 - m * 5, q: 'good' });
    const [f] = b.digests!.warnings!.evaluate(Date.now()).filter((x) => x.point === 'dc1.dp');
    expect(f!.hours).toBeGreaterThan(0.9);
    expect(f!.hours).toBeLessThan(1.1);
    const page = await openPage(browser, `${b.base}/#trends`, { viewport: { width: 800, height: 480 }, touch: true, ready: '#trend-chart .u-legend', errors });
    try {
      await expect.poll(() => page.locator('#trend-chart .u-legend').textContent()).toContain('趋势预测');
      const trend = (await (await fetch(`${b.base}/api/trend?point=dc1.dp&range=1h`)).json()) as { forecast: { t: number[]; v: number[] } };
      // from now (1500 Pa) to half the 1 h range ahead, where the line stands at 1500 + 300 × 0.5
      expect(trend.forecast.t[1]! - trend.forecast.t[0]!).toBeGreaterThan(29 * 60_000);
      expect(trend.forecast.v[0]).toBeCloseTo(1500, -1);
      expect(trend.forecast.v[1]).toBeCloseTo(1650, -1);
      await page.locator('#trend-chart').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/panel-3-forecast.png` });
      expect(b.plant.alarms.views().find((a) => a.id === 'dc1.dp.forecast.high')).toMatchObject({ priority: 'low', message: expect.stringMatching(/^预计 1\.\d 小时后达到高限 1800 Pa/) });
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('sends the signature as an operator event the schema allows, and refuses a future period', async () => {
    expect(b.signedOnPlant()).toHaveLength(2);
    for (const e of b.signedOnPlant()) expect(e).toMatchObject({ user: SUPERVISOR.name, detail: { summary: expect.stringMatching(/^summary-S-/) } });
    expect(schemaProblems({ kind: 'events', seq: 1, epoch: '0123456789abcdef', bootId: 'board', hist: false, events: b.signedOnPlant() })).toEqual([]);
    expect((await fetch(`${b.base}/api/report?period=day&at=${Date.now() + 86_400_000}`)).status).toBe(400);
    expect((await fetch(`${b.base}/api/report?period=year`)).status).toBe(400);
    expect(errors).toEqual([]);
  });
});
