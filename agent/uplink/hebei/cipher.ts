/**
 * The Hebei V1.1 `data` field: JSON text → UTF-8 → DES-CBC with PKCS#7 → Base64 → the Base64
 * text's bytes as UPPER-CASE hex (docs/HEBEI.md, "What the gateway sends").
 */
import { desCbcDecrypt, desCbcEncrypt } from './des.js';

/** IV seen in every public implementation; the site file may override it (`uplink.hebei.iv`). */
export const DEFAULT_IV = '12345678';

const PRINTABLE_8 = /^[\x20-\x7e]{8}$/;

export class HebeiCipher {
  private readonly key: Uint8Array;
  private readonly iv: Uint8Array;

  /** key and iv as the platform issues them: 8 ASCII characters each */
  constructor(key: string, iv: string = DEFAULT_IV) {
    if (!PRINTABLE_8.test(key)) throw new Error(`the DES key must be 8 printable ASCII characters (got ${key.length} characters)`);
    if (!PRINTABLE_8.test(iv)) throw new Error(`the DES IV must be 8 printable ASCII characters (got ${iv.length} characters)`);
    this.key = Buffer.from(key, 'ascii');
    this.iv = Buffer.from(iv, 'ascii');
  }

  encrypt(text: string): string {
    const base64 = Buffer.from(desCbcEncrypt(this.key, this.iv, Buffer.from(text, 'utf8'))).toString('base64');
    return Buffer.from(base64, 'ascii').toString('hex').toUpperCase();
  }

  /** the platform's side, for the mock platform and for diagnosing a captured request */
  decrypt(hex: string): string {
    if (!/^(?:[0-9A-F]{2})+$/.test(hex)) throw new Error('data is not upper-case hex');
    const base64 = Buffer.from(hex, 'hex').toString('ascii');
    return Buffer.from(desCbcDecrypt(this.key, this.iv, Buffer.from(base64, 'base64'))).toString('utf8');
  }
}
