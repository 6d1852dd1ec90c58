/**
 * Theil–Sen line fit (Sen 1968): the slope is the median of the slopes of every pair of points,
 * the intercept the median of y − slope·x. Robust to up to ~29 % outliers (a spike, a bag
 * pulse-cleaning dip), which a least-squares fit of differential pressure is not.
 */

export interface Fit {
  slope: number;
  intercept: number;
  n: number;
}

export function theilSen(xs: readonly number[], ys: readonly number[]): Fit | undefined {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return undefined;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes.push((ys[j]! - ys[i]!) / dx);
    }
  }
  if (slopes.length === 0) return undefined;
  const slope = medianOf(slopes);
  const intercept = medianOf(Array.from({ length: n }, (_, i) => ys[i]! - slope * xs[i]!));
  return { slope, intercept, n };
}

/** the median; the mean of the two middle values for an even count */
export function medianOf(values: number[]): number {
  const s = values.sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
