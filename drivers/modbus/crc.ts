/**
 * CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), sent low byte first
 * (Modbus over Serial Line V1.02, §2.5.1.2 and §6.2.2).
 */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]!;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** A frame `body` with its CRC appended, low byte first. */
export function withCrc(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 2);
  out.set(body, 0);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

/** True when bytes[start, start+length) end with a correct CRC. */
export function crcOk(bytes: Uint8Array, start: number, length: number): boolean {
  if (length < 4 || start + length > bytes.length) return false;
  const end = start + length - 2;
  const got = bytes[end]! | (bytes[end + 1]! << 8);
  return got === crc16(bytes, start, end);
}
