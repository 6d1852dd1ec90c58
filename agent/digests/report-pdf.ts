/**
 * HTML to PDF through Debian's chromium in headless print mode (A4 from the page's @page rule).
 * Where chromium is not installed, a clear error: the caller writes nothing.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
/** a month's report prints in ~5 s on a Pi 4; a minute is a hung browser */
const PRINT_TIMEOUT_MS = 60_000;

export class NoChromium extends Error {}

export async function htmlToPdf(html: string, chromium = CHROMIUM): Promise<Buffer> {
  try {
    await access(chromium);
  } catch {
    throw new NoChromium(`PDF needs chromium at ${chromium} (apt install chromium); --format html works without it`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'fb-report-'));
  try {
    const page = join(dir, 'report.html');
    const pdf = join(dir, 'report.pdf');
    await writeFile(page, html);
    await new Promise<void>((resolve, reject) => {
      execFile(
        chromium,
        ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--user-data-dir=${join(dir, 'profile')}`, `--print-to-pdf=${pdf}`, `file://${page}`],
        { timeout: PRINT_TIMEOUT_MS },
        (err, _stdout, stderr) => (err ? reject(new Error(`chromium failed: ${err.message} ${stderr.slice(-300)}`)) : resolve()),
      );
    });
    return await readFile(pdf);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
