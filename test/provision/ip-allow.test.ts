/**
 * The IP allow-list drop-in `firebreak provision` writes beside firebreak.service (issue #14):
 * its lines for a broker given as an address, as a name that resolves and as one that does not,
 * with the network and the resolver handed in so the test decides what the gateway sees; then
 * the drop-in read by systemd itself (`systemd-analyze verify` and `security` on the unit with
 * the drop-in in its firebreak.service.d/).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { provisionCommand } from '../../agent/cli/provision.js';
import { ipAllowDropIn, subnetOf, type IpAllowOptions } from '../../agent/provision/ip-allow.js';

const root = new URL('../..', import.meta.url).pathname;
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

const iface = (address: string, cidr: string, internal = false): NetworkInterfaceInfo =>
  ({ address, cidr, internal, family: address.includes(':') ? 'IPv6' : 'IPv4', netmask: '', mac: '00:00:00:00:00:00', ...(address.includes(':') ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;

/** A gateway on the plant LAN 10.20.30.0/24 (eth0) with a ULA, and a Wi-Fi leg 192.168.8.0/24. */
const PLANT: IpAllowOptions = {
  interfaces: () => ({
    lo: [iface('127.0.0.1', '127.0.0.1/8', true), iface('::1', '::1/128', true)],
    eth0: [iface('10.20.30.41', '10.20.30.41/24'), iface('fd12:3456::41', 'fd12:3456::41/64'), iface('fe80::1', 'fe80::1/64')],
    wlan0: [iface('192.168.8.17', '192.168.8.17/24')],
  }),
  nameservers: () => ['10.20.30.1'],
  resolve: async (host) => {
    if (host === 'broker.plant.example') return ['10.99.0.5', '10.99.0.6'];
    if (host === 'hebei.example') return ['203.0.113.9'];
    throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  },
};

const allowed = (text: string) => text.split('\n').filter((l) => l.startsWith('IPAddressAllow=')).flatMap((l) => l.slice('IPAddressAllow='.length).split(' '));

