const UNITS: Record<string, number> = {
  '': 1, B: 1,
  KB: 1e3, MB: 1e6, GB: 1e9,
  KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3,
  K: 1024, M: 1024 ** 2, G: 1024 ** 3,
};

/** `1GiB`, `512 MiB`, `200MB`, or a plain number of bytes; undefined when it is not a size. */
export function parseSize(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toUpperCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}
