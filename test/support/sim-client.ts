/**
 * A minimal signed client for tests against the simulator: REST through fetch, WebSocket through
 * `ws`, each request signed with a fresh key made for the test. Not the host's client (that is
 * src/shared's job); just enough to drive the simulator from the outside, as a user would.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { authHeaders, WS_SIGNED_PATH } from '../../src/shared/kalshi-signing.js';
import type { SimKey } from '../../src/sim/options.js';

export interface TestKey extends SimKey {
  privateKey: KeyObject;
}

export function makeKey(keyId = 'test-key-1'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keyId, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export interface RestReply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
  text: string;
}

/** A signed REST call; `path` is relative to the REST base URL (e.g. '/portfolio/balance?x=1'). */
export async function rest(baseUrl: string, key: TestKey | undefined, method: string, path: string, body?: unknown): Promise<RestReply> {
  const url = baseUrl + path;
  const headers: Record<string, string> = key ? authHeaders(key.keyId, key.privateKey, method, url) : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** A WebSocket client that records every frame and can wait for one. */
export class WsClient {
  readonly frames: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly raw: string[] = [];
  private waiters: Array<{ pred: (f: any) => boolean; resolve: (f: any) => void }> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  private nextId = 1;
  closed = false;
  pings = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { malformed: text };
      }
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => (w.pred(frame) ? (w.resolve(frame), false) : true));
    });
    ws.on('ping', () => this.pings++);
    ws.on('close', () => (this.closed = true));
  }

  static connect(wsUrl: string, key: TestKey | undefined, tamper?: (h: Record<string, string>) => void): Promise<WsClient> {
    const headers = key ? authHeaders(key.keyId, key.privateKey, 'GET', WS_SIGNED_PATH) : {};
    tamper?.(headers);
    const ws = new WebSocket(wsUrl, { headers, perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Send a command with a fresh id; returns the id. */
  command(cmd: string, params?: Record<string, unknown>): number {
    const id = this.nextId++;
    this.ws.send(JSON.stringify(params === undefined ? { id, cmd } : { id, cmd, params }));
    return id;
  }

  /** Resolves with the first frame (already received or future) matching `pred`. */
  waitFor(pred: (f: any) => boolean, timeoutMs = 10_000): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const seen = this.frames.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
