/**
 * The special-operations ledger (特种作业人员台账): the people who may be named on a work ticket
 * and their certificates (type, number, issuing authority, expiry), kept on the gateway in a
 * small JSON file beside the buffer (mode 0640, written then renamed, so a power cut never leaves
 * half a ledger). Supervisors manage it on the page, installers with `firebreak people`; both go
 * through this class, and the file is read again on every use, so neither needs a restart.
 * A certificate within 30 days of its expiry is a warning; an expired one can no longer be named
 * on a ticket that needs it (hot-work.ts).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DEFAULT_TIME_ZONE, instantOf, localDate, wallFormat } from '../core/local-date.js';

export const EXPIRY_WARNING_DAYS = 30;

/** Where the ledger lives: beside the buffer, in the folder the agent owns. */
export function ledgerFile(bufferPath: string): string {
  return join(dirname(bufferPath), 'people.json');
}
const DAY = 86_400_000;

export interface Certificate {
  /** the 特种作业操作证 kind, e.g. 焊接与热切割作业 */
  type: string;
  number: string;
  authority: string;
  /** ms since the epoch; valid up to this moment (the end of the expiry day, site time) */
  expires: number;
}

export interface Person {
  name: string;
  certificates: Certificate[];
  added: number;
  addedBy: string;
}

export type CertificateStatus = 'valid' | 'expiring' | 'expired';

export interface PersonView extends Person {
  /** the worst of the person's certificates: expired, expiring within 30 days, or valid */
  status: CertificateStatus | 'none';
  certificates: (Certificate & { status: CertificateStatus; daysLeft: number })[];
}

export type LedgerRefusal = 'name-invalid' | 'exists' | 'unknown-person' | 'certificate-invalid' | 'on-open-ticket';

export type LedgerResult = { ok: true; person: Person } | { ok: false; refusal: LedgerRefusal; reason: { zh: string; en: string } };

interface LedgerFile {
  version: 1;
  people: Person[];
}

/** Letters of any script (Chinese names included), digits, space, `.`, `_`, `-`, `·`. */
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._·-]{0,31}$/u;
const FIELD_MAX = 64;

export function certificateStatus(c: Certificate, now: number): CertificateStatus {
  if (c.expires <= now) return 'expired';
  return c.expires - now <= EXPIRY_WARNING_DAYS * DAY ? 'expiring' : 'valid';
}

/** A certificate as a person typed it, or why it is wrong (in both languages). */
export function certificateProblem(c: Partial<Certificate>): { zh: string; en: string } | undefined {
  for (const k of ['type', 'number', 'authority'] as const) {
    const v = c[k];
    if (typeof v !== 'string' || !v.trim() || v.length > FIELD_MAX) return { zh: `证书的${{ type: '类别', number: '编号', authority: '发证机关' }[k]}必须填写（最多 ${FIELD_MAX} 字）`, en: `the certificate's ${k} is required (at most ${FIELD_MAX} characters)` };
  }
  if (typeof c.expires !== 'number' || !Number.isFinite(c.expires)) return { zh: '证书有效期必须是日期', en: 'the certificate needs an expiry date' };
  return undefined;
}

function refuse(refusal: LedgerRefusal, zh: string, en: string): LedgerResult {
  return { ok: false, refusal, reason: { zh, en } };
}

export class PeopleLedger {
  /** names on a ticket not yet closed may not be removed (the ticket still names them) */
  private inUse: (name: string) => boolean = () => false;

  constructor(readonly file: string) {}

  /** The tickets say who they name (TicketLoop.start sets it). */
  guard(inUse: (name: string) => boolean): void {
    this.inUse = inUse;
  }

  async list(): Promise<Person[]> {
    return (await this.read()).people;
  }

  async views(now: number): Promise<PersonView[]> {
    return (await this.list()).map((p) => viewOf(p, now));
  }

