/** The installer's view: `firebreak check` and `firebreak run` on good and bad site files. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');

function firebreak(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function siteFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fb-cli-')), 'site.yaml');
  writeFileSync(file, text);
  return file;
}

const BAD = `version: 1
site: { enterprise: "91130100MA0EXAMPLE", gateway: GW1 }
buses: [ { id: rs485a, port: /dev/ttyUSB0, parity: evn } ]
devices:
  - { id: dc1, bus: rs485a, unitId: 1, points: [ { id: dc1.dp, kind: differential_pressure, register: { table: holding, address: 0 } } ] }
  - { id: ds1, bus: rs485a, unitId: 2, points: [ { id: ds1.conc, kind: dust_concentration, register: { table: holding, address: 70000 } } ] }
`;
const EXPECTED_LINES = ['buses[0].parity: must be one of none, even, odd (got "evn") [line 3]', 'devices[1].points[0].register.address: must be 0..65535 (got 70000) [line 6]'];

describe('firebreak check', () => {
  it('summarises the installer example in one line and exits 0', () => {
    const r = firebreak('check', join(root, 'config/site.example.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain('GW-SANDING-01');
    expect(r.stdout).toContain('2 device(s), 3 point(s)');
    // 3 reads a second of 1–2 registers: 8 + 7 or 9 bytes and two silences at 11 bits a character
    expect(r.stdout).toContain('bus rs485a load 7.8 % of 9600 baud (2 device(s), 3 reads/s; every read timing out: 248 %)');
  });

  /** `n` devices of ten holding registers each, polled every `pollMs`, on one 9600-baud bus */
  const busOf = (n: number, pollMs: number) => `version: 1
site: { enterprise: "91130100MA0EXAMPLE", gateway: GW1 }
buses: [ { id: rs485a, port: /dev/ttyUSB0, baudRate: 9600 } ]
devices:
${Array.from(
  { length: n },
  (_, i) =>
    `  - { id: d${i + 1}, bus: rs485a, unitId: ${i + 1}, pollMs: ${pollMs}, points: [ ${Array.from({ length: 10 }, (_, r) => `{ id: d${i + 1}.r${r}, kind: temperature, register: { table: holding, address: ${r} } }`).join(', ')} ] }`,
).join('\n')}
`;

  it('warns about a bus loaded above 80 %, with its numbers, and still passes it', () => {
    const r = firebreak('check', siteFile(busOf(10, 550)));
    expect(r.code).toBe(0);
    // 10 reads of 45.8 ms every 550 ms
    expect(r.stderr.trim()).toBe('warning: buses[0] (rs485a): load 83 % of 9600 baud (10 device(s), 18.2 reads/s; every read timing out: 1502 %): above 80 %, little time is left for retries and dead devices');
    expect(r.stdout).toContain('bus rs485a load 83 % of 9600 baud');
  });

  it('refuses a bus its polls would more than fill, with the numbers, and exits 78', () => {
    // the case: 100 devices at 100 ms on 9600 baud
    const r = firebreak('check', siteFile(busOf(100, 100)));
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/: 1 overloaded bus:$/);
    expect(lines[1]).toBe(
      'buses[0] (rs485a): load 4583 % of 9600 baud (100 device(s), 1000 reads/s; every read timing out: 82635 %): must be at most 100 %; poll less often, raise baudRate or split the devices over more buses',
    );
  });

  it('lists every problem, one line each, and exits 78', () => {
    const r = firebreak('check', siteFile(BAD));
    expect(r.code).toBe(78);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/2 problems:$/);
    expect(lines.slice(1)).toEqual(EXPECTED_LINES);
  });

  it('says so when the file cannot be read', () => {
    const r = firebreak('check', '/nonexistent/site.yaml');
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('cannot read /nonexistent/site.yaml (ENOENT)');
  });
});

describe('firebreak run', () => {
  it('refuses a bad site file with the same list and exit 78, never a stack trace', () => {
    const r = firebreak('run', '--config', siteFile(BAD));
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('not starting');
    for (const line of EXPECTED_LINES) expect(r.stderr).toContain(line);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('refuses to start a gateway without GPIO unless asked to simulate, and says what to fix', () => {
    const r = firebreak('run', '--config', join(root, 'config/site.example.yaml'));
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/gpio: .*(group gpio|onoff)/);
  });

  it('answers an unknown command with its usage and exit 64', () => {
    const r = firebreak('frobnicate');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('firebreak check site.yaml');
  });
});

describe('firebreak safe-state', () => {
  it('writes every output of the site file to its safe state and says so', () => {
    const r = firebreak('safe-state', '--config', join(root, 'config/demo.site.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['sander1.permit: off (safe state)', 'beacon: off (safe state)']);
  });

  it('says what to fix where GPIO is missing, with exit 69 so systemd logs it', () => {
    const r = firebreak('safe-state', '--config', join(root, 'config/site.example.yaml'));
    expect(r.code).toBe(69);
    expect(r.stderr).toContain('firebreak safe-state: gpio:');
  });
});
