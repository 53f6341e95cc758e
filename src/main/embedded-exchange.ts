/**
 * The exchange `npm start` trades by default: the simulator in a worker thread of this process,
 * with a key pair made for the session (the private half never leaves this thread; the
 * simulator gets the public half).
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { siblingModule, spawnWorker } from '../shared/worker-spawn.js';
import type { StartSimulatorOptions } from '../sim/simulator.js';

export interface EmbeddedExchange {
  restUrl: string;
  wsUrl: string;
  keyId: string;
  privateKey: KeyObject;
  close(): Promise<void>;
}

export interface EmbeddedExchangeOptions {
  markets: number;
  rate: number;
  seed: number;
  /** Starting cash, µ$. */
  balance: number;
  tier?: StartSimulatorOptions['tier'];
  faults?: StartSimulatorOptions['faults'];
}

type SimReply = { type: 'ready'; restUrl: string; wsUrl: string; port: number } | { type: 'failed'; message: string } | { type: 'closed' };

export async function startEmbeddedExchange(options: EmbeddedExchangeOptions): Promise<EmbeddedExchange> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = `embedded-${randomUUID()}`;
  const simOptions: StartSimulatorOptions = {
    keys: [{ keyId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
    port: 0,
    markets: options.markets,
    rate: options.rate,
    seed: options.seed,
    balance: options.balance,
    tier: options.tier ?? 'prestige', // the embedded venue is a paper account: no reason to starve it
    faults: options.faults,
  };
  const worker: Worker = spawnWorker(siblingModule(import.meta.url, '../sim/sim-worker'), { workerData: simOptions });
  const ready = await new Promise<Extract<SimReply, { type: 'ready' }>>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the embedded simulator stopped at start-up (exit code ${code})`)));
    worker.on('message', (m: SimReply) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'failed') reject(new Error(`the embedded simulator could not start: ${m.message}`));
    });
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  worker.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  return {
    restUrl: ready.restUrl,
    wsUrl: ready.wsUrl,
    keyId,
    privateKey,
    close() {
      closing ??= new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage({ type: 'close' });
        // A simulator that does not close in time is stopped.
        setTimeout(() => void worker.terminate(), 3_000).unref();
      });
      return closing;
    },
  };
}
