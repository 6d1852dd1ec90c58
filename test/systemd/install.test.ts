/**
 * scripts/install.sh as an installer previews it: `--dry-run` lists every change (user, groups,
 * program, units, watchdog drop-in, enable) and makes none; `--uninstall --dry-run` likewise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const script = join(root, 'scripts/install.sh');

function install(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, lines: r.stdout.trim().split('\n') };
}

describe('scripts/install.sh --dry-run', () => {
  it('says every change it would make, and makes none', () => {
    const prefix = join(mkdtempSync(join(tmpdir(), 'fb-install-')), 'opt-firebreak');
    const r = install(['--dry-run', '--prefix', prefix], { FIREBREAK_ARCH: 'aarch64' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe(`Firebreak install: install on arm64 (aarch64), prefix ${prefix}, dry run: nothing is changed`);
    // nothing was run: no "+ command" lines, and the prefix was not created
    expect(r.lines.filter((l) => l.startsWith('+ '))).toEqual([]);
    expect(existsSync(prefix)).toBe(false);
    const wants = [
      `would: npm ci --omit=dev --no-audit --no-fund --prefix ${prefix}`,
      'would: install -m 0644 ' + join(root, 'systemd/firebreak.service') + ' /etc/systemd/system/firebreak.service',
      'would: install -m 0644 ' + join(root, 'systemd/firebreak-node-red.service') + ' /etc/systemd/system/firebreak-node-red.service',
      'would: install -m 0644 ' + join(root, 'systemd/system.conf.d/firebreak-watchdog.conf') + ' /etc/systemd/system.conf.d/firebreak-watchdog.conf',
      'would: systemctl enable firebreak.service',
      'would: systemctl enable firebreak-node-red.service',
      'would: write /usr/local/bin/firebreak (mode 0755, owner root:root)',
    ];
    for (const w of wants) if (!existsSync(w.split(' ').at(-1)!)) expect(r.lines).toContain(w);
    // the service user with dialout and gpio, unless this machine already has it
    if (spawnSync('getent', ['passwd', 'firebreak']).status !== 0)
      expect(r.lines).toContain('would: useradd --system --user-group --no-create-home --home-dir /var/lib/firebreak --shell /usr/sbin/nologin --groups dialout,gpio firebreak');
    expect(r.lines.at(-1)).toMatch(/^installed; next: sudo firebreak provision, then sudo firebreak doctor|^installed and running/);
  });

  it('maps a 32-bit Pi to armhf and refuses a machine it does not support', () => {
    expect(install(['--dry-run'], { FIREBREAK_ARCH: 'armv7l' }).lines[0]).toMatch(/on armhf \(armv7l\)/);
    const r = install(['--dry-run'], { FIREBREAK_ARCH: 'mips' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('unsupported machine mips');
  });

  it('leaves Node-RED out with --no-node-red', () => {
    const r = install(['--dry-run', '--no-node-red']);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/node-red/);
  });

  it('previews an uninstall that keeps the site file and the buffer', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'fb-install-'));
    writeFileSync(join(prefix, 'package.json'), '{}');
    const r = install(['--uninstall', '--dry-run', '--prefix', prefix]);
    expect(r.code).toBe(0);
    expect(r.lines).toContain(`would: rm -rf ${prefix}`);
    expect(r.lines).toContain('kept /etc/firebreak (site file, secrets) and /var/lib/firebreak (buffer); --purge removes them');
    expect(existsSync(join(prefix, 'package.json'))).toBe(true);
  });

  it('answers an unknown option with its usage and exit 64', () => {
    const r = install(['--frobnicate']);
    expect(r.code).toBe(64);
    expect(r.out).toContain('--dry-run prints every change');
  });
});
