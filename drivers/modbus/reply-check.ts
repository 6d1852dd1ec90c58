/**
 * Whether a reply with a good CRC answers the request that went out: same unit, same function
 * (or its exception, function | 0x80), a byte count of 2 × registers or ⌈coils / 8⌉ and the frame
 * length that count implies, and for writes the echoed address and value or quantity
 * (Modbus Application Protocol V1.1b3, §6.1-6.6, 6.11, 6.12). modbus-serial checks unit, function
 * and the frame's length only: a count that lies inside a frame of the right length became a
 * list of good values with the CRC as the last one (issue #14). A reply that fails here is a
 * protocol error, never a value.
 */
import { EXCEPTION_FRAME_LENGTH, readByteCount } from './pdu.js';

/** The fields of a request its reply must agree with: RTU bytes 0..5 (unit, fc, address, value or quantity). */
export interface SentRequest {
  unit: number;
  fc: number;
  /** request bytes 2..5: the address, then the value (single writes) or the quantity */
  address: number;
  word: number;
}

export type ReplyRefusal = { kind: 'wrongUnit' | 'mismatch'; reason: string };

/** Reads a request's fields, or undefined for a frame too short to be a request of ours. */
export function sentRequest(request: Uint8Array): SentRequest | undefined {
  if (request.length < 6) return undefined;
  return { unit: request[0]!, fc: request[1]!, address: (request[2]! << 8) | request[3]!, word: (request[4]! << 8) | request[5]! };
}

/** Why the CRC-checked `frame` (unit … CRC) does not answer `sent`, or undefined when it does. */
export function refuseReply(sent: SentRequest, frame: Uint8Array): ReplyRefusal | undefined {
  const unit = frame[0];
  const fc = frame[1];
  if (unit !== sent.unit) return { kind: 'wrongUnit', reason: `expected unit ${sent.unit}, got ${unit}` };
  if (fc === (sent.fc | 0x80)) {
    return frame.length === EXCEPTION_FRAME_LENGTH ? undefined : mismatch(`exception frame of ${frame.length} bytes, expected ${EXCEPTION_FRAME_LENGTH}`);
  }
  if (fc !== sent.fc) return mismatch(`expected function ${sent.fc}, got ${fc}`);
  const count = readByteCount(sent.fc, sent.word);
  if (count !== undefined) {
    if (frame[2] !== count) return mismatch(`expected byte count ${count} for ${sent.word} asked, got ${frame[2]}`);
    if (frame.length !== 3 + count + 2) return mismatch(`byte count ${count} in a frame of ${frame.length} bytes`);
    return undefined;
  }
  if (frame.length !== 8) return mismatch(`write reply of ${frame.length} bytes, expected 8`);
  const address = (frame[2]! << 8) | frame[3]!;
  const word = (frame[4]! << 8) | frame[5]!;
  if (address !== sent.address) return mismatch(`write echoes address ${address}, sent ${sent.address}`);
  if (word !== sent.word) return mismatch(`write echoes ${word}, sent ${sent.word}`);
  return undefined;
}

function mismatch(reason: string): ReplyRefusal {
  return { kind: 'mismatch', reason };
}
