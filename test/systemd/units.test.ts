/**
 * The unit files as systemd reads them: `systemd-analyze verify` on copies whose ExecStart
 * points at this machine's node (the install paths do not exist here); any parse warning is a
 * failure, as is an exit code other than 0. Also the rules the issue names, read from the files.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const UNITS = ['firebreak.service', 'firebreak-node-red.service'];
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

/** Lines systemd-analyze prints about this machine rather than about the unit. */
const ENVIRONMENT_NOISE = [/^Cannot add dependency job/i, /^Failed to (connect|create bus connection)/i, /is not a valid cgroup/i, /System has not been booted with systemd/i];

function verify(unitText: string, name: string): { code: number | null; problems: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fb-units-'));
  writeFileSync(join(dir, name), unitText.replaceAll('/usr/bin/node', process.execPath));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, name)], { encoding: 'utf8', cwd: dir });
  const problems = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !ENVIRONMENT_NOISE.some((re) => re.test(l)));
  return { code: r.status, problems };
}

function directives(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (kv) m.set(kv[1]!, [...(m.get(kv[1]!) ?? []), kv[2]!]);
  }
  return m;
}

describe.skipIf(!hasAnalyze)('systemd-analyze verify', () => {
  for (const name of UNITS) {
    it(`accepts ${name} without a warning`, () => {
      const r = verify(readFileSync(join(root, 'systemd', name), 'utf8'), name);
      expect(r.problems).toEqual([]);
      expect(r.code).toBe(0);
    });
  }

  it('catches a real mistake in a unit (so the test above can fail)', () => {
    const text = readFileSync(join(root, 'systemd/firebreak.service'), 'utf8').replace('RestartSec=2s', 'RestartSec=two seconds');
    const r = verify(text, 'firebreak.service');
    expect(r.problems.join('\n')).toMatch(/Failed to parse/);
  });

  it('catches an ExecStart that does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-units-'));
    const text = readFileSync(join(root, 'systemd/firebreak.service'), 'utf8').replace('ExecStart=/usr/bin/node', 'ExecStart=/nonexistent/node');
    writeFileSync(join(dir, 'firebreak.service'), text);
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'firebreak.service')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('/nonexistent/node');
  });
});

describe('firebreak.service', () => {
  const d = directives(readFileSync(join(root, 'systemd/firebreak.service'), 'utf8'));
  const one = (k: string) => d.get(k)?.at(-1);

  it('is Type=notify with a watchdog, and pings come from the agent (NotifyAccess for systemd-notify)', () => {
    expect(one('Type')).toBe('notify');
    expect(one('NotifyAccess')).toBe('all');
    expect(one('WatchdogSec')).toMatch(/^\d+s$/);
  });

  it('restarts on failure but not on a configuration error (exit 78)', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('78');
  });

  it('runs as its own user with dialout and gpio, its buffer in a StateDirectory', () => {
    expect(one('User')).toBe('firebreak');
    expect(one('SupplementaryGroups')?.split(/\s+/).sort()).toEqual(['dialout', 'gpio']);
    expect(one('StateDirectory')).toBe('firebreak');
  });

  it('bounds its open files and memory (issue #14: a flood of sockets ran it out of handles)', () => {
    expect(one('LimitNOFILE')).toBe('1024');
    expect(one('MemoryMax')).toBe('256M');
  });

  it('is hardened and reaches only serial and GPIO devices', () => {
    for (const k of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'ProtectKernelTunables', 'ProtectControlGroups']) expect(one(k)).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('RestrictAddressFamilies')).toBe('AF_UNIX AF_INET AF_INET6 AF_NETLINK');
    expect(d.get('SystemCallFilter')?.[0]).toBe('@system-service');
    expect(one('DevicePolicy')).toBe('closed');
    expect(d.get('DeviceAllow')).toEqual(expect.arrayContaining(['char-ttyUSB rw', 'char-ttyACM rw', 'char-gpiochip rw']));
    expect(one('ReadWritePaths')).toContain('/sys/class/gpio');
  });

  it.skipIf(!hasAnalyze)('has an exposure score under 2.0 (systemd-analyze security --offline)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-units-'));
    for (const name of UNITS) copyFileSync(join(root, 'systemd', name), join(dir, name));
    for (const name of UNITS) {
      const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', join(dir, name)], { encoding: 'utf8' });
      const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout)?.[1]);
      expect(score, name).toBeLessThan(2.0);
    }
  });
});

describe('firebreak-node-red.service', () => {
  const text = readFileSync(join(root, 'systemd/firebreak-node-red.service'), 'utf8');
  const d = directives(text);
  it('never pulls in or holds up the agent', () => {
    expect(d.get('Requires')).toBeUndefined();
    expect(d.get('BindsTo')).toBeUndefined();
    expect(d.get('Before') ?? []).not.toContain('firebreak.service');
    const agent = directives(readFileSync(join(root, 'systemd/firebreak.service'), 'utf8'));
    for (const [key, values] of agent) expect(`${key}=${values.join(' ')}`).not.toMatch(/node-red/i);
  });
  it('runs as its own user with no devices, yields CPU and memory first', () => {
    expect(d.get('User')?.[0]).toBe('firebreak-flows');
    expect(d.get('PrivateDevices')?.[0]).toBe('yes');
    expect(Number(d.get('OOMScoreAdjust')?.[0])).toBeGreaterThan(0);
  });
});

describe('the hardware watchdog drop-in', () => {
  it('has systemd pet /dev/watchdog within the Raspberry Pi limit of about 15 s', () => {
    const text = readFileSync(join(root, 'systemd/system.conf.d/firebreak-watchdog.conf'), 'utf8');
    expect(text).toMatch(/^\[Manager\]$/m);
    const sec = /^RuntimeWatchdogSec=(\d+)s$/m.exec(text)?.[1];
    expect(Number(sec)).toBeGreaterThan(0);
    expect(Number(sec)).toBeLessThanOrEqual(15);
  });
});
