/**
 * Where the host trades: the embedded simulator (default), Kalshi's demo or production
 * exchange. Returns the URLs and the credentials; a missing or bad key file is one clear line
 * (the key itself is never printed).
 */
import type { KeyObject } from 'node:crypto';
import { KalshiCredentials, KeyError, loadPrivateKey } from '../../shared/kalshi-signing.js';
import { KALSHI_REST_URLS } from '../../shared/kalshi/rest/environments.js';
import { KALSHI_WS_URLS } from '../../shared/kalshi/ws/client.js';
import type { HostConfig } from '../config/settings.js';
import { startEmbeddedExchange } from '../embedded-exchange.js';

export interface Venue {
  name: 'sim' | 'demo' | 'prod';
  restUrl: string;
  wsUrl: string;
  credentials: KalshiCredentials;
  /** The same key, for the worker threads' own clients (a KeyObject crosses threads in workerData). Never logged. */
  privateKey: KeyObject;
  close(): Promise<void>;
}

/** A start-up failure the CLI shows as one line (exit 1). */
export class HostStartError extends Error {
  override readonly name = 'HostStartError';
}

export async function openVenue(config: HostConfig): Promise<Venue> {
  if (config.exchange === 'sim') {
    const ex = await startEmbeddedExchange({ markets: config.simMarkets, rate: config.simRate, seed: config.simSeed, balance: config.simBalance });
    return {
      name: 'sim',
      restUrl: config.restUrl ?? ex.restUrl,
      wsUrl: config.wsUrl ?? ex.wsUrl,
      credentials: new KalshiCredentials(ex.keyId, ex.privateKey),
      privateKey: ex.privateKey,
      close: () => ex.close(),
    };
  }
  let credentials: KalshiCredentials;
  let privateKey: KeyObject;
  try {
    privateKey = loadPrivateKey({ path: config.privateKey! });
    credentials = new KalshiCredentials(config.keyId!, privateKey);
  } catch (err) {
    if (err instanceof KeyError) throw new HostStartError(err.message);
    throw err;
  }
  return {
    name: config.exchange,
    restUrl: config.restUrl ?? KALSHI_REST_URLS[config.exchange],
    wsUrl: config.wsUrl ?? KALSHI_WS_URLS[config.exchange],
    credentials,
    privateKey,
    close: () => Promise.resolve(),
  };
}
