/** What went wrong with one Modbus transaction, in the few kinds the plant cares about. */
export type ModbusErrorKind =
  /** no complete reply within the bus timeout */
  | 'timeout'
  /** a reply arrived but its CRC was wrong */
  | 'crc'
  /** a reply arrived with a wrong length or function code */
  | 'frame'
  /** the unit answered with a Modbus exception (`code`) */
  | 'exception'
  /** a well-formed reply came from another unit id */
  | 'wrongUnit'
  /** a reply with a good CRC that does not answer the request: function, byte count, length or a write's echo */
  | 'mismatch'
  /** the serial port is closed or vanished */
  | 'portClosed';

export class ModbusError extends Error {
  constructor(
    readonly kind: ModbusErrorKind,
    message: string,
    readonly unit: number,
    /** the exception code, for kind `exception` */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'ModbusError';
  }
}

/**
 * Maps modbus-serial's errors (plain Errors told apart only by message, see its index.js
 * `_onReceive` and `TransactionTimedOutError`) onto our kinds.
 */
export function classify(err: unknown, unit: number): ModbusError {
  if (err instanceof ModbusError) return err;
  const e = (err ?? {}) as { message?: unknown; name?: unknown; errno?: unknown; modbusCode?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.modbusCode === 'number') return new ModbusError('exception', message, unit, e.modbusCode);
  if (e.name === 'TransactionTimedOutError' || e.errno === 'ETIMEDOUT') return new ModbusError('timeout', message, unit);
  if (message === 'CRC error') return new ModbusError('crc', message, unit);
  if (message.startsWith('Unexpected data error, expected address')) return new ModbusError('wrongUnit', message, unit);
  if (message === 'Port Not Open' || e.name === 'PortNotOpenError') return new ModbusError('portClosed', message, unit);
  return new ModbusError('frame', message, unit);
}
