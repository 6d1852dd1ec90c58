/**
 * A hot-work ticket (动火作业票) in a dust area: permitted only when the area was checked in as
 * cleaned within `cleanedWithinH`, the site's conditions hold, and the worker holds the required
 * certificate unexpired; it lapses `validH` after it was permitted. Refusals name the unmet step.
 */
import type { Actor } from '../records/hazard-machine.js';
import { isPerson } from '../records/actors.js';
import type { Certificate } from './people-ledger.js';

const HOUR = 3_600_000;

export type { Certificate };

export interface HotWorkRules {
  id: string;
  cleaning: string;
  cleanedWithinH: number;
  validH: number;
  certificate: string;
}

export interface HotWorkFacts {
  /** the cleaning store's answer, built elsewhere */
  lastCleanedAt: (areaId: string) => number | undefined;
  /** conditions that do not hold now, in words; empty when all hold */
  failing: string[];
  /** the ledger's certificates of the worker */
  certificates: (person: string) => Certificate[] | undefined;
}

export interface HotWorkPermit {
  ticket: string;
  worker: string;
  by: string;
  permittedAt: number;
  lapsesAt: number;
}

export type HotWorkResult = { ok: true; permit: HotWorkPermit } | { ok: false; refusal: 'not-permitted' | 'unknown-person' | 'no-certificate' | 'certificate-expired' | 'not-cleaned' | 'conditions'; reason: { zh: string; en: string } };

export function permitHotWork(ticket: string, rules: HotWorkRules, worker: string, by: Actor, now: number, f: HotWorkFacts): HotWorkResult {
  const no = (refusal: Exclude<HotWorkResult, { ok: true }>['refusal'], zh: string, en: string): HotWorkResult => ({ ok: false, refusal, reason: { zh, en } });
  if (!isPerson(by) || by.role !== 'supervisor') return no('not-permitted', '请登录主管账号后签发动火作业票', 'only a logged-in supervisor may issue a hot-work ticket');
  const certs = f.certificates(worker);
  if (!certs) return no('unknown-person', `${worker} 不在特种作业人员台账中`, `${worker} is not in the special-operations ledger`);
  const held = certs.filter((c) => c.type === rules.certificate);
  if (held.length === 0) return no('no-certificate', `${worker} 未持有「${rules.certificate}」操作证`, `${worker} holds no ${rules.certificate} certificate`);
  if (!held.some((c) => c.expires > now)) return no('certificate-expired', `${worker} 的「${rules.certificate}」操作证已过期`, `${worker}'s ${rules.certificate} certificate has expired`);
  const cleaned = f.lastCleanedAt(rules.cleaning);
  if (cleaned === undefined || now - cleaned > rules.cleanedWithinH * HOUR) return no('not-cleaned', `区域 ${rules.cleaning} 未在 ${rules.cleanedWithinH} 小时内完成清理`, `area ${rules.cleaning} was not cleaned within ${rules.cleanedWithinH} h`);
  if (f.failing.length) return no('conditions', `作业条件不满足：${f.failing.join('、')}`, `conditions do not hold: ${f.failing.join(', ')}`);
  return { ok: true, permit: { ticket, worker, by: by.user.trim(), permittedAt: now, lapsesAt: now + rules.validH * HOUR } };
}

export function hotWorkLapsed(p: HotWorkPermit, now: number): boolean {
  return now >= p.lapsesAt;
}
