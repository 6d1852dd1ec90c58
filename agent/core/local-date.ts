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