describe('the IP allow-list drop-in', () => {
  it('denies everything, then allows localhost, link-local, the LAN subnets and a broker given as an address', async () => {
    const r = await ipAllowDropIn({ uplink: { mqtt: { url: 'mqtts://10.99.0.5:8883' } } }, '/etc/firebreak/site.yaml', { ...PLANT, resolve: async () => expect.unreachable('an address needs no lookup') });
    expect(r.warnings).toEqual([]);
    expect(r.text).toMatch(/^\[Service\]$/m);
    expect(r.text).toMatch(/^IPAddressDeny=any$/m);
    expect(allowed(r.text)).toEqual(['localhost', 'link-local', '10.20.30.0/24', 'fd12:3456::/64', '192.168.8.0/24', '10.99.0.5']);
    // no name to look up at run time, so no name server is let through
    expect(r.text).not.toContain('10.20.30.1 ');
    // every allow line says why it is there, and what to do when the broker moves
    expect(r.text).toContain('operator page');
    expect(r.text).toContain('MQTT broker (uplink.mqtt.url: mqtts://10.99.0.5:8883)');
    expect(r.text).toContain('`firebreak provision` again');
  });

  it('allows every address a broker name resolves to, the Hebei platform and the name servers', async () => {
    const site = { uplink: { mqtt: { url: 'mqtt://broker.plant.example:1883' }, hebei: { baseUrl: 'http://hebei.example:6030/rabbitmqfcsb' } } };
    const r = await ipAllowDropIn(site, '/etc/firebreak/site.yaml', PLANT);
    expect(r.warnings).toEqual([]);
    expect(allowed(r.text)).toEqual(expect.arrayContaining(['10.99.0.5', '10.99.0.6', '203.0.113.9', '10.20.30.1']));
    expect(r.text).toContain('broker.plant.example as resolved at provisioning');
    expect(r.text).toContain('Hebei platform (uplink.hebei.baseUrl');
  });

  it('resolves localhost with the real resolver', async () => {
    const r = await ipAllowDropIn({ uplink: { mqtt: { url: 'mqtt://localhost:1883' } } }, '/etc/firebreak/site.yaml', { interfaces: PLANT.interfaces, nameservers: () => [] });
    expect(r.warnings).toEqual([]);
    expect(allowed(r.text).filter((a) => a === '127.0.0.1' || a === '::1').length).toBeGreaterThan(0);
  });

  it('warns about a name that does not resolve and still writes what it knows', async () => {
    const site = { uplink: { mqtt: { url: 'mqtts://gone.example:8883' }, hebei: { baseUrl: 'http://203.0.113.9:6030/rabbitmqfcsb' } } };
    const r = await ipAllowDropIn(site, '/etc/firebreak/site.yaml', PLANT);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^uplink\.mqtt\.url: gone\.example does not resolve \(getaddrinfo ENOTFOUND gone\.example\); .*`firebreak provision` runs again.*added to the drop-in/);
    expect(allowed(r.text)).toEqual(['localhost', 'link-local', '10.20.30.0/24', 'fd12:3456::/64', '192.168.8.0/24', '203.0.113.9', '10.20.30.1']);
    expect(r.text).toContain('gone.example did not resolve at provisioning');
  });

  it('names subnets by their network address', () => {
    expect(subnetOf('192.168.1.23/24')).toBe('192.168.1.0/24');
    expect(subnetOf('10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(subnetOf('172.16.5.77/20')).toBe('172.16.0.0/20');
    expect(subnetOf('fd00::2/64')).toBe('fd00::/64');
    expect(subnetOf('2001:db8:1:2:3:4:5:6/48')).toBe('2001:db8:1::/48');
  });
});

describe('firebreak provision writes the drop-in', () => {
  it('beside the site file when it is not under /etc, with a warning on stderr for a name it cannot resolve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-ipallow-'));
    const out: string[] = [];
    const err: string[] = [];
    const args = ['--enterprise', '91130100MA0EXAMPLE', '--gateway', 'GW-SANDING-01', '--mqtt-url', 'mqtts://gone.example:8883', '--port', '/dev/ttyUSB0', '--device', 'dust-sensor@2', '--out', join(dir, 'site.yaml')];
    const code = await provisionCommand(args, (l) => out.push(l), (l) => err.push(l), undefined, PLANT);
    expect(code).toBe(0);
    expect(err.join('\n')).toContain('firebreak provision: warning: uplink.mqtt.url: gone.example does not resolve');
    const conf = readFileSync(join(dir, 'firebreak.service.d/ip-allow.conf'), 'utf8');
    expect(conf).toMatch(/^IPAddressDeny=any$/m);
    expect(allowed(conf)).toContain('10.20.30.0/24');
  });

  it('under <root>/etc/systemd/system/firebreak.service.d/ for a site file in <root>/etc/firebreak/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-ipallow-'));
    const args = ['--enterprise', '91130100MA0EXAMPLE', '--gateway', 'GW-SANDING-01', '--mqtt-url', 'mqtt://10.99.0.5:1883', '--port', '/dev/ttyUSB0', '--device', 'dust-sensor@2', '--out', join(dir, 'etc/firebreak/site.yaml')];
    const lines: string[] = [];
    expect(await provisionCommand(args, (l) => lines.push(l), (l) => lines.push(l), undefined, PLANT)).toBe(0);
    const conf = readFileSync(join(dir, 'etc/systemd/system/firebreak.service.d/ip-allow.conf'), 'utf8');
    expect(allowed(conf)).toContain('10.99.0.5');
    expect(lines.join('\n')).toContain(`wrote ${join(dir, 'etc/systemd/system/firebreak.service.d/ip-allow.conf')}`);
  });
});

