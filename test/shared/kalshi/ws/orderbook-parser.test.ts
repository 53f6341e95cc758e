import { describe, expect, it } from 'vitest';
import { BookSide, FrameError, FrameKind, MAX_NESTING, OrderbookFrame, parseOrderbookFrame } from '../../../../src/shared/kalshi/ws/orderbook-parser.js';
import * as frames from '../../../../src/sim/ws/frames.js';
import { rng } from '../../../support/fixed-point.js';
import { wsMessageExamples, wsMessageKeys } from '../../../support/spec-validator.js';
import { loadFixtures, referenceOrderbook, summarize, type Summary } from './ws-parser-support.js';

const out = new OrderbookFrame();

function parse(text: string | Uint8Array): Summary {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  return summarize(parseOrderbookFrame(buf, out), out, buf);
}

function malformed(text: string): string {
  const buf = Buffer.from(text);
  const kind = parseOrderbookFrame(buf, out);
  expect(kind, text).toBe(FrameKind.Malformed);
  expect(out.kind).toBe(FrameKind.Malformed);
  return out.error;
}

const TICKER = 'KXFOO-26AUG01-T50';
const DELTA =
  `{"type":"orderbook_delta","sid":2,"seq":2,"msg":{"market_ticker":"${TICKER}","market_id":"9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1",` +
  '"price_dollars":"0.4200","delta_fp":"-3.00","side":"yes","ts_ms":1755800000123}}';
const DELTA_READ: Summary = { kind: 'delta', sid: 2, seq: 2, ticker: TICKER, side: 0, price: 4200, delta: -300, tsMs: 1755800000123, ownOrder: false };

/** DELTA with its msg fields replaced by `msg` (a JSON object body). */
function delta(msg: string, top = '"type":"orderbook_delta","sid":2,"seq":2'): string {
  return `{${top},"msg":{${msg}}}`;
}
const M = `"market_ticker":"${TICKER}"`;
function snapshot(msg: string): string {
  return `{"type":"orderbook_snapshot","sid":3,"seq":1,"msg":{${M}${msg === '' ? '' : ','}${msg}}}`;
}

