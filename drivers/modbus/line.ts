/**
 * Serial line timing. An RTU character is start bit + data bits + parity bit + stop bits:
 * 10 bits for 8N1, 11 for 8E1 or 8N2 (Modbus over Serial Line V1.02, §2.5.1).
 */
export interface LineSettings {
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/**
 * A bus as its master needs it: the port, its line settings, how long to wait for a reply and how
 * often to try again. The driver's own type: the agent maps the site file's bus onto it
 * (agent/acquisition/bus-line.ts), so that drivers know bytes and pins, not the site file.
 */
export interface BusLine extends LineSettings {
  /** a name for the logs and the statistics, e.g. the site file's bus id */
  id: string;
  /** serial device path, or sim:NAME for an in-process simulator */
  port: string;
  /** reply timeout per request, ms */
  timeoutMs: number;
  /** further attempts of a request that failed other than with an exception */
  retries: number;
}

export const DEFAULT_LINE: LineSettings = { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 };

export function bitsPerChar(line: LineSettings): number {
  return 1 + line.dataBits + (line.parity === 'none' ? 0 : 1) + line.stopBits;
}

/** Time one character takes on the wire, in ms. */
export function charMs(line: LineSettings): number {
  return (bitsPerChar(line) * 1000) / line.baudRate;
}

/** Time `n` characters take on the wire, in ms. */
export function wireMs(line: LineSettings, n: number): number {
  return n * charMs(line);
}

/** The 3.5-character inter-frame silence; fixed at 1.75 ms above 19200 baud (§2.5.1.1). */
export function frameGapMs(line: LineSettings): number {
  return line.baudRate > 19200 ? 1.75 : 3.5 * charMs(line);
}
