import { describe, expect, it } from 'vitest';
import {
  ProtoDecodeError,
  ProtoWriter,
  WIRE_FIXED32,
  WIRE_LEN,
  WIRE_VARINT,
  decodeUtf8,
  readFields,
  readFloats,
  readVarints,
  type ProtoDecodeErrorCode,
} from '../../../src/shared/onnx/protobuf.js';

function decodeError(fn: () => unknown): ProtoDecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtoDecodeError);
    return err as ProtoDecodeError;
  }
  throw new Error('expected a ProtoDecodeError');
}

const all = (bytes: Uint8Array) => [...readFields(bytes)];

describe('ProtoWriter / readFields', () => {
  it('writes the wire bytes protobuf specifies', () => {
    // The protobuf encoding guide's examples: field 1 = 150 → 08 96 01; field 2 = "testing".
    expect([...new ProtoWriter().varint(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().string(2, 'testing').finish()]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    // int64 −1 is ten bytes of two's complement.
    expect([...new ProtoWriter().varint(1, -1).finish()]).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...new ProtoWriter().float(3, 1).finish()]).toEqual([0x1d, 0x00, 0x00, 0x80, 0x3f]);
  });

  it('round-trips varints across the int64 range a model uses', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -1, -2, -(2 ** 31), -(2 ** 40), -(2 ** 53 - 1)];
    const w = new ProtoWriter();
    values.forEach((v, i) => w.varint(i + 1, v));
    const fields = all(w.finish());
    expect(fields.map((f) => f.field)).toEqual(values.map((_, i) => i + 1));
    expect(fields.every((f) => f.wire === WIRE_VARINT)).toBe(true);
    expect(fields.map((f) => f.value)).toEqual(values);
  });

  it('reads floats, nested messages and packed runs, and keeps field offsets for verbatim copies', () => {
    const w = new ProtoWriter()
      .float(1, 0.5)
      .message(2, (m) => m.string(1, 'héllo').varint(2, 7))
      .packedVarints(3, [1, 300, -5])
      .bytes(4, new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]));
    const bytes = w.finish();
    const [f1, f2, f3, f4] = all(bytes);
    expect(f1).toMatchObject({ field: 1, wire: WIRE_FIXED32, value: 0.5 });
    expect(f2.wire).toBe(WIRE_LEN);
    const inner = all(f2.bytes);
    expect(decodeUtf8(inner[0].bytes)).toBe('héllo');
    expect(inner[1].value).toBe(7);
    const ints: number[] = [];
    readVarints(f3, ints);
    expect(ints).toEqual([1, 300, -5]);
    const floats: number[] = [];
    readFloats(f4, floats);
    expect(floats).toEqual([1, 2]);
    expect(Buffer.from(bytes.subarray(f2.start, f2.end))).toEqual(
      Buffer.from(new ProtoWriter().message(2, (m) => m.string(1, 'héllo').varint(2, 7)).finish()),
    );
  });

  it('grows its buffer for large fields', () => {
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const [f] = all(new ProtoWriter().bytes(9, big).finish());
    expect(Buffer.from(f.bytes).equals(Buffer.from(big))).toBe(true);
  });

  it('refuses unsafe integers instead of writing a wrong varint', () => {
    expect(() => new ProtoWriter().varint(1, 2 ** 53)).toThrow(RangeError);
    expect(() => new ProtoWriter().varint(1, 0.5)).toThrow(RangeError);
  });
});

describe('readFields errors', () => {
  const cases: [string, number[], ProtoDecodeErrorCode][] = [
    ['a length past the end', [0x12, 0x05, 0x61], 'truncated'],
    ['a varint cut short', [0x08, 0x96], 'truncated'],
    ['a fixed32 cut short', [0x0d, 0x00, 0x00], 'truncated'],
    ['an 11-byte varint', [0x08, ...new Array<number>(10).fill(0xff), 0x01], 'varint'],
    ['field number 0', [0x00, 0x01], 'field'],
    ['a group (wire type 3)', [0x0b], 'wire-type'],
    ['wire type 7', [0x0f], 'wire-type'],
  ];
  for (const [what, bytes, code] of cases) {
    it(`throws ${code} on ${what}`, () => {
      expect(decodeError(() => all(new Uint8Array(bytes))).code).toBe(code);
    });
  }

  it('throws utf8 on a string that is not UTF-8', () => {
    expect(decodeError(() => decodeUtf8(new Uint8Array([0xff, 0xfe]))).code).toBe('utf8');
  });
});
