/**
 * `firebreak provision`: from the installer's answers (flags for scripted installs, questions on
 * a terminal for the rest) to /etc/firebreak/site.yaml, the MQTT password file, and the gateway's
 * client key and certificate signing request. docs/INSTALL.md walks through it.
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { EX_CONFIG, EX_USAGE } from '../core/exit-codes.js';
import { formatProblem, parseSiteText } from '../config/load.js';
import { ipAllowDropIn, type IpAllowOptions } from '../provision/ip-allow.js';
import { readScanResults, type ScanEntry } from '../provision/scan-results.js';
import { buildSite, renderSite, type BusAnswer, type DeviceAnswer, type ProvisionAnswers } from '../provision/site-builder.js';
import { defaultTemplateDir, loadTemplates, type DeviceTemplate } from '../provision/templates.js';
import { COMMANDS } from './commands.js';
import { lookupUser, newPrivateKeyPem, writeCsr, writeSecret, type KeyType } from '../provision/keys.js';

const OPTIONS = COMMANDS.provision.flags;

type Out = (line: string) => void;

interface Asker {
  ask(question: string, fallback?: string): Promise<string>;
  close(): void;
}

function terminalAsker(): Asker | undefined {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return {
    async ask(q, fallback) {
      const a = (await rl.question(`${q}${fallback ? ` [${fallback}]` : ''}: `)).trim();
      return a || fallback || '';
    },
    close: () => rl.close(),
  };
}

export async function provisionCommand(args: string[], out: Out, err: Out, asker: Asker | undefined = terminalAsker(), net: IpAllowOptions = {}): Promise<number> {
  try {
    return await provision(args, out, err, asker, net);
  } finally {
    asker?.close();
  }
}

async function provision(args: string[], out: Out, err: Out, asker: Asker | undefined, net: IpAllowOptions): Promise<number> {
  const { values: v } = parseArgs({ args, options: OPTIONS });
  const templates = await loadTemplates(v.templates ?? defaultTemplateDir());
  if (v['list-templates']) {
    for (const t of templates.values()) out(`${t.template.padEnd(20)} ${t.title}  (${t.file})`);
    return 0;
  }

  // the broker moved, the LAN changed: the drop-in again from the site file as it is now
  if (v['ip-allow-only']) {
    const siteFile = resolve(v.out ?? '/etc/firebreak/site.yaml');
    let text: string;
    try {
      text = await readFile(siteFile, 'utf8');
    } catch (e) {
      err(`firebreak provision: cannot read ${siteFile}: ${(e as Error).message}`);
      return EX_CONFIG;
    }
    const parsed = parseSiteText(text);
    if (!parsed.ok) {
      for (const p of parsed.problems) err(`${siteFile}: ${formatProblem(p)}`);
      return EX_CONFIG;
    }
    await writeIpAllow(text, siteFile, v['ip-allow'], out, err, net);
    return 0;
  }

  const missing: string[] = [];
  const need = async (flag: string, question: string, value: string | undefined, fallback?: string): Promise<string> => {
    if (value !== undefined && value !== '') return value;
    if (asker) return asker.ask(question, fallback);
    if (fallback !== undefined) return fallback;
    missing.push(`--${flag}`);
    return '';
  };

  const enterprise = await need('enterprise', 'Enterprise unified social credit code (统一社会信用代码)', v.enterprise);
  const gateway = await need('gateway', 'Gateway id (e.g. GW-SANDING-01)', v.gateway);
  const name = v.name ?? (asker ? await asker.ask('Site name (optional)') : undefined);

  // The bus and its devices: from scan results, or one port with --device entries.
  let buses: BusAnswer[];
  let devices: DeviceAnswer[];
  try {
    const scan = v['from-scan'] ? await readScanResults(v['from-scan']) : undefined;
    if (scan) ({ buses, devices } = await fromScan(scan, v.device ?? [], templates, asker));
    else {
      const port = await need('port', 'RS-485 port (ls /dev/serial/by-id)', v.port, asker ? '/dev/ttyUSB0' : undefined);
      const baudRate = Number(await need('baud', 'Baud rate', v.baud, '9600'));
      const parity = (await need('parity', 'Parity (none, even, odd)', v.parity, 'none')) as BusAnswer['parity'];
      buses = [{ id: 'rs485a', port, baudRate, parity }];
      let specs = v.device ?? [];
      if (specs.length === 0 && asker) specs = await askDevices(asker, templates);
      devices = specs.map((s, i) => parseDeviceSpec(s, i, 'rs485a', templates, devicesSoFar(specs, i, templates)));
    }
  } catch (e) {
    err(`firebreak provision: ${(e as Error).message}`);
    return EX_USAGE;
  }

  const uplink = !v['no-uplink'];
  const tls = v.tls ?? false;
  const mqttUrl = uplink ? await need('mqtt-url', 'Platform MQTT address (mqtts://host:8883)', v['mqtt-url']) : undefined;
  const mqttUser = uplink ? (v['mqtt-username'] ?? (asker ? await asker.ask('Platform user name (empty for none)') : undefined)) : undefined;
  if (tls && mqttUrl && !mqttUrl.startsWith('mqtts://')) {
    err(`firebreak provision: --tls needs an mqtts:// platform address (got ${mqttUrl})`);
    return EX_USAGE;
  }
  if (missing.length > 0) {
    err(`firebreak provision: missing ${missing.join(', ')} (or run it on a terminal to be asked)`);
    return EX_USAGE;
  }

  const outFile = resolve(v.out ?? '/etc/firebreak/site.yaml');
  const etc = dirname(outFile);
  const secrets = resolve(v['secrets-dir'] ?? join(etc, 'secrets'));
  const tlsDir = join(etc, 'tls');
  const user = v.user ?? 'firebreak';
  const owner = await lookupUser(user);
  const force = v.force ?? false;
  if (!force && (await exists(outFile))) {
    err(`firebreak provision: ${outFile} exists; --force replaces it (the old one is kept as ${outFile}.bak)`);
    return EX_USAGE;
  }

  // The MQTT password: from the environment or a file, never from a flag that `ps` shows.
  let passwordFile: string | undefined;
  let password = process.env.FIREBREAK_MQTT_PASSWORD;
  if (uplink && password === undefined && !v['mqtt-password-file'] && asker) password = (await asker.ask('Platform password (empty for none)')) || undefined;
  if (v['mqtt-password-file']) passwordFile = resolve(v['mqtt-password-file']);
  else if (uplink && password) passwordFile = join(secrets, 'mqtt-password');

  const answers: ProvisionAnswers = {
    enterprise,
    gateway,
    name: name || undefined,
    buses,
    devices,
    mqtt: mqttUrl
      ? {
          url: mqttUrl,
          username: mqttUser || undefined,
          passwordFile,
          tls: tls ? { ...(v.ca ? { ca: join(tlsDir, 'ca.pem') } : {}), cert: join(tlsDir, 'gateway.pem'), key: join(tlsDir, 'gateway.key') } : undefined,
        }
      : undefined,
    bufferPath: v['buffer-path'] ?? '/var/lib/firebreak/buffer.db',
    hmiListen: v['no-hmi'] ? undefined : (v.hmi ?? '0.0.0.0:8080'),
    feedSocket: v.feed === 'off' ? undefined : (v.feed ?? '/run/firebreak/feed.sock'),
  };

  let text: string;
  try {
    const header = ` Written by \`firebreak provision\` for ${gateway} (${enterprise}).\n Edit freely: \`firebreak check ${outFile}\` lists every problem; device templates: ${defaultTemplateDir()}`;
    text = renderSite(buildSite(answers, templates), header);
  } catch (e) {
    err(`firebreak provision: ${(e as Error).message}`);
    return EX_CONFIG;
  }

  await mkdir(etc, { recursive: true });
  if (await exists(outFile)) await copyFile(outFile, `${outFile}.bak`);
  // the site file holds no secrets: readable by the service (group) and by root
  await writeFile(outFile, text, { mode: 0o640 });
  out(`wrote ${outFile}: ${devices.length} device(s) on ${buses.length} bus(es)`);

  if (passwordFile && password && !v['mqtt-password-file']) {
    await mkdir(secrets, { recursive: true, mode: 0o750 });
    await writeSecret(passwordFile, `${password}\n`, owner, true);
    out(`wrote ${passwordFile} (mode 0600${owner ? `, owner ${user}` : ''})`);
  }

  if (tls) {
    await mkdir(tlsDir, { recursive: true, mode: 0o750 });
    const keyFile = join(tlsDir, 'gateway.key');
    const csrFile = join(tlsDir, 'gateway.csr');
    if (force || !(await exists(keyFile))) {
      await writeSecret(keyFile, newPrivateKeyPem((v['key-type'] ?? 'rsa') as KeyType), owner, true);
      out(`wrote ${keyFile} (mode 0600${owner ? `, owner ${user}` : ''})`);
    } else out(`kept the existing key ${keyFile}`);
    try {
      await writeCsr(keyFile, csrFile, { gateway, enterprise });
    } catch (e) {
      err(`firebreak provision: cannot make the certificate request: ${(e as Error).message} (apt-get install openssl)`);
      return 69;
    }
    out(`wrote ${csrFile}: send it to the platform operator; put the signed certificate at ${join(tlsDir, 'gateway.pem')}`);
    if (v.ca) {
      await copyFile(v.ca, join(tlsDir, 'ca.pem'));
      out(`copied the platform CA to ${join(tlsDir, 'ca.pem')}`);
    }
  }
  if (!v['no-ip-allow']) await writeIpAllow(text, outFile, v['ip-allow'], out, err, net);
  const wroteSecret = Boolean((passwordFile && password && !v['mqtt-password-file']) || tls);
  if (!owner && wroteSecret) out(`note: no user ${user} here yet (scripts/install.sh creates it); secrets stay owned by ${process.getuid?.() === 0 ? 'root' : 'you'}`);
  out(`next: firebreak doctor --config ${outFile}`);
  return 0;
}

/** One bus per distinct port (with its line settings); a device per answering unit. */
async function fromScan(scan: ScanEntry[], specs: string[], templates: Map<string, DeviceTemplate>, asker: Asker | undefined): Promise<{ buses: BusAnswer[]; devices: DeviceAnswer[] }> {
  const buses: BusAnswer[] = [];
  const devices: DeviceAnswer[] = [];
  const byUnit = new Map<number, { template: string; id?: string }>();
  for (const s of specs) {
    const m = /^([a-z0-9-]+)(?::([A-Za-z][A-Za-z0-9_-]*))?@(\d+)$/.exec(s);
    if (!m) throw new Error(`--device ${s}: with --from-scan, write TEMPLATE[:ID]@UNIT (e.g. dp-transmitter:dc1@1)`);
    byUnit.set(Number(m[3]), { template: m[1]!, id: m[2] });
  }
  for (const e of scan) {
    let bus = buses.find((b) => b.port === e.port);
    if (!bus) {
      bus = { id: `rs485${String.fromCharCode(97 + buses.length)}`, port: e.port, baudRate: e.baudRate, parity: e.parity };
      buses.push(bus);
    } else if (bus.baudRate !== e.baudRate || bus.parity !== e.parity)
      throw new Error(`${e.port}: unit ${e.unitId} answers at ${e.baudRate} ${e.parity}, others at ${bus.baudRate} ${bus.parity}; one bus runs one setting — change the device`);
    const mapped = byUnit.get(e.unitId);
    let template = e.template ?? mapped?.template;
    if (!template && asker) template = await asker.ask(`Template for unit ${e.unitId} on ${e.port} (${[...templates.keys()].join(', ')})`);
    if (!template) throw new Error(`unit ${e.unitId} on ${e.port}: which device is it? add template to the scan entry or --device TEMPLATE@${e.unitId}`);
    const t = templates.get(template);
    if (!t) throw new Error(`unit ${e.unitId}: no device template ${template} (have: ${[...templates.keys()].join(', ')})`);
    const id = e.id ?? mapped?.id ?? nextId(t, devices);
    devices.push({ template, id, bus: bus.id, unitId: e.unitId, name: e.name });
  }
  return { buses, devices };
}

