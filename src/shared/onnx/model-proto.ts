/**
 * ONNX ModelProto: the subset of onnx.proto3 a policy model needs, written and read with the wire
 * codec in `protobuf.ts`.
 *
 * Field numbers (onnx/onnx, onnx/onnx.proto3; frozen by ONNX's compatibility rules):
 *   ModelProto          ir_version 1, producer_name 2, producer_version 3, domain 4,
 *                       model_version 5, doc_string 6, graph 7, opset_import 8, metadata_props 14
 *   OperatorSetIdProto  domain 1, version 2
 *   StringStringEntry   key 1, value 2
 *   GraphProto          node 1, name 2, initializer 5, doc_string 10, input 11, output 12
 *   NodeProto           input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6, domain 7
 *   AttributeProto      name 1, f 2, i 3, s 4, floats 7, ints 8, type 20
 *   TensorProto         dims 1, data_type 2, float_data 4, int64_data 7, name 8, raw_data 9,
 *                       data_location 14
 *   ValueInfoProto      name 1, type 2
 *   TypeProto           tensor_type 1 → { elem_type 1, shape 2 → { dim 1 → { dim_value 1, dim_param 2 } } }
 *
 * `encodeModel` emits fields in one fixed order, so a model object always encodes to the same
 * bytes. Reading is in `model-reader.ts`.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** AttributeProto.AttributeType values used here. */
export const ATTR_FLOAT = 1;
export const ATTR_INT = 2;
export const ATTR_STRING = 3;
export const ATTR_FLOATS = 6;
export const ATTR_INTS = 7;

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain: string;
  attributes: OnnxAttribute[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Decoded values when dataType is FLOAT (from raw_data or float_data), else null. */
  floats: Float32Array | null;
  /** True when the data lives in an external file (data_location = EXTERNAL). */
  external: boolean;
}

/** A graph input or output: element type and shape, each dimension a size or a symbolic name. */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** null when the value has no shape at all. A dimension with neither value nor name is ''. */
  shape: (number | string)[] | null;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graph: OnnxGraph;
  /** metadata_props in file order. */
  metadata: { key: string; value: string }[];
}

// ---------------------------------------------------------------------------------------------
// Writing

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  if (t.dataType !== ONNX_FLOAT || t.floats === null || t.external) {
    throw new TypeError(`tensor ${t.name}: only inline float tensors can be written`);
  }
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, t.dataType);
  w.string(8, t.name);
  // raw_data, little-endian IEEE 754 as the spec requires, whatever the host's endianness.
  const raw = new Uint8Array(t.floats.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < t.floats.length; i++) view.setFloat32(i * 4, t.floats[i], true);
  w.bytes(9, raw);
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  if (a.f !== undefined) w.float(2, a.f);
  if (a.i !== undefined) w.varint(3, a.i);
  if (a.s !== undefined) w.string(4, a.s);
  if (a.floats !== undefined) for (const f of a.floats) w.float(7, f);
  if (a.ints !== undefined) for (const i of a.ints) w.varint(8, i);
  w.varint(20, a.type);
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes) w.message(5, (aw) => writeAttribute(aw, a));
  if (n.domain) w.string(7, n.domain);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, v.elemType);
      if (v.shape === null) return;
      const shape = v.shape;
      tensor.message(2, (s) => {
        for (const d of shape) {
          s.message(1, (dim) => {
            if (typeof d === 'number') dim.varint(1, d);
            else if (d !== '') dim.string(2, d);
          });
        }
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (nw) => writeNode(nw, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => writeTensor(tw, t));
  for (const v of g.inputs) w.message(11, (vw) => writeValueInfo(vw, v));
  for (const v of g.outputs) w.message(12, (vw) => writeValueInfo(vw, v));
}

/** A StringStringEntryProto's fields. */
export function writeEntry(w: ProtoWriter, key: string, value: string): void {
  w.string(1, key);
  w.string(2, value);
}

/** Encodes a model. Same object, same bytes. */
export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, m.irVersion);
  if (m.producerName) w.string(2, m.producerName);
  if (m.producerVersion) w.string(3, m.producerVersion);
  if (m.domain) w.string(4, m.domain);
  if (m.modelVersion) w.varint(5, m.modelVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, (gw) => writeGraph(gw, m.graph));
  for (const o of m.opsetImports) {
    w.message(8, (ow) => {
      if (o.domain) ow.string(1, o.domain);
      ow.varint(2, o.version);
    });
  }
  for (const e of m.metadata) w.message(14, (ew) => writeEntry(ew, e.key, e.value));
  return w.finish();
}