describe('fixtures: every orderbook frame of kalshi-api.md §2.4 and the AsyncAPI examples', () => {
  const fixtures = loadFixtures<Summary>('orderbook');

  it.each(fixtures.map((f) => [`${f.source}: ${f.name}`, f] as const))('%s', (_, f) => {
    expect(parse(JSON.stringify(f.frame))).toEqual(f.expected);
    // The same frame pretty-printed, and with every kind of JSON whitespace.
    expect(parse(JSON.stringify(f.frame, null, 2))).toEqual(f.expected);
    expect(parse(JSON.stringify(f.frame, null, '\t').replace(/\n/g, '\r\n '))).toEqual(f.expected);
    // Kalshi's compact layout with a space after each colon or comma only (the fast path's matches
    // end at the colon; the key-by-key loop takes over after a comma).
    expect(parse(JSON.stringify(f.frame).replace(/":/g, '": '))).toEqual(f.expected);
    expect(parse(JSON.stringify(f.frame).replace(/":/g, '":\n\t').replace(/,"/g, ', "'))).toEqual(f.expected);
    // A plain Uint8Array as well as a Buffer.
    expect(parse(new TextEncoder().encode(JSON.stringify(f.frame)))).toEqual(f.expected);
    // And the reference decoder agrees.
    expect(referenceOrderbook(f.frame)).toEqual(f.expected);
  });

  it('holds every AsyncAPI example of orderbookSnapshot and orderbookDelta', () => {
    for (const key of ['orderbookSnapshot', 'orderbookDelta']) {
      const examples = wsMessageExamples(key);
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) expect(fixtures.map((f) => f.frame)).toContainEqual(example);
    }
  });

  it('classifies every other server-to-client AsyncAPI example as Other', () => {
    const clientCommands = /Command$|^incoming|^outgoing/;
    let n = 0;
    for (const key of wsMessageKeys()) {
      if (clientCommands.test(key) || key === 'orderbookSnapshot' || key === 'orderbookDelta') continue;
      for (const example of wsMessageExamples(key)) {
        expect(parse(JSON.stringify(example)), key).toEqual({ kind: 'other' });
        n++;
      }
    }
    expect(n).toBeGreaterThan(25);
  });
});

describe('frames built by the simulator (src/sim/ws/frames.ts)', () => {
  const market = { ticker: 'KXSIMBTC-26AUG01-T5000' };

  it('agrees on every delta field over random values, both sides, own orders and use_yes_price', () => {
    const r = rng(7);
    for (let i = 0; i < 5000; i++) {
      const outcome = r() < 0.5 ? 'yes' : 'no';
      const price = Math.floor(r() * 10_001);
      let d = Math.floor((r() - 0.5) * 2_000_000);
      if (d === 0) d = 1;
      const tsMs = 1_755_800_000_000 + Math.floor(r() * 1e9);
      const own = r() < 0.2 ? `order-${i} "quoted" \\ ü` : undefined;
      const useYesPrice = r() < 0.5;
      const text = frames.orderbookDelta(7, i + 1, market, outcome, price, d, tsMs, own, useYesPrice);
      expect(parse(text)).toEqual({
        kind: 'delta', sid: 7, seq: i + 1, ticker: market.ticker,
        side: outcome === 'yes' ? BookSide.Yes : BookSide.No,
        // As sent: a NO price is re-expressed in YES price when the subscription asked for it.
        price: outcome === 'no' && useYesPrice ? 10_000 - price : price,
        delta: d, tsMs, ownOrder: own !== undefined,
      });
    }
  });

  it('agrees on snapshots: levels in order, empty sides omitted, the get_snapshot id ignored', () => {
    const r = rng(11);
    for (let i = 0; i < 500; i++) {
      const levels = (): Array<[number, number]> => {
        const n = Math.floor(r() * 30);
        const prices = [...new Set(Array.from({ length: n }, () => 1 + Math.floor(r() * 9999)))].sort((a, b) => a - b);
        return prices.map((p) => [p, 1 + Math.floor(r() * 10_000_000)]);
      };
      const yes = levels();
      const no = levels();
      const useYesPrice = r() < 0.5;
      const id = r() < 0.3 ? 127 : undefined;
      const text = frames.orderbookSnapshot(4, i + 1, market, yes, no, useYesPrice, id);
      expect(parse(text)).toEqual({
        kind: 'snapshot', sid: 4, seq: i + 1, ticker: market.ticker,
        yes, no: no.map(([p, s]) => [useYesPrice ? 10_000 - p : p, s]),
      });
    }
  });

  it('classifies the other simulator frames as Other', () => {
    const texts = [
      frames.subscribed(1, 'orderbook_delta', 1),
      frames.unsubscribed(2, 1, 9),
      frames.ok(3, 1, 9, ['A-1', 'B-2']),
      frames.ok(3, 1, undefined),
      frames.listSubscriptions(4, [{ channel: 'fill', sid: 3 }]),
      frames.error(5, 7),
      frames.error(undefined, 25, undefined, 4, { seq: 9 }),
      frames.trade(11, 2, market, 'd91bc706-ee49-470d-82d8-11418bda6fed', 3600, 13_600, 'ask', 1669149841000),
    ];
    for (const text of texts) expect(parse(text), text).toEqual({ kind: 'other' });
  });
});

describe('key order and unknown keys', () => {
  it('reads a frame whatever the order of its keys (type last, msg before type)', () => {
    const orders = [
      '{"sid":2,"seq":2,"msg":MSG,"type":"orderbook_delta"}',
      '{"msg":MSG,"type":"orderbook_delta","seq":2,"sid":2}',
      '{"seq":2,"type":"orderbook_delta","msg":MSG,"sid":2}',
      '{"id":9,"sid":2,"type":"orderbook_delta","seq":2,"msg":MSG}',
    ];
    const msg = `{"ts_ms":1755800000123,"side":"yes","delta_fp":"-3.00","price_dollars":"0.4200","market_id":"x",${M}}`;
    for (const o of orders) expect(parse(o.replace('MSG', msg)), o).toEqual(DELTA_READ);
  });

  it('reads snapshot sides in any order, null or empty as empty', () => {
    const read = (s: string) => parse(s);
    const base = { kind: 'snapshot', sid: 3, seq: 1, ticker: TICKER };
    expect(read(snapshot('"no_dollars_fp":[["0.3000","1.00"]],"yes_dollars_fp":[["0.6000","2.50"]]'))).toEqual({ ...base, yes: [[6000, 250]], no: [[3000, 100]] });
    expect(read(snapshot(''))).toEqual({ ...base, yes: [], no: [] });
    expect(read(snapshot('"yes_dollars_fp":null,"no_dollars_fp":[]'))).toEqual({ ...base, yes: [], no: [] });
    expect(read('{"msg":{"no_dollars_fp":[["0.0001","0.01"]],"market_ticker":"A"},"seq":9,"sid":1,"type":"orderbook_snapshot"}')).toEqual({
      kind: 'snapshot', sid: 1, seq: 9, ticker: 'A', yes: [], no: [[1, 1]],
    });
  });

  it('skips unknown keys of every JSON shape, at both levels, including escapes and nesting', () => {
    const junk = [
      '"ts":"2022-11-22T20:44:01Z"',
      '"subaccount":0',
      '"x":{"a":[1,2,{"b":"}]\\"\\\\"}],"c":null,"d":true,"e":false}',
      '"y":[[[[]]],{},[{}],""]',
      '"z":-1.5e-7',
      '"w":"\\u00e9\\ud83d\\ude00 \\/\\b\\f\\n\\r\\t ü 😀"',
      '"big":123456789012345678901234567890',
      '"market_idx":"x"',
      '"sid_":5',
    ];
    for (const j of junk) {
      const msgFirst = `{"type":"orderbook_delta",${j},"sid":2,"seq":2,"msg":{${j},${M},"price_dollars":"0.4200","delta_fp":"-3.00","side":"yes","ts_ms":1755800000123,${j}},${j}}`;
      expect(parse(msgFirst), j).toEqual(DELTA_READ);
    }
    // Keys of the other kind are unknown keys there: a delta's levels, a snapshot's price.
    expect(parse(delta(`${M},"price_dollars":"0.4200","delta_fp":"-3.00","side":"yes","ts_ms":1755800000123,"yes_dollars_fp":"junk"`))).toEqual(DELTA_READ);
    expect(parse(snapshot('"price_dollars":7,"delta_fp":null,"side":1'))).toMatchObject({ kind: 'snapshot', yes: [], no: [] });
  });

  it(`skips values nested up to ${MAX_NESTING} levels and refuses deeper ones`, () => {
    // The frame is level 1, msg level 2: an unknown value in msg may nest to level MAX_NESTING.
    const nest = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(parse(delta(`${M},"price_dollars":"0.4200","delta_fp":"-3.00","side":"yes","ts_ms":1755800000123,"deep":${nest(MAX_NESTING - 2)}`))).toEqual(DELTA_READ);
    expect(malformed(delta(`${M},"deep":${nest(MAX_NESTING - 1)}`))).toBe(FrameError.TooDeep);
    expect(malformed(`{"type":"ticker","deep":${nest(100_000)}}`)).toBe(FrameError.TooDeep);
    expect(malformed(`{"type":"ticker","deep":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`)).toBe(FrameError.TooDeep);
  });

  it('reports Other for any other type, wherever it is, after checking the whole frame', () => {
    expect(parse('{"type":"ticker","sid":1,"msg":{"x":[1,2]}}')).toEqual({ kind: 'other' });
    expect(parse('{"id":1,"msg":{"channel":"orderbook_delta","sid":1},"type":"subscribed"}')).toEqual({ kind: 'other' });
    expect(parse('{"type":"orderbook_deltas","sid":1}')).toEqual({ kind: 'other' });
    expect(parse('{"type":"orderbook_delt","sid":1}')).toEqual({ kind: 'other' });
    expect(parse('{"type":"","sid":"x","seq":null}')).toEqual({ kind: 'other' });
    expect(malformed('{"type":"ticker","sid":1,"msg":{"x":[1,2]}')).toBe(FrameError.Syntax);
    expect(malformed('{"type":"ticker","sid":01}')).toBe(FrameError.Syntax);
  });

  it('reports sid and seq of Other frames when they are plain integers', () => {
    expect(parseOrderbookFrame(Buffer.from('{"id":102,"sid":2,"seq":7,"type":"unsubscribed"}'), out)).toBe(FrameKind.Other);
    expect([out.sid, out.seq]).toEqual([2, 7]);
    parseOrderbookFrame(Buffer.from('{"type":"subscribed","sid":2.5}'), out);
    expect([out.sid, out.seq]).toEqual([-1, -1]);
  });
});

describe('fields', () => {
  it('reads ts_ms and client_order_id as optional (null = absent), ownOrder only for a string', () => {
    const base = `${M},"price_dollars":"0.4200","delta_fp":"-3.00","side":"yes"`;
    expect(parse(delta(base))).toEqual({ ...DELTA_READ, tsMs: -1 });
    expect(parse(delta(`${base},"ts_ms":null,"client_order_id":null`))).toEqual({ ...DELTA_READ, tsMs: -1 });
    expect(parse(delta(`${base},"ts_ms":0,"client_order_id":""`))).toEqual({ ...DELTA_READ, tsMs: 0, ownOrder: true });
    expect(parse(delta(`${base},"client_order_id":"a\\"b\\u0041"`))).toEqual({ ...DELTA_READ, tsMs: -1, ownOrder: true });
    expect(parse(delta(`${base},"ts_ms":9007199254740991`))).toEqual({ ...DELTA_READ, tsMs: Number.MAX_SAFE_INTEGER });
  });

  it('reads prices and counts exactly, in every accepted spelling', () => {
    const cases: Array<[string, string, number, number]> = [
      ['0', '1', 0, 100],
      ['1', '-1', 10_000, -100],
      ['1.0000', '0.01', 10_000, 1],
      ['0.5', '-0.5', 5000, -50],
      ['0.56000000', '10.000', 5600, 1000],
      ['00.0001', '90071992547409.91', 1, 9_007_199_254_740_991],
      ['0.9999', '-90071992547409.90', 9999, -9_007_199_254_740_990],
    ];
    for (const [p, d, price, dl] of cases) {
      expect(parse(delta(`${M},"price_dollars":"${p}","delta_fp":"${d}","side":"no"`))).toEqual({ ...DELTA_READ, side: 1, price, delta: dl, tsMs: -1 });
    }
  });

  it('keeps snapshot arrays (grown as needed, never shrunk) and their counts apart', () => {
    const levels = Array.from({ length: 300 }, (_, i) => `["${(i / 10_000 + 0.5).toFixed(4)}","${i + 1}.00"]`).join(',');
    const big = parse(snapshot(`"yes_dollars_fp":[${levels}],"no_dollars_fp":[${levels}]`));
    expect(big).toMatchObject({ kind: 'snapshot' });
    expect(out.yesLevels).toBe(300);
    expect(out.yesPrices.length).toBeGreaterThanOrEqual(300);
    expect([out.yesPrices[299], out.yesSizes[299], out.noPrices[0], out.noSizes[0]]).toEqual([5299, 30_000, 5000, 100]);
    const capacity = out.yesPrices.length;
    expect(parse(snapshot('"yes_dollars_fp":[["0.1000","1.00"]]'))).toMatchObject({ yes: [[1000, 100]], no: [] });
    expect(out.yesPrices.length).toBe(capacity);
    // Ten thousand and one distinct prices on one side: the most there can be.
    const all = Array.from({ length: 10_001 }, (_, p) => `["${(p / 10_000).toFixed(4)}","0.01"]`).join(',');
    parse(snapshot(`"no_dollars_fp":[${all}]`));
    expect([out.kind, out.noLevels, out.noPrices[10_000]]).toEqual([FrameKind.Snapshot, 10_001, 10_000]);
  });

  it('decodes the ticker only on request, from the same buffer', () => {
    const buf = Buffer.from(DELTA);
    parseOrderbookFrame(buf, out);
    expect(buf.subarray(out.tickerStart, out.tickerEnd).toString()).toBe(TICKER);
    expect(out.ticker(buf)).toBe(TICKER);
  });

  it('documents use_yes_price: a NO level is reported as sent, in whichever scale the subscription chose', () => {
    // Same resting NO bid at $0.30 (NO price): default frames say 0.3000, use_yes_price frames 0.7000.
    const market = { ticker: TICKER };
    expect(parse(frames.orderbookDelta(1, 1, market, 'no', 3000, 100, 0, undefined, false))).toMatchObject({ side: BookSide.No, price: 3000 });
    expect(parse(frames.orderbookDelta(1, 1, market, 'no', 3000, 100, 0, undefined, true))).toMatchObject({ side: BookSide.No, price: 7000 });
  });
});

describe('malformed frames (never a throw; a constant reason)', () => {
  const ok = `${M},"price_dollars":"0.4200","delta_fp":"-3.00","side":"yes"`;
  const cases: Array<[string, string, string]> = [
    // [what, frame, reason]
    ['empty', '', FrameError.Syntax],
    ['whitespace only', ' \n', FrameError.Syntax],
    ['an array', '[1,2]', FrameError.NotObject],
    ['a string', '"orderbook_delta"', FrameError.NotObject],
    ['two objects', '{"type":"x"}{}', FrameError.Syntax],
    ['trailing garbage', DELTA + 'x', FrameError.Syntax],
    ['trailing comma', DELTA.slice(0, -2) + ',}}', FrameError.Syntax],
    ['single quotes', DELTA.replace('"side":"yes"', "'side':'yes'"), FrameError.Syntax],
    ['a raw control character in a string', delta(`${ok},"x":"a\tb"`), FrameError.Syntax],
    ['a bad escape', delta(`${ok},"x":"\\x41"`), FrameError.Syntax],
    ['a short \\u escape', delta(`${ok},"x":"\\u12"`), FrameError.Syntax],
    ['NaN', delta(`${ok},"x":NaN`), FrameError.Syntax],
    ['Infinity', delta(`${ok},"x":-Infinity`), FrameError.Syntax],
    ['a leading zero', delta(`${ok},"x":012`), FrameError.Syntax],
    ['a bare dot', delta(`${ok},"x":1.`), FrameError.Syntax],
    ['a bare exponent', delta(`${ok},"x":1e`), FrameError.Syntax],
    ['a plus sign', delta(`${ok},"x":+1`), FrameError.Syntax],
    ['tru', delta(`${ok},"x":tru`), FrameError.Syntax],
    ['missing colon', delta(`${ok},"x" 1`), FrameError.Syntax],
    ['a BOM', '\ufeff' + DELTA, FrameError.Syntax],
    ['no type', '{"sid":2,"seq":2,"msg":{}}', FrameError.MissingType],
    ['empty object', '{}', FrameError.MissingType],
    ['type not a string', DELTA.replace('"orderbook_delta"', '7'), FrameError.BadType],
    ['type escaped', DELTA.replace('"orderbook_delta"', '"orderbook\\u005fdelta"'), FrameError.Escaped],
    ['an escaped key', delta(`${ok},"pric\\u0065_dollars":"0.9900"`), FrameError.Escaped],
    ['an escaped top-level key', DELTA.replace('"seq"', '"se\\u0071"'), FrameError.Escaped],
    ['no sid', delta(ok, '"type":"orderbook_delta","seq":2'), FrameError.MissingSid],
    ['sid a string', delta(ok, '"type":"orderbook_delta","sid":"2","seq":2'), FrameError.BadSid],
    ['sid null', delta(ok, '"type":"orderbook_delta","sid":null,"seq":2'), FrameError.BadSid],
    ['sid negative', delta(ok, '"type":"orderbook_delta","sid":-2,"seq":2'), FrameError.BadSid],
    ['sid 2.0', delta(ok, '"type":"orderbook_delta","sid":2.0,"seq":2'), FrameError.BadSid],
    ['sid 2e0', delta(ok, '"type":"orderbook_delta","sid":2e0,"seq":2'), FrameError.BadSid],
    ['sid unsafe', delta(ok, '"type":"orderbook_delta","sid":9007199254740992,"seq":2'), FrameError.BadSid],
    ['no seq', delta(ok, '"type":"orderbook_delta","sid":2'), FrameError.MissingSeq],
    ['seq fractional', delta(ok, '"type":"orderbook_delta","sid":2,"seq":2.5'), FrameError.BadSeq],
    ['no msg', '{"type":"orderbook_delta","sid":2,"seq":2}', FrameError.MissingMsg],
    ['msg null', '{"type":"orderbook_delta","sid":2,"seq":2,"msg":null}', FrameError.BadMsg],
    ['msg an array', '{"sid":2,"seq":2,"msg":[],"type":"orderbook_snapshot"}', FrameError.BadMsg],
    ['no ticker', delta('"price_dollars":"0.4200","delta_fp":"-3.00","side":"yes"'), FrameError.MissingTicker],
    ['empty ticker', delta(ok.replace(TICKER, '')), FrameError.BadTicker],
    ['ticker with a space', delta(ok.replace(TICKER, 'KX FOO')), FrameError.BadTicker],
    ['ticker not ASCII', delta(ok.replace(TICKER, 'KXFÖÖ')), FrameError.BadTicker],
    ['ticker escaped', delta(ok.replace(TICKER, 'KX\\u0041')), FrameError.Escaped],
    ['ticker a number', delta(ok.replace(`"${TICKER}"`, '5')), FrameError.BadTicker],
    ['no price', delta(`${M},"delta_fp":"-3.00","side":"yes"`), FrameError.MissingPrice],
    ['price a number', delta(ok.replace('"0.4200"', '0.42')), FrameError.BadPrice],
    ['price above 1', delta(ok.replace('0.4200', '1.0001')), FrameError.BadPrice],
    ['price negative', delta(ok.replace('0.4200', '-0.4200')), FrameError.BadPrice],
    ['price with 5 decimals', delta(ok.replace('0.4200', '0.42001')), FrameError.BadPrice],
    ['price with a space', delta(ok.replace('0.4200', '0.4200 ')), FrameError.BadPrice],
    ['price empty', delta(ok.replace('0.4200', '')), FrameError.BadPrice],
    ['price NaN', delta(ok.replace('0.4200', 'NaN')), FrameError.BadPrice],
    ['price exponent', delta(ok.replace('0.4200', '4.2e-1')), FrameError.BadPrice],
    ['price .42', delta(ok.replace('0.4200', '.42')), FrameError.BadPrice],
    ['price escaped', delta(ok.replace('0.4200', '0.\\u00342')), FrameError.Escaped],
    ['no delta', delta(`${M},"price_dollars":"0.4200","side":"yes"`), FrameError.MissingDelta],
    ['delta zero', delta(ok.replace('-3.00', '0')), FrameError.ZeroDelta],
    ['delta -0.00', delta(ok.replace('-3.00', '-0.00')), FrameError.ZeroDelta],
    ['delta with 3 decimals', delta(ok.replace('-3.00', '-3.001')), FrameError.BadDelta],
    ['delta a number', delta(ok.replace('"-3.00"', '-3')), FrameError.BadDelta],
    ['delta Infinity', delta(ok.replace('-3.00', 'Infinity')), FrameError.BadDelta],
    ['delta unsafe', delta(ok.replace('-3.00', '90071992547409.92')), FrameError.BadDelta],
    ['delta -MAX_SAFE', delta(ok.replace('-3.00', '-90071992547409.91')), FrameError.BadDelta],
    ['no side', delta(`${M},"price_dollars":"0.4200","delta_fp":"-3.00"`), FrameError.MissingSide],
    ['side YES', delta(ok.replace('"yes"', '"YES"')), FrameError.BadSide],
    ['side bid', delta(ok.replace('"yes"', '"bid"')), FrameError.BadSide],
    ['side 0', delta(ok.replace('"yes"', '0')), FrameError.BadSide],
    ['ts_ms a string', delta(`${ok},"ts_ms":"1755800000123"`), FrameError.BadTsMs],
    ['ts_ms negative', delta(`${ok},"ts_ms":-1`), FrameError.BadTsMs],
    ['ts_ms fractional', delta(`${ok},"ts_ms":1.5`), FrameError.BadTsMs],
    ['client_order_id a number', delta(`${ok},"client_order_id":5`), FrameError.BadClientOrderId],
    ['duplicate type, same value', DELTA.replace('"sid"', '"type":"orderbook_delta","sid"'), FrameError.DuplicateKey],
    ['duplicate sid', DELTA.replace('"seq"', '"sid":2,"seq"'), FrameError.DuplicateKey],
    ['duplicate msg', DELTA.slice(0, -1) + ',"msg":{}}', FrameError.DuplicateKey],
    ['duplicate price, conflicting', delta(`${ok},"price_dollars":"0.9900"`), FrameError.DuplicateKey],
    ['duplicate price, same value', delta(`${ok},"price_dollars":"0.4200"`), FrameError.DuplicateKey],
    ['duplicate ticker', delta(`${ok},${M}`), FrameError.DuplicateKey],
    ['duplicate ts_ms', delta(`${ok},"ts_ms":1,"ts_ms":1`), FrameError.DuplicateKey],
    ['snapshot: no ticker', '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{}}', FrameError.MissingTicker],
    ['snapshot: duplicate side', snapshot('"yes_dollars_fp":[],"yes_dollars_fp":[]'), FrameError.DuplicateKey],
    ['snapshot: side an object', snapshot('"yes_dollars_fp":{}'), FrameError.BadLevels],
    ['snapshot: level not an array', snapshot('"yes_dollars_fp":["0.4100","10.00"]'), FrameError.BadLevels],
    ['snapshot: level of one', snapshot('"yes_dollars_fp":[["0.4100"]]'), FrameError.BadLevels],
    ['snapshot: level of three', snapshot('"yes_dollars_fp":[["0.4100","1.00","2.00"]]'), FrameError.BadLevels],
    ['snapshot: level of numbers', snapshot('"no_dollars_fp":[[0.41,10]]'), FrameError.BadLevels],
    ['snapshot: level empty', snapshot('"no_dollars_fp":[[]]'), FrameError.BadLevels],
    ['snapshot: price above 1', snapshot('"no_dollars_fp":[["1.5","1.00"]]'), FrameError.BadLevelPrice],
    ['snapshot: price with 5 decimals', snapshot('"no_dollars_fp":[["0.41005","1.00"]]'), FrameError.BadLevelPrice],
    ['snapshot: size zero', snapshot('"yes_dollars_fp":[["0.4100","0.00"]]'), FrameError.ZeroLevelSize],
    ['snapshot: size negative', snapshot('"yes_dollars_fp":[["0.4100","-1.00"]]'), FrameError.BadLevelSize],
    ['snapshot: size with 3 decimals', snapshot('"yes_dollars_fp":[["0.4100","1.001"]]'), FrameError.BadLevelSize],
    ['snapshot: size NaN', snapshot('"yes_dollars_fp":[["0.4100","NaN"]]'), FrameError.BadLevelSize],
    ['snapshot: duplicate price', snapshot('"yes_dollars_fp":[["0.4100","1.00"],["0.5000","1.00"],["0.41","2.00"]]'), FrameError.DuplicateLevel],
    ['snapshot: trailing comma in levels', snapshot('"yes_dollars_fp":[["0.4100","1.00"],]'), FrameError.Syntax],
  ];

  it.each(cases)('%s', (_, text, reason) => {
    expect(malformed(text)).toBe(reason);
  });

  it('the same price on both sides of a snapshot is fine', () => {
    expect(parse(snapshot('"yes_dollars_fp":[["0.4100","1.00"]],"no_dollars_fp":[["0.4100","2.00"]]'))).toMatchObject({ yes: [[4100, 100]], no: [[4100, 200]] });
  });

  it('a delta frame truncated anywhere is Malformed', () => {
    const text = frames.orderbookDelta(5, 9, { ticker: TICKER }, 'no', 4200, -300, 1755800000123, 'mine', false);
    const buf = Buffer.from(text);
    expect(parse(buf)).toMatchObject({ kind: 'delta', ownOrder: true });
    for (let len = 0; len < buf.length; len++) {
      expect(parseOrderbookFrame(buf.subarray(0, len), out), `first ${len} bytes`).toBe(FrameKind.Malformed);
    }
    const snap = Buffer.from(frames.orderbookSnapshot(5, 9, { ticker: TICKER }, [[4100, 1000]], [[5500, 2000]]));
    for (let len = 0; len < snap.length; len++) expect(parseOrderbookFrame(snap.subarray(0, len), out)).toBe(FrameKind.Malformed);
  });

  it('keeps sid, seq and the ticker read before the failure as hints', () => {
    parseOrderbookFrame(Buffer.from(delta(`${M},"price_dollars":"7"`, '"type":"orderbook_delta","sid":4,"seq":8')), out);
    expect([out.kind, out.error, out.sid, out.seq]).toEqual([FrameKind.Malformed, FrameError.BadPrice, 4, 8]);
    expect(out.ticker(Buffer.from(delta(`${M},"price_dollars":"7"`, '"type":"orderbook_delta","sid":4,"seq":8')))).toBe(TICKER);
  });

  it('never leaves state from a previous frame behind', () => {
    parse(delta(`${ok},"ts_ms":5,"client_order_id":"x"`));
    expect(parse(delta(ok))).toEqual({ ...DELTA_READ, tsMs: -1, ownOrder: false });
    parse(snapshot('"yes_dollars_fp":[["0.4100","1.00"]]'));
    expect(parse(snapshot(''))).toMatchObject({ yes: [], no: [] });
    parse(DELTA);
    expect(parseOrderbookFrame(Buffer.from('{"type":"ticker"}'), out)).toBe(FrameKind.Other);
    expect([out.sid, out.seq, out.error, out.tickerEnd - out.tickerStart]).toEqual([-1, -1, '', 0]);
  });
});