function nextId(t: DeviceTemplate, devices: DeviceAnswer[]): string {
  for (let n = 1; ; n++) {
    const id = `${t.idPrefix}${n}`;
    if (!devices.some((d) => d.id === id)) return id;
  }
}

function devicesSoFar(specs: string[], i: number, templates: Map<string, DeviceTemplate>): DeviceAnswer[] {
  return specs.slice(0, i).map((s, j) => parseDeviceSpec(s, j, 'rs485a', templates, devicesSoFar(specs, j, templates)));
}

/** TEMPLATE[:ID]@UNIT, e.g. dp-transmitter:dc1@1 or dust-sensor@2. */
function parseDeviceSpec(spec: string, _i: number, bus: string, templates: Map<string, DeviceTemplate>, before: DeviceAnswer[]): DeviceAnswer {
  const m = /^([a-z0-9-]+)(?::([A-Za-z][A-Za-z0-9_-]*))?@(\d+)$/.exec(spec);
  if (!m) throw new Error(`--device ${spec}: write TEMPLATE[:ID]@UNIT, e.g. dp-transmitter:dc1@1`);
  const t = templates.get(m[1]!);
  if (!t) throw new Error(`--device ${spec}: no device template ${m[1]} (have: ${[...templates.keys()].join(', ')})`);
  return { template: t.template, id: m[2] ?? nextId(t, before), bus, unitId: Number(m[3]) };
}

