/**
 * Every doctor check made to fail on a gateway tree of the test's making (etc/, dev/, sys/), and
 * the fix it prints read back; then all of them passing. The platform check does a real MQTT
 * CONNECT: to mosquitto, to a closed port, and to a broker that refuses the password.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLine, runDoctor, type DoctorLine } from '../../agent/doctor/doctor.js';
import type { DoctorInputs } from '../../agent/doctor/types.js';
import { freePort, startBroker, type TestBroker } from '../helpers/broker.js';

const GiB = 1024 ** 3;

interface Tree {
  root: string;
  write(path: string, text?: string): void;
}

/** A gateway that passes every system check: user in both groups, a by-id port, GPIO, watchdog. */
function healthyTree(): Tree {
  const root = mkdtempSync(join(tmpdir(), 'fb-doctor-'));
  const write = (path: string, text = '') => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nfirebreak:x:998:998::/nonexistent:/usr/sbin/nologin\n');
  write('etc/group', 'root:x:0:\ndialout:x:20:pi,firebreak\ngpio:x:997:pi,firebreak\nfirebreak:x:998:\n');
  write('dev/serial/by-id/usb-FTDI_FT232R-if00-port0');
  write('dev/gpiochip0');
  write('dev/watchdog');
  write('sys/class/gpio/export');
  write('etc/systemd/system.conf', '[Manager]\n#RuntimeWatchdogSec=off\n');
  write('etc/systemd/system.conf.d/firebreak-watchdog.conf', '[Manager]\nRuntimeWatchdogSec=15s\n');
  return { root, write };
}

function site(tree: Tree, mqttUrl: string | undefined, extra = ''): string {
  const file = join(tree.root, 'etc/firebreak/site.yaml');
  tree.write(
    'etc/firebreak/site.yaml',
    `version: 1
site: { enterprise: "91130100MA0EXAMPLE", gateway: GW-DOCTOR-01 }
buses: [ { id: rs485a, port: /dev/serial/by-id/usb-FTDI_FT232R-if00-port0 } ]
devices:
  - { id: dc1, bus: rs485a, unitId: 1, points: [ { id: dc1.dp, kind: differential_pressure, register: { table: holding, address: 0 } } ] }
gpio:
  inputs: [ { id: fan1.run, kind: run_feedback, line: 5 } ]
  outputs: [ { id: sander1.permit, line: 26 } ]
${mqttUrl ? `uplink: { mqtt: { url: "${mqttUrl}" } }` : ''}
buffer: { path: ${join(tree.root, 'var/lib/firebreak/buffer.db')}, maxBytes: 1GiB }
${extra}`,
  );
  return file;
}

function inputs(tree: Tree, siteFile: string, over: Partial<DoctorInputs> = {}): DoctorInputs {
  return {
    root: tree.root,
    siteFile,
    user: 'firebreak',
    syncProbe: { isSynchronized: async () => true },
    statfs: async () => ({ bavail: (8 * GiB) / 4096, bsize: 4096 }),
    mqttTimeoutMs: 2000,
    ...over,
  };
}

async function check(id: string, i: DoctorInputs): Promise<DoctorLine> {
  const lines = await runDoctor(i, [id]);
  const line = lines.find((l) => l.id === id);
  if (!line) throw new Error(`no ${id} line`);
  return line;
}

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.stop();
});

describe('firebreak doctor on a healthy gateway', () => {
  it('passes every check, one line each', async () => {
    const tree = healthyTree();
    const lines = await runDoctor(inputs(tree, site(tree, broker.url)));
    expect(lines.map((l) => `${l.id}:${l.status}`)).toEqual(['site:ok', 'groups:ok', 'serial:ok', 'gpio:ok', 'clock:ok', 'platform:ok', 'disk:ok', 'watchdog:ok']);
    for (const l of lines) expect(formatLine(l)).not.toContain('\n');
  });
});

