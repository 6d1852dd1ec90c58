/**
 * The libgpiod tools backend without hardware: fake gpiomon, gpioget, gpioset and gpiodetect
 * first on PATH speak libgpiod v1 or v2 and log how they were called; events come with the
 * kernel's timestamps, debounce runs on a fake clock.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { FakeClock, type Timer } from '../../agent/core/clock.js';
import { waitFor } from '../helpers/wait.js';
import { GpiodGpioBackend, probeGpiod } from '../../drivers/gpio/gpiod-backend.js';
import { gpiomonArgs, gpiosetArgs, parseGpiodVersion, parseGpiomonLine } from '../../drivers/gpio/gpiod-tools.js';
import { selectGpioBackend } from '../../drivers/gpio/select.js';

const quiet = pino({ level: 'silent' });

/** A bin folder with fake tools; `events` is what gpiomon prints, one line each. */
function fakeTools(version: 1 | 2, events: string[] = [], level = '1') {
  const dir = mkdtempSync(join(tmpdir(), 'fb-gpiod-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  const v = version === 1 ? 'v1.6.3' : 'v2.1.3';
  tool('gpiomon', `if [ "$1" = "--version" ]; then echo "gpiomon (libgpiod) ${v}"; exit 0; fi\necho "$*" >> ${dir}/gpiomon.log\n${events.map((e) => `echo "${e}"`).join('\n')}\nexec sleep 1000`);
  tool('gpioget', `echo "$*" >> ${dir}/gpioget.log\necho ${level}`);
  tool('gpiodetect', 'echo "gpiochip0 [pinctrl-bcm2711] (58 lines)"; echo "gpiochip1 [raspberrypi-exp-gpio] (8 lines)"');
  tool('gpioset', `trap 'echo "released $*" >> ${dir}/gpioset.log; exit 0' TERM\necho "hold $*" >> ${dir}/gpioset.log\nsleep 1000 & wait`);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const log = (name: string) => (existsSync(join(dir, `${name}.log`)) ? readFileSync(join(dir, `${name}.log`), 'utf8').trim().split('\n') : []);
  return { dir, env, log };
}

/** a FakeClock that lists the delay of every timer armed on it: the debouncer arms one an edge */
class ArmingClock extends FakeClock {
  readonly armed: number[] = [];
  override setTimeout(fn: () => void, ms: number): Timer {
    this.armed.push(ms);
    return super.setTimeout(fn, ms);
  }
}

describe('libgpiod command lines', () => {
  it('tells v1 from v2 and builds each one\'s syntax', () => {
    expect(parseGpiodVersion('gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski')).toBe(1);
    expect(parseGpiodVersion('gpiomon (libgpiod) v2.1.3')).toBe(2);
    expect(gpiomonArgs(1, 'gpiochip0', [5, 17])).toEqual(['--format=%o %e %s %n', 'gpiochip0', '5', '17']);
    expect(gpiomonArgs(2, 'gpiochip0', [5])).toEqual(['--chip', 'gpiochip0', '--event-clock', 'realtime', '--format', '%o %e %S', '5']);
    expect(gpiosetArgs(1, 'gpiochip0', 23, true)).toEqual(['--mode=signal', 'gpiochip0', '23=1']);
    expect(gpiosetArgs(2, 'gpiochip4', 23, false)).toEqual(['--chip', 'gpiochip4', '23=0']);
  });

  it('reads v1 events (nanoseconds not zero-padded) and v2 events (1 rising, 2 falling)', () => {
    expect(parseGpiomonLine(1, '17 1 1234 5000000')).toEqual({ line: 17, rising: true, ms: 1234005 });
    expect(parseGpiomonLine(1, '17 0 1234 500000000')).toEqual({ line: 17, rising: false, ms: 1234500 });
    expect(parseGpiomonLine(2, '5 2 1782000000.250000000')).toEqual({ line: 5, rising: false, ms: 1782000000250 });
    expect(parseGpiomonLine(2, 'gpiomon: unable to request lines')).toBeUndefined();
  });

  it('finds the tools\' version and the Pi header chip by its label', () => {
    expect(probeGpiod({ env: fakeTools(1).env })).toEqual({ ok: true, major: 1, chip: 'gpiochip0' });
    expect(probeGpiod({ env: fakeTools(2).env, chip: 'gpiochip4' })).toEqual({ ok: true, major: 2, chip: 'gpiochip4' });
    const none = probeGpiod({ env: { ...process.env, PATH: '/nonexistent' } });
    expect(none).toEqual({ ok: false, error: 'gpiomon not found: apt-get install gpiod' });
  });

  it('is chosen in auto where the kernel has no sysfs GPIO but a /dev/gpiochip', () => {
    const tools = fakeTools(2);
    const devRoot = mkdtempSync(join(tmpdir(), 'fb-dev-'));
    writeFileSync(join(devRoot, 'gpiochip0'), '');
    const choice = selectGpioBackend({ backend: 'auto', simulate: false, clock: new FakeClock(), log: quiet, sysfsRoot: join(devRoot, 'no-sysfs'), devRoot, env: tools.env });
    expect(choice.ok && choice.backend.name).toBe('gpiod');
    const bare = selectGpioBackend({ backend: 'gpiod', simulate: false, clock: new FakeClock(), log: quiet, devRoot: join(devRoot, 'empty'), env: tools.env });
    expect(bare.ok).toBe(false);
    if (!bare.ok) expect(bare.error).toMatch(/no \/dev\/gpiochip/);
  });
});

describe('spark contact through gpiomon (v2, realtime stamps)', () => {
  it('reports one debounced edge at the time of the first bounce, active-low applied', async () => {
    const clock = new ArmingClock(Date.UTC(2026, 5, 21, 8, 0, 0));
    const t0 = clock.now() / 1000;
    // the contact closes (line falls: active-low) with two bounces, 2 ms apart
    const tools = fakeTools(2, [`17 2 ${t0.toFixed(3)}000000`, `17 1 ${(t0 + 0.002).toFixed(3)}000000`, `17 2 ${(t0 + 0.004).toFixed(3)}000000`]);
    const gpio = new GpiodGpioBackend({ major: 2, chip: 'gpiochip0', clock, log: quiet, env: tools.env });
    const edges: [boolean, number][] = [];
    const spark = gpio.input(17, { activeLow: true, debounceMs: 20 }, (v, t) => edges.push([v, t]));
    try {
      expect(spark.read()).toBe(false); // gpioget said 1: pulled up, contact open
      expect(tools.log('gpioget')).toEqual(['--numeric --chip gpiochip0 17']);
      await waitFor('gpiomon started', () => tools.log('gpiomon').length === 1);
      expect(tools.log('gpiomon')[0]).toBe('--chip gpiochip0 --event-clock realtime --format %o %e %S 17');
      await waitFor('the three edges at the debouncer', () => clock.armed.length === 3);
      expect(edges).toEqual([]);
      clock.advance(20);
      expect(edges).toEqual([[true, clock.now() - 20]]);
      expect(spark.read()).toBe(true);
    } finally {
      await gpio.close();
    }
  });
});

describe('gpiomon v1 (monotonic stamps)', () => {
  it('places the kernel\'s monotonic time on the wall clock', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 21, 8, 0, 0));
    const tools = fakeTools(1, ['5 1 4990 0']);
    const gpio = new GpiodGpioBackend({ major: 1, chip: 'gpiochip0', clock, log: quiet, env: tools.env, monotonicMs: () => 4_990_010 });
    const edges: [boolean, number][] = [];
    gpio.input(5, { activeLow: false, debounceMs: 0 }, (v, t) => edges.push([v, t]));
    try {
      expect(tools.log('gpioget')).toEqual(['gpiochip0 5']);
      await waitFor('gpiomon started', () => edges.length === 0 && tools.log('gpiomon').length === 1);
      // gpioget said 1 already: the rising edge repeats the level and is not news
      expect(edges).toEqual([]);
    } finally {
      await gpio.close();
    }
    const tools0 = fakeTools(1, ['5 1 4990 0'], '0');
    // the edge happened 10 ms before now on the monotonic clock (4990 s since boot)
    const gpio0 = new GpiodGpioBackend({ major: 1, chip: 'gpiochip0', clock, log: quiet, env: tools0.env, monotonicMs: () => 4_990_010 });
    gpio0.input(5, { activeLow: false, debounceMs: 0 }, (v, t) => edges.push([v, t]));
    try {
      await waitFor('the edge', () => edges.length === 1);
      expect(edges).toEqual([[true, clock.now() - 10]]);
    } finally {
      await gpio0.close();
    }
  });
});

