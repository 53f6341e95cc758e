/**
 * Fixture worker for presigned-signatures.test.ts: a second consumer taking from the pool while
 * the main thread takes too and the signer thread fills. Verifies every signature it takes and
 * posts them all back, so the test can check that none was handed out twice.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPublicKey } from 'node:crypto';
import { verifySignature } from '../../../src/shared/kalshi-signing.js';
import { PresignedSignatures, type PresignedSignaturesShared } from '../../../src/shared/presigned-signatures.js';

export interface PresignConsumerData {
  pool: PresignedSignaturesShared;
  publicKeyPem: string;
  method: string;
  path: string;
  maxAgeMs: number;
  /** Stop after this many signatures taken. */
  count: number;
  /** Give up after this long, ms. */
  deadlineMs: number;
}

export interface PresignConsumerReport {
  taken: string[];
  misses: number;
  bad: number;
  firstBad?: string;
}

const d = workerData as PresignConsumerData;
const pool = PresignedSignatures.attach(d.pool);
const publicKey = createPublicKey(d.publicKeyPem);
const report: PresignConsumerReport = { taken: [], misses: 0, bad: 0 };
const end = Date.now() + d.deadlineMs;
while (report.taken.length < d.count && Date.now() < end) {
  const now = Date.now();
  const hit = pool.take(d.method, d.path, now, d.maxAgeMs);
  if (hit === undefined) {
    report.misses++;
    continue;
  }
  const age = now - hit.timestampMs;
  if (!verifySignature(publicKey, String(hit.timestampMs), d.method, d.path, hit.signature) || age > d.maxAgeMs || age < -5) {
    report.bad++;
    report.firstBad ??= `ts ${hit.timestampMs} at ${now}: ${hit.signature.slice(0, 16)}…`;
  }
  report.taken.push(hit.signature);
}
parentPort!.postMessage(report);
