/**
 * Choosing the GPIO backend. The simulator takes over only when the site file or a flag asks
 * for it: on a gateway, missing GPIO is an error that says what to fix, never a silent twin.
 */
import type { Clock } from '../../agent/core/clock.js';
import type { Logger } from '../../agent/core/log.js';
import { SimGpio } from '../sim/gpio-sim.js';
import type { GpioBackend } from './backend.js';
import { headerChipBase } from './chip.js';
import { loadOnoff, OnoffGpioBackend } from './onoff-backend.js';

export type GpioChoice = { ok: true; backend: GpioBackend } | { ok: false; error: string };

export function selectGpioBackend(opts: {
  backend: 'auto' | 'onoff' | 'sim';
  simulate: boolean;
  chipBase?: number;
  clock: Clock;
  log: Logger;
  sysfsRoot?: string;
}): GpioChoice {
  if (opts.backend === 'sim' || opts.simulate) return { ok: true, backend: new SimGpio(opts.clock) };
  const onoff = loadOnoff();
  if (!onoff) return { ok: false, error: 'gpio: the onoff module (epoll addon) did not load; reinstall with npm ci on the gateway' };
  if (!onoff.Gpio.accessible) {
    return {
      ok: false,
      error:
        'gpio: /sys/class/gpio is not accessible: add the service user to group gpio (usermod -aG gpio firebreak), ' +
        'check that the kernel has sysfs GPIO, or run with --simulate on a machine without GPIO',
    };
  }
  const base = headerChipBase(opts.sysfsRoot, opts.chipBase);
  if (!base.ok) return { ok: false, error: `gpio: ${base.error}` };
  opts.log.info({ base: base.base, chip: base.chip?.label }, 'gpio header chip found');
  return { ok: true, backend: new OnoffGpioBackend(onoff, base.base, opts.clock, opts.log) };
}
