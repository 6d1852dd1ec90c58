/**
 * Every mapped point's state at a period boundary, rebuilt from the buffered samples through the
 * destination's own cursor, so periods missed during an outage can be sent afterwards in order
 * (断网续传). The state of a point at boundary b is its newest sample with t <= b. Folding is
 * idempotent (a sample replaces the state only if it is at least as new), so a restart may read
 * a message again without harm.
 */
import type { Cursor } from '../../buffer/cursor.js';
import type { Sample } from '../../core/types.js';
import type { PeriodValue } from './province.js';

export interface RollupPoint {
  /** how old a value may be at a boundary and still be reported; none for contacts, which report only on change */
  maxAgeMs?: number;
}

interface Ahead {
  seq: number;
  createdMs: number;
  /** samples of mapped points not yet folded (t after the boundary reached so far) */
  rest: Sample[];
}

/** data messages read per query */
const READ_AHEAD = 64;

export class PeriodRollup {
  private readonly state = new Map<string, Sample>();
  private readonly ahead: Ahead[] = [];
  private readFrom: number;
  private lastCreated = -Infinity;
  private exhausted = false;

  constructor(
    private readonly cursor: Cursor,
    private readonly nextSeq: () => number,
    private readonly points: ReadonlyMap<string, RollupPoint>,
    initial: Record<string, Sample> = {},
  ) {
    for (const [p, s] of Object.entries(initial)) if (points.has(p)) this.state.set(p, s);
    this.readFrom = cursor.firstPending('data');
  }

  /** a current value from outside (the plant's point table at first start) */
  seed(samples: Sample[]): void {
    for (const s of samples) this.fold(s);
  }

  /**
   * Fold every buffered sample with t <= b. Messages are read until one committed later than
   * b + graceMs: a sample older than b committed even later is folded into a later period.
   */
  async advanceTo(b: number, graceMs: number): Promise<void> {
    this.exhausted = false;
    for (;;) {
      this.applyAhead(b);
      if (this.lastCreated > b + graceMs) return;
      const before = this.nextSeq();
      const got = this.readFrom < before ? await this.cursor.readPending('data', this.readFrom, before, READ_AHEAD) : [];
      if (got.length === 0) {
        this.readFrom = Math.max(this.readFrom, before);
        this.exhausted = true;
        return;
      }
      for (const m of got) {
        if (m.stream !== 'data') continue;
        this.ahead.push({ seq: m.seq, createdMs: m.createdMs, rest: m.samples.filter((s) => this.points.has(s.p)) });
        this.lastCreated = Math.max(this.lastCreated, m.createdMs);
      }
      this.readFrom = got[got.length - 1]!.seq + 1;
    }
  }

  /** the values to report at b: good or uncertain, not null, and not older than the point allows */
  valuesAt(b: number): PeriodValue[] {
    const out: PeriodValue[] = [];
    for (const [p, point] of this.points) {
      const s = this.state.get(p);
      if (!s || s.v === null || (s.q !== 'good' && s.q !== 'uncertain')) continue;
      if (point.maxAgeMs !== undefined && b - s.t > point.maxAgeMs) continue;
      out.push({ p, t: s.t, v: s.v, q: s.q });
    }
    return out;
  }

  /** whether b's values are worth a request: some point that reports periodically is fresh (or only contacts are mapped) */
  worthSending(values: PeriodValue[]): boolean {
    const periodic = [...this.points.values()].some((p) => p.maxAgeMs !== undefined);
    if (!periodic) return values.length > 0;
    return values.some((v) => this.points.get(v.p)?.maxAgeMs !== undefined);
  }

  /**
   * The last boundary that can be skipped at once when b has nothing worth sending: up to the
   * next sample already read, or to `latest` when everything buffered has been read.
   */
  skipTo(b: number, periodMs: number, latest: number): number {
    let next = Infinity;
    for (const a of this.ahead) for (const s of a.rest) next = Math.min(next, s.t);
    if (next === Infinity) return this.exhausted ? Math.max(b, latest) : b;
    return Math.max(b, Math.min(latest, Math.ceil(next / periodMs) * periodMs - periodMs));
  }

  /** every data seq below this one is folded in completely */
  foldedBefore(): number {
    return this.ahead[0]?.seq ?? this.readFrom;
  }

  /** the state to persist with the boundary */
  snapshot(): Record<string, Sample> {
    return Object.fromEntries(this.state);
  }

  private applyAhead(b: number): void {
    for (const a of this.ahead) {
      if (a.rest.length === 0) continue;
      const later: Sample[] = [];
      for (const s of a.rest) {
        if (s.t <= b) this.fold(s);
        else later.push(s);
      }
      a.rest = later;
    }
    while (this.ahead.length > 0 && this.ahead[0]!.rest.length === 0) this.ahead.shift();
  }

  private fold(s: Sample): void {
    if (!this.points.has(s.p)) return;
    const have = this.state.get(s.p);
    if (!have || s.t >= have.t) this.state.set(s.p, s);
  }
}
