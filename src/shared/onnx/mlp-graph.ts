/**
 * Dense MLPs as ONNX graphs, both ways: `buildMlpModel` writes the layers as a Gemm → activation
 * chain; `extractMlp` reads such a chain back from any exporter's model (PyTorch writes Linear as
 * Gemm, or as MatMul + Add) and refuses every graph that is not one.
 *
 * Layer layout: `weight` is outputs × inputs, row-major (row o holds the weights into output o,
 * PyTorch's `Linear.weight`), so one output is a dot product over contiguous memory. In ONNX that
 * is Gemm(X, W, b, transB = 1).
 */
import { ATTR_FLOAT, ATTR_INT, ONNX_FLOAT, type OnnxModel, type OnnxNode, type OnnxTensor } from './model-proto.js';

export type Activation = 'none' | 'relu' | 'tanh' | 'sigmoid';

const ACTIVATION_OPS: Record<string, Activation> = { Relu: 'relu', Tanh: 'tanh', Sigmoid: 'sigmoid' };
const OP_OF_ACTIVATION: Record<Exclude<Activation, 'none'>, string> = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' };

export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** outputs × inputs, row-major. */
  weight: Float32Array;
  /** outputs. */
  bias: Float32Array;
  activation: Activation;
}

export interface Mlp {
  inputName: string;
  outputName: string;
  layers: DenseLayer[];
}

export class MlpGraphError extends Error {
  override readonly name = 'MlpGraphError';
}

export interface MlpModelOptions {
  producerName: string;
  producerVersion: string;
  /** ONNX operator set; Gemm with an optional C needs 11 or later. */
  opset: number;
  irVersion: number;
  /** Symbolic name of the batch dimension. */
  batchDim: string;
  graphName: string;
  docString: string;
  metadata: { key: string; value: string }[];
}

/** The MLP as an ONNX model: input [batch, inputs], output [batch, outputs], float32. */
export function buildMlpModel(mlp: Mlp, opts: MlpModelOptions): OnnxModel {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let current = mlp.inputName;
  mlp.layers.forEach((layer, i) => {
    if (layer.weight.length !== layer.inputs * layer.outputs || layer.bias.length !== layer.outputs) {
      throw new RangeError(`layer ${i}: weight/bias sizes do not match ${layer.outputs}×${layer.inputs}`);
    }
    if (i > 0 && layer.inputs !== mlp.layers[i - 1].outputs) {
      throw new RangeError(`layer ${i}: takes ${layer.inputs} inputs, previous layer gives ${mlp.layers[i - 1].outputs}`);
    }
    const last = i === mlp.layers.length - 1;
    const w = `fc${i}.weight`;
    const b = `fc${i}.bias`;
    initializers.push(
      { name: w, dims: [layer.outputs, layer.inputs], dataType: ONNX_FLOAT, floats: layer.weight, external: false },
      { name: b, dims: [layer.outputs], dataType: ONNX_FLOAT, floats: layer.bias, external: false },
    );
    const gemmOut = last && layer.activation === 'none' ? mlp.outputName : `fc${i}`;
    nodes.push({
      opType: 'Gemm',
      name: `fc${i}`,
      domain: '',
      inputs: [current, w, b],
      outputs: [gemmOut],
      attributes: [
        { name: 'alpha', type: ATTR_FLOAT, f: 1 },
        { name: 'beta', type: ATTR_FLOAT, f: 1 },
        { name: 'transB', type: ATTR_INT, i: 1 },
      ],
    });
    current = gemmOut;
    if (layer.activation !== 'none') {
      const op = OP_OF_ACTIVATION[layer.activation];
      const out = last ? mlp.outputName : `${layer.activation}${i}`;
      nodes.push({ opType: op, name: `${layer.activation}${i}`, domain: '', inputs: [current], outputs: [out], attributes: [] });
      current = out;
    }
  });
  const first = mlp.layers[0];
  const lastLayer = mlp.layers[mlp.layers.length - 1];
  return {
    irVersion: opts.irVersion,
    opsetImports: [{ domain: '', version: opts.opset }],
    producerName: opts.producerName,
    producerVersion: opts.producerVersion,
    domain: '',
    modelVersion: 0,
    docString: opts.docString,
    graph: {
      name: opts.graphName,
      nodes,
      initializers,
      inputs: [{ name: mlp.inputName, elemType: ONNX_FLOAT, shape: [opts.batchDim, first.inputs] }],
      outputs: [{ name: mlp.outputName, elemType: ONNX_FLOAT, shape: [opts.batchDim, lastLayer.outputs] }],
    },
    metadata: opts.metadata,
  };
}

