/**
 * JSON text written as UTF-8 bytes into one growing buffer: for payloads made in bulk (a backlog
 * drain publishes thousands of data messages a second), where string concatenation made ~20 KB
 * of short-lived strings per message and the young-generation collections that came with them
 * held up the interlock path.
 */
export class JsonBytes {
  private buf: Buffer;
  private n = 0;

  constructor(capacity = 8192) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** ASCII text (the caller's literals and number strings) */
  ascii(s: string): this {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.n++] = s.charCodeAt(i);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    if (b.length > 32) {
      this.buf.set(b, this.n);
      this.n += b.length;
    } else {
      // a key or an id: a plain loop beats set() at this size
      for (let i = 0; i < b.length; i++) this.buf[this.n++] = b[i]!;
    }
    return this;
  }

  /** a number as JSON.stringify writes it; safe integers without making a string */
  number(v: number): this {
    if (!Number.isSafeInteger(v)) return this.ascii(JSON.stringify(v));
    if (v < 0) {
      this.room(1);
      this.buf[this.n++] = 0x2d;
      v = -v;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    this.room(digits);
    for (let i = this.n + digits - 1; i >= this.n; i--) {
      this.buf[i] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.n += digits;
    return this;
  }

  /** the bytes written so far, copied out; the writer starts empty again */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.n));
    this.n = 0;
    return out;
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(bigger, 0, 0, this.n);
    this.buf = bigger;
  }
}
