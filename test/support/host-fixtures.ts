/** Shared by the host's end-to-end tests: waiting for a condition, a venue on a test simulator, a book-only policy model. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Venue } from '../../src/main/host/venue.js';
import { KalshiCredentials } from '../../src/shared/kalshi-signing.js';
import { mlpModelBytes } from '../../src/shared/onnx/baseline-model.js';
import { MODEL_CONTRACT } from '../../src/shared/onnx/model-contract.js';
import { randomLayers } from '../../src/shared/onnx/mlp-trainer.js';
import type { Simulator } from '../../src/sim/simulator.js';
import type { TestKey } from './sim-client.js';

/** Poll `cond` every 25 ms until it holds; fail after `timeoutMs` naming `what`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The host's venue on a simulator the test owns (closing it is the test's business). */
export function venueOf(sim: Simulator, key: TestKey): Venue {
  return {
    name: 'sim', restUrl: sim.restUrl, wsUrl: sim.wsUrl, credentials: new KalshiCredentials(key.keyId, key.privateKey),
    privateKey: key.privateKey, close: async () => undefined,
  };
}

/** Indexes 0–15: the order-book group of the feature table. */
export const BOOK_FEATURES = 16;

/**
 * A small MLP whose weights on every non-book feature are zero: its action is a function of the
 * order book alone (not of time, history or the account). Written to `dir`; returns the path.
 */
export function bookOnlyModel(dir: string, seed = 7): string {
  const layers = randomLayers([52, 16, 5], seed);
  const first = layers[0];
  for (let o = 0; o < first.outputs; o++) for (let i = BOOK_FEATURES; i < first.inputs; i++) first.weight[o * first.inputs + i] = 0;
  const file = join(dir, `book-only-${seed}.onnx`);
  writeFileSync(file, mlpModelBytes({ inputName: MODEL_CONTRACT.inputName, outputName: MODEL_CONTRACT.outputName, layers }, 'book features only (test)'));
  return file;
}
