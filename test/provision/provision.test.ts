/**
 * `firebreak provision` as an installer scripts it: the compiled command with flags or a scan
 * file, the site file it writes loaded by the same parser `firebreak run` uses, and the gateway's
 * key (0600) and certificate request checked with openssl.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSiteText } from '../../agent/config/load.js';
import { loadTemplates } from '../../agent/provision/templates.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function firebreak(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, 'provision', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env }, input: '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BASE = ['--enterprise', '91130100MA0EXAMPLE', '--gateway', 'GW-SANDING-01', '--mqtt-url', 'mqtt://127.0.0.1:1883'];

function loaded(file: string) {
  const r = parseSiteText(readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

describe('firebreak provision', () => {
  it('writes a site file from every device template that the schema accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prov-'));
    const out = join(dir, 'site.yaml');
    const r = firebreak([
      ...BASE,
      '--port', '/dev/serial/by-id/usb-FTDI_FT232R-if00-port0',
      '--device', 'dp-transmitter:dc1@1',
      '--device', 'dust-sensor@2',
      '--device', 'ai4-ma@3',
      '--device', 'temperature-module@4',
      '--device', 'gas-detector-4:cs1@5',
      '--out', out,
      '--buffer-path', join(dir, 'buffer.db'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}: 5 device(s) on 1 bus(es)`);
    const c = loaded(out);
    expect(c.site).toMatchObject({ enterprise: '91130100MA0EXAMPLE', gateway: 'GW-SANDING-01' });
    expect(c.devices.map((d) => `${d.id}@${d.unitId}`)).toEqual(['dc1@1', 'ds1@2', 'ai1@3', 'tt1@4', 'cs1@5']);
    expect(c.devices.flatMap((d) => d.points.map((p) => p.id))).toContain('cs1.h2s');
    // the 4–20 mA module's channels carry their loop scaling and the NE43 band
    expect(c.devices[2]!.points[0]!.signal).toEqual({ type: 'ma4_20', rangeLow: 0, rangeHigh: 30, faultBelowMa: 3.6, faultAboveMa: 21 });
    expect(c.uplink?.mqtt?.url).toBe('mqtt://127.0.0.1:1883');
    expect(c.feed?.socket).toBe('/run/firebreak/feed.sock');
    expect(statSync(out).mode & 0o777).toBe(0o640);
    // the file the installer reads says where it came from
    expect(readFileSync(out, 'utf8')).toMatch(/^# Written by `firebreak provision` for GW-SANDING-01/);
  });

  it('starts from scan results: one bus per port, devices by unit id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prov-'));
    const scan = join(dir, 'scan.json');
    writeFileSync(
      scan,
      JSON.stringify([
        { port: '/dev/ttyUSB0', baudRate: 9600, parity: 'none', unitId: 1 },
        { port: '/dev/ttyUSB0', baudRate: 9600, parity: 'none', unitId: 2, template: 'dust-sensor' },
        { port: '/dev/ttyUSB1', baudRate: 19200, parity: 'even', unitId: 1, template: 'gas-detector-4', id: 'cs1', name: '1号污水池' },
      ]),
    );
    const out = join(dir, 'site.yaml');
    const r = firebreak([...BASE, '--from-scan', scan, '--device', 'dp-transmitter:dc1@1', '--out', out, '--no-uplink']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = loaded(out);
    expect(c.buses.map((b) => [b.id, b.port, b.baudRate, b.parity])).toEqual([
      ['rs485a', '/dev/ttyUSB0', 9600, 'none'],
      ['rs485b', '/dev/ttyUSB1', 19200, 'even'],
    ]);
    expect(c.devices.map((d) => [d.id, d.bus, d.unitId, d.name])).toEqual([
      ['dc1', 'rs485a', 1, '除尘器进出口压差变送器'],
      ['ds1', 'rs485a', 2, '粉尘浓度传感器'],
      ['cs1', 'rs485b', 1, '1号污水池'],
    ]);
    expect(c.uplink).toBeUndefined();
  });

  it('says which unit of a scan it cannot place, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prov-'));
    const scan = join(dir, 'scan.json');
    writeFileSync(scan, JSON.stringify([{ port: '/dev/ttyUSB0', baudRate: 9600, parity: 'none', unitId: 7 }]));
    const r = firebreak([...BASE, '--from-scan', scan, '--out', join(dir, 'site.yaml')]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('unit 7 on /dev/ttyUSB0: which device is it? add template to the scan entry or --device TEMPLATE@7');
    expect(existsSync(join(dir, 'site.yaml'))).toBe(false);
  });

  it('rejects scan results that are not [{port, baudRate, parity, unitId}]', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prov-'));
    const scan = join(dir, 'scan.json');
    writeFileSync(scan, JSON.stringify([{ port: '/dev/ttyUSB0', baudRate: 9601, unitId: 1 }]));
    const r = firebreak([...BASE, '--from-scan', scan, '--out', join(dir, 'site.yaml')]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/\[0\]\.baudRate: must be one of 1200/);
  });

  it('lists what is missing when it cannot ask (no terminal)', () => {
    const r = firebreak(['--out', join(mkdtempSync(join(tmpdir(), 'fb-prov-')), 'site.yaml')].concat(['--device', 'dust-sensor@2']));
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('missing --enterprise, --gateway, --port, --mqtt-url');
  });

  it('does not overwrite a site file without --force, and keeps the old one as .bak with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prov-'));
    const out = join(dir, 'site.yaml');
    writeFileSync(out, '# the old one\n');
    const args = [...BASE, '--port', '/dev/ttyUSB0', '--device', 'dust-sensor@2', '--out', out];
    expect(firebreak(args).code).toBe(64);
    expect(readFileSync(out, 'utf8')).toBe('# the old one\n');
    expect(firebreak([...args, '--force']).code).toBe(0);
    expect(readFileSync(`${out}.bak`, 'utf8')).toBe('# the old one\n');
  });

  it('writes the MQTT password from the environment to a 0600 file, never into the site file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prov-'));
    const out = join(dir, 'site.yaml');
    const r = firebreak([...BASE, '--mqtt-username', 'gw01', '--port', '/dev/ttyUSB0', '--device', 'dust-sensor@2', '--out', out], { FIREBREAK_MQTT_PASSWORD: 's3cret-pw' });
    expect(r.code).toBe(0);
    const c = loaded(out);
    expect(c.uplink?.mqtt?.username).toBe('gw01');
    expect(c.uplink?.mqtt?.passwordFile).toBe(join(dir, 'secrets/mqtt-password'));
    expect(readFileSync(join(dir, 'secrets/mqtt-password'), 'utf8')).toBe('s3cret-pw\n');
    expect(statSync(join(dir, 'secrets/mqtt-password')).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).not.toContain('s3cret-pw');
  });

  it.skipIf(!hasOpenssl)('makes the client key (0600) and a CSR naming the gateway and the enterprise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-prov-'));
    const out = join(dir, 'site.yaml');
    const r = firebreak(['--enterprise', '91130100MA0EXAMPLE', '--gateway', 'GW-SANDING-01', '--mqtt-url', 'mqtts://platform.example:8883', '--tls', '--port', '/dev/ttyUSB0', '--device', 'dust-sensor@2', '--out', out, '--no-ip-allow']);
    // platform.example does not resolve: --no-ip-allow leaves out the drop-in and its warning
    expect(r.stderr).toBe('');
    expect(existsSync(join(dir, 'firebreak.service.d'))).toBe(false);
    expect(r.code).toBe(0);
    const key = join(dir, 'tls/gateway.key');
    const csr = join(dir, 'tls/gateway.csr');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const v = spawnSync('openssl', ['req', '-in', csr, '-noout', '-verify', '-subject'], { encoding: 'utf8' });
    expect(v.status).toBe(0);
    expect(v.stdout + v.stderr).toMatch(/CN\s*=\s*GW-SANDING-01, O\s*=\s*91130100MA0EXAMPLE/);
    // the CSR is for this key
    const pubOfKey = spawnSync('openssl', ['pkey', '-in', key, '-pubout'], { encoding: 'utf8' }).stdout;
    const pubOfCsr = spawnSync('openssl', ['req', '-in', csr, '-noout', '-pubkey'], { encoding: 'utf8' }).stdout;
    expect(pubOfCsr).toBe(pubOfKey);
    expect(loaded(out).uplink?.mqtt?.tls).toEqual({ cert: join(dir, 'tls/gateway.pem'), key });
    expect(r.stdout).toContain('send it to the platform operator');
  });

  it('refuses --tls with a plain mqtt:// address', () => {
    const r = firebreak([...BASE, '--tls', '--port', '/dev/ttyUSB0', '--device', 'dust-sensor@2', '--out', join(mkdtempSync(join(tmpdir(), 'fb-prov-')), 'site.yaml')]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--tls needs an mqtts:// platform address');
  });
});

describe('device templates', () => {
  it('are all listed by --list-templates with a title', async () => {
    const r = firebreak(['--list-templates']);
    const names = [...(await loadTemplates()).keys()];
    expect(names).toEqual(expect.arrayContaining(['dp-transmitter', 'dust-sensor', 'ai4-ma', 'temperature-module', 'gas-detector-4']));
    for (const n of names) expect(r.stdout).toContain(n);
  });
});

describe('firebreak provision on a terminal', () => {
  it('asks for what the flags do not give, devices included', async () => {
    const { provisionCommand } = await import('../../agent/cli/provision.js');
    const dir = mkdtempSync(join(tmpdir(), 'fb-prov-'));
    const out = join(dir, 'site.yaml');
    const questions: string[] = [];
    const answers = ['91130100MA0EXAMPLE', 'GW-ASKED-01', '示例车间', '/dev/ttyUSB1', '', '', 'dp-transmitter', '1', 'gas-detector-4', '7', '', 'mqtt://127.0.0.1:1883', '', ''];
    const asker = {
      ask: async (q: string, fallback?: string) => {
        questions.push(q);
        const a = answers.shift();
        if (a === undefined) throw new Error(`unexpected question: ${q}`);
        return a || fallback || '';
      },
      close: () => undefined,
    };
    const lines: string[] = [];
    const code = await provisionCommand(['--out', out, '--buffer-path', join(dir, 'b.db')], (l) => lines.push(l), (l) => lines.push(l), asker);
    expect(lines.join('\n')).toContain('wrote');
    expect(code).toBe(0);
    expect(questions[0]).toBe('Enterprise unified social credit code (统一社会信用代码)');
    expect(answers).toEqual([]);
    const c = loaded(out);
    expect(c.site).toMatchObject({ gateway: 'GW-ASKED-01', name: '示例车间' });
    expect(c.buses[0]).toMatchObject({ port: '/dev/ttyUSB1', baudRate: 9600, parity: 'none' });
    expect(c.devices.map((d) => `${d.id}@${d.unitId}`)).toEqual(['dc1@1', 'gas1@7']);
    expect(c.uplink?.mqtt?.passwordFile).toBeUndefined();
  });
});