async function askDevices(asker: Asker, templates: Map<string, DeviceTemplate>): Promise<string[]> {
  const specs: string[] = [];
  const names = [...templates.keys()];
  for (;;) {
    const t = await asker.ask(`Device on the bus: template (${names.join(', ')}), empty when done`);
    if (!t) return specs;
    const unit = await asker.ask('  Modbus unit id (1..247)');
    specs.push(`${t}@${unit}`);
  }
}

async function writeIpAllow(siteText: string, siteFile: string, path: string | undefined, out: Out, err: Out, net: IpAllowOptions): Promise<void> {
  const parsed = parseSiteText(siteText);
  const dropIn = resolve(path ?? defaultDropIn(dirname(siteFile)));
  const { text, warnings } = await ipAllowDropIn(parsed.ok ? parsed.config : {}, siteFile, net);
  for (const w of warnings) err(`firebreak provision: warning: ${w}`);
  await mkdir(dirname(dropIn), { recursive: true });
  await writeFile(dropIn, text, { mode: 0o644 });
  out(`wrote ${dropIn}: IP traffic limited to localhost, the LAN and the uplinks (systemctl daemon-reload, then restart firebreak)`);
}

/**
 * <root>/etc/firebreak → <root>/etc/systemd/system/firebreak.service.d/ip-allow.conf; a site file
 * written anywhere else (a test, a staging directory) gets the drop-in beside it.
 */
function defaultDropIn(etc: string): string {
  const name = 'firebreak.service.d/ip-allow.conf';
  if (basename(etc) === 'firebreak' && basename(dirname(etc)) === 'etc') return join(dirname(etc), 'systemd/system', name);
  return join(etc, name);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
