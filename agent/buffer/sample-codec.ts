/**
 * A data batch as stored on disk: a compact binary form, because bytes written per commit
 * decide SD-card wear (`buffer.bytesWrittenPerSample`, docs/BENCHMARKS.md). 25 samples of a 250 ms commit are ~1.5 KB
 * of JSON and ~420 B deflated; here ~80 B, so four or five batches share one 512-byte page and
 * most commits write a single WAL frame instead of three (new leaf, its parent, page 1).
 *
 * Layout: 0xFE, count, zigzag(first t - created), then per sample one tag byte
 *   bit 0   point: 0 = the point numbered one above the previous sample's, 1 = varint number follows
 *   bit 1   time: 0 = same t as the previous sample, 1 = zigzag delta follows
 *   bits 2-4 quality (good, uncertain, bad, comm, stale)
 *   bit 5   tq "unsynced"  (quality code 7 instead: a run of 2..9 samples that each take the next
 *           point at the same time, good, at the previous scale; only their values follow,
 *           as unsigned varints when bit 0 is set)
 *   bits 6-7 value: 0 = number at the previous decimal scale, 1 = number, scale byte follows,
 *            2 = false/true/null byte follows, 3 = float64 follows
 * and a number at decimal scale k is stored as the zigzag varint of v * 10^k (exact: checked
 * when encoding). 0xFE can never start a raw deflate stream (block type 3 is invalid), so
 * batches written as deflated JSON (older files, odd samples) are told apart by their first byte.
 */
import type { Quality, Sample } from '../core/types.js';
import type { PointDictionary } from './point-dictionary.js';
import type { JsonBytes } from './json-bytes.js';
import { ByteReader, ByteWriter } from './varint.js';

export const COMPACT = 0xfe;

const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad', 'comm', 'stale'];
const Q_CODE = new Map(QUALITIES.map((q, i) => [q, i]));
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);
/** quality code 7 (unused) marks a run of 2..9 plain samples, the length in bits 5-7 */
const RUN = 7 << 2;
const RUN_MAX = 9;
/** bit 0 of a run tag: the values are unsigned varints (none negative) */
const RUN_UNSIGNED = 1;
const V_SCALE = 1;
const V_CONST = 2;
const V_FLOAT = 3;

/** the compact form, or undefined when a sample does not fit it (the caller stores JSON then) */
export function encodeSamples(samples: readonly Sample[], created: number, dict: PointDictionary): Buffer | undefined {
  for (const s of samples) if (!plain(s)) return undefined;
  const w = new ByteWriter();
  w.byte(COMPACT);
  w.uvarint(samples.length);
  const first = samples[0];
  w.svarint(first ? first.t - created : 0);
  // first pass: each sample's tag (0 = next point, same time, good, same scale)
  const tags = new Uint8Array(samples.length);
  const idxs = new Array<number>(samples.length);
  const scales = new Int8Array(samples.length);
  let prevIdx = -1;
  let prevT = first?.t ?? 0;
  let scale = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const idx = dict.index(s.p);
    let tag = (idx === prevIdx + 1 ? 0 : 1) | (s.t === prevT ? 0 : 2) | (Q_CODE.get(s.q)! << 2) | (s.tq ? 32 : 0);
    const v = s.v;
    let k = -1;
    if (typeof v === 'number') {
      // stay at the current scale when it holds the value: 812.0 among 812.5s is not a switch
      k = exactAt(v, scale) ? scale : decimalScale(v);
      tag |= (k < 0 ? V_FLOAT : k === scale ? 0 : V_SCALE) << 6;
      if (k >= 0) scale = k;
    } else {
      tag |= V_CONST << 6;
    }
    tags[i] = tag;
    idxs[i] = idx;
    scales[i] = k;
    prevIdx = idx;
    prevT = s.t;
  }
  prevT = first?.t ?? 0;
  for (let i = 0; i < samples.length; ) {
    const tag = tags[i]!;
    if (tag === 0) {
      // a device's poll: points in a row at one time, all good, one scale; one byte for up to 9
      let run = 1;
      while (run < RUN_MAX && i + run < samples.length && tags[i + run] === 0) run++;
      if (run === 1) {
        w.byte(0);
        w.svarint(Math.round((samples[i]!.v as number) * POW10[scales[i]!]!));
      } else {
        const ints = samples.slice(i, i + run).map((s, j) => Math.round((s.v as number) * POW10[scales[i + j]!]!));
        // most readings are positive: without the zigzag sign bit a value below 1638.4 fits 2 bytes
        const unsigned = ints.every((x) => x >= 0);
        w.byte(RUN | (run - 2) << 5 | (unsigned ? RUN_UNSIGNED : 0));
        for (const x of ints) if (unsigned) w.uvarint(x); else w.svarint(x);
      }
      i += run;
      continue;
    }
    const s = samples[i]!;
    w.byte(tag);
    if (tag & 1) w.uvarint(idxs[i]!);
    if (tag & 2) w.svarint(s.t - prevT);
    const kind = tag >> 6;
    const v = s.v;
    if (kind === V_CONST) {
      w.byte(v === false ? 0 : v === true ? 1 : 2);
    } else if (kind === V_FLOAT) {
      w.float64(v as number);
    } else {
      if (kind === V_SCALE) w.byte(scales[i]!);
      w.svarint(Math.round((v as number) * POW10[scales[i]!]!));
    }
    prevT = s.t;
    i++;
  }
  return w.bytes();
}