describe('each doctor check fails with its fix', () => {
  it('site file: names the first problem and points at firebreak check', async () => {
    const tree = healthyTree();
    const file = site(tree, undefined);
    tree.write('etc/firebreak/site.yaml', 'version: 1\nsite: { enterprise: X, gateway: GW1 }\nbuses: [ { id: a, port: /dev/x, parity: evn } ]\n');
    const [l] = await runDoctor(inputs(tree, file), []);
    expect(l!.status).toBe('fail');
    expect(formatLine(l!)).toContain('buses[0].parity: must be one of none, even, odd (got "evn") [line 3]');
    expect(l!.fix).toBe(`firebreak check ${file} lists them all; edit the file and run doctor again`);
  });

  it('site file missing: fix is provision', async () => {
    const tree = healthyTree();
    const [l] = await runDoctor(inputs(tree, join(tree.root, 'etc/firebreak/none.yaml')), []);
    expect(l!.fix).toBe(`sudo firebreak provision --out ${join(tree.root, 'etc/firebreak/none.yaml')}`);
  });

  it('groups: the service user is not in gpio', async () => {
    const tree = healthyTree();
    tree.write('etc/group', 'dialout:x:20:firebreak\ngpio:x:997:pi\n');
    const l = await check('groups', inputs(tree, site(tree, undefined)));
    expect(l.status).toBe('fail');
    expect(l.summary).toBe('firebreak is not in gpio');
    expect(l.fix).toBe('sudo usermod -aG gpio firebreak');
  });

  it('groups: no service user at all', async () => {
    const tree = healthyTree();
    tree.write('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n');
    const l = await check('groups', inputs(tree, site(tree, undefined)));
    expect(l.summary).toBe('no user firebreak');
    expect(l.fix).toMatch(/useradd --system .* --groups dialout,gpio firebreak/);
  });

  it('serial: the adapter is not plugged in', async () => {
    const tree = healthyTree();
    const i = inputs(tree, site(tree, undefined));
    tree.write('etc/firebreak/site.yaml', readFileSync(i.siteFile, 'utf8').replace('/dev/serial/by-id/usb-FTDI_FT232R-if00-port0', '/dev/serial/by-id/usb-CH340-port0'));
    const l = await check('serial', i);
    expect(l.status).toBe('fail');
    expect(l.summary).toBe('rs485a: /dev/serial/by-id/usb-CH340-port0 not present');
    expect(l.fix).toBe('plug in the RS-485 adapter, then ls -l /dev/serial/by-id/ and put its path in buses[0].port');
  });

  it('gpio: no GPIO on this machine for the lines the site file drives', async () => {
    const tree = healthyTree();
    const file = site(tree, undefined);
    const bare = mkdtempSync(join(tmpdir(), 'fb-doctor-bare-'));
    const l = await check('gpio', { ...inputs(tree, file), root: bare });
    expect(l.status).toBe('fail');
    expect(l.summary).toBe('no GPIO here (neither /sys/class/gpio nor /dev/gpiochip*) for 2 line(s)');
    expect(l.fix).toBe('run on the Raspberry Pi, or set gpio.backend: sim for a bench test');
  });

  it('clock: not synchronised', async () => {
    const tree = healthyTree();
    const l = await check('clock', inputs(tree, site(tree, undefined), { syncProbe: { isSynchronized: async () => false } }));
    expect(l.status).toBe('fail');
    expect(l.fix).toMatch(/^sudo timedatectl set-ntp true/);
  });

  it('platform: nothing listens at the address', async () => {
    const tree = healthyTree();
    const port = await freePort();
    const l = await check('platform', inputs(tree, site(tree, `mqtt://127.0.0.1:${port}`)));
    expect(l.status).toBe('fail');
    expect(l.summary).toMatch(new RegExp(`^mqtt://127.0.0.1:${port} not reachable \\(.*ECONNREFUSED`));
    expect(l.fix).toMatch(/^check the address and port in uplink.mqtt.url/);
  });

  it('platform: the broker refuses the credentials', async () => {
    const { Aedes } = await import('aedes');
    const { createServer } = await import('aedes-server-factory');
    const strict = await Aedes.createBroker({ authenticate: (_c, user, pw, done) => done(null, user === 'gw01' && String(pw) === 'right') });
    const server = createServer(strict) as import('node:net').Server;
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    try {
      const tree = healthyTree();
      tree.write('etc/firebreak/secrets/mqtt-password', 'wrong\n');
      const pwFile = join(tree.root, 'etc/firebreak/secrets/mqtt-password');
      const file = site(tree, undefined, `uplink: { mqtt: { url: "mqtt://127.0.0.1:${port}", username: gw01, passwordFile: ${pwFile} } }`);
      const l = await check('platform', inputs(tree, file));
      expect(l.status).toBe('fail');
      expect(l.summary).toMatch(/refused the credentials/);
      expect(l.fix).toBe(`check uplink.mqtt.username and the password in ${pwFile} with the platform operator`);
      tree.write('etc/firebreak/secrets/mqtt-password', 'right\n');
      expect((await check('platform', inputs(tree, file))).status).toBe('ok');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => strict.close(() => r()));
    }
  });

  it('platform: the signed client certificate is not installed yet', async () => {
    const tree = healthyTree();
    const tls = join(tree.root, 'etc/firebreak/tls');
    const file = site(tree, undefined, `uplink: { mqtt: { url: "mqtts://127.0.0.1:8883", tls: { cert: ${tls}/gateway.pem, key: ${tls}/gateway.key } } }`);
    const l = await check('platform', inputs(tree, file));
    expect(l.summary).toBe(`no client certificate at ${tls}/gateway.pem`);
    expect(l.fix).toBe(`send ${tls}/gateway.csr to the platform operator and put the signed certificate at ${tls}/gateway.pem`);
  });

  it('disk: too little space for the buffer budget', async () => {
    const tree = healthyTree();
    const l = await check('disk', inputs(tree, site(tree, undefined), { statfs: async () => ({ bavail: (300 * 1024 ** 2) / 4096, bsize: 4096 }) }));
    expect(l.status).toBe('fail');
    expect(l.summary).toMatch(/^300 MiB free at .*, the buffer budget needs 1\.1 GiB more$/);
    expect(l.fix).toBe('free space on that card, or lower buffer.maxBytes to at most 273 MiB');
  });

  it('watchdog: systemd does not pet the hardware watchdog', async () => {
    const tree = healthyTree();
    tree.write('etc/systemd/system.conf.d/firebreak-watchdog.conf', '[Manager]\nRuntimeWatchdogSec=off\n');
    const l = await check('watchdog', inputs(tree, site(tree, undefined)));
    expect(l.status).toBe('fail');
    expect(l.summary).toMatch(/^RuntimeWatchdogSec is off/);
    expect(l.fix).toBe('sudo install -m 644 /opt/firebreak/systemd/system.conf.d/firebreak-watchdog.conf /etc/systemd/system.conf.d/ && sudo systemctl daemon-reexec');
  });

  it('watchdog: the board has no /dev/watchdog', async () => {
    const tree = healthyTree();
    rmSync(join(tree.root, 'dev/watchdog'));
    const l = await check('watchdog', inputs(tree, site(tree, undefined)));
    expect(l.fix).toBe('add dtparam=watchdog=on to /boot/firmware/config.txt and reboot');
  });
});

describe('the firebreak doctor command', () => {
  it('prints one line per check and exits 1 when one fails', () => {
    const tree = healthyTree();
    tree.write('etc/group', 'dialout:x:20:firebreak\ngpio:x:997:\n');
    const file = site(tree, undefined);
    const cli = join(new URL('../..', import.meta.url).pathname, 'dist/agent/cli.js');
    const r = spawnSync(process.execPath, [cli, 'doctor', '--config', file, '--root', tree.root, '--check', 'groups', '--check', 'watchdog'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^ok {3}site file +.*GW-DOCTOR-01, 1 device\(s\), 1 point\(s\)$/),
      'FAIL service user       firebreak is not in gpio — fix: sudo usermod -aG gpio firebreak',
      'ok   hardware watchdog  RuntimeWatchdogSec=15s with /dev/watchdog',
      '1 check(s) failed',
    ]);
  });
});
