/**
 * Shared by the orderbook-parser, channel-events and fuzz tests: the JSON fixtures of
 * test/fixtures/kalshi/ws/, a plain summary of an `OrderbookFrame` result, and an independent
 * reference decoder for orderbook frames built on `JSON.parse` and the checked readers of
 * decode.ts — what the byte parser must agree with whenever it accepts a frame.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KalshiSchemaError, asObject, reqEnum, reqInt, reqObject, reqPrice, reqSignedCount, priceLevel, type JsonObject } from '../../../../src/shared/kalshi/decode.js';
import { FrameKind, type OrderbookFrame } from '../../../../src/shared/kalshi/ws/orderbook-parser.js';

export interface Fixture<E = unknown> {
  name: string;
  source: string;
  frame: JsonObject;
  expected: E;
}

export function loadFixtures<E = unknown>(file: 'orderbook' | 'channel-events' | 'control'): Fixture<E>[] {
  const url = new URL(`../../../fixtures/kalshi/ws/${file}.json`, import.meta.url);
  return (JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as { frames: Fixture<E>[] }).frames;
}

/** What a Delta or Snapshot result says, as plain data (the fixtures' `expected` shape). */
export type Summary =
  | { kind: 'delta'; sid: number; seq: number; ticker: string; side: number; price: number; delta: number; tsMs: number; ownOrder: boolean }
  | { kind: 'snapshot'; sid: number; seq: number; ticker: string; yes: number[][]; no: number[][] }
  | { kind: 'other' }
  | { kind: 'malformed'; error: string };

export function summarize(kind: FrameKind, out: OrderbookFrame, buf: Uint8Array): Summary {
  switch (kind) {
    case FrameKind.Delta:
      return {
        kind: 'delta', sid: out.sid, seq: out.seq, ticker: out.ticker(buf),
        side: out.side, price: out.price, delta: out.delta, tsMs: out.tsMs, ownOrder: out.ownOrder,
      };
    case FrameKind.Snapshot: {
      const yes: number[][] = [];
      const no: number[][] = [];
      for (let i = 0; i < out.yesLevels; i++) yes.push([out.yesPrices[i], out.yesSizes[i]]);
      for (let i = 0; i < out.noLevels; i++) no.push([out.noPrices[i], out.noSizes[i]]);
      return { kind: 'snapshot', sid: out.sid, seq: out.seq, ticker: out.ticker(buf), yes, no };
    }
    case FrameKind.Other:
      return { kind: 'other' };
    default:
      return { kind: 'malformed', error: out.error };
  }
}

const TICKER_BYTES = /^[\x21-\x7e]+$/;

/**
 * The reference reading of an orderbook frame from its parsed JSON, with the parser's documented
 * rules except those JSON.parse cannot see (duplicate keys, escapes, integer spelling, depth):
 * 'other' for any other `type`, 'malformed' when a rule fails.
 */
export function referenceOrderbook(value: unknown): Summary {
  try {
    const f = asObject(value, 'frame');
    if (typeof f.type !== 'string') return { kind: 'malformed', error: 'type' };
    if (f.type !== 'orderbook_delta' && f.type !== 'orderbook_snapshot') return { kind: 'other' };
    const sid = reqInt(f, 'sid', 'frame');
    const seq = reqInt(f, 'seq', 'frame');
    if (sid < 0 || seq < 0) return { kind: 'malformed', error: 'sid/seq' };
    const msg = reqObject(f, 'msg', 'frame');
    const ticker = msg.market_ticker;
    if (typeof ticker !== 'string' || !TICKER_BYTES.test(ticker)) return { kind: 'malformed', error: 'ticker' };
    if (f.type === 'orderbook_delta') {
      const price = reqPrice(msg, 'price_dollars', 'msg');
      const delta = reqSignedCount(msg, 'delta_fp', 'msg');
      if (delta === 0) return { kind: 'malformed', error: 'zero delta' };
      const side = reqEnum(msg, 'side', 'msg', ['yes', 'no'] as const) === 'yes' ? 0 : 1;
      let tsMs = -1;
      if (msg.ts_ms !== undefined && msg.ts_ms !== null) {
        tsMs = reqInt(msg, 'ts_ms', 'msg');
        if (tsMs < 0) return { kind: 'malformed', error: 'ts_ms' };
      }
      const client = msg.client_order_id;
      if (client !== undefined && client !== null && typeof client !== 'string') return { kind: 'malformed', error: 'client_order_id' };
      return { kind: 'delta', sid, seq, ticker, side, price, delta, tsMs, ownOrder: typeof client === 'string' };
    }
    const side = (key: string): number[][] | null => {
      const v = msg[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) return null;
      const seen = new Set<number>();
      const levels: number[][] = [];
      for (let i = 0; i < v.length; i++) {
        const [price, size] = priceLevel(v[i], `${key}[${i}]`);
        if (size === 0 || seen.has(price)) return null;
        seen.add(price);
        levels.push([price, size]);
      }
      return levels;
    };
    const yes = side('yes_dollars_fp');
    const no = side('no_dollars_fp');
    if (yes === null || no === null) return { kind: 'malformed', error: 'levels' };
    return { kind: 'snapshot', sid, seq, ticker, yes, no };
  } catch (e) {
    if (e instanceof KalshiSchemaError) return { kind: 'malformed', error: e.message };
    throw e;
  }
}
