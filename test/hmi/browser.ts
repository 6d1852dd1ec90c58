/**
 * Debian's chromium through playwright-core, as the page suites start it, and what every page
 * test does first: open the page with its script errors recorded, wait until it shows data, log in.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = 'test-artifacts/hmi';
export const haveChromium = existsSync(CHROMIUM);

/** Warn once that a suite is skipped, saying what to install. */
export function warnIfNoChromium(suite: string): void {
  if (!haveChromium) console.warn(`${suite} skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
}

/** A headless chromium without sandbox, GPU or background traffic; `args` add to those. */
export function launchChromium(args: string[] = []): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args],
  });
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** a touch screen (an 800 × 480 panel) */
  touch?: boolean;
  /** a selector that shows once the page has its first snapshot */
  ready: string;
  /** script errors and console errors are pushed here */
  errors: string[];
}

/** A Chinese-locale page in a fresh context, at `url`, once `ready` shows. */
export async function openPage(browser: Browser, url: string, o: OpenOptions): Promise<Page> {
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 900 }, hasTouch: o.touch ?? false, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') o.errors.push(m.text());
  });
  page.on('pageerror', (e) => o.errors.push(String(e)));
  await page.goto(url);
  await page.locator(o.ready).first().waitFor({ timeout: 5000 });
  return page;
}

export async function logIn(page: Page, who: { name: string; password: string }): Promise<void> {
  await page.click('#user-button');
  await page.fill('#login-name', who.name);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
  // scrypt is deliberately slow, and slower still on a loaded 2-core machine
  await expect.poll(() => page.textContent('#user-button'), { timeout: 10_000 }).toContain(who.name);
}

/** An alarm's row in the list. */
export const alarmRow = (page: Page, id: string) => page.locator(`#alarm-list li[data-id="${id}"]`);
