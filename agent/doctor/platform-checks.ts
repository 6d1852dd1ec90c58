/**
 * The site file, the clock and the platform: the file must load as `firebreak run` loads it; the
 * clock must be synchronised (a Pi has no RTC); and the platform must accept a real MQTT CONNECT
 * with the site's address and credentials, under a client id of its own so the running agent's
 * session is not taken over.
 */
import { access } from 'node:fs/promises';
import { loadSiteFile, formatProblem } from '../config/load.js';
import type { MqttConfig, SiteConfig } from '../config/schema.js';
import { connectOptions } from '../uplink/connect-options.js';
import { fail, ok, skip, warn, type CheckResult, type DoctorCheck, type DoctorInputs } from './types.js';

export async function siteCheck(i: DoctorInputs): Promise<{ result: CheckResult; config?: SiteConfig }> {
  const r = await loadSiteFile(i.siteFile);
  if (!r.ok) {
    const first = r.problems[0]!;
    return {
      result: fail(
        `${i.siteFile}: ${r.problems.length} problem(s), first: ${formatProblem(first)}`,
        r.problems.length === 1 && first.path === '' && /cannot read/.test(first.message)
          ? `sudo firebreak provision --out ${i.siteFile}`
          : `firebreak check ${i.siteFile} lists them all; edit the file and run doctor again`,
      ),
    };
  }
  const c = r.config;
  const points = c.devices.reduce((n, d) => n + d.points.length, 0);
  return { result: ok(`${i.siteFile}: ${c.site.gateway}, ${c.devices.length} device(s), ${points} point(s)`), config: c };
}

export const clockCheck: DoctorCheck = {
  id: 'clock',
  title: 'clock',
  async run(i) {
    const synced = await i.syncProbe.isSynchronized();
    if (synced === true) return ok('synchronised (NTP)');
    const fix = 'sudo timedatectl set-ntp true, and let it reach an NTP server (NTP=ntp.aliyun.com or the platform\'s in /etc/systemd/timesyncd.conf)';
    if (synced === false) return fail('not synchronised: samples would carry tq "unsynced" and the platform may reject them', fix);
    return warn('cannot tell (neither timedatectl nor chronyc answered)', fix);
  },
};

export type ConnectOutcome = { ok: true } | { ok: false; reason: string; code?: string | number };

/** One CONNECT to the platform, closed at once; never longer than timeoutMs. */
export async function tryConnect(config: MqttConfig, clientId: string, timeoutMs: number): Promise<ConnectOutcome> {
  const { connect } = await import('mqtt');
  let opts;
  try {
    opts = await connectOptions(config, clientId, { topic: `${config.topicPrefix}/doctor`, payload: '' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, reason: `cannot read ${e.path ?? 'a credential file'} (${e.code ?? e.message})`, code: 'FILE' };
  }
  // a check must not leave a will message or a retained state behind
  delete opts.will;
  return new Promise((resolve) => {
    const client = connect(config.url, { ...opts, connectTimeout: timeoutMs, reconnectPeriod: 0 });
    const done = (o: ConnectOutcome) => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      resolve(o);
    };
    const timer = setTimeout(() => done({ ok: false, reason: `no answer within ${timeoutMs} ms`, code: 'TIMEOUT' }), timeoutMs);
    client.once('connect', () => done({ ok: true }));
    client.once('error', (err: Error & { code?: string | number }) => done({ ok: false, reason: err.message, code: err.code }));
    client.once('close', () => done({ ok: false, reason: 'connection closed before CONNACK', code: 'CLOSED' }));
  });
}

export const platformCheck: DoctorCheck = {
  id: 'platform',
  title: 'platform',
  async run(i, config) {
    if (!config) return skip('site file not valid');
    const mqtt = config.uplink?.mqtt;
    if (!mqtt) return ok('no uplink in the site file: the gateway buffers only');
    if (mqtt.tls?.cert) {
      try {
        await access(mqtt.tls.cert);
      } catch {
        return fail(`no client certificate at ${mqtt.tls.cert}`, `send ${mqtt.tls.cert.replace(/\.pem$/, '.csr')} to the platform operator and put the signed certificate at ${mqtt.tls.cert}`);
      }
    }
    const where = safeUrl(mqtt.url);
    const r = await tryConnect(mqtt, `${config.site.gateway}-doctor`, i.mqttTimeoutMs);
    if (r.ok) return ok(`${where} accepted ${mqtt.username ? `user ${mqtt.username}` : 'the connection'}${mqtt.tls?.cert ? ' with the client certificate' : ''}`);
    const code = r.code;
    if (code === 4 || code === 5 || code === 134 || code === 135)
      return fail(`${where} refused the credentials (${r.reason})`, `check uplink.mqtt.username and the password in ${mqtt.passwordFile ?? 'uplink.mqtt.passwordFile (none set)'} with the platform operator`);
    if (code === 'FILE') return fail(`${where}: ${r.reason}`, 'run firebreak provision again, or fix the path in uplink.mqtt');
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail(`${where}: name not found (${r.reason})`, 'check uplink.mqtt.url and the gateway\'s DNS (cat /etc/resolv.conf)');
    if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(code))
      return fail(`${where}: TLS failed (${r.reason})`, 'check uplink.mqtt.tls.ca is the platform\'s CA and the clock is right (a certificate is not yet valid on a clock in 1970)');
    return fail(`${where} not reachable (${r.reason})`, `check the address and port in uplink.mqtt.url, the 4G/Ethernet link, and that the site firewall lets ${where} out`);
  },
};

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return url;
  }
}
