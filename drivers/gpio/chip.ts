/**
 * Which sysfs GPIO number is BCM line 0? On kernels before 6.6 the Pi's SoC chip sat at base 0;
 * since 6.6 the dynamic range starts at 512 (Pi 4: pinctrl-bcm2711 at 512), and on a Pi 5 the
 * header lines live on the RP1 chip (pinctrl-rp1, base 571 on 6.6). onoff takes the sysfs
 * number, so we find the chip by its label instead of assuming 0.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GpioChip {
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

/** Labels of the chips that carry the 40-pin header's BCM lines, best first. */
const HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2712', 'pinctrl-bcm2711', 'pinctrl-bcm2835', 'raspberrypi-gpio'];

export function listChips(sysfsRoot = '/sys/class/gpio'): GpioChip[] {
  let names: string[];
  try {
    names = readdirSync(sysfsRoot).filter((n) => n.startsWith('gpiochip'));
  } catch {
    return [];
  }
  const read = (dir: string, file: string) => readFileSync(join(sysfsRoot, dir, file), 'utf8').trim();
  return names.flatMap((name) => {
    try {
      return [{ name, label: read(name, 'label'), base: Number(read(name, 'base')), ngpio: Number(read(name, 'ngpio')) }];
    } catch {
      return [];
    }
  });
}

export type ChipBase = { ok: true; base: number; chip?: GpioChip } | { ok: false; error: string };

/** The sysfs number of BCM line 0: the site file's override, else the header chip's base. */
export function headerChipBase(sysfsRoot = '/sys/class/gpio', override?: number): ChipBase {
  if (override !== undefined) return { ok: true, base: override };
  const chips = listChips(sysfsRoot);
  if (chips.length === 0) {
    return { ok: false, error: `no GPIO chips under ${sysfsRoot}: this kernel has no sysfs GPIO (enable it, or set gpio.backend)` };
  }
  for (const label of HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return { ok: true, base: chip.base, chip };
  }
  const seen = chips.map((c) => `${c.name} "${c.label}" base ${c.base}`).join(', ');
  return { ok: false, error: `no Raspberry Pi header GPIO chip found (${seen}); set gpio.chipBase in the site file` };
}
