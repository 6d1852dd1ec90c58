import { describe, expect, it } from 'vitest';
import { Des, desCbcDecrypt, desCbcEncrypt } from '../../agent/uplink/hebei/des.js';
import { HebeiCipher } from '../../agent/uplink/hebei/cipher.js';

const hex = (s: string) => Buffer.from(s, 'hex');

function ecb(keyHex: string, plainHex: string): string {
  const out = new Uint8Array(8);
  new Des(hex(keyHex)).block(hex(plainHex), out, 0);
  return Buffer.from(out).toString('hex').toUpperCase();
}

describe('DES (FIPS 46-3) in TypeScript', () => {
  it('matches the FIPS 46-3 worked example and a NBS validation vector, both ways', () => {
    // key 133457799BBCDFF1, plaintext 0123456789ABCDEF: the classic worked example; also what
    // `openssl enc -des-ecb -nopad -provider legacy -provider default -K 133457799BBCDFF1` gives
    expect(ecb('133457799BBCDFF1', '0123456789ABCDEF')).toBe('85E813540F0AB405');
    expect(ecb('0E329232EA6D0D73', '8787878787878787')).toBe('0000000000000000');
    const back = new Uint8Array(8);
    new Des(hex('133457799BBCDFF1')).block(hex('85E813540F0AB405'), back, 0, true);
    expect(Buffer.from(back).toString('hex').toUpperCase()).toBe('0123456789ABCDEF');
  });

  it('pads with PKCS#7: an empty text is one full block of 08, as OpenSSL gives', () => {
    // printf '' | openssl enc -des-cbc -provider legacy -provider default -K 4662386b45793031 -iv 3132333435363738 | base64
    const c = desCbcEncrypt(Buffer.from('Fb8kEy01'), Buffer.from('12345678'), new Uint8Array(0));
    expect(Buffer.from(c).toString('base64')).toBe('A3uw0ZHzZV8=');
    expect(desCbcDecrypt(Buffer.from('Fb8kEy01'), Buffer.from('12345678'), c).length).toBe(0);
  });

  it('refuses a wrong key by its padding, and a ciphertext that is not whole blocks', () => {
    const c = desCbcEncrypt(Buffer.from('Fb8kEy01'), Buffer.from('12345678'), Buffer.from('粉尘浓度超上上限报警'));
    expect(() => desCbcDecrypt(Buffer.from('Fb8kEy02'), Buffer.from('12345678'), c)).toThrow(/padding/);
    expect(() => desCbcDecrypt(Buffer.from('Fb8kEy01'), Buffer.from('12345678'), c.subarray(1))).toThrow(/multiple of 8/);
  });
});

describe('the Hebei data field', () => {
  // The fixed vector, computed with OpenSSL 3.0.19 (not with this code):
  //   P='{"qybm":"012345678912","data":{"rts":[{"tnm":"0123456789120101001","ts":"2026-06-21 08:10:34","val":"27.20"}]}}'
  //   printf '%s' "$P" | openssl enc -des-cbc -provider legacy -provider default \
  //     -K 4662386b45793031 -iv 3132333435363738 | base64 -w0        # key "Fb8kEy01", IV "12345678"
  //   ... | xxd -p -u | tr -d '\n'                                   # the Base64 text as upper-case hex
  const PLAIN = '{"qybm":"012345678912","data":{"rts":[{"tnm":"0123456789120101001","ts":"2026-06-21 08:10:34","val":"27.20"}]}}';
  const BASE64 =
    'hpUFKbR5bhS8v0QXKJEFlwbkk2fw/NZ+QbkJIg1LwF6q0nHuG7JDxzZCK1D7q32YYACMw/pa2TiesoghpYg/wUBQPyBcdOT0caP4X1Phl/bvSr+NJrZILDHcAsV5oPxPjF1mixOikun7BMBFcpVKQw==';
  const DATA =
    '687055464B62523562685338763051584B4A45466C77626B6B3266772F4E5A2B51626B4A4967314C77463671306E487547374A44787A5A434B314437713332595941434D772F706132546965736F67687059672F7755425150794263644F543063615034583150686C2F627653722B4E4A725A494C444863417356356F5078506A46316D69784F696B756E37424D42466370564B51773D3D';

  it('encrypts the spec example exactly as OpenSSL does', () => {
    const cipher = new HebeiCipher('Fb8kEy01');
    expect(Buffer.from(DATA, 'hex').toString('ascii')).toBe(BASE64);
    expect(cipher.encrypt(PLAIN)).toBe(DATA);
    expect(cipher.decrypt(DATA)).toBe(PLAIN);
  });

  it('round-trips Chinese text (UTF-8) and rejects keys that are not 8 characters', () => {
    // printf '粉尘浓度超上上限报警' | openssl enc -des-cbc -provider legacy -provider default -K 4662386b45793031 -iv 3132333435363738 | base64
    const cipher = new HebeiCipher('Fb8kEy01');
    expect(Buffer.from(cipher.encrypt('粉尘浓度超上上限报警'), 'hex').toString('ascii')).toBe('AXBqUVDuf1qHHub29YA6Z5OPBs/bIHrVMxNenZOUZGA=');
    expect(cipher.decrypt(cipher.encrypt('{"content":"粉尘浓度超上上限报警解除"}'))).toBe('{"content":"粉尘浓度超上上限报警解除"}');
    expect(() => new HebeiCipher('short')).toThrow(/8 printable ASCII characters/);
    expect(() => new HebeiCipher('密钥密钥密钥密钥')).toThrow(/8 printable ASCII characters/);
    expect(() => new HebeiCipher('Fb8kEy01', '1234567')).toThrow(/IV/);
  });
});
