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

/**
 * Length of the complete RTU reply (unit + PDU + CRC) to `request`, or undefined for a
 * function code we never send.
 */
export function expectedReplyLength(request: Uint8Array): number | undefined {
  if (request.length < 6) return undefined;
  const fc = request[1]!;
  const quantity = (request[4]! << 8) | request[5]!;
  switch (fc) {
    case FC.readCoils:
    case FC.readDiscreteInputs:
      return 3 + Math.ceil(quantity / 8) + 2;
    case FC.readHoldingRegisters:
    case FC.readInputRegisters:
      return 3 + 2 * quantity + 2;
    case FC.writeSingleCoil:
    case FC.writeSingleRegister:
    case FC.writeMultipleCoils:
    case FC.writeMultipleRegisters:
      return 8;
    default:
      return undefined;
  }
}
