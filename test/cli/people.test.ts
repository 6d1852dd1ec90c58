/**
 * `firebreak people` as an installer uses it: the built CLI adds people with their certificates
 * to the ledger beside the buffer of a site file, lists them with each certificate's status,
 * exports CSV a spreadsheet opens, refuses bad input with a sentence and exit 64, removes.
 * The page reads the same file (agent/tickets/people-ledger.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PeopleLedger } from '../../agent/tickets/people-ledger.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');
const firebreak = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, 'people', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

it('keeps the ledger beside the buffer, with each certificate’s status, and exports it as CSV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-people-'));
  const site = join(dir, 'site.yaml');
  writeFileSync(site, readFileSync(join(root, 'config/site.workshop.yaml'), 'utf8').replace('path: /var/lib/firebreak/buffer.db', `path: ${join(dir, 'buffer.db')}`));
  const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  expect(firebreak('add', '张三', '--cert', `焊接与热切割作业,T1101,北京市应急管理局,${soon}`, '--config', site)).toMatchObject({ code: 0 });
  expect(firebreak('add', '李四', '--cert', '焊接与热切割作业,T1102,北京市应急管理局,2020-01-31', '--config', site)).toMatchObject({ code: 0 });
  expect(statSync(join(dir, 'people.json')).mode & 0o777).toBe(0o640);

  const list = firebreak('list', '--config', site);
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/张三\t焊接与热切割作业 T1101 \(北京市应急管理局\) → \d{4}-\d{2}-\d{2} expiring/);
  expect(list.stdout).toContain('李四\t焊接与热切割作业 T1102 (北京市应急管理局) → 2020-01-31 expired');

  const csv = firebreak('export', '--config', site).stdout;
  expect(csv.startsWith('\uFEFF姓名 name,')).toBe(true);
  expect(csv).toContain(`张三,焊接与热切割作业,T1101,北京市应急管理局,${soon},expiring`);

  const twice = firebreak('add', '张三', '--config', site);
  expect(twice.code).toBe(64);
  expect(twice.stderr).toContain('张三 is already in the ledger');
  const bad = firebreak('add', '王五', '--cert', '焊接,only-two', '--config', site);
  expect(bad.code).toBe(64);
  expect(bad.stderr).toContain('must be TYPE,NUMBER,AUTHORITY,YYYY-MM-DD');
  expect(firebreak('remove', '李四', '--config', site)).toMatchObject({ code: 0 });
  expect(firebreak('remove', '李四', '--config', site)).toMatchObject({ code: 64 });
});

it('refuses what a forged page or a typo would put in the ledger, and changes nothing', async () => {
  const ledger = new PeopleLedger(join(mkdtempSync(join(tmpdir(), 'fb-people-')), 'people.json'));
  ledger.guard((n) => n === '在票上');
  expect(await ledger.add('', [], 'x', 0)).toMatchObject({ ok: false, refusal: 'name-invalid' });
  expect(await ledger.add('<script>', [], 'x', 0)).toMatchObject({ ok: false, refusal: 'name-invalid' });
  expect(await ledger.add('甲', [{ type: '焊接', number: '', authority: 'a', expires: 1 }], 'x', 0)).toMatchObject({ ok: false, refusal: 'certificate-invalid' });
  expect(await ledger.add('在票上', [], 'x', 0)).toMatchObject({ ok: true });
  expect(await ledger.remove('在票上')).toMatchObject({ ok: false, refusal: 'on-open-ticket' });
  expect((await ledger.list()).map((p) => p.name)).toEqual(['在票上']);
  // a name that a spreadsheet would run as a formula is no name (and csv() would quote it anyway)
  await ledger.add('=HYPERLINK', [], 'x', 0).then((r) => expect(r).toMatchObject({ ok: false, refusal: 'name-invalid' }));
});
