import { describe, expect, it } from 'vitest';
import { Xorshift32, randomLayers, trainClassifier } from '../../../src/shared/onnx/mlp-trainer.js';

/** Three classes split by two lines in the plane, plus two noise features. */
function toyData(rows: number, seed: number): { x: Float32Array; y: Uint8Array } {
  const rng = new Xorshift32(seed);
  const x = new Float32Array(rows * 4);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    x.set([a, b, rng.next(), rng.next()], r * 4);
    y[r] = a + b > 0.5 ? 1 : a - b < -0.5 ? 2 : 0;
  }
  return { x, y };
}

function accuracy(layers: ReturnType<typeof randomLayers>, x: Float32Array, y: Uint8Array): number {
  let right = 0;
  for (let r = 0; r < y.length; r++) {
    let cur = [...x.subarray(r * 4, r * 4 + 4)];
    for (const l of layers) {
      const next: number[] = [];
      for (let o = 0; o < l.outputs; o++) {
        let s = l.bias[o];
        for (let i = 0; i < l.inputs; i++) s += l.weight[o * l.inputs + i] * cur[i];
        next.push(l.activation === 'relu' ? Math.max(0, s) : s);
      }
      cur = next;
    }
    if (cur.indexOf(Math.max(...cur)) === y[r]) right++;
  }
  return right / y.length;
}

describe('Xorshift32', () => {
  it('repeats its sequence for a seed and stays in range', () => {
    const a = new Xorshift32(42);
    const b = new Xorshift32(42);
    for (let i = 0; i < 1000; i++) {
      const v = a.next();
      expect(v).toBe(b.next());
      expect(v >= 0 && v < 1).toBe(true);
    }
    expect(new Xorshift32(0).nextU32()).not.toBe(0); // seed 0 would be stuck at 0
  });
});

describe('trainClassifier', () => {
  const opts = { hidden: [16], classes: 3, epochs: 8, batchSize: 16, learningRate: 0.01, seed: 7 };

  it('learns a simple three-class split', () => {
    const train = toyData(3000, 1);
    const test = toyData(1000, 2);
    const { layers, finalLoss } = trainClassifier(train.x, train.y, 4, opts);
    expect(layers.map((l) => [l.inputs, l.outputs, l.activation])).toEqual([
      [4, 16, 'relu'],
      [16, 3, 'none'],
    ]);
    expect(finalLoss).toBeLessThan(0.3);
    expect(accuracy(layers, test.x, test.y)).toBeGreaterThan(0.93);
  });

  it('gives the same weights for the same seed and data', () => {
    const { x, y } = toyData(500, 3);
    const a = trainClassifier(x, y, 4, { ...opts, epochs: 2 });
    const b = trainClassifier(x, y, 4, { ...opts, epochs: 2 });
    expect(a).toEqual(b);
    const c = trainClassifier(x, y, 4, { ...opts, epochs: 2, seed: 8 });
    expect(c.layers[0].weight).not.toEqual(a.layers[0].weight);
  });

  it('refuses data whose size does not match', () => {
    expect(() => trainClassifier(new Float32Array(7), new Uint8Array(2), 4, opts)).toThrow(RangeError);
  });
});

describe('randomLayers', () => {
  it('makes layers of the given widths, the hidden activation on all but the last', () => {
    const layers = randomLayers([5, 4, 3, 2], 1, 'tanh');
    expect(layers.map((l) => [l.inputs, l.outputs, l.activation, l.weight.length, l.bias.length])).toEqual([
      [5, 4, 'tanh', 20, 4],
      [4, 3, 'tanh', 12, 3],
      [3, 2, 'none', 6, 2],
    ]);
  });
});