  /** The person's certificates, or undefined for a name not in the ledger. */
  async certificates(name: string): Promise<Certificate[] | undefined> {
    return (await this.list()).find((p) => p.name === name.trim())?.certificates;
  }

  async add(name: string, certificates: Partial<Certificate>[], by: string, now: number, opts: { replace?: boolean } = {}): Promise<LedgerResult> {
    const n = name.trim();
    if (!NAME.test(n)) return refuse('name-invalid', '姓名为 1–32 个字（字母、汉字、数字、空格、. _ - ·）', 'a name is 1..32 letters, digits, spaces, . _ - ·');
    for (const c of certificates) {
      const problem = certificateProblem(c);
      if (problem) return { ok: false, refusal: 'certificate-invalid', reason: problem };
    }
    const data = await this.read();
    const at = data.people.findIndex((p) => p.name === n);
    if (at >= 0 && !opts.replace) return refuse('exists', `${n} 已在台账中`, `${n} is already in the ledger`);
    const person: Person = {
      name: n,
      certificates: certificates.map((c) => ({ type: c.type!.trim(), number: c.number!.trim(), authority: c.authority!.trim(), expires: c.expires! })),
      added: now,
      addedBy: by,
    };
    if (at >= 0) data.people[at] = person;
    else data.people.push(person);
    await this.write(data);
    return { ok: true, person };
  }

  async remove(name: string): Promise<LedgerResult> {
    const n = name.trim();
    const data = await this.read();
    const person = data.people.find((p) => p.name === n);
    if (!person) return refuse('unknown-person', `台账中没有 ${n}`, `no ${n} in the ledger`);
    if (this.inUse(n)) return refuse('on-open-ticket', `${n} 在未关闭的作业票上，不能删除`, `${n} is on a ticket not yet closed`);
    data.people = data.people.filter((p) => p !== person);
    await this.write(data);
    return { ok: true, person };
  }

  /** The ledger as CSV (UTF-8 with BOM, so a spreadsheet on the office PC reads the Chinese). */
  async csv(now: number, timeZone?: string): Promise<string> {
    const day = (t: number) => localDate(t, timeZone);
    const lines = [['姓名 name', '证书类别 type', '证书编号 number', '发证机关 authority', '有效期至 expires', '状态 status'].join(',')];
    for (const p of await this.views(now)) {
      if (p.certificates.length === 0) lines.push([p.name, '', '', '', '', 'none'].map(csvCell).join(','));
      for (const c of p.certificates) lines.push([p.name, c.type, c.number, c.authority, day(c.expires - 1), c.status].map(csvCell).join(','));
    }
    return `\uFEFF${lines.join('\r\n')}\r\n`;
  }

  private async read(): Promise<LedgerFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, people: [] };
      throw err;
    }
    const parsed = JSON.parse(text) as Partial<LedgerFile>;
    if (parsed.version !== 1 || !Array.isArray(parsed.people)) throw new Error(`${this.file}: not a Firebreak people ledger (version 1)`);
    return { version: 1, people: parsed.people };
  }

  private async write(data: LedgerFile): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o640 });
    await rename(tmp, this.file);
  }
}

function viewOf(p: Person, now: number): PersonView {
  const certificates = p.certificates.map((c) => ({ ...c, status: certificateStatus(c, now), daysLeft: Math.floor((c.expires - now) / DAY) }));
  const worst = certificates.some((c) => c.status === 'expired') ? 'expired' : certificates.some((c) => c.status === 'expiring') ? 'expiring' : certificates.length ? 'valid' : 'none';
  return { ...p, certificates, status: worst };
}

/** A spreadsheet cell: quoted where needed, and never a formula (a name starting with = + - @). */
function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The end of a local date (YYYY-MM-DD) in a time zone, as ms: a certificate is valid through its expiry day. */
export function endOfDay(date: string, timeZone: string = DEFAULT_TIME_ZONE): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return undefined;
  // local midnight after it
  return instantOf({ y, m: mo, d: d + 1, min: 0 }, wallFormat(timeZone));
}
