/**
 * `firebreak doctor`: every check in turn, one line each, with the fix on the same line. The
 * site file first: the checks that need it are skipped (and say so) when it does not load.
 */
import { clockCheck, platformCheck, siteCheck } from './platform-checks.js';
import { diskCheck, gpioCheck, groupsCheck, serialCheck, watchdogCheck } from './system-checks.js';
import type { CheckResult, DoctorCheck, DoctorInputs } from './types.js';

export const CHECKS: DoctorCheck[] = [groupsCheck, serialCheck, gpioCheck, clockCheck, platformCheck, diskCheck, watchdogCheck];

export interface DoctorLine extends CheckResult {
  id: string;
  title: string;
}

export async function runDoctor(i: DoctorInputs, only?: string[]): Promise<DoctorLine[]> {
  const site = await siteCheck(i);
  const lines: DoctorLine[] = [{ id: 'site', title: 'site file', ...site.result }];
  for (const c of CHECKS) {
    if (only && !only.includes(c.id)) continue;
    try {
      lines.push({ id: c.id, title: c.title, ...(await c.run(i, site.config)) });
    } catch (err) {
      lines.push({ id: c.id, title: c.title, status: 'fail', summary: `the check itself failed: ${(err as Error).message}`, fix: 'report this with the output of firebreak doctor' });
    }
  }
  return lines;
}

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

export function formatLine(l: DoctorLine): string {
  return `${MARK[l.status]} ${l.title.padEnd(18)} ${l.summary}${l.fix ? ` — fix: ${l.fix}` : ''}`;
}
