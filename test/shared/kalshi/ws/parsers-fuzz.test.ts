/**
 * Fuzzing the WebSocket parsers with mutated real frames (fixtures and simulator output): byte
 * flips, truncations, insertions, deletions, swapped and duplicated fields, huge numbers,
 * unicode, deep nesting. Seeded (KALSHI_WS_FUZZ_SEED overrides), so a failure names the seed,
 * the iteration and the frame, and reproduces.
 *
 * Properties, for every input:
 * - parseOrderbookFrame never throws; a Delta has an integer price in [0, 10000], an integer
 *   delta ≠ 0, side 0/1 and a non-empty ticker range; a Snapshot integer prices in [0, 10000],
 *   distinct per side, and integer sizes > 0;
 * - it agrees with JSON.parse: whatever JSON.parse refuses is Malformed, whatever it calls a
 *   syntax error JSON.parse refuses, an Other frame is a JSON object whose `type` is another
 *   string, and a Delta or Snapshot reads exactly what the reference decoder reads from the
 *   parsed JSON (ws-parser-support.ts);
 * - parseChannelEvent, parseControlFrame and parseServerFrame, on whatever JSON.parse accepts,
 *   throw nothing but KalshiSchemaError, and their results' numbers are finite, prices integers
 *   in [0, 10000], counts and money safe integers.
 */
import { describe, expect, it } from 'vitest';
import { KalshiSchemaError, type JsonObject } from '../../../../src/shared/kalshi/decode.js';
import { parseChannelEvent, parseControlFrame, parseServerFrame } from '../../../../src/shared/kalshi/ws/channel-events.js';
import { FrameError, FrameKind, OrderbookFrame, parseOrderbookFrame } from '../../../../src/shared/kalshi/ws/orderbook-parser.js';
import * as frames from '../../../../src/sim/ws/frames.js';
import { rng } from '../../../support/fixed-point.js';
import * as fx from '../../../sim/server/fixtures.js';
import { loadFixtures, referenceOrderbook, summarize } from './ws-parser-support.js';

const SEED = Number(process.env.KALSHI_WS_FUZZ_SEED ?? 20261124);
const MUTATED_FRAMES = 100_000;

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

// ---------------------------------------------------------------------------------------------
// Corpus: real frames

function corpus(): string[] {
  const texts: string[] = [];
  for (const file of ['orderbook', 'channel-events', 'control'] as const) {
    for (const f of loadFixtures(file)) texts.push(JSON.stringify(f.frame));
  }
  const r = rng(SEED ^ 0x5eed);
  const market = fx.market();
  for (let i = 0; i < 40; i++) {
    const d = (int(r, 200_000) - 100_000) || 1;
    texts.push(frames.orderbookDelta(1 + int(r, 20), 1 + int(r, 1e6), market, r() < 0.5 ? 'yes' : 'no', int(r, 10_001), d, 1_755_800_000_000 + int(r, 1e9), r() < 0.3 ? `cid-${i}` : undefined, r() < 0.5));
  }
  for (let i = 0; i < 20; i++) {
    const side = () => [...new Set(Array.from({ length: int(r, 12) }, () => 1 + int(r, 9999)))].sort((a, b) => a - b).map((p) => [p, 1 + int(r, 1e7)] as [number, number]);
    texts.push(frames.orderbookSnapshot(1 + int(r, 20), 1 + int(r, 1e6), market, side(), side(), r() < 0.5, r() < 0.3 ? 127 : undefined));
  }
  const top = { yesBid: 4500, yesBidSize: 30_000, yesAsk: 5300, yesAskSize: 15_000, noBid: 4700, noAsk: 5500 };
  texts.push(
    frames.ticker(11, market, top, 2500, fx.T0),
    frames.trade(11, 2, market, 'd91bc706-ee49-470d-82d8-11418bda6fed', 3600, 13_600, 'ask', fx.T0),
    frames.fill(13, fx.fill(), market),
    frames.marketPosition(14, fx.ACCOUNT, market, fx.position()),
    frames.userOrder(22, fx.order({ orderGroupId: 'og_1', expirationMs: fx.T0 + 1 }), market),
    frames.orderGroupUpdates(21, 7, fx.orderGroup(), 'limit_updated', fx.T0),
    frames.marketLifecycleV2(13, 3, fx.market({ result: 'no' }), 'created', fx.T0),
    frames.marketLifecycleV2(13, 4, fx.market({ result: 'no' }), 'determined', fx.T0),
    frames.eventLifecycle(5, 8, fx.event(), fx.T0),
    frames.error(7, 25, undefined, 4, { seq: 9, marketTickers: ['A-1'] }),
    frames.ok(3, 1, 9, ['A-1', 'B-2']),
  );
  // Type not first, and whitespace everywhere.
  texts.push(
    '{"sid":2,"seq":2,"msg":{"side":"no","ts_ms":5,"delta_fp":"1.50","price_dollars":"0.0100","market_ticker":"AB-1"},"type":"orderbook_delta"}',
    ' { "msg" : { "market_ticker" : "AB-1" , "yes_dollars_fp" : [ [ "0.5000" , "1.00" ] ] } , "type" : "orderbook_snapshot" , "sid" : 1 , "seq" : 1 } ',
  );
  return texts;
}

