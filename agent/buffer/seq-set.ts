/**
 * A set of sequence numbers kept as sorted, merged ranges. A destination's cursor is one of
 * these per stream: PUBACKs arrive for live messages and for the backlog at the same time, so
 * what is done is a few ranges, never one high-water mark.
 */
export type Range = [lo: number, hi: number];

export class SeqSet {
  private ranges: Range[] = [];

  constructor(initial: Iterable<Range> = []) {
    for (const [lo, hi] of initial) this.addRange(lo, hi);
  }

  has(seq: number): boolean {
    const i = this.indexAtOrBefore(seq);
    const r = i >= 0 ? this.ranges[i] : undefined;
    return r !== undefined && seq <= r[1];
  }

  add(seq: number): void {
    this.addRange(seq, seq);
  }

  addRange(lo: number, hi: number): void {
    if (hi < lo) return;
    let i = this.indexAtOrBefore(lo);
    // merge with the range before if it touches
    if (i >= 0 && this.ranges[i]![1] >= lo - 1) {
      lo = this.ranges[i]![0];
    } else {
      i += 1;
    }
    let j = i;
    while (j < this.ranges.length && this.ranges[j]![0] <= hi + 1) {
      hi = Math.max(hi, this.ranges[j]![1]);
      j++;
    }
    this.ranges.splice(i, j - i, [lo, hi]);
  }

  /** The smallest seq >= from that is not in the set. */
  firstMissing(from: number): number {
    const i = this.indexAtOrBefore(from);
    const r = i >= 0 ? this.ranges[i] : undefined;
    return r !== undefined && from <= r[1] ? r[1] + 1 : from;
  }

  /** How many seqs of [lo, hi] are in the set. */
  countIn(lo: number, hi: number): number {
    let n = 0;
    for (const [a, b] of this.ranges) {
      const x = Math.max(a, lo);
      const y = Math.min(b, hi);
      if (y >= x) n += y - x + 1;
    }
    return n;
  }

  toRanges(): Range[] {
    return this.ranges.map(([a, b]) => [a, b]);
  }

  /** index of the last range whose lo <= seq, or -1 */
  private indexAtOrBefore(seq: number): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid]![0] <= seq) {
        ans = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return ans;
  }
}
