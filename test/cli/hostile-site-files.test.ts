/**
 * Site files a careless installer or an attacker writes: aliases that never end, a file that
 * is not text, a file the size of a log. Each is a configuration problem with its line, exit 78
 * (systemd does not restart on it), read in bounded time and memory — from `check` and `run`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');
const example = readFileSync(join(root, 'config/site.example.yaml'));

function firebreak(...args: string[]) {
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss-kib=%M', process.execPath, cli, ...args], { encoding: 'utf8', timeout: 20_000 });
  const rss = Number(/maxrss-kib=(\d+)/.exec(r.stderr)?.[1]);
  return { code: r.status, stderr: r.stderr.replace(/maxrss-kib=\d+\n?/, ''), rssMiB: rss / 1024 };
}

function siteFile(content: string | Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fb-hostile-')), 'site.yaml');
  writeFileSync(file, content);
  return file;
}

/** a billion laughs: each level nine aliases of the one before, nine levels deep */
function laughs(): string {
  const lines = ['version: 1', 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(97 + i - 1);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  lines.push('site: *i');
  return lines.join('\n') + '\n';
}

const cases: { name: string; content: () => string | Buffer; line: RegExp }[] = [
  { name: 'an alias inside the node it names', content: () => 'version: 1\nsite: &s { name: *s }\n', line: /\*s: the alias is inside the node &s names.*\[line 2\]$/m },
  { name: 'an alias to an anchor that is never set', content: () => 'version: 1\nsite: { name: *nope }\n', line: /\*nope: no anchor &nope is set before this alias \[line 2\]$/m },
  { name: 'a billion laughs', content: laughs, line: /aliases expand past 100 copies.*\[line 3\]$/m },
  { name: 'a NUL byte', content: () => Buffer.from(example.toString('latin1').replace('gateway:', 'gate\0way:'), 'latin1'), line: /contains a NUL byte.*\[line 11\]$/m },
  { name: 'bytes that are not UTF-8 (a GBK editor)', content: () => Buffer.concat([example.subarray(0, example.indexOf('gateway:')), Buffer.from([0xb7, 0xdb, 0xb3, 0xbe]), example.subarray(example.indexOf('gateway:'))]), line: /is not UTF-8 \(byte 0xb7 at offset \d+\).*\[line 11\]$/m },
];

describe('a hostile site file', () => {
  for (const c of cases) {
    it(`${c.name}: check and run say so with its line and exit 78, no stack trace`, () => {
      const file = siteFile(c.content());
      for (const args of [['check', file], ['run', '--config', file]]) {
        const r = firebreak(...args);
        expect(r.stderr).toMatch(c.line);
        expect(r.code).toBe(78);
        expect(r.stderr).not.toMatch(/\n\s+at |circular structure/i);
      }
    });
  }

  it('a 50 MB file is refused before parsing, in bounded memory, exit 78', () => {
    const filler = Buffer.alloc(50 * 1024 * 1024, '#'.padEnd(99, 'y') + '\n');
    const file = siteFile(Buffer.concat([example, filler]));
    for (const args of [['check', file], ['run', '--config', file]]) {
      const r = firebreak(...args);
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/is 50\.\d MiB, over the 1 MiB a site file may be/);
      // before the limit, `check` of a 50 MB file peaked at 2 GB; reading nothing past 1 MiB stays near bare node
      expect(r.rssMiB).toBeLessThan(150);
    }
  });

  it('a file of up to 1 MiB is still read: anchors and aliases that a person writes work', () => {
    const text = example.toString('utf8').replace('limits: { lowLow: 150,', 'limits: &dpLimits { lowLow: 150,') + '#'.padEnd(1024 * 1024 - example.length - 40, '.') + '\n';
    const r = firebreak('check', siteFile(text));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
