/**
 * The port object modbus-serial's client talks through (`new ModbusRTU(port)`), in place of
 * its own RTUBufferedPort. Why: RTUBufferedPort keeps received bytes in a private buffer we
 * cannot flush, so a late or truncated reply stays there and is served as, or spoils, the
 * answer to the next request (measured on modbus-serial 8.0.25; leftover bytes showing up in
 * front of the next reply are reported in https://github.com/yaacov/node-modbus-serial/pull/18,
 * comments, with no fix since). Here every request starts
 * with an empty buffer, the master can discard on demand, and the time of the last byte is
 * known, so the master can wait for a silent line after a failure.
 */
import { EventEmitter } from 'node:events';
import type { Clock, Timer } from '../clock.js';
import { crcOk } from './crc.js';
import { ModbusError } from './errors.js';
import { frameGapMs, type LineSettings } from './line.js';
import { EXCEPTION_FRAME_LENGTH, expectedReplyLength, headerFrameLength } from './pdu.js';
import { refuseReply, sentRequest, type SentRequest } from './reply-check.js';

/** The part of serialport's SerialPortStream we use; a real SerialPort or one on the sim binding. */
export interface SerialStream {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  write(data: Buffer): boolean;
  on(event: 'data', listener: (data: Buffer) => void): this;
  on(event: 'close', listener: (err: Error | null) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  removeAllListeners(event?: string): this;
}

/** Longest RTU frame is 256 bytes (Serial Line §2.5.1); keep a little more while hunting. */
const MAX_BUFFER = 512;
/**
 * Userspace cannot see a 3.5-character gap: USB adapters hand bytes over in chunks up to
 * 16 ms apart (FTDI latency timer default). Below 20 ms a "silence" may be mid-frame.
 */
const MIN_SILENCE_MS = 20;

interface Expected extends SentRequest {
  length: number;
}

export class RtuFramePort extends EventEmitter {
  /** set by ModbusRTU.open(); RTU has no transaction ids, it always reads transaction 1 */
  _transactionIdRead = 1;
  _transactionIdWrite = 1;
  /** monotonic ms of the last byte received, -Infinity before any */
  lastByteAt = -Infinity;
  /** bytes received since the last discard: buffer[0, length); one allocation for the port's life */
  private readonly buffer = Buffer.allocUnsafe(MAX_BUFFER);
  private length = 0;
  private expected: Expected | undefined;
  private silenceTimer: Timer | undefined;
  private readonly silenceMs: number;

  constructor(
    private readonly stream: SerialStream,
    private readonly clock: Clock,
    line: LineSettings,
  ) {
    super();
    this.silenceMs = Math.max(MIN_SILENCE_MS, 3 * frameGapMs(line));
    stream.on('data', (d) => this.onBytes(d));
    stream.on('close', (err) => this.emit('close', err));
    stream.on('error', (err) => this.emit('error', err));
  }

  get isOpen(): boolean {
    return this.stream.isOpen;
  }

  /** Bytes received and not yet handed over as a frame. */
  get pendingBytes(): number {
    return this.length;
  }

  open(callback: (err: Error | null) => void): void {
    this.stream.open(callback);
  }

  close(callback?: (err: Error | null) => void): void {
    this.discard();
    if (!this.stream.isOpen) {
      callback?.(null);
      return;
    }
    this.stream.close((err) => callback?.(err));
  }

  write(request: Buffer): void {
    // Anything received before this request went out cannot be its answer.
    this.discard();
    const length = expectedReplyLength(request);
    const sent = sentRequest(request);
    this.expected = length === undefined || !sent ? undefined : { ...sent, length };
    this.stream.write(request);
  }

  /** Forget what was received so far, and stop waiting for a reply. */
  discard(): void {
    this.length = 0;
    this.expected = undefined;
    if (this.silenceTimer) {
      this.silenceTimer.cancel();
      this.silenceTimer = undefined;
    }
  }

  /** `data` may be the port's reused read buffer: it is copied here and not kept. */
  private onBytes(data: Buffer): void {
    this.lastByteAt = this.clock.monotonic();
    if (data.length >= MAX_BUFFER) {
      data.copy(this.buffer, 0, data.length - MAX_BUFFER);
      this.length = MAX_BUFFER;
    } else {
      const keep = Math.min(this.length, MAX_BUFFER - data.length);
      // keep only the newest MAX_BUFFER bytes while hunting
      if (keep < this.length) this.buffer.copyWithin(0, this.length - keep, this.length);
      data.copy(this.buffer, keep);
      this.length = keep + data.length;
    }
    this.hunt();
  }

  /**
   * Finds the reply in the buffer: the first place where a frame of the expected length (or an
   * exception frame) with a correct CRC starts, or a frame from the unit asked whose own header
   * (function code, byte count) gives another length and whose CRC is correct there: a reply
   * that disagrees with its request, refused at once rather than left to time out. Noise before
   * it is skipped. A complete frame with a wrong CRC is handed over only once the line has been
   * silent, so that noise that happens to look like a header does not hide the real reply behind it.
   */
  private hunt(): void {
    const exp = this.expected;
    if (!exp) return;
    const buf = this.buffer;
    const end = this.length;
    // the first complete frame with a bad CRC, preferring one from the unit asked
    let suspectAt = -1;
    let suspectLength = 0;
    for (let at = 0; at + EXCEPTION_FRAME_LENGTH <= end; at++) {
      const fc = buf[at + 1];
      const length = fc === exp.fc ? exp.length : fc === (exp.fc | 0x80) ? EXCEPTION_FRAME_LENGTH : 0;
      if (length > 0 && at + length <= end) {
        if (crcOk(buf, at, length)) return this.handOver(at, length, true);
        if (suspectAt < 0 || (buf[suspectAt] !== exp.unit && buf[at] === exp.unit)) {
          suspectAt = at;
          suspectLength = length;
        }
      }
      // Only from the unit asked: other units' frames of any length would make noise look like frames.
      if (buf[at] !== exp.unit) continue;
      const own = headerFrameLength(buf, at, end) ?? exp.length;
      if (own !== length && at + own <= end && crcOk(buf, at, own)) return this.handOver(at, own, true);
    }
    if (this.silenceTimer) {
      this.silenceTimer.cancel();
      this.silenceTimer = undefined;
    }
    if (suspectAt >= 0) this.silenceTimer = this.clock.setTimeout(() => this.handOver(suspectAt, suspectLength, false), this.silenceMs);
  }

  /**
   * Hands a frame to modbus-serial, which checks its CRC and decodes it; one with a good CRC that
   * does not answer the request goes out as a `refused` ModbusError instead, never as data.
   */
  private handOver(at: number, length: number, crcGood: boolean): void {
    const exp = this.expected;
    const frame = this.buffer.subarray(at, at + length);
    const refusal = crcGood && exp ? refuseReply(exp, frame) : undefined;
    if (refusal && exp) {
      this.discard();
      this.emit('refused', new ModbusError(refusal.kind, refusal.reason, exp.unit));
      return;
    }
    // a copy: the buffer is reused for the next request while modbus-serial may hold the frame
    const copy = Buffer.from(frame);
    this.discard();
    this.emit('data', copy);
  }
}
