/**
 * An inline SVG chart of one point over a report's shifts: each shift's min–max as a bar, its
 * mean as a dot, the point's limits as dashed lines, and the shifts with time beyond a limit in
 * red. No script, no external file: the HTML prints the same in chromium and in a browser.
 */
import { esc } from '../core/html.js';
import type { PointFigures } from './digest.js';

export interface ShiftPoint {
  label: string;
  figures: PointFigures | undefined;
}

const W = 680;
const H = 160;
const PAD = { l: 48, r: 8, t: 10, b: 22 };

export function pointChart(name: string, unit: string, limits: PointFigures['limits'], shifts: ShiftPoint[]): string {
  const values = shifts.flatMap((s) => (s.figures && s.figures.min !== null && s.figures.max !== null ? [s.figures.min, s.figures.max] : []));
  const lims = Object.values(limits).filter((x): x is number => typeof x === 'number');
  const all = [...values, ...lims];
  if (values.length === 0) return `<p class="nodata">${esc(name)}: 无数据 / no data</p>`;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) hi = lo + 1;
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const y = (v: number) => PAD.t + ((hi - v) / (hi - lo)) * (H - PAD.t - PAD.b);
  const n = shifts.length;
  const step = (W - PAD.l - PAD.r) / Math.max(1, n);
  const parts: string[] = [];
  parts.push(`<text x="4" y="${y(hi) + 10}" class="ax">${esc(fmt(hi))}</text><text x="4" y="${y(lo)}" class="ax">${esc(fmt(lo))}</text>`);
  for (const [k, v] of Object.entries(limits)) {
    if (typeof v !== 'number') continue;
    parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v)}" y2="${y(v)}" class="limit"/><text x="${W - PAD.r - 2}" y="${y(v) - 2}" text-anchor="end" class="ax">${esc(k)} ${esc(fmt(v))}</text>`);
  }
  shifts.forEach((s, i) => {
    const f = s.figures;
    const x = PAD.l + step * (i + 0.5);
    if (f && f.min !== null && f.max !== null) {
      const beyond = Object.values(f.beyondMin).some((m) => (m ?? 0) > 0);
      parts.push(`<line x1="${x}" x2="${x}" y1="${y(f.max)}" y2="${y(f.min) + 0.5}" class="${beyond ? 'bar beyond' : 'bar'}"/>`);
      if (f.mean !== null) parts.push(`<circle cx="${x}" cy="${y(f.mean)}" r="2.5" class="mean"/>`);
    }
    if (n <= 31 || i % Math.ceil(n / 31) === 0) parts.push(`<text x="${x}" y="${H - 6}" text-anchor="middle" class="ax">${esc(s.label)}</text>`);
  });
  return `<figure><figcaption>${esc(name)} (${esc(unit)})</figcaption><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(name)}">${parts.join('')}</svg></figure>`;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1);
}