// ---------------------------------------------------------------------------------------------
// Mutations

const enc = new TextEncoder();
const INTERESTING_BYTES = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30, 0x31, 0x39, 0x2d, 0x2e, 0x65, 0x20, 0x0a, 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff, 0x6e, 0x74];
const TOKENS = [
  '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\\u', '\\u00', '\\"', 'null', 'true', 'false', '-', '0', '.', 'e', 'E+',
  '1e999', '-1e999', '99999999999999999999', '9007199254740993', '-0', '0.0', '1.7976931348623157e309', 'NaN', 'Infinity',
  'ü', '😀', '\ud83d', '\\ud800', '\\uDFFF', '\u2028', '\ufeff', '\u0000', '１',
  '"type":"orderbook_delta"', '"type":"orderbook_snapshot"', '"type":"ticker"', '"msg":{}', '"sid":1', '"seq":1',
  '"price_dollars":"0.5"', '"delta_fp":"0"', '"side":"no"', '"market_ticker":"X"', '"client_order_id":null', '"ts_ms":null',
  '"yes_dollars_fp":[["0.1","1"]]', '"no_dollars_fp":null', '[["0.4100","0.00"]]', '["0.4100","10.00"]',
];
const FIXED_POINT_SPELLINGS = [
  '0', '1', '1.0000', '1.0001', '0.42001', '-0.4200', '-0', '-0.00', '0.00', '.5', '5.', '1e2', 'NaN', 'Infinity', '', ' 1', '1 ', '0x10', '１',
  '0.4200000000', '00000.1', '90071992547409.91', '90071992547409.92', '-90071992547409.91', '123456789012345678901234567890', '0.009', '100.001',
];
const FIXED_KEYS = /"(price_dollars|delta_fp|yes_price_dollars|no_price_dollars|count_fp|fee_cost|post_position_fp|position_fp|[a-z_]*_dollars|[a-z_]*_fp)":"[^"]*"/g;

function nestedValue(r: Rand): string {
  const depth = 1 + int(r, 200);
  const kinds: boolean[] = Array.from({ length: depth }, () => r() < 0.5);
  return kinds.map((k) => (k ? '[' : '{"k":')).join('') + pick(r, ['1', '"x"', 'null', '[]', '{}']) + kinds.reverse().map((k) => (k ? ']' : '}')).join('');
}

