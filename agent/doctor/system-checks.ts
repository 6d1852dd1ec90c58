/**
 * What the gateway itself must offer the agent: the service user in dialout and gpio, the
 * serial ports, GPIO, the hardware watchdog, and disk space for the buffer budget.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SiteConfig } from '../config/schema.js';
import { fail, ok, skip, warn, type DoctorCheck, type DoctorInputs } from './types.js';

const under = (root: string, path: string) => join(root, path);

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n');
  } catch {
    return [];
  }
}

export const groupsCheck: DoctorCheck = {
  id: 'groups',
  title: 'service user',
  async run(i) {
    const passwd = (await readLines(under(i.root, 'etc/passwd'))).map((l) => l.split(':'));
    const user = passwd.find((f) => f[0] === i.user);
    if (!user) return fail(`no user ${i.user}`, `sudo scripts/install.sh (creates it), or: sudo useradd --system --user-group --no-create-home --shell /usr/sbin/nologin --groups dialout,gpio ${i.user}`);
    const groups = (await readLines(under(i.root, 'etc/group'))).map((l) => l.split(':'));
    const missingGroups: string[] = [];
    const notIn: string[] = [];
    for (const g of ['dialout', 'gpio']) {
      const entry = groups.find((f) => f[0] === g);
      if (!entry) missingGroups.push(g);
      else if (entry[2] !== user[3] && !(entry[3] ?? '').split(',').includes(i.user)) notIn.push(g);
    }
    if (missingGroups.length > 0)
      return fail(`no group ${missingGroups.join(', ')} on this system`, `sudo groupadd --system ${missingGroups[0]} (Raspberry Pi OS has gpio; elsewhere add a udev rule giving it /dev/gpiochip* and /sys/class/gpio)`);
    if (notIn.length > 0) return fail(`${i.user} is not in ${notIn.join(' and ')}`, `sudo usermod -aG ${notIn.join(',')} ${i.user}`);
    return ok(`${i.user} is in dialout and gpio`);
  },
};

export const serialCheck: DoctorCheck = {
  id: 'serial',
  title: 'serial ports',
  async run(i, config) {
    if (!config) return skip('site file not valid');
    const real = config.buses.filter((b) => !b.port.startsWith('sim:'));
    if (real.length === 0) return ok(config.buses.length ? 'every bus is simulated' : 'no buses in the site file');
    const absent = [];
    for (const b of real) if (!(await exists(under(i.root, b.port)))) absent.push(b);
    if (absent.length > 0) {
      const b = absent[0]!;
      return fail(`${absent.map((x) => `${x.id}: ${x.port}`).join(', ')} not present`, `plug in the RS-485 adapter, then ls -l /dev/serial/by-id/ and put its path in buses[${config.buses.indexOf(b)}].port`);
    }
    const unstable = real.filter((b) => /^\/dev\/tty(USB|ACM)\d+$/.test(b.port));
    if (unstable.length > 0)
      return warn(`${unstable.map((b) => b.port).join(', ')} present, but such names can swap at boot`, 'use the /dev/serial/by-id/... path of each adapter in buses[].port');
    return ok(`${real.map((b) => b.port).join(', ')} present`);
  },
};

export const gpioCheck: DoctorCheck = {
  id: 'gpio',
  title: 'GPIO',
  async run(i, config) {
    if (!config) return skip('site file not valid');
    const lines = (config.gpio?.inputs.length ?? 0) + (config.gpio?.outputs.length ?? 0);
    if (!config.gpio || lines === 0) return ok('no GPIO lines in the site file');
    if (config.gpio.backend === 'sim') return ok(`gpio.backend is sim: ${lines} simulated line(s)`);
    const chips = (await readdir(under(i.root, 'dev')).catch(() => [] as string[])).filter((f) => f.startsWith('gpiochip'));
    const sysfs = await exists(under(i.root, 'sys/class/gpio/export'));
    const backend: string = config.gpio.backend;
    // onoff needs sysfs GPIO; gpiod needs a /dev/gpiochip*; auto takes sysfs, else gpiochip
    if (backend === 'gpiod' && chips.length === 0)
      return fail(`gpio.backend is gpiod but there is no /dev/gpiochip*`, 'run on the Raspberry Pi, or check that the GPIO driver is loaded (ls /dev/gpiochip*)');
    if (backend === 'onoff' && !sysfs)
      return fail(
        `no /sys/class/gpio/export: the onoff backend drives ${lines} line(s) through sysfs`,
        chips.length ? `set gpio.backend: gpiod (this kernel has ${chips.join(', ')} but no sysfs GPIO)` : 'run on the Raspberry Pi, or set gpio.backend: sim for a bench test',
      );
    if (!sysfs && chips.length === 0)
      return fail(`no GPIO here (neither /sys/class/gpio nor /dev/gpiochip*) for ${lines} line(s)`, 'run on the Raspberry Pi, or set gpio.backend: sim for a bench test');
    if (backend === 'gpiod' || (!sysfs && backend === 'auto')) return ok(`${chips.join(', ')} for ${lines} line(s) (gpiod)`);
    return ok(`/sys/class/gpio and ${chips.length ? chips.join(', ') : 'no gpiochip device'} for ${lines} line(s)`);
  },
};

/** RuntimeWatchdogSec as systemd reads it: system.conf, then system.conf.d/*.conf in order, last wins. */
export async function runtimeWatchdog(root: string): Promise<string | undefined> {
  const files = [under(root, 'etc/systemd/system.conf')];
  for (const dir of ['usr/lib/systemd/system.conf.d', 'etc/systemd/system.conf.d']) {
    const names = (await readdir(under(root, dir)).catch(() => [] as string[])).filter((f) => f.endsWith('.conf'));
    files.push(...names.sort().map((n) => under(root, join(dir, n))));
  }
  let value: string | undefined;
  for (const f of files) {
    let section = '';
    for (const raw of await readLines(f)) {
      const line = raw.trim();
      if (line.startsWith('[')) section = line;
      const m = /^RuntimeWatchdogSec\s*=\s*(.*)$/.exec(line);
      if (m && section === '[Manager]') value = m[1]!.trim();
    }
  }
  return value;
}

