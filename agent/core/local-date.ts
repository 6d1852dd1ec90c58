/** Dates as the site's wall clock reads them (the site file's `site.timezone`, China's by default). */

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** 2026-12-02: the local date of `t`, for record ids and printed dates. */
export function localDate(t: number, timeZone = DEFAULT_TIME_ZONE): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}

/** The next record id of a day: PREFIX-20261202-003, after `taken` ids of that day. */
export function dayId(kind: string, t: number, taken: number, timeZone?: string): string {
  return `${dayPrefix(kind, t, timeZone)}${String(taken + 1).padStart(3, '0')}`;
}

export function dayPrefix(kind: string, t: number, timeZone?: string): string {
  return `${kind}-${localDate(t, timeZone).replaceAll('-', '')}-`;
}

/** A local date and minute of the day (month 1..12). */
export interface Wall {
  y: number;
  m: number;
  d: number;
  /** minutes since local midnight */
  min: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The one formatter of a time zone that wallOf() and instantOf() read with. */
export function wallFormat(timeZone = DEFAULT_TIME_ZONE): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })));
  return f;
}

/** What the site's wall clock reads at `t`. */
export function wallOf(t: number, fmt: Intl.DateTimeFormat): Wall {
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(t)) parts[p.type] = p.value;
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), min: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** The instant a local wall time names (a day or minute past its end rolls over); in a DST gap, the instant after it. */
export function instantOf(w: Wall, fmt: Intl.DateTimeFormat): number {
  const offset = (t: number) => {
    const l = wallOf(t, fmt);
    return Date.UTC(l.y, l.m - 1, l.d, 0, l.min) - Math.floor(t / 60_000) * 60_000;
  };
  const naive = Date.UTC(w.y, w.m - 1, w.d, 0, w.min);
  return naive - offset(naive - offset(naive));
}
