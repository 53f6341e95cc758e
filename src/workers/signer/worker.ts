/**
 * Signer worker thread entry (threaded topology; the protocol is signer-protocol.ts): keeps a
 * `PresignedSignatures` pool full and fresh for the execution thread. Loop: read the pool's
 * wake word, `fill` (sign every EMPTY slot; re-sign READY slots older than maxAgeMs / 2, a few
 * per round, oldest first: `signerPace`), then wait on the wake word for at most the pace's
 * idle wait (~15 ms by default), so an untouched slot is re-signed before it grows too old to
 * use and refreshes come spread out rather than in bursts. Slots taken are refilled at the next
 * round; a miss, or a target running low, notifies the wake word and ends the wait at once
 * (PresignedSignatures.take says why not on every take). The wait is
 * `Atomics.waitAsync`: the event loop runs meanwhile and a `stop` message ends the loop.
 *
 * The private key comes in `workerData` as a KeyObject and never leaves this thread again: no
 * log line, message or error here carries it (a failure posts the error's message only, with
 * anything PEM-like cut).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { signRequest } from '../../shared/kalshi-signing.js';
import { PresignedSignatures, type SignFunction } from '../../shared/presigned-signatures.js';
import { signerPace, type SignerWorkerCommand, type SignerWorkerData, type SignerWorkerMessage } from './signer-protocol.js';

if (parentPort === null) throw new Error('the signer worker must run in a worker thread');
const port = parentPort;
const post = (m: SignerWorkerMessage): void => port.postMessage(m);

function messageOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/-----BEGIN[\s\S]*?-----END[^-]*-----/g, '[redacted]').slice(0, 2_000);
}

async function main(data: SignerWorkerData): Promise<void> {
  const pool = PresignedSignatures.attach(data.pool);
  const key = data.privateKey;
  if (key?.type !== 'private') throw new TypeError('signer: privateKey must be a private KeyObject');
  const sign: SignFunction = (timestampMs, method, path) => signRequest(key, timestampMs, method, path);
  const pace = signerPace(data.maxAgeMs, pool.slots);
  const idleMs = data.idleWaitMs ?? pace.idleWaitMs;
  let stopping = false;
  port.on('message', (m: SignerWorkerCommand) => {
    if (m?.type !== 'stop') return;
    stopping = true;
    pool.wakeProducer(); // ends the wait below now
  });
  post({ type: 'started' });
  while (!stopping) {
    const seen = pool.wakeValue(); // before the fill: a take during it ends the next wait at once
    pool.fill(sign, Date.now, data.maxAgeMs, pace.refreshesPerRound);
    if (stopping) break;
    await pool.waitForWake(seen, idleMs);
  }
  post({ type: 'stopped' });
  port.close();
}

main(workerData as SignerWorkerData).catch((err: unknown) => {
  post({ type: 'fatal', message: messageOf(err) });
  port.close();
});
