/**
 * The answers of `firebreak provision` → a site file: buses, devices from templates, the
 * platform connection, the buffer, the operator page and the local feed. The text is checked by
 * the same loader `firebreak run` uses before anything is written.
 */
import { Document } from 'yaml';
import { parseSiteText, formatProblem } from '../config/load.js';
import { instantiate, type DeviceTemplate } from './templates.js';

export interface BusAnswer {
  id: string;
  port: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
}

export interface DeviceAnswer {
  template: string;
  id: string;
  bus: string;
  unitId: number;
  name?: string;
}

export interface ProvisionAnswers {
  enterprise: string;
  gateway: string;
  name?: string;
  buses: BusAnswer[];
  devices: DeviceAnswer[];
  mqtt?: {
    url: string;
    username?: string;
    passwordFile?: string;
    tls?: { ca?: string; cert?: string; key?: string };
  };
  bufferPath: string;
  hmiListen?: string;
  feedSocket?: string;
}

export function buildSite(a: ProvisionAnswers, templates: Map<string, DeviceTemplate>): Record<string, unknown> {
  const devices = a.devices.map((d) => {
    const t = templates.get(d.template);
    if (!t) throw new Error(`no device template ${d.template} (have: ${[...templates.keys()].join(', ')})`);
    return instantiate(t, d);
  });
  return {
    version: 1,
    site: { enterprise: a.enterprise, gateway: a.gateway, ...(a.name ? { name: a.name } : {}), timezone: 'Asia/Shanghai', locale: 'zh-CN' },
    buses: a.buses.map((b) => ({ id: b.id, port: b.port, baudRate: b.baudRate, parity: b.parity, timeoutMs: 200, retries: 1 })),
    devices,
    ...(a.mqtt ? { uplink: { mqtt: { url: a.mqtt.url, topicPrefix: 'firebreak/v1', ...strip(a.mqtt, ['username', 'passwordFile', 'tls']) } } } : {}),
    buffer: { path: a.bufferPath, maxBytes: '1GiB', keepSentHours: 168 },
    ...(a.hmiListen ? { hmi: { listen: a.hmiListen } } : {}),
    ...(a.feedSocket ? { feed: { socket: a.feedSocket } } : {}),
  };
}

function strip<T extends object>(o: T, keys: (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** YAML text with a header saying where it came from; throws with every problem if invalid. */
export function renderSite(site: Record<string, unknown>, header: string): string {
  const doc = new Document(site);
  doc.commentBefore = header;
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: true });
  const check = parseSiteText(text);
  if (!check.ok) throw new Error(`the site file would not load:\n${check.problems.map(formatProblem).join('\n')}`);
  return text;
}
