/**
 * `firebreak report --config FILE --period shift|day|week|month [--at DATE] [--format html|pdf|json] [--out FILE]`:
 * a period's digest from the shift aggregates in the buffer's file, printed. A site-file
 * problem exits 78; a bad flag, a future period or one before the buffer's first day exits 64;
 * in every error case nothing is written.
 */
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { COMMANDS } from './commands.js';
import { formatProblem, loadSiteFile } from '../config/load.js';
import { EX_CONFIG, EX_OK, EX_UNAVAILABLE, EX_USAGE } from '../core/exit-codes.js';
import { closeDb, openDb } from '../buffer/sqlite.js';
import { DigestStore } from '../digests/digest-store.js';
import { periodDigest } from '../digests/period-digest.js';
import { Calendar, type Period, type PeriodKind } from '../digests/periods.js';
import { reportHtml } from '../digests/report-html.js';
import { htmlToPdf, NoChromium } from '../digests/report-pdf.js';
import { siteFacts } from '../digests/site-facts.js';

const PERIODS = ['shift', 'day', 'week', 'month'] as const;
const FORMATS = ['html', 'pdf', 'json'] as const;

export interface ReportIo {
  out: (text: string) => void;
  err: (line: string) => void;
  now?: () => number;
}

export async function reportCommand(args: string[], io: ReportIo): Promise<number> {
  const usage = (problem: string) => {
    io.err(`firebreak report: ${problem}`);
    return EX_USAGE;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options: COMMANDS.report.flags }));
  } catch (e) {
    return usage((e as Error).message);
  }
  const kind = values.period as PeriodKind | undefined;
  if (!kind || !PERIODS.includes(kind)) return usage(`--period must be one of ${PERIODS.join(', ')}`);
  const format = (values.format as (typeof FORMATS)[number] | undefined) ?? 'html';
  if (!FORMATS.includes(format)) return usage(`--format must be one of ${FORMATS.join(', ')}`);
  if (format === 'pdf' && !values.out) return usage('--format pdf needs --out FILE');
  const configFile = (values.config as string | undefined) ?? '/etc/firebreak/site.yaml';

  const loaded = await loadSiteFile(configFile);
  if (!loaded.ok) {
    io.err(`${configFile}: ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}:`);
    for (const p of loaded.problems) io.err(formatProblem(p));
    return EX_CONFIG;
  }
  const config = loaded.config;
  if (!config.digests) {
    io.err(`${configFile}: digests: the site file has no digests section (shifts), so the gateway keeps no digests`);
    return EX_CONFIG;
  }
  const calendar = new Calendar(config.digests, config.site.timezone);
  const now = io.now?.() ?? Date.now();
  let period: Period;
  if (values.at === undefined) {
    period = calendar.at(kind, calendar.at(kind, now).from - 1);
  } else {
    const t = parseLocal(values.at as string, calendar);
    if (t === undefined) return usage(`--at must be a date like 2026-12-02 or 2026-12-02T09:30 (got ${String(values.at)})`);
    period = calendar.at(kind, t);
  }
  if (period.from > now) return usage(`${period.id} (${calendar.local(period.from)} – ${calendar.local(period.to)}) is in the future`);

  if (!existsSync(config.buffer.path)) {
    io.err(`firebreak report: no buffer file at ${config.buffer.path} (buffer.path): the gateway has kept no digests there`);
    return EX_UNAVAILABLE;
  }
  const db = await openDb(config.buffer.path);
  try {
    let store: DigestStore;
    try {
      store = await DigestStore.open(db);
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
      io.err(`firebreak report: ${config.buffer.path} is held by the running agent (the buffer is opened exclusive); stop it, or use the page's 报表 view`);
      return EX_UNAVAILABLE;
    }
    try {
      const first = await store.firstShiftFrom();
      if (first === undefined || period.to <= first) {
        return usage(`${period.id} is before the buffer's first day (${first === undefined ? 'no shift stored yet' : calendar.local(first)})`);
      }
      const site = siteFacts(config);
      const deps = { store, calendar, site, thresholds: config.digests.risk, hasUplink: config.uplink !== undefined };
      const long = kind === 'week' || kind === 'month';
      const { digest } = await periodDigest(deps, period, long ? (i, n) => io.err(`reading shift ${i}/${n}`) : undefined);
      if (format === 'json') return await emit(JSON.stringify(digest, null, 2) + '\n', values.out as string | undefined, io);
      const shifts = [];
      const list = kind === 'shift' ? [period] : calendar.shiftsIn(period);
      for (const [i, s] of list.entries()) {
        if (long && i % 21 === 0) io.err(`charting shift ${i + 1}/${list.length}`);
        shifts.push((await periodDigest(deps, s)).digest);
      }
      const html = reportHtml({ digest, siteName: site.siteName, gateway: site.gateway, calendar, shifts, generatedAt: now });
      if (format === 'html') return await emit(html, values.out as string | undefined, io);
      if (long) io.err('printing to PDF with chromium');
      try {
        return await emit(await htmlToPdf(html), values.out as string, io);
      } catch (e) {
        if (e instanceof NoChromium) {
          io.err(`firebreak report: ${e.message}`);
          return EX_UNAVAILABLE;
        }
        throw e;
      }
    } finally {
      await store.close();
    }
  } finally {
    await closeDb(db);
  }
}

/** Whole or not at all: written beside the target and renamed over it. */
async function emit(body: string | Buffer, out: string | undefined, io: ReportIo): Promise<number> {
  if (out === undefined) {
    io.out(body.toString());
    return EX_OK;
  }
  await writeFile(`${out}.part`, body);
  await rename(`${out}.part`, out);
  io.err(`written ${out}`);
  return EX_OK;
}

/** 2026-12-02 or 2026-12-02T09:30 (a space works too), as the site's wall clock reads it. */
function parseLocal(text: string, calendar: Calendar): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? -1), Number(m[5] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return undefined;
  // a bare date means that day's production day: its first shift
  const min = h < 0 ? calendar.dayStartMin : h * 60 + mi;
  return calendar.instant(y, mo, d, min);
}
