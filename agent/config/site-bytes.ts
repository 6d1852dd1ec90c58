/**
 * The bytes of a site file before YAML sees them: at most MAX_SITE_FILE_BYTES, UTF-8, no NUL.
 * A 50 MB file once took `check` 9 s and 2 GB; the largest plausible workshop's file is a few
 * hundred KB (site.workshop.yaml is 8 KB), so the limit refuses only what is not a site file.
 */
import { open } from 'node:fs/promises';
import type { ConfigProblem } from './problem.js';

export const MAX_SITE_FILE_BYTES = 1024 * 1024;

export type SiteBytes = { ok: true; text: string } | { ok: false; problem: ConfigProblem };

export async function readSiteBytes(file: string): Promise<SiteBytes> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    return refuse(`cannot read ${file} (${codeOf(err)})`);
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_SITE_FILE_BYTES) return refuse(tooLarge(size));
    // read one byte past the limit: a file that grows between stat and read is still refused
    const buf = Buffer.alloc(MAX_SITE_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_SITE_FILE_BYTES) return refuse(tooLarge(bytesRead));
    return checkSiteBytes(buf.subarray(0, bytesRead));
  } catch (err) {
    return refuse(`cannot read ${file} (${codeOf(err)})`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The text of a site file's bytes, or the line of the first NUL or byte that is not UTF-8. */
export function checkSiteBytes(bytes: Uint8Array): SiteBytes {
  if (bytes.length > MAX_SITE_FILE_BYTES) return refuse(tooLarge(bytes.length));
  const nul = bytes.indexOf(0);
  if (nul >= 0) return refuse('contains a NUL byte: a site file is text (saved as binary, or a damaged copy?)', lineAt(bytes, nul));
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    return refuse(
      `is not UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad}): save the file as UTF-8 (GBK/GB2312 editors write other bytes for Chinese text)`,
      lineAt(bytes, bad),
    );
  }
  return { ok: true, text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8') };
}

/** Offset of the first byte that does not begin or continue a well-formed UTF-8 sequence; -1 if none. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    // lead byte → sequence length and the allowed range of the second byte (RFC 3629, table 3-7)
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // beyond U+10FFFF
    } else return i;
    for (let k = 1; k < n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n;
  }
  return -1;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function tooLarge(size: number): string {
  return `is ${(size / 1024 / 1024).toFixed(1)} MiB, over the ${MAX_SITE_FILE_BYTES / 1024 / 1024} MiB a site file may be (the largest workshop's is a few hundred KB): is this the right file?`;
}

function refuse(message: string, line?: number): SiteBytes {
  return { ok: false, problem: line === undefined ? { path: '', message } : { path: '', message, line } };
}

function codeOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message;
}