function attr(node: OnnxNode, name: string): { f?: number; i?: number } | undefined {
  return node.attributes.find((a) => a.name === name);
}

function floatsOf(t: OnnxTensor, what: string): Float32Array {
  if (t.external) throw new MlpGraphError(`${what} ${t.name} is stored in an external file`);
  if (t.dataType !== ONNX_FLOAT || t.floats === null) throw new MlpGraphError(`${what} ${t.name} is not float32 (data type ${t.dataType})`);
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.floats.length !== expected) throw new MlpGraphError(`${what} ${t.name} holds ${t.floats.length} values, its dims [${t.dims}] say ${expected}`);
  return t.floats;
}

/** A bias operand broadcast to `outputs`: shape [], [1], [outputs] or [1, outputs]. */
function biasOf(t: OnnxTensor, outputs: number, scale: number): Float32Array {
  const values = floatsOf(t, 'bias');
  const bias = new Float32Array(outputs);
  if (values.length === 1) bias.fill(values[0] * scale);
  else if (values.length === outputs && (t.dims.length === 1 || (t.dims.length === 2 && t.dims[0] === 1))) {
    for (let o = 0; o < outputs; o++) bias[o] = values[o] * scale;
  } else throw new MlpGraphError(`bias ${t.name} of shape [${t.dims}] does not broadcast to [${outputs}]`);
  return bias;
}

/**
 * Reads a dense chain from a model: one graph input, one output, and nodes each taking the
 * previous node's output plus initializers only. Accepted ops (default ONNX domain): Gemm
 * (transA = 0), MatMul with a 2-D initializer, Add of an initializer bias right after a linear
 * op, and Relu / Tanh / Sigmoid after a linear op; Identity passes through. Anything else, a
 * branch, or a missing weight throws MlpGraphError naming the node.
 */
