/**
 * A SerialStream straight over a serialport binding, without serialport's SerialPortStream:
 * one read loop into one reused buffer, writes handed to the binding as they come. Why: a Modbus
 * transaction is one small write and one or two small reads, and Node's Readable/Writable
 * machinery around them (chunk bookkeeping, nextTick callbacks, a promise per call, a slice of
 * a 64 KiB pool per read) was a measurable part of the CPU per transaction. The master is the
 * only reader and takes every chunk synchronously (RtuFramePort copies it), so nothing needs
 * the stream's buffering or back-pressure.
 *
 * Semantics kept from SerialPortStream: `open(cb)`, `close(cb)`; a read or write error that is
 * not `canceled` (the device went away) closes the port and emits 'close' with that error;
 * a close we asked for emits 'close' with null.
 */
import { EventEmitter } from 'node:events';
import type { BindingInterface, BindingPortInterface, OpenOptions } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import type { SerialStream } from './rtu-port.js';

/** Longest RTU frame is 256 bytes; a read never needs more than a few of them at once. */
const READ_BUFFER_BYTES = 1024;

interface BindingError extends Error {
  canceled?: boolean;
}

export class BindingSerialPort extends EventEmitter implements SerialStream {
  private port: BindingPortInterface | undefined;
  private opening = false;
  private closing = false;
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** the binding takes one write at a time; requests that came while one was in the kernel */
  private writing = false;
  private readonly pendingWrites: Buffer[] = [];

  constructor(
    private readonly binding: BindingInterface,
    private readonly options: OpenOptions,
  ) {
    super();
  }

  get isOpen(): boolean {
    return this.port !== undefined && this.port.isOpen && !this.closing;
  }

  open(callback: (err: Error | null) => void): void {
    if (this.port || this.opening) return process.nextTick(callback, new Error('Port is already open'));
    this.opening = true;
    this.binding.open(this.options).then(
      (port) => {
        this.opening = false;
        this.port = port;
        void this.readLoop(port);
        callback(null);
      },
      (err: Error) => {
        this.opening = false;
        callback(err);
      },
    );
  }

  close(callback?: (err: Error | null) => void): void {
    const port = this.port;
    if (!port || this.closing) return process.nextTick(() => callback?.(new Error('Port is not open')));
    this.shut(port, null, callback);
  }

  /** Returns true like a stream with room left; the bytes are with the kernel or queued behind one write. */
  write(data: Buffer): boolean {
    if (!this.isOpen) {
      process.nextTick(() => this.emit('error', new Error('Port is not open')));
      return false;
    }
    if (this.writing) this.pendingWrites.push(data);
    else this.writeNow(data);
    return true;
  }

  private writeNow(data: Buffer): void {
    const port = this.port!;
    this.writing = true;
    port.write(data).then(
      () => {
        this.writing = false;
        const next = this.pendingWrites.shift();
        if (next && this.port === port && !this.closing) this.writeNow(next);
      },
      (err: BindingError) => {
        this.writing = false;
        this.pendingWrites.length = 0;
        if (!err.canceled) this.lost(port, err);
      },
    );
  }

  private async readLoop(port: BindingPortInterface): Promise<void> {
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await port.read(this.readBuffer, 0, READ_BUFFER_BYTES));
      } catch (err) {
        if (!(err as BindingError).canceled) this.lost(port, err as Error);
        return;
      }
      if (this.port !== port || this.closing) return;
      // Listeners take the chunk synchronously; the buffer is reused by the next read.
      this.emit('data', this.readBuffer.subarray(0, bytesRead));
    }
  }

  /** The device went away (USB adapter pulled, pty's far end gone): close and say why. */
  private lost(port: BindingPortInterface, err: Error): void {
    if (this.port !== port || this.closing) return;
    this.shut(port, err);
  }

  private shut(port: BindingPortInterface, why: Error | null, callback?: (err: Error | null) => void): void {
    this.closing = true;
    this.pendingWrites.length = 0;
    const done = (closeErr: Error | null) => {
      this.port = undefined;
      this.closing = false;
      if (closeErr && !why) {
        this.emit('error', closeErr);
        callback?.(closeErr);
        return;
      }
      this.emit('close', why);
      callback?.(why);
    };
    (port.isOpen ? port.close() : Promise.resolve()).then(
      () => done(null),
      (err: Error) => done(err),
    );
  }
}
