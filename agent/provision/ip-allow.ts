/**
 * The systemd drop-in that limits the agent's IP traffic (issue #14): `IPAddressDeny=any`, then
 * allowed back localhost, link-local, the gateway's own LAN subnets (the operator page is served
 * to phones and the panel there, and inbound connections pass the same filter) and the addresses
 * of the MQTT broker and the Hebei platform named in the site file, resolved now. systemd cannot
 * filter by name, so a broker that moves needs `firebreak provision` again.
 */
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/** Every address a name resolves to; throws when it does not resolve. */
export type Resolve = (host: string) => Promise<string[]>;

export interface IpAllowOptions {
  resolve?: Resolve;
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Name servers the agent asks when a host is a name (default: /etc/resolv.conf). */
  nameservers?: () => string[];
}

export interface IpAllowSite {
  uplink?: { mqtt?: { url: string }; hebei?: { baseUrl: string } };
}

export interface IpAllowDropIn {
  text: string;
  warnings: string[];
}

// getaddrinfo with no network can wait for the resolver's own retries; provisioning should not
const RESOLVE_TIMEOUT_MS = 5000;

export const resolveHost: Resolve = async (host) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${RESOLVE_TIMEOUT_MS / 1000} s`)), RESOLVE_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([lookup(host, { all: true }), timeout]);
    return found.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
};

export function resolvConfNameservers(file = '/etc/resolv.conf'): string[] {
  try {
    return [...readFileSync(file, 'utf8').matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!.replace(/%.*$/, '')).filter((a) => isIP(a) !== 0);
  } catch {
    return [];
  }
}

/** The host of an mqtt(s):// or http(s):// URL, without IPv6 brackets. */
function hostOf(url: string): string | undefined {
  try {
    const h = new URL(url).hostname;
    return h.startsWith('[') ? h.slice(1, -1) : h;
  } catch {
    return undefined;
  }
}

/** 192.168.1.23/24 → 192.168.1.0/24, fd00::5/64 → fd00::/64 (systemd matches on the prefix either way; this reads as the subnet). */
export function subnetOf(cidr: string): string {
  const [addr, len] = cidr.split('/') as [string, string];
  const bits = Number(len);
  if (isIP(addr) === 4) {
    const n = addr.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const masked = bits === 0 ? 0 : Number((BigInt(n) >> BigInt(32 - bits)) << BigInt(32 - bits));
    return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${bits}`;
  }
  const [head, tail = ''] = addr.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  let v = groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
  v = (v >> BigInt(128 - bits)) << BigInt(128 - bits);
  const out = Array.from({ length: 8 }, (_, i) => ((v >> BigInt(16 * (7 - i))) & 0xffffn).toString(16));
  return `${out.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}/${bits}`;
}

function lanSubnets(ifaces: NodeJS.Dict<NetworkInterfaceInfo[]>): { name: string; subnet: string }[] {
  const seen = new Set<string>();
  const out: { name: string; subnet: string }[] = [];
  for (const [name, list] of Object.entries(ifaces)) {
    for (const a of list ?? []) {
      // loopback and link-local are already allowed by their keywords
      if (a.internal || !a.cidr || a.address.startsWith('169.254.') || /^fe80:/i.test(a.address)) continue;
      const subnet = subnetOf(a.cidr);
      if (seen.has(subnet)) continue;
      seen.add(subnet);
      out.push({ name, subnet });
    }
  }
  return out;
}

export async function ipAllowDropIn(site: IpAllowSite, siteFile: string, opts: IpAllowOptions = {}): Promise<IpAllowDropIn> {
  const resolve = opts.resolve ?? resolveHost;
  const warnings: string[] = [];
  const lines: string[] = [
    `# Written by \`firebreak provision\` from ${siteFile} (issue #14: the agent talks to no one else).`,
    '# systemd filters by address, not by name: when the broker or the platform moves, run',
    '# `firebreak provision` again (or edit this file), then `systemctl daemon-reload` and',
    '# `systemctl restart firebreak`. Without this file the unit runs unfiltered.',
    '[Service]',
    '# Everything not allowed below is dropped, inbound and outbound.',
    'IPAddressDeny=any',
    '# localhost: systemd-resolved on 127.0.0.53, a broker on the gateway itself.',
    '# link-local: a panel or laptop cabled straight to the gateway (169.254/16, fe80::/64).',
    'IPAddressAllow=localhost link-local',
  ];

  const lan = lanSubnets((opts.interfaces ?? networkInterfaces)());
  if (lan.length > 0) {
    lines.push('# The plant LAN: the operator page is served to phones and the panel there, and inbound');
    lines.push('# connections pass the same filter. Subnets of this gateway\'s interfaces at provisioning:');
    lines.push(`# ${lan.map((l) => `${l.name} ${l.subnet}`).join(', ')}.`);
    lines.push(`IPAddressAllow=${lan.map((l) => l.subnet).join(' ')}`);
  } else warnings.push('no LAN interface with an address: the operator page is reachable on localhost only until `firebreak provision` runs again with the network up');

  const uplinks: { what: string; key: string; url: string }[] = [];
  if (site.uplink?.mqtt) uplinks.push({ what: 'MQTT broker', key: 'uplink.mqtt.url', url: site.uplink.mqtt.url });
  if (site.uplink?.hebei) uplinks.push({ what: 'Hebei platform', key: 'uplink.hebei.baseUrl', url: site.uplink.hebei.baseUrl });
  let byName = false;
  for (const u of uplinks) {
    const host = hostOf(u.url);
    if (!host) continue;
    if (isIP(host) !== 0) {
      lines.push(`# The ${u.what} (${u.key}: ${u.url}).`);
      lines.push(`IPAddressAllow=${host}`);
      continue;
    }
    byName = true;
    let addrs: string[];
    try {
      addrs = [...new Set(await resolve(host))].filter((a) => isIP(a) !== 0);
      if (addrs.length === 0) throw new Error('no address');
    } catch (e) {
      warnings.push(`${u.key}: ${host} does not resolve (${(e as Error).message}); the agent cannot reach the ${u.what} until \`firebreak provision\` runs again where it resolves, or its address is added to the drop-in`);
      lines.push(`# The ${u.what} (${u.key}: ${u.url}): ${host} did not resolve at provisioning, so it is`);
      lines.push('# not allowed: run `firebreak provision` again, or add its address here.');
      continue;
    }
    lines.push(`# The ${u.what} (${u.key}: ${u.url}), ${host} as resolved at provisioning.`);
    lines.push(`IPAddressAllow=${addrs.join(' ')}`);
  }

  if (byName) {
    const servers = (opts.nameservers ?? resolvConfNameservers)();
    if (servers.length > 0) {
      lines.push('# The name servers of /etc/resolv.conf: the agent looks the names above up again at run time.');
      lines.push(`IPAddressAllow=${servers.join(' ')}`);
    }
  }
  return { text: `${lines.join('\n')}\n`, warnings };
}
