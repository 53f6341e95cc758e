/**
 * Reading ONNX model files (field numbers in `model-proto.ts`): the whole model for the MLP
 * evaluator, only the top level for the metadata check, and a metadata stamp that edits a
 * foreign model without re-encoding it.
 *
 * The reader keeps what it understands and skips the rest (unknown fields are legal protobuf),
 * and turns anything malformed into a ProtoDecodeError.
 */
import {
  ONNX_FLOAT,
  writeEntry,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './model-proto.js';
import {
  ProtoDecodeError,
  ProtoWriter,
  WIRE_LEN,
  WIRE_VARINT,
  decodeUtf8,
  readFields,
  readFloats,
  readVarints,
  type ProtoField,
} from './protobuf.js';

function str(f: ProtoField): string {
  if (f.wire !== WIRE_LEN) throw new ProtoDecodeError('wire-type', `field ${f.field}: expected a string`, f.start);
  return decodeUtf8(f.bytes, f.start);
}

function int(f: ProtoField): number {
  if (f.wire !== WIRE_VARINT) throw new ProtoDecodeError('wire-type', `field ${f.field}: expected a varint`, f.start);
  return f.value;
}

function sub(f: ProtoField): Uint8Array {
  if (f.wire !== WIRE_LEN) throw new ProtoDecodeError('wire-type', `field ${f.field}: expected a message`, f.start);
  return f.bytes;
}

function readEntry(buf: Uint8Array): { key: string; value: string } {
  let key = '';
  let value = '';
  for (const f of readFields(buf)) {
    if (f.field === 1) key = str(f);
    else if (f.field === 2) value = str(f);
  }
  return { key, value };
}

function readTensor(buf: Uint8Array): OnnxTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | null = null;
  const floatData: number[] = [];
  let external = false;
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        readVarints(f, dims);
        break;
      case 2:
        dataType = int(f);
        break;
      case 4:
        readFloats(f, floatData);
        break;
      case 8:
        name = str(f);
        break;
      case 9:
        raw = sub(f);
        break;
      case 14:
        external = int(f) === 1;
        break;
    }
  }
  let floats: Float32Array | null = null;
  if (dataType === ONNX_FLOAT && !external) {
    if (raw !== null) {
      if (raw.length % 4 !== 0) throw new ProtoDecodeError('field', `tensor ${name}: raw_data is ${raw.length} bytes, not a multiple of 4`, 0);
      floats = new Float32Array(raw.length / 4);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
      for (let i = 0; i < floats.length; i++) floats[i] = view.getFloat32(i * 4, true);
    } else {
      floats = Float32Array.from(floatData);
    }
  }
  return { name, dims, dataType, floats, external };
}

function readAttribute(buf: Uint8Array): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0 };
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        a.name = str(f);
        break;
      case 2:
        a.f = f.value;
        break;
      case 3:
        a.i = int(f);
        break;
      case 4:
        a.s = str(f);
        break;
      case 7:
        readFloats(f, (a.floats ??= []));
        break;
      case 8:
        readVarints(f, (a.ints ??= []));
        break;
      case 20:
        a.type = int(f);
        break;
    }
  }
  return a;
}

function readNode(buf: Uint8Array): OnnxNode {
  const n: OnnxNode = { opType: '', inputs: [], outputs: [], name: '', domain: '', attributes: [] };
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        n.inputs.push(str(f));
        break;
      case 2:
        n.outputs.push(str(f));
        break;
      case 3:
        n.name = str(f);
        break;
      case 4:
        n.opType = str(f);
        break;
      case 5:
        n.attributes.push(readAttribute(sub(f)));
        break;
      case 7:
        n.domain = str(f);
        break;
    }
  }
  return n;
}

function readShape(buf: Uint8Array): (number | string)[] {
  const shape: (number | string)[] = [];
  for (const f of readFields(buf)) {
    if (f.field !== 1) continue;
    let dim: number | string = '';
    for (const d of readFields(sub(f))) {
      if (d.field === 1) dim = int(d);
      else if (d.field === 2) dim = str(d);
    }
    shape.push(dim);
  }
  return shape;
}

function readValueInfo(buf: Uint8Array): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0, shape: null };
  for (const f of readFields(buf)) {
    if (f.field === 1) v.name = str(f);
    else if (f.field === 2) {
      for (const t of readFields(sub(f))) {
        if (t.field !== 1) continue; // sequence/map types: leave elemType 0
        for (const tf of readFields(sub(t))) {
          if (tf.field === 1) v.elemType = int(tf);
          else if (tf.field === 2) v.shape = readShape(sub(tf));
        }
      }
    }
  }
  return v;
}

