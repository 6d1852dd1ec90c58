/**
 * Faults that change what a reply PDU says rather than how it reaches the wire: a byte count,
 * a function code or a write's echo that disagree with the request, each under a good CRC, as a
 * confused or misconfigured field device sends them. Everything else passes through unchanged.
 */
import { FC, isWriteFunction, readByteCount } from '../modbus/pdu.js';
import type { SimFault } from './modbus-unit.js';

/** Each function code's nearest relative: what a device mixing up tables or writes answers with. */
const TWIN: Record<number, number> = { 1: 2, 2: 1, 3: 4, 4: 3, 5: 6, 6: 5, 15: 16, 16: 15 };
/** Filler for data a device sends beyond what was asked: 9999, the value seen in the field report (issue #14). */
const FILLER = [0x27, 0x0f];

/** `reply` (function code + data) as the fault would have the unit send it; a new buffer when changed. */
export function withPduFault(reply: Buffer, fault: SimFault | null): Buffer {
  if (!fault || reply.length === 0) return reply;
  const fc = reply[0]!;
  const exception = (fc & 0x80) !== 0;
  switch (fault.kind) {
    case 'wrongFunction': {
      const out = Buffer.from(reply);
      out[0] = (fault.fc ?? TWIN[fc & 0x7f] ?? (fc & 0x7f) + 1) | (exception ? 0x80 : 0);
      return out;
    }
    case 'wrongByteCount': {
      if (exception || readByteCount(fc, 0) === undefined) return reply;
      const by = fault.by ?? 2;
      const count = reply[1]!;
      if ((fault.frame ?? 'asked') === 'asked') {
        const out = Buffer.from(reply);
        out[1] = (count + by) & 0xff;
        return out;
      }
      const length = Math.max(0, count + by);
      const data = Buffer.alloc(length);
      for (let i = 0; i < length; i++) data[i] = i < count ? reply[2 + i]! : FILLER[i % 2]!;
      return Buffer.concat([Buffer.from([fc, length & 0xff]), data]);
    }
    case 'wrongEcho': {
      if (exception || !isWriteFunction(fc) || reply.length < 5) return reply;
      const out = Buffer.from(reply);
      const at = fault.field === 'address' ? 1 : 3;
      // a single coil echoes FF00 or 0000 only: the wrong echo is the other state
      const word = out.readUInt16BE(at);
      out.writeUInt16BE(fc === FC.writeSingleCoil && at === 3 ? word ^ 0xff00 : (word + 1) & 0xffff, at);
      return out;
    }
    default:
      return reply;
  }
}
