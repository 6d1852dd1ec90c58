/**
 * Serial ports an installer may mean. `SerialPort.list()` asks udev and fails (or finds nothing)
 * where udev is absent: containers, CI, minimal images. The device nodes are listed as well:
 * /dev/serial/by-id links first (stable names across reboots and re-plugging), then
 * /dev/ttyUSB*, ttyACM* and ttyAMA* not already named by a link.
 */
import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export interface CandidatePort {
  path: string;
  /** the device node a by-id link points to */
  device?: string;
  /** what udev knows about it, when it answered */
  manufacturer?: string;
}

export interface PortListing {
  ports: CandidatePort[];
  /** why SerialPort.list() gave nothing, if it failed */
  listError?: string;
}

export async function listCandidatePorts(opts: { devRoot?: string; list?: () => Promise<{ path: string; manufacturer?: string }[]> } = {}): Promise<PortListing> {
  const devRoot = opts.devRoot ?? '/dev';
  const ports: CandidatePort[] = [];
  const seen = new Set<string>();
  const add = (p: CandidatePort) => {
    const key = p.device ?? resolve(p.path);
    if (seen.has(key)) return;
    seen.add(key);
    ports.push(p);
  };
  const byId = join(devRoot, 'serial', 'by-id');
  for (const name of safeReaddir(byId).sort()) add({ path: join(byId, name), device: resolve(join(byId, name)) });
  for (const name of safeReaddir(devRoot).filter((n) => /^tty(USB|ACM|AMA)\d+$/.test(n)).sort(byNumber)) add({ path: join(devRoot, name) });
  let listError: string | undefined;
  try {
    const list = opts.list ?? (async () => (await import('serialport')).SerialPort.list());
    for (const p of await list()) {
      const known = ports.find((c) => (c.device ?? resolve(c.path)) === resolve(p.path));
      if (known) known.manufacturer ??= p.manufacturer;
      else add({ path: p.path, manufacturer: p.manufacturer });
    }
  } catch (err) {
    listError = (err as Error).message;
  }
  return { ports, listError };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function resolve(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function byNumber(a: string, b: string): number {
  const na = /\D+(\d+)$/.exec(a);
  const nb = /\D+(\d+)$/.exec(b);
  return a.replace(/\d+$/, '').localeCompare(b.replace(/\d+$/, '')) || Number(na?.[1]) - Number(nb?.[1]);
}