/** What a stored batch says of one sample: its point number, time, value, quality code, unsynced flag. */
type Visit = (idx: number, t: number, v: Sample['v'], q: number, unsynced: boolean) => void;

/** Walks a compact batch, sample by sample, without making objects. */
function walk(body: Buffer, created: number, visit: Visit): void {
  const r = new ByteReader(body);
  if (r.byte() !== COMPACT) throw new Error('not a compact batch');
  const n = r.uvarint();
  let t = created + r.svarint();
  let idx = -1;
  let scale = 0;
  for (let i = 0; i < n; ) {
    const tag = r.byte();
    if ((tag & RUN) === RUN) {
      const run = (tag >> 5) + 2;
      const f = POW10[scale]!;
      const unsigned = (tag & RUN_UNSIGNED) !== 0;
      for (let j = 0; j < run && i < n; j++, i++) visit(++idx, t, (unsigned ? r.uvarint() : r.svarint()) / f, 0, false);
      continue;
    }
    idx = tag & 1 ? r.uvarint() : idx + 1;
    if (tag & 2) t += r.svarint();
    const q = (tag >> 2) & 7;
    if (q >= QUALITIES.length) throw new Error('bad quality code in a stored batch');
    let v: Sample['v'];
    const kind = tag >> 6;
    if (kind === V_CONST) {
      const c = r.byte();
      v = c === 0 ? false : c === 1 ? true : null;
    } else if (kind === V_FLOAT) {
      v = r.float64();
    } else {
      if (kind === V_SCALE) scale = r.byte();
      const f = POW10[scale];
      if (f === undefined) throw new Error('bad decimal scale in a stored batch');
      v = r.svarint() / f;
    }
    visit(idx, t, v, q, (tag & 32) !== 0);
    i++;
  }
}

export function decodeSamples(body: Buffer, created: number, dict: PointDictionary): Sample[] {
  const out: Sample[] = [];
  walk(body, created, (idx, t, v, q, unsynced) => {
    const s: Sample = { p: dict.id(idx), t, v, q: QUALITIES[q]! };
    if (unsynced) s.tq = 'unsynced';
    out.push(s);
  });
  return out;
}

/** `,"q":"good"}` and the rest, by quality code, with and without the unsynced flag */
const Q_JSON = QUALITIES.map((q) => Buffer.from(`,"q":"${q}"}`));
const Q_JSON_UNSYNCED = QUALITIES.map((q) => Buffer.from(`,"q":"${q}","tq":"unsynced"}`));
const V_KEY = Buffer.from(',"v":');

/**
 * The batch written into `out` as the JSON array the uplink publishes, byte for byte what
 * JSON.stringify(decodeSamples(...)) gives in UTF-8, straight from the stored bytes: no sample
 * objects and no intermediate strings, so a backlog drain leaves little for the young
 * generation to collect (its collections are what the interlock path waits behind).
 */
export function writeSamplesJson(out: JsonBytes, body: Buffer, created: number, dict: PointDictionary): void {
  out.ascii('[');
  let first = true;
  walk(body, created, (idx, t, v, q, unsynced) => {
    if (!first) out.ascii(',');
    first = false;
    out.bytes(dict.sampleOpening(idx)).number(t).bytes(V_KEY);
    if (typeof v === 'number') out.number(v);
    else out.ascii(v === null ? 'null' : v ? 'true' : 'false');
    out.bytes((unsynced ? Q_JSON_UNSYNCED : Q_JSON)[q]!);
  });
  out.ascii(']');
}

/** only the contract's fields, a whole-ms time and a known quality */
function plain(s: Sample): boolean {
  for (const k in s) if (k !== 'p' && k !== 't' && k !== 'v' && k !== 'q' && k !== 'tq') return false;
  if (!Number.isSafeInteger(s.t) || !Q_CODE.has(s.q)) return false;
  if (s.tq !== undefined && s.tq !== 'unsynced') return false;
  const v = s.v;
  return v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function exactAt(v: number, k: number): boolean {
  const m = Math.round(v * POW10[k]!);
  return Number.isSafeInteger(m) && m / POW10[k]! === v && !Object.is(v, -0);
}

/** smallest k <= 15 with v * 10^k a whole number that gives v back exactly, or -1 */
function decimalScale(v: number): number {
  if (Object.is(v, -0)) return -1;
  for (let k = 0; k < POW10.length; k++) {
    const m = Math.round(v * POW10[k]!);
    if (!Number.isSafeInteger(m)) return -1;
    if (m / POW10[k]! === v) return k;
  }
  return -1;
}
