/**
 * The site's periods on its own wall clock (site.timezone): shifts from the digests' shift
 * table, the day from the earliest shift start, weeks from `weekStarts`, months from the 1st.
 * A period's id is its kind and its local start (S-20261202-0800, D-20261202, W-20261130,
 * M-202612), so every restart, power cut or clock step names the same period the same way.
 */
import type { DigestsConfig } from '../config/schema.js';
import { WEEKDAYS } from '../config/closed-loop.js';
import { instantOf, wallFormat, wallOf, type Wall } from '../core/local-date.js';

export type PeriodKind = 'shift' | 'day' | 'week' | 'month';

export interface Period {
  id: string;
  kind: PeriodKind;
  /** ms since the epoch, inclusive */
  from: number;
  /** ms since the epoch, exclusive */
  to: number;
  /** the shift's name, or the local date for the others */
  name: string;
}


export class Calendar {
  private readonly fmt: Intl.DateTimeFormat;
  /** shift starts in minutes after local midnight, sorted */
  private readonly shifts: { name: string; min: number }[];
  private readonly weekStart: number; // 0 = monday

  constructor(
    digests: Pick<DigestsConfig, 'shifts' | 'weekStarts'>,
    readonly timeZone = 'Asia/Shanghai',
  ) {
    this.fmt = wallFormat(timeZone);
    this.shifts = digests.shifts.map((s) => ({ name: s.name, min: Number(s.starts.slice(0, 2)) * 60 + Number(s.starts.slice(3, 5)) })).sort((a, b) => a.min - b.min);
    this.weekStart = WEEKDAYS.indexOf(digests.weekStarts);
  }

  /** minutes after local midnight at which the production day starts (the earliest shift) */
  get dayStartMin(): number {
    return this.shifts[0]!.min;
  }

  at(kind: PeriodKind, t: number): Period {
    switch (kind) {
      case 'shift':
        return this.shiftAt(t);
      case 'day':
        return this.dayAt(t);
      case 'week':
        return this.weekAt(t);
      case 'month':
        return this.monthAt(t);
    }
  }

  /** The period after this one. */
  next(p: Period): Period {
    return this.at(p.kind, p.to);
  }

  shiftAt(t: number): Period {
    const w = this.wall(t);
    // the shift running at t: the last start at or before t's local time, today or yesterday
    let day = { y: w.y, m: w.m, d: w.d };
    let i = this.shifts.findLastIndex((s) => s.min <= w.min);
    if (i < 0) {
      day = addDays(day, -1);
      i = this.shifts.length - 1;
    }
    const s = this.shifts[i]!;
    const from = this.utc({ ...day, min: s.min });
    const nextDay = i + 1 < this.shifts.length ? day : addDays(day, 1);
    const to = this.utc({ ...nextDay, min: this.shifts[(i + 1) % this.shifts.length]!.min });
    return { id: `S-${ymd(day)}-${hhmm(s.min).replace(':', '')}`, kind: 'shift', from, to, name: s.name };
  }

  dayAt(t: number): Period {
    const day = this.productionDay(t);
    return { id: `D-${ymd(day)}`, kind: 'day', from: this.utc({ ...day, min: this.dayStartMin }), to: this.utc({ ...addDays(day, 1), min: this.dayStartMin }), name: iso(day) };
  }

  weekAt(t: number): Period {
    const day = this.productionDay(t);
    const back = (weekday(day) - this.weekStart + 7) % 7;
    const first = addDays(day, -back);
    return { id: `W-${ymd(first)}`, kind: 'week', from: this.utc({ ...first, min: this.dayStartMin }), to: this.utc({ ...addDays(first, 7), min: this.dayStartMin }), name: `${iso(first)} 起一周` };
  }

  monthAt(t: number): Period {
    const day = this.productionDay(t);
    const first = { y: day.y, m: day.m, d: 1 };
    const next = day.m === 12 ? { y: day.y + 1, m: 1, d: 1 } : { y: day.y, m: day.m + 1, d: 1 };
    return { id: `M-${String(first.y)}${pad(first.m)}`, kind: 'month', from: this.utc({ ...first, min: this.dayStartMin }), to: this.utc({ ...next, min: this.dayStartMin }), name: `${first.y}年${first.m}月` };
  }

  /** Every shift that starts in [from, to). */
  shiftsIn(p: Pick<Period, 'from' | 'to'>): Period[] {
    const out: Period[] = [];
    for (let s = this.shiftAt(p.from); s.from < p.to; s = this.next(s)) if (s.from >= p.from) out.push(s);
    return out;
  }

  /** Local date and time, for reports: 2026-12-02 08:00 */
  local(t: number): string {
    const w = this.wall(t);
    return `${iso(w)} ${hhmm(w.min)}`;
  }

  /** The instant a local date and minute of the day name. */
  instant(y: number, m: number, d: number, min: number): number {
    return this.utc({ y, m, d, min });
  }

  private productionDay(t: number): { y: number; m: number; d: number } {
    const w = this.wall(t);
    const day = { y: w.y, m: w.m, d: w.d };
    return w.min < this.dayStartMin ? addDays(day, -1) : day;
  }

  private wall(t: number): Wall {
    return wallOf(t, this.fmt);
  }

  /** The instant a local wall time names; in a DST gap, the instant after it. */
  private utc(w: Wall): number {
    return instantOf(w, this.fmt);
  }
}

function addDays(day: { y: number; m: number; d: number }, n: number): { y: number; m: number; d: number } {
  const x = new Date(Date.UTC(day.y, day.m - 1, day.d + n));
  return { y: x.getUTCFullYear(), m: x.getUTCMonth() + 1, d: x.getUTCDate() };
}
/** 0 = monday */
const weekday = (day: { y: number; m: number; d: number }): number => (new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay() + 6) % 7;
const pad = (n: number): string => String(n).padStart(2, '0');
const ymd = (d: { y: number; m: number; d: number }): string => `${d.y}${pad(d.m)}${pad(d.d)}`;
const iso = (d: { y: number; m: number; d: number }): string => `${d.y}-${pad(d.m)}-${pad(d.d)}`;
const hhmm = (min: number): string => `${pad(Math.floor(min / 60))}:${pad(min % 60)}`;