function readGraph(buf: Uint8Array): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        g.nodes.push(readNode(sub(f)));
        break;
      case 2:
        g.name = str(f);
        break;
      case 5:
        g.initializers.push(readTensor(sub(f)));
        break;
      case 11:
        g.inputs.push(readValueInfo(sub(f)));
        break;
      case 12:
        g.outputs.push(readValueInfo(sub(f)));
        break;
    }
  }
  return g;
}

/** What `readModelHeader` finds without decoding the graph. */
export interface OnnxModelHeader {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsetImports: { domain: string; version: number }[];
  metadata: { key: string; value: string }[];
  hasGraph: boolean;
}

function readHeaderInto(bytes: Uint8Array, onGraph: (buf: Uint8Array) => void): OnnxModelHeader {
  const h: OnnxModelHeader = { irVersion: 0, producerName: '', producerVersion: '', opsetImports: [], metadata: [], hasGraph: false };
  for (const f of readFields(bytes)) {
    switch (f.field) {
      case 1:
        h.irVersion = int(f);
        break;
      case 2:
        h.producerName = str(f);
        break;
      case 3:
        h.producerVersion = str(f);
        break;
      case 7:
        h.hasGraph = true;
        onGraph(sub(f));
        break;
      case 8: {
        const o = { domain: '', version: 0 };
        for (const of of readFields(sub(f))) {
          if (of.field === 1) o.domain = str(of);
          else if (of.field === 2) o.version = int(of);
        }
        h.opsetImports.push(o);
        break;
      }
      case 14:
        h.metadata.push(readEntry(sub(f)));
        break;
    }
  }
  return h;
}

/**
 * Reads the top level of a ModelProto (IR version, producer, opsets, metadata_props) without
 * decoding the graph. Throws ProtoDecodeError when the bytes are not a protobuf message, or are
 * one that cannot be an ONNX model (no ir_version or no graph).
 */
export function readModelHeader(bytes: Uint8Array): OnnxModelHeader {
  const h = readHeaderInto(bytes, () => {});
  if (h.irVersion <= 0 || !h.hasGraph) {
    throw new ProtoDecodeError('field', `not an ONNX model: ${h.irVersion <= 0 ? 'no ir_version' : 'no graph'}`, 0);
  }
  return h;
}

/** Decodes a whole model (graph included). Same errors as `readModelHeader`. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const found: { graph: OnnxGraph | null } = { graph: null };
  const h = readHeaderInto(bytes, (buf) => {
    found.graph = readGraph(buf);
  });
  const graph = found.graph;
  if (h.irVersion <= 0 || graph === null) {
    throw new ProtoDecodeError('field', `not an ONNX model: ${h.irVersion <= 0 ? 'no ir_version' : 'no graph'}`, 0);
  }
  let domain = '';
  let modelVersion = 0;
  let docString = '';
  for (const f of readFields(bytes)) {
    if (f.field === 4) domain = str(f);
    else if (f.field === 5) modelVersion = int(f);
    else if (f.field === 6) docString = str(f);
  }
  return {
    irVersion: h.irVersion,
    opsetImports: h.opsetImports,
    producerName: h.producerName,
    producerVersion: h.producerVersion,
    domain,
    modelVersion,
    docString,
    graph,
    metadata: h.metadata,
  };
}

/** The value of metadata key `key`, or undefined. With duplicate keys, the last one wins. */
export function metadataValue(metadata: readonly { key: string; value: string }[], key: string): string | undefined {
  let found: string | undefined;
  for (const e of metadata) if (e.key === key) found = e.value;
  return found;
}

/**
 * Returns a copy of a model file with metadata entries set: every existing metadata_props entry
 * whose key is being set is dropped, every other top-level field is copied byte for byte (so a
 * model from any exporter survives untouched, fields we do not understand included), and the new
 * entries are appended in the order given.
 */
export function stampMetadata(bytes: Uint8Array, entries: readonly { key: string; value: string }[]): Uint8Array {
  readModelHeader(bytes); // refuse anything that is not a model before editing it
  const keys = new Set(entries.map((e) => e.key));
  const w = new ProtoWriter();
  for (const f of readFields(bytes)) {
    if (f.field === 14 && keys.has(readEntry(sub(f)).key)) continue;
    w.raw(bytes.subarray(f.start, f.end));
  }
  for (const e of entries) w.message(14, (ew) => writeEntry(ew, e.key, e.value));
  return w.finish();
}
