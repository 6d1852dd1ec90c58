/**
 * Unsigned LEB128 varints and zigzag for whole numbers up to 2^53, in plain arithmetic
 * (JavaScript's bitwise operators stop at 32 bits and ms timestamps need 41).
 */
export class ByteWriter {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  byte(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }

  uvarint(x: number): void {
    while (x >= 0x80) {
      this.byte((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    this.byte(x);
  }

  svarint(x: number): void {
    this.uvarint(x < 0 ? -2 * x - 1 : 2 * x);
  }

  float64(x: number): void {
    if (this.length + 8 > this.buf.length) this.grow(8);
    this.buf.writeDoubleLE(x, this.length);
    this.length += 8;
  }

  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + need));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}

export class ByteReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('truncated body');
    return this.buf[this.pos++]!;
  }

  uvarint(): number {
    let x = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      x += (b & 0x7f) * mul;
      if (b < 0x80) return x;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new Error('varint too long');
    }
  }

  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }

  float64(): number {
    if (this.pos + 8 > this.buf.length) throw new Error('truncated body');
    const x = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return x;
  }
}
