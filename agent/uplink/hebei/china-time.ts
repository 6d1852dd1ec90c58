/** The province wants China local time without a zone: UTC+8 all year (no DST since 1991), whatever the machine's TZ. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

const two = (n: number) => String(n).padStart(2, '0');

/** `yyyy-MM-dd HH:mm:ss` in UTC+8 */
export function chinaTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}
