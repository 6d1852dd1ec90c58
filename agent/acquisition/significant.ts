/**
 * Rounding a reading to n significant digits, the same number Number(v.toPrecision(n)) gives,
 * without the round trip through a string (V8 formats with big-number arithmetic there: a
 * measurable part of each Modbus transaction with ten scaled points).
 *
 * The digits kept are an integer below 2^53 and the power of ten is exact, so the one division
 * (or multiplication) that puts the decimal point back is correctly rounded: the result is the
 * double nearest the decimal, as parsing the string would give. Only an exact tie in the
 * product v × 10^k can round differently, and only in the last digit kept.
 */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

export function roundSignificant(v: number, digits: number): number {
  if (!Number.isFinite(v) || (Number.isInteger(v) && Math.abs(v) < POW10[digits]!)) return v;
  const k = digits - 1 - Math.floor(Math.log10(Math.abs(v)));
  if (k >= 0 && k < POW10.length) return roundHalfAway(v * POW10[k]!) / POW10[k]!;
  if (k < 0 && -k < POW10.length) return roundHalfAway(v / POW10[-k]!) * POW10[-k]!;
  return Number(v.toPrecision(digits));
}

/** toPrecision rounds a tie away from zero; Math.round would take -2.5 to -2 */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}
