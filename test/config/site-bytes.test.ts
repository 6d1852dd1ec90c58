/** The bytes a site file may hold: well-formed UTF-8 (RFC 3629), no NUL, at most 1 MiB. */
import { describe, expect, it } from 'vitest';
import { checkSiteBytes, firstInvalidUtf8, MAX_SITE_FILE_BYTES } from '../../agent/config/site-bytes.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('site file bytes', () => {
  it('accepts Chinese names, emoji and a BOM as UTF-8', () => {
    const text = '\uFEFFsite: { name: "示例木业 砂光车间 🔥" }\n';
    expect(checkSiteBytes(Buffer.from(text, 'utf8'))).toEqual({ ok: true, text });
  });

  it('finds the first byte that is not UTF-8: a stray continuation, overlong forms, surrogates, past U+10FFFF, a cut sequence', () => {
    expect(firstInvalidUtf8(bytes(0x61, 0x80))).toBe(1);
    expect(firstInvalidUtf8(bytes(0x61, 0xc0, 0xaf))).toBe(1); // overlong '/'
    expect(firstInvalidUtf8(bytes(0xe0, 0x80, 0xaf))).toBe(0); // overlong 3-byte
    expect(firstInvalidUtf8(bytes(0xed, 0xa0, 0x80))).toBe(0); // U+D800
    expect(firstInvalidUtf8(bytes(0xf4, 0x90, 0x80, 0x80))).toBe(0); // U+110000
    expect(firstInvalidUtf8(bytes(0x61, 0xe7, 0xa4))).toBe(1); // 示 cut short
    expect(firstInvalidUtf8(Buffer.from('示例', 'utf8'))).toBe(-1);
  });

  it('names the line of GBK bytes (粉尘) and of a NUL', () => {
    const gbk = checkSiteBytes(Buffer.concat([Buffer.from('version: 1\nsite:\n  name: '), bytes(0xb7, 0xdb, 0xb3, 0xbe), Buffer.from('\n')]));
    expect(gbk).toMatchObject({ ok: false, problem: { line: 3 } });
    expect(checkSiteBytes(Buffer.from('version: 1\n\0'))).toMatchObject({ ok: false, problem: { line: 2, message: expect.stringContaining('NUL') } });
  });

  it('refuses more than the limit, however it arrives', () => {
    expect(checkSiteBytes(new Uint8Array(MAX_SITE_FILE_BYTES).fill(0x23))).toMatchObject({ ok: true });
    expect(checkSiteBytes(new Uint8Array(MAX_SITE_FILE_BYTES + 1).fill(0x23))).toMatchObject({ ok: false, problem: { message: expect.stringContaining('over the 1 MiB') } });
  });
});
