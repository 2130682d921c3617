/**
 * The memory layout of Go types on a 64-bit platform (amd64, arm64), as far as a map's tables
 * need it: size, alignment and whether the type holds pointers (cmd/compile/internal/types
 * size.go; reflect's Size and Align). And the bucket and group a map of a key and an elem type
 * gets: runtime/map.go bmap + reflectdata.MapBucketType (hmap), abi.SwissMapType (Swiss).
 */
export interface TypeLayout {
  readonly size: number;
  readonly align: number;
  readonly pointers: boolean;
}

const word = (pointers: boolean): TypeLayout => ({ size: 8, align: 8, pointers });

/** The predeclared types, and unsafe.Pointer. */
export const BASIC: Readonly<Record<string, TypeLayout>> = {
  bool: { size: 1, align: 1, pointers: false },
  int8: { size: 1, align: 1, pointers: false },
  uint8: { size: 1, align: 1, pointers: false },
  byte: { size: 1, align: 1, pointers: false },
  int16: { size: 2, align: 2, pointers: false },
  uint16: { size: 2, align: 2, pointers: false },
  int32: { size: 4, align: 4, pointers: false },
  uint32: { size: 4, align: 4, pointers: false },
  rune: { size: 4, align: 4, pointers: false },
  float32: { size: 4, align: 4, pointers: false },
  int: word(false),
  uint: word(false),
  int64: word(false),
  uint64: word(false),
  uintptr: word(false),
  float64: word(false),
  complex64: { size: 8, align: 4, pointers: false },
  complex128: { size: 16, align: 8, pointers: false },
  string: { size: 16, align: 8, pointers: true },
  error: { size: 16, align: 8, pointers: true },
  any: { size: 16, align: 8, pointers: true },
  'unsafe.Pointer': word(true),
};

export const POINTER = word(true);
export const SLICE: TypeLayout = { size: 24, align: 8, pointers: true };
export const INTERFACE: TypeLayout = { size: 16, align: 8, pointers: true };

const roundUp = (n: number, align: number) => Math.ceil(n / align) * align;

export function arrayOf(length: number, elem: TypeLayout): TypeLayout {
  return { size: length * elem.size, align: elem.align, pointers: length > 0 && elem.pointers };
}

/** A struct of these fields in order: each at its alignment, the whole padded to the largest. */
export function structOf(fields: readonly TypeLayout[]): TypeLayout {
  let size = 0;
  let align = 1;
  for (const f of fields) {
    size = roundUp(size, f.align) + f.size;
    align = Math.max(align, f.align);
  }
  // A zero-size final field gets a byte of padding, so no pointer points past the struct.
  if (fields.length > 0 && fields[fields.length - 1].size === 0 && size > 0) size++;
  return { size: roundUp(size, align), align, pointers: fields.some((f) => f.pointers) };
}

/** Keys and elems over 128 bytes live in objects of their own; the table holds a pointer. */
const MAX_INLINE = 128;

const slot = (t: TypeLayout) => (t.size > MAX_INLINE ? POINTER : t);

/** The bucket (hmap) and group (Swiss) of a map[K]V, and whether they hold pointers. */
export function mapTables(key: TypeLayout, elem: TypeLayout): { bucket: number; group: number; scan: boolean } {
  const [k, e] = [slot(key), slot(elem)];
  // bmap: tophash [8]uint8, keys [8]K, elems [8]V, overflow pointer (8-byte words on 64-bit).
  const bucket = 8 + 8 * k.size + 8 * e.size + 8;
  // A Swiss slot is struct{ key K; elem V }; a group is a control word and 8 slots.
  const group = 8 + 8 * structOf([k, e]).size;
  return { bucket, group, scan: k.pointers || e.pointers };
}
