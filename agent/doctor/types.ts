/** What every doctor check receives (all injected, so each can be made to fail in a test) and returns. */
import type { SiteConfig } from '../config/schema.js';
import type { SyncProbe } from '../core/clock-sync.js';

export type Run = (cmd: string, args: string[]) => Promise<string>;

export interface DoctorInputs {
  /** '/' on a gateway; tests point it at a folder with etc/, dev/ and sys/ of their making */
  root: string;
  siteFile: string;
  /** the service user the unit runs as */
  user: string;
  syncProbe: SyncProbe;
  /** free space where the buffer lives */
  statfs: (path: string) => Promise<{ bavail: number; bsize: number }>;
  /** how long the platform may take to answer CONNECT */
  mqttTimeoutMs: number;
}

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  /** what was found, one line */
  summary: string;
  /** the command or edit that fixes it, one line */
  fix?: string;
}

export interface DoctorCheck {
  id: string;
  title: string;
  run(inputs: DoctorInputs, config: SiteConfig | undefined): Promise<CheckResult>;
}

export const ok = (summary: string): CheckResult => ({ status: 'ok', summary });
export const fail = (summary: string, fix: string): CheckResult => ({ status: 'fail', summary, fix });
export const warn = (summary: string, fix: string): CheckResult => ({ status: 'warn', summary, fix });
export const skip = (summary: string): CheckResult => ({ status: 'skip', summary });
