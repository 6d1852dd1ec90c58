/**
 * `firebreak report` on the buffer file a scripted shift left: the day's report as JSON, as
 * HTML (Chinese first, risk at the top, a chart per point) and as PDF through chromium (CI
 * installs it: .ci/run; a missing chromium fails here, never skips); bad input exits 64 or 78
 * and writes nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../agent/cli/report.js';
import { CHROMIUM, htmlToPdf } from '../../agent/digests/report-pdf.js';
import { SHIFT_START, rig, runShift } from './scripted-shift.js';

const dir = mkdtempSync(join(tmpdir(), 'fb-report-'));
const site = join(dir, 'site.yaml');
let dbPath = '';
const AFTER_DAY = SHIFT_START + 24 * 3600_000;

async function report(args: string[], now = AFTER_DAY) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await reportCommand(['--config', site, ...args], { out: (t) => out.push(t), err: (l) => err.push(l), now: () => now });
  return { code, out: out.join(''), err: err.join('\n') };
}

beforeAll(async () => {
  const r = await rig();
  await runShift(r);
  await r.loop.idle();
  dbPath = r.dbPath;
  await r.close();
  const yaml = readFileSync(new URL('../../config/site.workshop.yaml', import.meta.url), 'utf8').replace('path: /var/lib/firebreak/buffer.db', `path: ${dbPath}`);
  writeFileSync(site, yaml);
}, 60_000);

describe('firebreak report', () => {
  it('gives the day as JSON: the morning shift’s figures, the risk of the day', async () => {
    const r = await report(['--period', 'day', '--at', '2026-06-21', '--format', 'json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out) as { id: string; risk: string; figures: { trips: unknown[]; cleaning: unknown } };
    expect(d.id).toBe('D-20260621');
    expect(d.risk).toBe('orange');
    expect(d.figures.trips).toHaveLength(2);
    // one area due every 8 h: three in the day, whichever shifts the gateway saw
    expect(d.figures).toMatchObject({ cleaning: { done: 0, due: 3, overdue: 1 } });
  });

  it('writes the day as HTML: Chinese first, the risk level and its reasons at the top, a chart per point with its limits', async () => {
    const out = join(dir, 'day.html');
    const r = await report(['--period', 'day', '--at', '2026-06-21', '--out', out]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html.indexOf('风险等级: 较大风险 (橙)')).toBeGreaterThan(0);
    expect(html.indexOf('风险等级')).toBeLessThan(html.indexOf('监测点'));
    expect(html).toContain('联锁跳闸 2 次');
    expect(html).toContain('@page { size: A4');
    expect(html.match(/<svg /g)).toHaveLength(7);
    expect(html).toContain('class="limit"');
  });

  it('prints the day to PDF with chromium', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is needed (.ci/run installs it)`).toBe(true);
    const out = join(dir, 'day.pdf');
    const r = await report(['--period', 'day', '--at', '2026-06-21', '--format', 'pdf', '--out', out]);
    expect(r.err).toContain('written');
    expect(r.code).toBe(0);
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/Type\s*\/Page\b/);
    // the text too where poppler is installed (it is not on every CI image: the bytes above always)
    const pdftotext = ['/usr/bin/pdftotext', '/usr/local/bin/pdftotext'].find((p) => existsSync(p));
    if (pdftotext) expect(execFileSync(pdftotext, [out, '-'], { encoding: 'utf8' })).toContain('风险等级');
  }, 90_000);

  it('says what is missing where chromium is not installed', async () => {
    await expect(htmlToPdf('<p>x</p>', join(dir, 'no-chromium'))).rejects.toThrow(/PDF needs chromium at .*no-chromium \(apt install chromium\); --format html works without it/);
  });

  it('refuses a future period, a day before the buffer’s first, a bad flag (64) and a bad site file (78), writing nothing', async () => {
    const out = join(dir, 'never.html');
    expect((await report(['--period', 'week', '--at', '2026-07-20', '--out', out])).code).toBe(64);
    const before = await report(['--period', 'day', '--at', '2026-06-01', '--out', out]);
    expect([before.code, before.err]).toEqual([64, expect.stringContaining("before the buffer's first day")]);
    expect((await report(['--period', 'fortnight'])).code).toBe(64);
    expect((await report(['--period', 'day', '--at', 'yesterday'])).code).toBe(64);
    expect(existsSync(out)).toBe(false);
    writeFileSync(join(dir, 'bad.yaml'), readFileSync(site, 'utf8').replace('{ point: dc1.dp, limit: high, horizonH: 8 }', '{ point: dc9.dp, limit: high, horizonH: 8 }'));
    const bad = await reportCommand(['--config', join(dir, 'bad.yaml'), '--period', 'day'], { out: () => undefined, err: () => undefined, now: () => AFTER_DAY });
    expect(bad).toBe(78);
  });
});
