import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerChipBase } from '../../drivers/gpio/chip.js';

/** A fake /sys/class/gpio with the chips a given board and kernel expose. */
function sysfs(chips: { name: string; label: string; base: number; ngpio: number }[]): string {
  const root = mkdtempSync(join(tmpdir(), 'fb-sysfs-'));
  writeFileSync(join(root, 'export'), '');
  for (const c of chips) {
    mkdirSync(join(root, c.name));
    writeFileSync(join(root, c.name, 'label'), `${c.label}\n`);
    writeFileSync(join(root, c.name, 'base'), `${c.base}\n`);
    writeFileSync(join(root, c.name, 'ngpio'), `${c.ngpio}\n`);
  }
  return root;
}

describe('finding BCM line 0 in sysfs', () => {
  it('uses base 0 on a Pi 4 with a kernel before 6.6', () => {
    const root = sysfs([
      { name: 'gpiochip0', label: 'pinctrl-bcm2711', base: 0, ngpio: 58 },
      { name: 'gpiochip504', label: 'raspberrypi-exp-gpio', base: 504, ngpio: 8 },
    ]);
    expect(headerChipBase(root)).toMatchObject({ ok: true, base: 0 });
  });

  it('uses base 512 on a Pi 4 with kernel 6.6 and later', () => {
    const root = sysfs([
      { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
      { name: 'gpiochip570', label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 },
    ]);
    expect(headerChipBase(root)).toMatchObject({ ok: true, base: 512 });
  });

  it('uses the RP1 chip on a Pi 5, not the SoC chip listed first', () => {
    const root = sysfs([
      { name: 'gpiochip512', label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 },
      { name: 'gpiochip544', label: 'gpio-brcmstb@107d517c00', base: 544, ngpio: 15 },
      { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571, ngpio: 54 },
    ]);
    expect(headerChipBase(root)).toMatchObject({ ok: true, base: 571 });
  });

  it('takes the site file override over what it finds', () => {
    const root = sysfs([{ name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512, ngpio: 58 }]);
    expect(headerChipBase(root, 0)).toEqual({ ok: true, base: 0 });
  });

  it('says what to fix when the kernel has no sysfs GPIO or an unknown board', () => {
    const none = headerChipBase(join(tmpdir(), 'fb-no-such-sysfs'));
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error).toMatch(/no GPIO chips/);
    const odd = headerChipBase(sysfs([{ name: 'gpiochip0', label: 'tegra-gpio', base: 0, ngpio: 200 }]));
    expect(odd.ok).toBe(false);
    if (!odd.ok) expect(odd.error).toMatch(/gpio.chipBase/);
  });
});