export const watchdogCheck: DoctorCheck = {
  id: 'watchdog',
  title: 'hardware watchdog',
  async run(i) {
    const value = await runtimeWatchdog(i.root);
    const device = await exists(under(i.root, 'dev/watchdog'));
    if (!device) return fail('no /dev/watchdog: a hung kernel would not reboot the gateway', 'add dtparam=watchdog=on to /boot/firmware/config.txt and reboot');
    if (value === undefined || value === '' || value === '0' || value === 'off' || value === 'infinity')
      return fail(
        `RuntimeWatchdogSec is ${value ?? 'not set'}: systemd does not pet /dev/watchdog, so a hung kernel keeps the permit relays as they are`,
        'sudo install -m 644 /opt/firebreak/systemd/system.conf.d/firebreak-watchdog.conf /etc/systemd/system.conf.d/ && sudo systemctl daemon-reexec',
      );
    return ok(`RuntimeWatchdogSec=${value} with /dev/watchdog`);
  },
};

/** The nearest folder that exists at or above the buffer's. */
async function existingDir(path: string): Promise<string> {
  let dir = dirname(path);
  while (!(await exists(dir)) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function mib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

export const diskCheck: DoctorCheck = {
  id: 'disk',
  title: 'buffer disk',
  async run(i: DoctorInputs, config: SiteConfig | undefined) {
    if (!config) return skip('site file not valid');
    const { path, maxBytes } = config.buffer;
    const dir = await existingDir(path);
    const fs = await i.statfs(dir);
    const free = fs.bavail * fs.bsize;
    const used = await stat(path).then((s) => s.size, () => 0);
    // the budget, less what the buffer already holds, plus 10 % for SQLite's WAL and the system
    const needed = Math.max(0, maxBytes - used) * 1.1;
    if (free < needed)
      return fail(
        `${mib(free)} free at ${dirname(path)}, the buffer budget needs ${mib(needed)} more`,
        `free space on that card, or lower buffer.maxBytes to at most ${mib(Math.max(1024 ** 2, Math.floor(free / 1.1 + used)))}`,
      );
    return ok(`${mib(free)} free at ${dirname(path)} for a ${mib(maxBytes)} budget`);
  },
};
