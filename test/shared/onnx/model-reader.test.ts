import { describe, expect, it } from 'vitest';
import { ATTR_INT, ONNX_FLOAT, encodeModel, type OnnxModel } from '../../../src/shared/onnx/model-proto.js';
import { decodeModel, metadataValue, readModelHeader, stampMetadata } from '../../../src/shared/onnx/model-reader.js';
import { ProtoDecodeError, ProtoWriter, readFields } from '../../../src/shared/onnx/protobuf.js';

function tinyModel(metadata: { key: string; value: string }[] = [{ key: 'a', value: '1' }]): OnnxModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'test',
    producerVersion: '1',
    domain: '',
    modelVersion: 0,
    docString: '',
    graph: {
      name: 'g',
      nodes: [{ opType: 'Gemm', name: 'fc', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes: [{ name: 'transB', type: ATTR_INT, i: 1 }] }],
      initializers: [{ name: 'w', dims: [1, 2], dataType: ONNX_FLOAT, floats: Float32Array.of(1, -2), external: false }],
      inputs: [{ name: 'x', elemType: ONNX_FLOAT, shape: ['N', 2] }],
      outputs: [{ name: 'y', elemType: ONNX_FLOAT, shape: ['N', 1] }],
    },
    metadata,
  };
}

describe('decodeModel', () => {
  it('reads float_data (packed and unpacked) as well as raw_data, and unknown dims as empty', () => {
    const tensor = (packed: boolean) =>
      new ProtoWriter().varint(1, 2).varint(2, ONNX_FLOAT).string(8, 't').raw(
        packed
          ? new ProtoWriter().bytes(4, new Uint8Array(new Float32Array([1.5, -2]).buffer)).finish()
          : new ProtoWriter().float(4, 1.5).float(4, -2).finish(),
      );
    for (const packed of [true, false]) {
      const graph = new ProtoWriter()
        .message(5, (t) => t.raw(tensor(packed).finish()))
        .message(11, (v) => v.string(1, 'x').message(2, (tp) => tp.message(1, (tt) => tt.varint(1, 1).message(2, (s) => s.message(1, () => {})))));
      const bytes = new ProtoWriter().varint(1, 7).message(7, (g) => g.raw(graph.finish())).finish();
      const m = decodeModel(bytes);
      expect([...(m.graph.initializers[0].floats ?? [])]).toEqual([1.5, -2]);
      expect(m.graph.inputs[0].shape).toEqual(['']);
    }
  });

  it('skips fields it does not know (a newer exporter) without failing', () => {
    const base = encodeModel(tinyModel());
    const extra = new ProtoWriter().raw(base).string(20, 'training info').varint(99, 5).finish();
    expect(decodeModel(extra)).toEqual(tinyModel());
  });
});

describe('readModelHeader', () => {
  it('reads ir_version, producer, opsets and metadata without the graph', () => {
    const h = readModelHeader(encodeModel(tinyModel([{ key: 'k', value: 'v' }, { key: 'k', value: 'w' }])));
    expect(h).toMatchObject({ irVersion: 8, producerName: 'test', producerVersion: '1', hasGraph: true });
    expect(h.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(metadataValue(h.metadata, 'k')).toBe('w'); // the last duplicate wins
    expect(metadataValue(h.metadata, 'missing')).toBeUndefined();
  });

  it('refuses bytes that are not a model', () => {
    const cases = [
      new Uint8Array(0),
      new TextEncoder().encode('{"not": "onnx"}'),
      new TextEncoder().encode('hello world, this is text'),
      new ProtoWriter().varint(1, 8).finish(), // no graph
      new ProtoWriter().message(7, () => {}).finish(), // no ir_version
      encodeModel(tinyModel()).subarray(0, 40), // truncated
    ];
    for (const bytes of cases) expect(() => readModelHeader(bytes)).toThrow(ProtoDecodeError);
  });
});

describe('stampMetadata', () => {
  it('replaces the stamped keys, keeps the others and copies every other field byte for byte', () => {
    const original = new ProtoWriter()
      .raw(encodeModel(tinyModel([{ key: 'keep', value: '1' }, { key: 'feature_spec_hash', value: 'old' }])))
      .varint(99, 42) // a field we do not understand must survive
      .finish();
    const stamped = stampMetadata(original, [
      { key: 'feature_spec_hash', value: 'abc123' },
      { key: 'feature_count', value: '52' },
    ]);
    const h = readModelHeader(stamped);
    expect(h.metadata).toEqual([
      { key: 'keep', value: '1' },
      { key: 'feature_spec_hash', value: 'abc123' },
      { key: 'feature_count', value: '52' },
    ]);
    const nonMeta = (b: Uint8Array) =>
      [...readFields(b)].filter((f) => f.field !== 14).map((f) => Buffer.from(b.subarray(f.start, f.end)).toString('hex'));
    expect(nonMeta(stamped)).toEqual(nonMeta(original));
    // Stamping again with the same values changes nothing.
    expect(Buffer.from(stampMetadata(stamped, [{ key: 'feature_spec_hash', value: 'abc123' }, { key: 'feature_count', value: '52' }]))).toEqual(
      Buffer.from(stamped),
    );
  });

  it('refuses to stamp something that is not a model', () => {
    expect(() => stampMetadata(new TextEncoder().encode('nope'), [{ key: 'a', value: 'b' }])).toThrow(ProtoDecodeError);
  });
});
