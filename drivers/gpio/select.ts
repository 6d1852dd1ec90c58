/**
 * Choosing the GPIO backend. The simulator takes over only when the site file or a flag asks
 * for it: on a gateway, missing GPIO is an error that says what to fix, never a silent twin.
 * `auto`: onoff where sysfs GPIO exists; the libgpiod tools where the kernel has only the
 * character device (/dev/gpiochipN, e.g. kernels built without CONFIG_GPIO_SYSFS).
 */
import type { Clock } from '../clock.js';
import type { Logger } from 'pino';
import { SimGpio } from '../sim/gpio-sim.js';
import type { GpioBackend } from './backend.js';
import { headerChipBase } from './chip.js';
import { GpiodGpioBackend, hasGpioCharDev, probeGpiod, sysfsGpioPresent } from './gpiod-backend.js';
import { loadOnoff, OnoffGpioBackend } from './onoff-backend.js';

export type GpioChoice = { ok: true; backend: GpioBackend } | { ok: false; error: string };

export function selectGpioBackend(opts: {
  backend: 'auto' | 'onoff' | 'gpiod' | 'sim';
  simulate: boolean;
  chipBase?: number;
  /** gpiod: the chip carrying the lines (default: found by label with gpiodetect) */
  chip?: string;
  clock: Clock;
  log: Logger;
  sysfsRoot?: string;
  devRoot?: string;
  /** environment for the libgpiod tools */
  env?: NodeJS.ProcessEnv;
}): GpioChoice {
  if (opts.backend === 'sim' || opts.simulate) return { ok: true, backend: new SimGpio(opts.clock) };
  if (opts.backend === 'gpiod') return selectGpiod(opts);
  if (opts.backend === 'auto' && !sysfsGpioPresent(opts.sysfsRoot) && hasGpioCharDev(opts.devRoot)) return selectGpiod(opts);
  const onoff = loadOnoff();
  if (!onoff) return { ok: false, error: 'gpio: the onoff module (epoll addon) did not load; reinstall with npm ci on the gateway' };
  if (!onoff.Gpio.accessible) {
    return {
      ok: false,
      error:
        'gpio: /sys/class/gpio is not accessible: add the service user to group gpio (usermod -aG gpio firebreak), ' +
        'check that the kernel has sysfs GPIO (or install gpiod and set gpio.backend: gpiod), or run with --simulate on a machine without GPIO',
    };
  }
  const base = headerChipBase(opts.sysfsRoot, opts.chipBase);
  if (!base.ok) return { ok: false, error: `gpio: ${base.error}` };
  opts.log.info({ base: base.base, chip: base.chip?.label }, 'gpio header chip found');
  return { ok: true, backend: new OnoffGpioBackend(onoff, base.base, opts.clock, opts.log) };
}

function selectGpiod(opts: Parameters<typeof selectGpioBackend>[0]): GpioChoice {
  if (!hasGpioCharDev(opts.devRoot)) return { ok: false, error: `gpio: no /dev/gpiochip* on this machine: no GPIO to drive (or run with --simulate)` };
  const probe = probeGpiod({ env: opts.env, chip: opts.chip });
  if (!probe.ok) return { ok: false, error: `gpio (gpiod): ${probe.error}` };
  opts.log.info({ chip: probe.chip, libgpiod: probe.major }, 'gpio through the libgpiod tools');
  return { ok: true, backend: new GpiodGpioBackend({ major: probe.major, chip: probe.chip, clock: opts.clock, log: opts.log, env: opts.env }) };
}