export function extractMlp(model: OnnxModel): Mlp {
  const g = model.graph;
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const inputs = g.inputs.filter((v) => !inits.has(v.name));
  if (inputs.length !== 1) throw new MlpGraphError(`the graph has ${inputs.length} inputs, an MLP has 1`);
  if (g.outputs.length !== 1) throw new MlpGraphError(`the graph has ${g.outputs.length} outputs, an MLP has 1`);
  const layers: DenseLayer[] = [];
  let current = inputs[0].name;
  let open: DenseLayer | null = null; // the last linear layer, while it can still take a bias or an activation
  for (const [index, node] of g.nodes.entries()) {
    const where = `node ${index} (${node.opType}${node.name ? ` "${node.name}"` : ''})`;
    if (node.domain !== '' && node.domain !== 'ai.onnx') throw new MlpGraphError(`${where}: operator domain "${node.domain}" is not supported`);
    if (node.outputs.length !== 1) throw new MlpGraphError(`${where}: has ${node.outputs.length} outputs`);
    const dataInputs = node.inputs.filter((n) => n !== '' && !inits.has(n));
    if (dataInputs.length !== 1 || dataInputs[0] !== current) {
      throw new MlpGraphError(`${where}: does not continue the chain from "${current}" (inputs: ${node.inputs.join(', ')})`);
    }
    const param = (k: number): OnnxTensor => {
      const t = inits.get(node.inputs[k] ?? '');
      if (t === undefined) throw new MlpGraphError(`${where}: input ${k} must be an initializer`);
      return t;
    };
    const pushLayer = (layer: DenseLayer): DenseLayer => {
      const prev = layers[layers.length - 1];
      if (prev !== undefined && prev.outputs !== layer.inputs) {
        throw new MlpGraphError(`${where}: takes ${layer.inputs} inputs, the previous layer gives ${prev.outputs}`);
      }
      layers.push(layer);
      return layer;
    };
    switch (node.opType) {
      case 'Gemm': {
        if (node.inputs[0] !== current) throw new MlpGraphError(`${where}: the data must be input A`);
        if ((attr(node, 'transA')?.i ?? 0) !== 0) throw new MlpGraphError(`${where}: transA is not supported`);
        const alpha = attr(node, 'alpha')?.f ?? 1;
        const beta = attr(node, 'beta')?.f ?? 1;
        const transB = (attr(node, 'transB')?.i ?? 0) !== 0;
        const b = param(1);
        const values = floatsOf(b, 'weight');
        if (b.dims.length !== 2) throw new MlpGraphError(`${where}: weight ${b.name} is not 2-D`);
        const [outputs, ins] = transB ? [b.dims[0], b.dims[1]] : [b.dims[1], b.dims[0]];
        const weight = new Float32Array(outputs * ins);
        for (let o = 0; o < outputs; o++) {
          for (let i = 0; i < ins; i++) weight[o * ins + i] = alpha * (transB ? values[o * ins + i] : values[i * outputs + o]);
        }
        const bias = node.inputs.length > 2 && node.inputs[2] !== '' ? biasOf(param(2), outputs, beta) : new Float32Array(outputs);
        open = pushLayer({ inputs: ins, outputs, weight, bias, activation: 'none' });
        break;
      }
      case 'MatMul': {
        if (node.inputs[0] !== current) throw new MlpGraphError(`${where}: the data must be the left operand`);
        const b = param(1);
        const values = floatsOf(b, 'weight');
        if (b.dims.length !== 2) throw new MlpGraphError(`${where}: weight ${b.name} is not 2-D`);
        const [ins, outputs] = b.dims;
        const weight = new Float32Array(outputs * ins);
        for (let o = 0; o < outputs; o++) for (let i = 0; i < ins; i++) weight[o * ins + i] = values[i * outputs + o];
        open = pushLayer({ inputs: ins, outputs, weight, bias: new Float32Array(outputs), activation: 'none' });
        break;
      }
      case 'Add': {
        if (open === null || open.activation !== 'none') throw new MlpGraphError(`${where}: a bias must follow Gemm or MatMul`);
        const other = node.inputs[0] === current ? 1 : 0;
        const bias = biasOf(param(other), open.outputs, 1);
        for (let o = 0; o < open.outputs; o++) open.bias[o] += bias[o];
        break;
      }
      case 'Relu':
      case 'Tanh':
      case 'Sigmoid':
        if (open === null || open.activation !== 'none') throw new MlpGraphError(`${where}: an activation must follow Gemm or MatMul`);
        open.activation = ACTIVATION_OPS[node.opType];
        open = null;
        break;
      case 'Identity':
        break;
      default:
        throw new MlpGraphError(`${where}: operator ${node.opType} is not supported by the MLP evaluator`);
    }
    current = node.outputs[0];
  }
  if (layers.length === 0) throw new MlpGraphError('the graph has no Gemm or MatMul layer');
  if (current !== g.outputs[0].name) throw new MlpGraphError(`the chain ends at "${current}", the graph output is "${g.outputs[0].name}"`);
  const declared = inputs[0].shape;
  const width0 = declared?.[1];
  if (declared !== null && (declared.length !== 2 || (typeof width0 === 'number' && width0 !== layers[0].inputs))) {
    throw new MlpGraphError(`input ${inputs[0].name} is declared [${declared}], the first layer takes [batch, ${layers[0].inputs}]`);
  }
  return { inputName: inputs[0].name, outputName: g.outputs[0].name, layers };
}