describe('firebreak provision --ip-allow-only (the compiled CLI)', () => {
  const cli = join(root, 'dist/agent/cli.js');
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'provision', ...args], { encoding: 'utf8', timeout: 30_000, input: '' });

  it('rewrites only the drop-in from the edited site file after the broker moved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-ipallow-'));
    const site = join(dir, 'etc/firebreak/site.yaml');
    const first = run(['--enterprise', '91130100MA0EXAMPLE', '--gateway', 'GW-SANDING-01', '--mqtt-url', 'mqtt://10.99.0.5:1883', '--port', '/dev/ttyUSB0', '--device', 'dust-sensor@2', '--out', site]);
    expect(first.status).toBe(0);
    const conf = join(dir, 'etc/systemd/system/firebreak.service.d/ip-allow.conf');
    expect(allowed(readFileSync(conf, 'utf8'))).toContain('10.99.0.5');
    // the installer edits the broker address by hand; the rest of the site file must survive
    const edited = readFileSync(site, 'utf8').replace('mqtt://10.99.0.5:1883', 'mqtt://10.99.0.7:1883').concat('# hand edit\n');
    writeFileSync(site, edited);
    const again = run(['--ip-allow-only', '--out', site]);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(readFileSync(site, 'utf8')).toBe(edited);
    const after = allowed(readFileSync(conf, 'utf8'));
    expect(after).toContain('10.99.0.7');
    expect(after).not.toContain('10.99.0.5');
  });

  it('refuses a site file that does not load (exit 78), naming the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-ipallow-'));
    writeFileSync(join(dir, 'site.yaml'), 'version: 2\n');
    const r = run(['--ip-allow-only', '--out', join(dir, 'site.yaml')]);
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('version');
  });
});

describe.skipIf(!hasAnalyze)('firebreak.service with the drop-in, as systemd reads it', () => {
  async function unitWithDropIn(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'fb-ipallow-'));
    writeFileSync(join(dir, 'firebreak.service'), readFileSync(join(root, 'systemd/firebreak.service'), 'utf8').replaceAll('/usr/bin/node', process.execPath));
    mkdirSync(join(dir, 'firebreak.service.d'));
    const site = { uplink: { mqtt: { url: 'mqtt://broker.plant.example:1883' }, hebei: { baseUrl: 'http://203.0.113.9:6030/x' } } };
    writeFileSync(join(dir, 'firebreak.service.d/ip-allow.conf'), (await ipAllowDropIn(site, '/etc/firebreak/site.yaml', PLANT)).text);
    return dir;
  }
  const analyze = (...args: string[]) => spawnSync('systemd-analyze', args, { encoding: 'utf8' });

  it('verifies without a warning', async () => {
    const dir = await unitWithDropIn();
    const r = analyze('verify', '--man=no', join(dir, 'firebreak.service'));
    const noise = [/^Cannot add dependency job/i, /^Failed to (connect|create bus connection)/i, /is not a valid cgroup/i, /System has not been booted with systemd/i];
    const problems = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l && !noise.some((re) => re.test(l)));
    expect(problems).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('catches a bad address in the drop-in (so the test above can fail)', async () => {
    const dir = await unitWithDropIn();
    writeFileSync(join(dir, 'firebreak.service.d/ip-allow.conf'), '[Service]\nIPAddressAllow=broker.plant.example\n');
    const r = analyze('verify', '--man=no', join(dir, 'firebreak.service'));
    expect(r.stderr).toMatch(/ip-allow\.conf:2: Address prefix is invalid/);
  });

  it('lowers the exposure score below the unit alone (IPAddressDeny= no longer flagged as missing)', async () => {
    const score = (file: string) => {
      const r = analyze('security', '--offline=yes', '--no-pager', file);
      return { score: Number(/Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout)?.[1]), ip: /IPAddressDeny=.*/.exec(r.stdout)?.[0] ?? '' };
    };
    const alone = mkdtempSync(join(tmpdir(), 'fb-ipallow-'));
    copyFileSync(join(root, 'systemd/firebreak.service'), join(alone, 'firebreak.service'));
    const without = score(join(alone, 'firebreak.service'));
    const withDropIn = score(join(await unitWithDropIn(), 'firebreak.service'));
    expect(without.ip).toContain('does not define an IP address allow list');
    expect(withDropIn.ip).toContain('allow list with non-localhost entries');
    expect(withDropIn.score).toBeLessThan(without.score);
  });
});
