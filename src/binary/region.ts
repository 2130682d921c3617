import { BinaryError } from '../errors.js';

/** A binary whose bytes contradict themselves: "is truncated or corrupt: <what is wrong>". */
export function corrupt(detail: string): BinaryError {
  return new BinaryError(`is truncated or corrupt: ${detail}`);
}

/**
 * A named range of a binary's untrusted bytes, read little-endian with every offset checked: a
 * read outside it is a BinaryError that says what was read and where ("the section table runs
 * past the end of the file"), never a RangeError and never an undefined byte. Offsets are
 * Numbers: a valid binary's offsets and addresses stay far below 2^53, and larger (corrupt) ones
 * fail the check all the same.
 */
export class Region {
  readonly length: number;
  readonly #view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly name: string,
  ) {
    this.length = bytes.length;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(off: number, what: string): number {
    this.check(off, 1, what);
    return this.bytes[off];
  }

  u16(off: number, what: string): number {
    this.check(off, 2, what);
    return this.#view.getUint16(off, true);
  }

  u32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.#view.getUint32(off, true);
  }

  i32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.#view.getInt32(off, true);
  }

  /** Exact below 2^53; above, still at least 2^53, which no bounds check lets through. */
  u64(off: number, what: string): number {
    this.check(off, 8, what);
    return this.#view.getUint32(off, true) + this.#view.getUint32(off + 4, true) * 2 ** 32;
  }

  /**
   * encoding/binary.Uvarint: the value and the offset after it. Exact below 2^53; longer runs of
   * continuation bytes only make it larger than any length a bounds check lets through. A run
   * without end is a BinaryError at the end of the region.
   */
  uvarint(off: number, what: string): { value: number; end: number } {
    let value = 0;
    for (let p = off, scale = 1; ; p++, scale *= 128) {
      const b = this.u8(p, what);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return { value, end: p + 1 };
    }
  }

  /** The NUL-terminated UTF-8 string at off; its NUL must be inside the region. */
  cString(off: number, what: string): string {
    this.check(off, 1, what);
    const end = this.bytes.indexOf(0, off);
    if (end < 0) throw this.#outside(off, this.length - off + 1, what);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + off, end - off).toString('utf8');
  }

  /** The bytes [off, off + size) as a region of their own, called `what` in messages. */
  sub(off: number, size: number, what: string): Region {
    this.check(off, size, what);
    return new Region(this.bytes.subarray(off, off + size), what);
  }

  /** Throws unless [off, off + size) is inside the region. */
  check(off: number, size: number, what: string): void {
    // Written so that NaN fails too.
    if (!(off >= 0 && size >= 0 && off + size <= this.length)) throw this.#outside(off, size, what);
  }

  #outside(off: number, size: number, what: string): BinaryError {
    return corrupt(`${what} ${off >= 0 && size >= 0 ? 'runs past the end of' : 'lies outside'} ${this.name}`);
  }
}
