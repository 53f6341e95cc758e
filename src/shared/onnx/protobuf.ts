/**
 * The protobuf wire format, just enough of it for ONNX model files (onnx.proto3): varints, 32-bit
 * fixed, and length-delimited fields. No schema, no reflection: `model-proto.ts` says which field
 * number means what.
 *
 * Why not a library: the messages we need are eight, their field numbers are frozen by ONNX's
 * compatibility rules, and the writer must be byte-for-byte deterministic (the shipped model is
 * checked in and a test regenerates it). A hand-written writer fixes the field order and the
 * float encoding itself; it adds no dependency to a trading host (protobufjs 6, which
 * `onnx-proto` pulls in, has had prototype-pollution advisories), and the reader doubles as the
 * validator that turns a truncated or foreign file into a typed error instead of a crash.
 *
 * Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. Groups (3, 4) are refused:
 * ONNX never uses them.
 */

export type ProtoDecodeErrorCode = 'truncated' | 'varint' | 'wire-type' | 'field' | 'utf8';

export class ProtoDecodeError extends Error {
  override readonly name = 'ProtoDecodeError';
  readonly code: ProtoDecodeErrorCode;
  /** Byte offset in the buffer being read where the problem was found. */
  readonly offset: number;

  constructor(code: ProtoDecodeErrorCode, message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.code = code;
    this.offset = offset;
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Appends fields to a growable buffer. Nested messages are written with `message`, which encodes
 * the child into its own writer first (the length prefix must precede it); models here are a few
 * kilobytes, so the copy is irrelevant.
 */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private rawVarint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`varint must be a safe integer, got ${value}`);
    this.reserve(10);
    if (value < 0) {
      // int64 two's complement: always 10 bytes. Split into 32-bit halves to stay exact.
      let lo = value >>> 0;
      let hi = Math.floor(value / 2 ** 32) >>> 0;
      for (let i = 0; i < 9; i++) {
        this.buf[this.len++] = (lo & 0x7f) | 0x80;
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      this.buf[this.len++] = lo & 0x01;
      return;
    }
    while (value >= 0x80) {
      this.buf[this.len++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.len++] = value;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** int32 / int64 / uint64 / enum / bool field. */
  varint(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.reserve(4);
    this.view.setFloat32(this.len, value, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8Encoder.encode(value));
  }

  message(field: number, write: (w: ProtoWriter) => void): this {
    const child = new ProtoWriter();
    write(child);
    return this.bytes(field, child.finish());
  }

  /** Packed repeated int64 (one length-delimited field holding the varints). */
  packedVarints(field: number, values: readonly number[]): this {
    const child = new ProtoWriter();
    for (const v of values) child.rawVarint(v);
    return this.bytes(field, child.finish());
  }

  /** Already-encoded field bytes (tag included), copied verbatim. */
  raw(encoded: Uint8Array): this {
    this.reserve(encoded.length);
    this.buf.set(encoded, this.len);
    this.len += encoded.length;
    return this;
  }

  /** The bytes written so far (a copy, exactly `length` long). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** One field as read from the wire. `bytes` is a view into the source buffer (no copy). */
export interface ProtoField {
  field: number;
  wire: number;
  /** Varint value (int64 read as two's complement, exact within ±2^53); fixed32 read as a float, fixed64 as a double. */
  value: number;
  /** Length-delimited payload, or an empty view for other wire types. */
  bytes: Uint8Array;
  /** Offsets of the whole field (tag included) in the source buffer, for verbatim copies. */
  start: number;
  end: number;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Reads one varint at `at.pos` and advances it. int64 is two's complement on the wire: a value
 * with bit 63 set comes back negative. Exact for magnitudes up to 2^53, which covers every
 * dimension, count and attribute in a model file.
 */
function readVarintAt(buf: Uint8Array, at: { pos: number }): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (at.pos >= buf.length) throw new ProtoDecodeError('truncated', 'varint runs past the end of the message', at.pos);
    const b = buf[at.pos++];
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi = (b & 0x7f) >>> 4;
    } else hi |= (b & 0x7f) << (7 * i - 32);
    if ((b & 0x80) === 0) {
      lo >>>= 0;
      if (hi & 0x80000000) return -((~hi >>> 0) * 2 ** 32 + (~lo >>> 0) + 1);
      return (hi >>> 0) * 2 ** 32 + lo;
    }
  }
  throw new ProtoDecodeError('varint', 'varint longer than 10 bytes', at.pos);
}

/**
 * Iterates the fields of one message. Throws ProtoDecodeError on anything malformed: a length
 * past the end, a varint over 10 bytes, field number 0, an unknown wire type.
 */
export function* readFields(buf: Uint8Array): Generator<ProtoField> {
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const start = at.pos;
    const key = readVarintAt(buf, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field <= 0) throw new ProtoDecodeError('field', `invalid field number ${field}`, start);
    let value = 0;
    let bytes = EMPTY;
    switch (wire) {
      case WIRE_VARINT:
        value = readVarintAt(buf, at);
        break;
      case WIRE_FIXED64:
        if (at.pos + 8 > buf.length) throw new ProtoDecodeError('truncated', 'fixed64 runs past the end', at.pos);
        value = new DataView(buf.buffer, buf.byteOffset + at.pos, 8).getFloat64(0, true);
        at.pos += 8;
        break;
      case WIRE_LEN: {
        const n = readVarintAt(buf, at);
        if (n < 0 || at.pos + n > buf.length) {
          throw new ProtoDecodeError('truncated', `field ${field}: length ${n} runs past the end (${buf.length - at.pos} bytes left)`, at.pos);
        }
        bytes = buf.subarray(at.pos, at.pos + n);
        at.pos += n;
        break;
      }
      case WIRE_FIXED32:
        if (at.pos + 4 > buf.length) throw new ProtoDecodeError('truncated', 'fixed32 runs past the end', at.pos);
        value = new DataView(buf.buffer, buf.byteOffset + at.pos, 4).getFloat32(0, true);
        at.pos += 4;
        break;
      default:
        throw new ProtoDecodeError('wire-type', `field ${field}: unsupported wire type ${wire}`, start);
    }
    yield { field, wire, value, bytes, start, end: at.pos };
  }
}

export function decodeUtf8(bytes: Uint8Array, offset = 0): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new ProtoDecodeError('utf8', 'string field is not valid UTF-8', offset);
  }
}

/** Values of a repeated varint field, packed (one LEN field) or not (one field per value). */
export function readVarints(f: ProtoField, into: number[]): void {
  if (f.wire === WIRE_VARINT) {
    into.push(f.value);
    return;
  }
  if (f.wire !== WIRE_LEN) throw new ProtoDecodeError('wire-type', `field ${f.field}: expected varints`, f.start);
  const at = { pos: 0 };
  while (at.pos < f.bytes.length) into.push(readVarintAt(f.bytes, at));
}

/** Values of a repeated float field, packed or not. */
export function readFloats(f: ProtoField, into: number[]): void {
  if (f.wire === WIRE_FIXED32) {
    into.push(f.value);
    return;
  }
  if (f.wire !== WIRE_LEN || f.bytes.length % 4 !== 0) {
    throw new ProtoDecodeError('wire-type', `field ${f.field}: expected packed floats`, f.start);
  }
  const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length);
  for (let i = 0; i < f.bytes.length; i += 4) into.push(view.getFloat32(i, true));
}