function jsonMutation(r: Rand, text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const objects: JsonObject[] = [];
  const walk = (v: unknown) => {
    if (v !== null && typeof v === 'object') {
      if (!Array.isArray(v)) objects.push(v as JsonObject);
      for (const x of Object.values(v as object)) walk(x);
    }
  };
  walk(value);
  if (objects.length === 0) return text;
  const o = pick(r, objects);
  const keys = Object.keys(o);
  if (keys.length === 0) return text;
  const k = pick(r, keys);
  switch (int(r, 7)) {
    case 0: { // swap two values
      const k2 = pick(r, keys);
      [o[k], o[k2]] = [o[k2], o[k]];
      break;
    }
    case 1: { // reorder keys
      const entries = Object.entries(o).sort(() => r() - 0.5);
      for (const key of keys) delete o[key];
      for (const [key, v] of entries) o[key] = v;
      break;
    }
    case 2: // delete a key
      delete o[k];
      break;
    case 3: // wrong type
      o[k] = pick(r, [null, true, 0, -1, 1.5, 1e300, 'x', '', [], {}, [[]], ['0.5', '1.00'], { a: 1 }]);
      break;
    case 4: // huge or odd number
      o[k] = pick(r, [Number.MAX_SAFE_INTEGER + 2, -0, 2 ** 64, 1e-300, -Number.MAX_VALUE]);
      break;
    case 5: { // duplicate a key (textually: JSON objects cannot hold two)
      const s = JSON.stringify(value);
      const needle = `"${k}":`;
      const at = s.indexOf(needle);
      if (at < 0) return s;
      return s.slice(0, at) + `${needle}${JSON.stringify(pick(r, ['0.9900', '1.00', 'no', 1, null, o[k] ?? 0]))},` + s.slice(at);
    }
    default: // a new key holding deep nesting
      return JSON.stringify(value).replace(/^\{/, `{"deep${int(r, 9)}":${nestedValue(r)},`);
  }
  return JSON.stringify(value);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mutate(r: Rand, text: string): Uint8Array {
  let s = text;
  // Some text-level mutations first.
  const textual = int(r, 4);
  for (let m = 0; m < textual; m++) {
    switch (int(r, 5)) {
      case 0:
        s = jsonMutation(r, s);
        break;
      case 1: { // replace one fixed-point string
        const matches = [...s.matchAll(FIXED_KEYS)];
        if (matches.length > 0) {
          const hit = pick(r, matches);
          const start = hit.index + hit[0].indexOf(':"') + 2;
          s = s.slice(0, start) + pick(r, FIXED_POINT_SPELLINGS) + s.slice(hit.index + hit[0].length - 1);
        }
        break;
      }
      case 2: { // insert a token
        const at = int(r, s.length + 1);
        s = s.slice(0, at) + pick(r, TOKENS) + s.slice(at);
        break;
      }
      case 3: { // whitespace
        const at = int(r, s.length + 1);
        s = s.slice(0, at) + pick(r, [' ', '\n', '\r\n', '\t', '  ', '\u00a0', '\v']) + s.slice(at);
        break;
      }
      default: // nested value as a new key
        s = s.replace(/^\{/, `{"n":${nestedValue(r)},`);
    }
  }
  let bytes: Uint8Array = enc.encode(s);
  // Then byte-level ones.
  const byteLevel = textual === 0 ? 1 + int(r, 3) : int(r, 2);
  for (let m = 0; m < byteLevel; m++) {
    switch (int(r, 5)) {
      case 0: { // flip
        if (bytes.length === 0) break;
        const copy = bytes.slice();
        copy[int(r, copy.length)] = r() < 0.5 ? int(r, 256) : pick(r, INTERESTING_BYTES);
        bytes = copy;
        break;
      }
      case 1: // truncate
        bytes = bytes.slice(0, int(r, bytes.length + 1));
        break;
      case 2: { // insert random bytes
        const at = int(r, bytes.length + 1);
        const ins = Uint8Array.from({ length: 1 + int(r, 4) }, () => (r() < 0.5 ? int(r, 256) : pick(r, INTERESTING_BYTES)));
        bytes = concat(bytes.subarray(0, at), ins, bytes.subarray(at));
        break;
      }
      case 3: { // delete a span
        const at = int(r, bytes.length + 1);
        bytes = concat(bytes.subarray(0, at), bytes.subarray(at + 1 + int(r, 8)));
        break;
      }
      default: { // duplicate a span
        const at = int(r, bytes.length + 1);
        const end = at + 1 + int(r, 16);
        bytes = concat(bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end));
      }
    }
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Properties

const out = new OrderbookFrame();
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

const PRICE_KEYS = new Set(['price', 'yesPrice', 'noPrice', 'yesBid', 'yesAsk', 'settlementValue', 'start', 'end', 'step']);
const COUNT_KEYS = new Set(['count', 'yesBidSize', 'yesAskSize', 'lastTradeSize', 'volume', 'openInterest', 'fillCount', 'remainingCount', 'initialCount', 'contractsLimit']);
const SAFE_KEYS = new Set(['fee', 'postPosition', 'position', 'positionCost', 'realizedPnl', 'feesPaid', 'positionFeeCost', 'takerFillCost', 'makerFillCost', 'takerFees', 'makerFees', 'sid', 'seq', 'tsMs', 'id', 'code']);

function checkNumbers(v: unknown, key: string, fail: (why: string) => never): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(`${key} is ${v}`);
    if (PRICE_KEYS.has(key) && !(Number.isInteger(v) && v >= 0 && v <= 10_000)) fail(`${key} = ${v} is not a price`);
    if (COUNT_KEYS.has(key) && !(Number.isSafeInteger(v) && v >= 0)) fail(`${key} = ${v} is not a count`);
    if (SAFE_KEYS.has(key) && !Number.isSafeInteger(v)) fail(`${key} = ${v} is not a safe integer`);
  } else if (Array.isArray(v)) {
    for (const x of v) checkNumbers(x, key, fail);
  } else if (v !== null && typeof v === 'object' && key !== 'customStrike') {
    for (const [k, x] of Object.entries(v)) checkNumbers(x, k, fail);
  }
}

interface Tally {
  delta: number;
  snapshot: number;
  other: number;
  malformed: number;
  jsonValid: number;
  events: number;
  schemaErrors: number;
}

/** Runs every property on one input; returns what the orderbook parser said. */
function check(bytes: Uint8Array, where: string, tally: Tally): void {
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why}\n  frame (base64) ${Buffer.from(bytes).toString('base64')}\n  frame (text) ${decoder.decode(bytes).slice(0, 600)}`);
  };
  let kind: FrameKind;
  try {
    kind = parseOrderbookFrame(bytes, out);
  } catch (e) {
    return fail(`parseOrderbookFrame threw ${String(e)}`);
  }
  if (out.kind !== kind) fail('out.kind differs from the returned kind');
  if (kind === FrameKind.Delta) {
    tally.delta++;
    if (!(Number.isInteger(out.price) && out.price >= 0 && out.price <= 10_000)) fail(`delta price ${out.price}`);
    if (!(Number.isSafeInteger(out.delta) && out.delta !== 0)) fail(`delta ${out.delta}`);
    if (out.side !== 0 && out.side !== 1) fail(`side ${out.side}`);
    if (!(out.tickerEnd > out.tickerStart)) fail('empty ticker');
    if (!(Number.isSafeInteger(out.sid) && out.sid >= 0 && Number.isSafeInteger(out.seq) && out.seq >= 0)) fail('sid/seq');
    if (!(out.tsMs === -1 || (Number.isSafeInteger(out.tsMs) && out.tsMs >= 0))) fail(`tsMs ${out.tsMs}`);
  } else if (kind === FrameKind.Snapshot) {
    tally.snapshot++;
    for (const [n, prices, sizes] of [[out.yesLevels, out.yesPrices, out.yesSizes], [out.noLevels, out.noPrices, out.noSizes]] as const) {
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        if (!(Number.isInteger(prices[i]) && prices[i] >= 0 && prices[i] <= 10_000)) fail(`level price ${prices[i]}`);
        if (!(Number.isSafeInteger(sizes[i]) && sizes[i] > 0)) fail(`level size ${sizes[i]}`);
        if (seen.has(prices[i])) fail(`duplicate level ${prices[i]}`);
        seen.add(prices[i]);
      }
    }
  } else if (kind === FrameKind.Other) {
    tally.other++;
  } else {
    tally.malformed++;
    if (!(Object.values(FrameError) as string[]).includes(out.error)) fail(`unknown error reason ${out.error}`);
  }

  let parsed: unknown;
  let jsonOk = true;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    if (!(e instanceof SyntaxError)) fail(`JSON.parse threw ${String(e)}`);
    jsonOk = false;
  }
  if (!jsonOk) {
    if (kind !== FrameKind.Malformed) fail(`JSON.parse refuses what the parser called ${kind}`);
    return;
  }
  tally.jsonValid++;
  if (kind === FrameKind.Malformed && out.error === FrameError.Syntax) fail('the parser calls valid JSON a syntax error');
  if (kind === FrameKind.Delta || kind === FrameKind.Snapshot) {
    expect(summarize(kind, out, bytes), where).toEqual(referenceOrderbook(parsed));
  } else if (kind === FrameKind.Other) {
    const type = (parsed as { type?: unknown }).type;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail('Other but not an object');
    if (typeof type !== 'string' || type === 'orderbook_delta' || type === 'orderbook_snapshot') fail(`Other with type ${String(type)}`);
  }
  // The cold-path decoders, on everything JSON.parse accepts.
  for (const decode of [parseChannelEvent, parseControlFrame, parseServerFrame]) {
    let event: unknown;
    try {
      event = decode(parsed);
    } catch (e) {
      if (!(e instanceof KalshiSchemaError)) fail(`${decode.name} threw ${String(e)}`);
      tally.schemaErrors++;
      continue;
    }
    tally.events++;
    checkNumbers(event, '', fail);
  }
}

describe('parser fuzzing', () => {
  it(`${MUTATED_FRAMES} mutated real frames (seed ${SEED})`, () => {
    const texts = corpus();
    const r = rng(SEED);
    const tally: Tally = { delta: 0, snapshot: 0, other: 0, malformed: 0, jsonValid: 0, events: 0, schemaErrors: 0 };
    // The unmutated corpus first: every frame is accepted one way or the other.
    texts.forEach((t, i) => check(enc.encode(t), `corpus ${i}`, tally));
    expect(tally.malformed).toBe(0);
    for (let i = 0; i < MUTATED_FRAMES; i++) {
      const base = pick(r, texts);
      check(mutate(r, base), `seed ${SEED} iteration ${i}`, tally);
    }
    // The mutations must exercise every outcome, or the fuzzer is not doing its job.
    expect(tally.delta).toBeGreaterThan(1000);
    expect(tally.snapshot).toBeGreaterThan(200);
    expect(tally.other).toBeGreaterThan(1000);
    expect(tally.malformed).toBeGreaterThan(10_000);
    expect(tally.events).toBeGreaterThan(1000);
    expect(tally.schemaErrors).toBeGreaterThan(1000);
    console.log(`parsers-fuzz seed ${SEED}:`, JSON.stringify(tally));
  });

  it('random bytes', () => {
    const r = rng(SEED + 1);
    const tally: Tally = { delta: 0, snapshot: 0, other: 0, malformed: 0, jsonValid: 0, events: 0, schemaErrors: 0 };
    for (let i = 0; i < 5000; i++) {
      const bytes = Uint8Array.from({ length: int(r, 64) }, () => (r() < 0.7 ? pick(r, INTERESTING_BYTES) : int(r, 256)));
      check(bytes, `seed ${SEED + 1} random ${i}`, tally);
    }
  });

  it('random valid orderbook frames: any key order, whitespace, unknown keys — always read, exactly', () => {
    const r = rng(SEED + 2);
    const ws = () => pick(r, ['', '', '', ' ', '\n  ', '\t', '\r\n']);
    const junk = () => pick(r, ['1', '-2.5e+3', '"a\\"b\\\\c\\u00e9"', 'null', 'true', '[1,[2,{"x":[]}]]', '{"msg":{"price_dollars":"9"}}', '"}{]["']);
    const obj = (entries: Array<[string, string]>) =>
      `{${ws()}${entries.sort(() => r() - 0.5).map(([k, v]) => `"${k}"${ws()}:${ws()}${v}`).join(`${ws()},${ws()}`)}${ws()}}`;
    const fp = (v: number, digits: number, min: number) => {
      const s = (v / 10 ** digits).toFixed(digits);
      return r() < 0.2 ? s.replace(/\.?0+$/, '') || '0' : v === 0 && min > 0 ? '1' : s;
    };
    const tally: Tally = { delta: 0, snapshot: 0, other: 0, malformed: 0, jsonValid: 0, events: 0, schemaErrors: 0 };
    for (let i = 0; i < 20_000; i++) {
      const isDelta = r() < 0.6;
      const ticker = Array.from({ length: 1 + int(r, 30) }, () => String.fromCharCode(0x21 + int(r, 94))).join('').replace(/["\\]/g, 'Q');
      const msg: Array<[string, string]> = [['market_ticker', JSON.stringify(ticker)]];
      if (r() < 0.8) msg.push(['market_id', '"9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1"']);
      if (isDelta) {
        let d = int(r, 2_000_001) - 1_000_000;
        if (d === 0) d = 7;
        msg.push(['price_dollars', `"${fp(int(r, 10_001), 4, 0)}"`], ['delta_fp', `"${d < 0 ? '-' : ''}${fp(Math.abs(d), 2, 1)}"`], ['side', r() < 0.5 ? '"yes"' : '"no"']);
        if (r() < 0.7) msg.push(['ts_ms', r() < 0.1 ? 'null' : String(int(r, 2e12))]);
        if (r() < 0.3) msg.push(['client_order_id', r() < 0.2 ? 'null' : JSON.stringify(`c-${i}-ü"\\`)]);
      } else {
        for (const key of ['yes_dollars_fp', 'no_dollars_fp']) {
          if (r() < 0.2) continue;
          const prices = [...new Set(Array.from({ length: int(r, 25) }, () => int(r, 10_001)))];
          msg.push([key, `[${ws()}${prices.map((p) => `[${ws()}"${fp(p, 4, 0)}"${ws()},${ws()}"${fp(1 + int(r, 1e8), 2, 1)}"${ws()}]`).join(`,${ws()}`)}${ws()}]`]);
        }
      }
      for (let j = int(r, 3); j > 0; j--) msg.push([`x${j}_${i}`, junk()]);
      const top: Array<[string, string]> = [
        ['type', isDelta ? '"orderbook_delta"' : '"orderbook_snapshot"'],
        ['sid', String(int(r, 1000))],
        ['seq', String(int(r, 1e9))],
        ['msg', obj(msg)],
      ];
      if (r() < 0.3) top.push(['id', String(int(r, 100))]);
      const text = ws() + obj(top) + ws();
      const bytes = enc.encode(text);
      check(bytes, `seed ${SEED + 2} valid ${i}`, tally);
      if (tally.malformed > 0) throw new Error(`a valid frame was refused (${out.error}): ${text}`);
    }
    expect(tally.delta + tally.snapshot).toBe(20_000);
  });
});