describe('permit relay through gpioset', () => {
  it('holds the safe state from start-up, changes level by restarting gpioset, and lets go on close', async () => {
    const tools = fakeTools(1);
    const gpio = new GpiodGpioBackend({ major: 1, chip: 'gpiochip0', clock: new FakeClock(), log: quiet, env: tools.env });
    const permit = gpio.output(23, { activeLow: false, initial: false });
    await waitFor('gpioset holding the line', () => tools.log('gpioset').length === 1);
    expect(tools.log('gpioset')).toEqual(['hold --mode=signal gpiochip0 23=0']);
    permit.write(true);
    expect(permit.read()).toBe(true);
    await waitFor('gpioset restarted at the new level', () => tools.log('gpioset').length === 3);
    expect(tools.log('gpioset')).toEqual(['hold --mode=signal gpiochip0 23=0', 'released --mode=signal gpiochip0 23=0', 'hold --mode=signal gpiochip0 23=1']);
    await gpio.close();
    expect(tools.log('gpioset').at(-1)).toBe('released --mode=signal gpiochip0 23=1');
  });

  it('writes the electrical level of an active-low relay board inverted', async () => {
    const tools = fakeTools(2);
    const gpio = new GpiodGpioBackend({ major: 2, chip: 'gpiochip0', clock: new FakeClock(), log: quiet, env: tools.env });
    gpio.output(24, { activeLow: true, initial: false });
    await waitFor('gpioset holding the line', () => tools.log('gpioset').length === 1);
    expect(tools.log('gpioset')).toEqual(['hold --chip gpiochip0 24=1']);
    await gpio.close();
  });
});
