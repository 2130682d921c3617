// Synthetic profiles N times the size of a real one: the location table and the samples repeated
// N times, copy c with every location id shifted by c × (largest id), so that each copy is a
// distinct set of call stacks over the same functions. Works on the protobuf bytes directly.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

function varint(buf, pos) {
  let result = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, pos];
    mul *= 128;
  }
}

class Out {
  pos = 0;
  constructor(size = 64) {
    this.buf = new Uint8Array(size);
  }
  room(n) {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
  varint(n) {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  raw(bytes) {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
  finish() {
    return this.buf.subarray(0, this.pos);
  }
}

/** Top-level fields of the message: [field, wireType, start of the field, start of its value, end]. */
function* fields(buf, from = 0, to = buf.length) {
  let pos = from;
  while (pos < to) {
    const start = pos;
    let tag;
    [tag, pos] = varint(buf, pos);
    const wire = tag & 7;
    const value = pos;
    if (wire === 0) [, pos] = varint(buf, pos);
    else if (wire === 2) {
      let len;
      [len, pos] = varint(buf, pos);
      pos += len;
      yield [tag >>> 3, wire, start, value, pos];
      continue;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    yield [tag >>> 3, wire, start, value, pos];
  }
}

/** A length-delimited field's payload. */
function payload(buf, value, end) {
  const [, pos] = varint(buf, value);
  return buf.subarray(pos, end);
}

function lenField(out, field, body) {
  out.varint((field << 3) | 2);
  out.varint(body.length);
  out.raw(body);
}

/** A Location with its id (field 1) shifted; every other field as it is. */
function shiftLocation(body, shift) {
  const out = new Out();
  for (const [field, wire, start, value, end] of fields(body)) {
    if (field === 1 && wire === 0) {
      out.varint(1 << 3);
      out.varint(varint(body, value)[0] + shift);
    } else {
      out.raw(body.subarray(start, end));
    }
  }
  return out.finish();
}

/** A Sample with its packed location ids (field 1) shifted; values and labels as they are. */
function shiftSample(body, shift) {
  const out = new Out();
  for (const [field, wire, start, value, end] of fields(body)) {
    if (field === 1 && wire === 2) {
      const ids = [];
      const p = payload(body, value, end);
      for (let pos = 0; pos < p.length;) {
        let id;
        [id, pos] = varint(p, pos);
        ids.push(id + shift);
      }
      const packed = new Out();
      for (const id of ids) packed.varint(id);
      lenField(out, 1, packed.finish());
    } else {
      out.raw(body.subarray(start, end));
    }
  }
  return out.finish();
}

export function scaleProfile(gzipped, times) {
  const buf = gunzipSync(gzipped);
  let maxId = 0;
  for (const [field, , , value, end] of fields(buf)) {
    if (field !== 4) continue;
    for (const [f, w, , v] of fields(payload(buf, value, end)))
      if (f === 1 && w === 0) maxId = Math.max(maxId, varint(payload(buf, value, end), v)[0]);
  }
  const out = new Out(buf.length * times + 1024);
  for (const [field, , start, value, end] of fields(buf)) {
    if (field === 2 || field === 4) {
      const body = payload(buf, value, end);
      for (let c = 0; c < times; c++) {
        lenField(out, field, field === 2 ? shiftSample(body, c * maxId) : shiftLocation(body, c * maxId));
      }
    } else {
      out.raw(buf.subarray(start, end));
    }
  }
  return gzipSync(out.finish(), { level: 1 });
}

if (process.argv[2] !== undefined) {
  const [input, times, output] = process.argv.slice(2);
  writeFileSync(output, scaleProfile(readFileSync(input), Number(times)));
}
