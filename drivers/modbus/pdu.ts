/** Modbus function codes this gateway uses, and the length of the RTU reply each one expects. */
export const FC = {
  readCoils: 1,
  readDiscreteInputs: 2,
  readHoldingRegisters: 3,
  readInputRegisters: 4,
  writeSingleCoil: 5,
  writeSingleRegister: 6,
  writeMultipleCoils: 15,
  writeMultipleRegisters: 16,
} as const;

/** Exception codes (Modbus Application Protocol V1.1b3, §7). */
export const EXCEPTION = {
  illegalFunction: 1,
  illegalDataAddress: 2,
  illegalDataValue: 3,
  serverDeviceFailure: 4,
  acknowledge: 5,
  serverDeviceBusy: 6,
} as const;

/** Exception replies are unit, fc|0x80, code, CRC. */
export const EXCEPTION_FRAME_LENGTH = 5;

/** The data byte count a read reply must carry, or undefined for a function code that is not a read. */
export function readByteCount(fc: number, quantity: number): number | undefined {
  if (fc === FC.readCoils || fc === FC.readDiscreteInputs) return Math.ceil(quantity / 8);
  if (fc === FC.readHoldingRegisters || fc === FC.readInputRegisters) return 2 * quantity;
  return undefined;
}

/** True for the write function codes, whose replies echo address and value or quantity. */
export function isWriteFunction(fc: number): boolean {
  return fc === FC.writeSingleCoil || fc === FC.writeSingleRegister || fc === FC.writeMultipleCoils || fc === FC.writeMultipleRegisters;
}

/**
 * Length of the complete RTU reply (unit + PDU + CRC) to `request`, or undefined for a
 * function code we never send.
 */
export function expectedReplyLength(request: Uint8Array): number | undefined {
  if (request.length < 6) return undefined;
  const fc = request[1]!;
  const count = readByteCount(fc, (request[4]! << 8) | request[5]!);
  if (count !== undefined) return 3 + count + 2;
  return isWriteFunction(fc) ? 8 : undefined;
}

/**
 * Length of the frame starting at `bytes[at]` as its own header tells it (exception, read with
 * its byte count, write), whatever was asked; undefined for a function code we do not know or a
 * header not yet received.
 */
export function headerFrameLength(bytes: Uint8Array, at: number, end: number): number | undefined {
  const fc = bytes[at + 1];
  if (fc === undefined || at + 1 >= end) return undefined;
  if (fc & 0x80) return EXCEPTION_FRAME_LENGTH;
  if (isWriteFunction(fc)) return 8;
  if (readByteCount(fc, 0) === undefined || at + 2 >= end) return undefined;
  return 3 + bytes[at + 2]! + 2;
}
