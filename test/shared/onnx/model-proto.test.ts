import { describe, expect, it } from 'vitest';
import { ATTR_FLOAT, ATTR_INT, ATTR_INTS, ONNX_FLOAT, encodeModel, type OnnxModel } from '../../../src/shared/onnx/model-proto.js';
import { decodeModel } from '../../../src/shared/onnx/model-reader.js';
import { readFields } from '../../../src/shared/onnx/protobuf.js';

function tinyModel(metadata: { key: string; value: string }[] = [{ key: 'a', value: '1' }]): OnnxModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'test',
    producerVersion: '1',
    domain: '',
    modelVersion: 3,
    docString: 'a doc',
    graph: {
      name: 'g',
      nodes: [
        {
          opType: 'Gemm',
          name: 'fc',
          domain: '',
          inputs: ['x', 'w', 'b'],
          outputs: ['y'],
          attributes: [
            { name: 'alpha', type: ATTR_FLOAT, f: 0.5 },
            { name: 'transB', type: ATTR_INT, i: 1 },
            { name: 'perm', type: ATTR_INTS, ints: [1, 0, -1] },
          ],
        },
      ],
      initializers: [
        { name: 'w', dims: [2, 3], dataType: ONNX_FLOAT, floats: Float32Array.of(1, 2, 3, -4, 5.5, 0.1), external: false },
        { name: 'b', dims: [2], dataType: ONNX_FLOAT, floats: Float32Array.of(0.25, -0.75), external: false },
      ],
      inputs: [{ name: 'x', elemType: ONNX_FLOAT, shape: ['N', 3] }],
      outputs: [{ name: 'y', elemType: ONNX_FLOAT, shape: ['N', 2] }],
    },
    metadata,
  };
}

describe('encodeModel / decodeModel', () => {
  it('round-trips every field the policies use', () => {
    const model = tinyModel();
    expect(decodeModel(encodeModel(model))).toEqual(model);
  });

  it('encodes the same object to the same bytes', () => {
    expect(Buffer.from(encodeModel(tinyModel())).equals(Buffer.from(encodeModel(tinyModel())))).toBe(true);
  });
});

describe('encodeModel field layout', () => {
  it('writes ir_version first, then producer, graph, opsets and metadata, under their onnx.proto3 numbers', () => {
    const fields = [...readFields(encodeModel(tinyModel()))].map((f) => f.field);
    expect(fields).toEqual([1, 2, 3, 5, 6, 7, 8, 14]);
  });

  it('refuses to write a tensor it could not read back', () => {
    const model = tinyModel();
    model.graph.initializers[0] = { ...model.graph.initializers[0], floats: null, dataType: 7 };
    expect(() => encodeModel(model)).toThrow(TypeError);
  });
});
