/**
 * Single DES (FIPS 46-3) in CBC mode with PKCS#7 padding, in TypeScript: Node's bundled
 * OpenSSL 3 refuses single DES unless the legacy provider is loaded, and we will not ask
 * installers to start Node with special flags. It is checked against the FIPS 46-3 worked
 * example and against OpenSSL's output (test/hebei/des.test.ts). Single DES is weak; we use
 * it only because the Hebei V1.1 interface prescribes it for the `data` field.
 */

// Tables from FIPS 46-3; bit 1 is the most significant bit of the block.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
] as const;
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
  36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
] as const;
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23,
  24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
] as const;
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25] as const;
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39,
  31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
] as const;
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51,
  45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
] as const;
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1] as const;
/** S1..S8, each 4 rows of 16, row = bits 1 and 6 of the 6-bit input, column = bits 2..5 */
const S: readonly (readonly number[])[] = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

/** bit `pos` (1 = most significant) of the 64-bit value hi:lo */
const bit64 = (hi: number, lo: number, pos: number): number => (pos <= 32 ? hi >>> (32 - pos) : lo >>> (64 - pos)) & 1;
const bit32 = (w: number, pos: number): number => (w >>> (32 - pos)) & 1;

function permute64(hi: number, lo: number, table: readonly number[]): [number, number] {
  let oh = 0;
  let ol = 0;
  for (let i = 0; i < 32; i++) oh = (oh << 1) | bit64(hi, lo, table[i]!);
  for (let i = 32; i < 64; i++) ol = (ol << 1) | bit64(hi, lo, table[i]!);
  return [oh >>> 0, ol >>> 0];
}

/** the 16 round keys, each as eight 6-bit numbers */
function roundKeys(key: Uint8Array): number[][] {
  const hi = readWord(key, 0);
  const lo = readWord(key, 4);
  let c = 0;
  let d = 0;
  for (let i = 0; i < 28; i++) c = (c << 1) | bit64(hi, lo, PC1[i]!);
  for (let i = 28; i < 56; i++) d = (d << 1) | bit64(hi, lo, PC1[i]!);
  const rot28 = (x: number, s: number) => ((x << s) | (x >>> (28 - s))) & 0xfffffff;
  const keys: number[][] = [];
  for (const s of SHIFTS) {
    c = rot28(c, s);
    d = rot28(d, s);
    const k: number[] = [];
    for (let j = 0; j < 8; j++) {
      let six = 0;
      for (let b = 0; b < 6; b++) {
        const p = PC2[6 * j + b]!;
        six = (six << 1) | (p <= 28 ? (c >>> (28 - p)) & 1 : (d >>> (56 - p)) & 1);
      }
      k.push(six);
    }
    keys.push(k);
  }
  return keys;
}

function feistel(r: number, k: readonly number[]): number {
  let out = 0;
  for (let j = 0; j < 8; j++) {
    let six = 0;
    for (let b = 0; b < 6; b++) six = (six << 1) | bit32(r, E[6 * j + b]!);
    six ^= k[j]!;
    const row = ((six & 0x20) >>> 4) | (six & 1);
    const col = (six >>> 1) & 0xf;
    out = (out << 4) | S[j]![row * 16 + col]!;
  }
  out >>>= 0;
  let p = 0;
  for (const pos of P) p = (p << 1) | bit32(out, pos);
  return p >>> 0;
}

function readWord(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function writeWord(b: Uint8Array, at: number, w: number): void {
  b[at] = w >>> 24;
  b[at + 1] = (w >>> 16) & 0xff;
  b[at + 2] = (w >>> 8) & 0xff;
  b[at + 3] = w & 0xff;
}

export const DES_BLOCK = 8;

/** One DES key: encrypts and decrypts single 8-byte blocks. */
export class Des {
  private readonly enc: number[][];
  private readonly dec: number[][];

  constructor(key: Uint8Array) {
    if (key.length !== DES_BLOCK) throw new Error(`a DES key is 8 bytes (got ${key.length})`);
    this.enc = roundKeys(key);
    this.dec = [...this.enc].reverse();
  }

  /** encrypt (or decrypt) the 8 bytes at `at` of `src` into `dst` at `at` */
  block(src: Uint8Array, dst: Uint8Array, at: number, decrypt = false): void {
    const keys = decrypt ? this.dec : this.enc;
    let [l, r] = permute64(readWord(src, at), readWord(src, at + 4), IP);
    for (const k of keys) {
      const next = (l ^ feistel(r, k)) >>> 0;
      l = r;
      r = next;
    }
    // the halves are swapped after the last round (R16 L16), then the final permutation
    const [hi, lo] = permute64(r, l, FP);
    writeWord(dst, at, hi);
    writeWord(dst, at + 4, lo);
  }
}

/** DES-CBC with PKCS#7 padding (always 1..8 bytes of padding). */
export function desCbcEncrypt(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array {
  if (iv.length !== DES_BLOCK) throw new Error(`a DES IV is 8 bytes (got ${iv.length})`);
  const des = new Des(key);
  const pad = DES_BLOCK - (plain.length % DES_BLOCK);
  const out = new Uint8Array(plain.length + pad);
  out.set(plain);
  out.fill(pad, plain.length);
  let prev: Uint8Array = iv;
  for (let at = 0; at < out.length; at += DES_BLOCK) {
    for (let i = 0; i < DES_BLOCK; i++) out[at + i] = out[at + i]! ^ prev[i]!;
    des.block(out, out, at);
    prev = out.subarray(at, at + DES_BLOCK);
  }
  return out;
}

/** The inverse of desCbcEncrypt; throws when the length or the padding is wrong (a wrong key, usually). */
export function desCbcDecrypt(key: Uint8Array, iv: Uint8Array, cipher: Uint8Array): Uint8Array {
  if (iv.length !== DES_BLOCK) throw new Error(`a DES IV is 8 bytes (got ${iv.length})`);
  if (cipher.length === 0 || cipher.length % DES_BLOCK !== 0) throw new Error(`DES-CBC ciphertext must be a non-empty multiple of 8 bytes (got ${cipher.length})`);
  const des = new Des(key);
  const out = new Uint8Array(cipher.length);
  for (let at = 0; at < cipher.length; at += DES_BLOCK) {
    des.block(cipher, out, at, true);
    const prev = at === 0 ? iv : cipher.subarray(at - DES_BLOCK, at);
    for (let i = 0; i < DES_BLOCK; i++) out[at + i] = out[at + i]! ^ prev[i]!;
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > DES_BLOCK || out.subarray(out.length - pad).some((b) => b !== pad)) throw new Error('bad PKCS#7 padding (wrong key or IV?)');
  return out.subarray(0, out.length - pad);
}
