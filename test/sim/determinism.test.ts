/**
 * Determinism: the same seed and the same client actions give the same books, fills and
 * settlements — byte for byte, ids and timestamps included.
 *
 * Two simulators start with the same seed, manual clock and start time (on different ports). One
 * fixed script of client actions — signed REST orders (create, IOC, amend, decrease, cancel,
 * batches, an order group) interleaved with `control.step(n)` (synthetic liquidity) and
 * `control.advance(ms)` (time, run past the first market's close, determination and settlement) —
 * is played against each in turn. Then everything a client can see must be identical: every
 * market's full book, every REST response of the script, the account's fills, orders, positions,
 * settlements, balance and order groups, every market from GET /markets, and the frames a
 * WebSocket client subscribed to one market's order book (and one to the private and lifecycle
 * channels) received. A third simulator with another seed shows the comparison is not vacuous.
 *
 * The script is fixed before any run: drawn once from its own PRNG over tickers read from the
 * catalogue (which the seed alone determines). Order ids, being the simulator's output, are taken
 * from each simulator's own responses (by client_order_id) — and compared too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatPrice } from '../../src/shared/fixed-point.js';
import type { MarketState } from '../../src/sim/engine/types.js';
import { Rng } from '../../src/sim/rng.js';
import { startSimulator, type Simulator, type StartSimulatorOptions } from '../../src/sim/simulator.js';
import { makeKey, rest, WsClient, type TestKey } from '../support/sim-client.js';

const SEED = 13;
const OTHER_SEED = 14;
/**
 * A fixed start, far from the wall clock: the catalogue, its tickers and every timestamp are the
 * same on every run, and a wall-clock time leaking into any output would stand out.
 */
const START_MS = Date.UTC(2024, 0, 2, 12, 0, 0);
const MARKETS = 100;
const ROUNDS = 80;
/** Determination 5 s after the close, finalization 60 s after that (lifecycle.ts, catalogue.ts). */
const SETTLE_AFTER_CLOSE_MS = 5_000 + 60_000;

let key: TestKey;

const options = (seed: number): StartSimulatorOptions => ({
  keys: [key], port: 0, markets: MARKETS, rate: 0, seed, manualClock: true, startMs: START_MS, balance: 10_000_000_000, tier: 'prestige',
});

// ---------------------------------------------------------------------------------------------
// The script

type OrderSpec = {
  ticker: string;
  side: 'bid' | 'ask';
  price: number;
  count: number;
  tif: 'good_till_canceled' | 'immediate_or_cancel' | 'fill_or_kill';
  cid: string;
  group?: string;
};

type Action =
  | { kind: 'step'; n: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'create'; order: OrderSpec }
  | { kind: 'batch'; orders: OrderSpec[] }
  | { kind: 'amend'; ref: string; price: number; count: number; newCid: string }
  | { kind: 'decrease'; ref: string; by: number }
  | { kind: 'cancel'; ref: string }
  | { kind: 'batch-cancel'; refs: string[] }
  | { kind: 'group-create'; name: string; limit: number }
  | { kind: 'group-limit'; name: string; limit: number }
  | { kind: 'group-trigger'; name: string }
  | { kind: 'group-reset'; name: string }
  | { kind: 'group-delete'; name: string };

interface Cast {
  /** The most active market under synthetic liquidity: its order book is streamed. */
  watched: MarketState;
  /** The first market to close: bought at once, held through settlement. */
  settling: MarketState;
  /** Other long-lived markets the script trades. */
  others: MarketState[];
  /** Each traded market's fair value at the start ($0.0001), as the catalogue drew it. */
  startFair: Map<string, number>;
}

function buildScript(cast: Cast): Action[] {
  const r = Rng.derive(20_261_124, 'determinism-script');
  const cids: string[] = [];
  /** A recent order (more likely still resting than an old one). */
  const recent = () => cids[Math.max(0, cids.length - 1 - r.int(6))];
  const order = (cid: string, tif: OrderSpec['tif'] = r.chance(0.7) ? 'good_till_canceled' : 'immediate_or_cancel'): OrderSpec => {
    const m = r.chance(0.5) ? cast.watched : r.pick(cast.others);
    const side = r.chance(0.5) ? 'bid' : 'ask';
    // Mostly passive quotes a few cents from the market's starting fair value (the catalogue's,
    // fixed by the seed), where the synthetic takers will find them; sometimes anywhere.
    const centre = Math.round(cast.startFair.get(m.ticker)! / 100);
    const cents = r.chance(0.75) ? centre + (side === 'bid' ? -1 : 1) * r.range(1, 4) : r.range(1, 99);
    const o: OrderSpec = { ticker: m.ticker, side, price: 100 * Math.min(99, Math.max(1, cents)), count: 100 * r.range(1, 6), tif, cid };
    if (cids.length > 0 && r.chance(0.25)) o.group = 'G';
    cids.push(cid);
    return o;
  };
  const script: Action[] = [
    // A position that settles: buy YES on the first market to close, through its asks.
    { kind: 'create', order: { ticker: cast.settling.ticker, side: 'bid', price: 9_900, count: 300, tif: 'immediate_or_cancel', cid: 'settle-buy' } },
    { kind: 'group-create', name: 'G', limit: 800 },
  ];
  let elapsed = 0;
  for (let i = 0; i < ROUNDS; i++) {
    script.push({ kind: 'step', n: r.range(20, 80) });
    const actions = r.range(1, 3);
    for (let j = 0; j < actions; j++) {
      const u = r.next();
      const cid = `c${i}-${j}`;
      if (u < 0.35 || cids.length === 0) script.push({ kind: 'create', order: order(cid) });
      else if (u < 0.5) {
        // an aggressive order across the whole book
        const side = r.chance(0.5) ? 'bid' : 'ask';
        script.push({ kind: 'create', order: { ...order(cid, 'immediate_or_cancel'), side, price: side === 'bid' ? 9_900 : 100 } });
      } else if (u < 0.62) script.push({ kind: 'amend', ref: recent(), price: 100 * r.range(1, 99), count: 100 * r.range(1, 8), newCid: `${cid}-amended` });
      else if (u < 0.72) script.push({ kind: 'decrease', ref: recent(), by: 100 });
      else if (u < 0.82) script.push({ kind: 'cancel', ref: recent() });
      else if (u < 0.92) script.push({ kind: 'batch', orders: [order(`${cid}-b0`), order(`${cid}-b1`), order(`${cid}-b2`, 'fill_or_kill')] });
      else script.push({ kind: 'batch-cancel', refs: [recent(), r.pick(cids)] });
    }
    if (i === 30) script.push({ kind: 'group-trigger', name: 'G' });
    if (i === 32) script.push({ kind: 'group-reset', name: 'G' });
    if (i === 50) script.push({ kind: 'group-limit', name: 'G', limit: 5_000 });
    if (i === ROUNDS - 3) script.push({ kind: 'group-delete', name: 'G' });
    const ms = r.range(500, 5_000);
    elapsed += ms;
    script.push({ kind: 'advance', ms });
  }
  // Past the first market's finalization, whatever the rounds added up to.
  const settledAfter = cast.settling.closeMs + SETTLE_AFTER_CLOSE_MS - START_MS;
  script.push({ kind: 'advance', ms: Math.max(1_000, settledAfter - elapsed + 1_000) });
  script.push({ kind: 'step', n: 200 });
  return script;
}

// ---------------------------------------------------------------------------------------------
// Playing it

interface Placed {
  orderId: string;
  ticker: string;
  side: 'bid' | 'ask';
}

/** Plays the script against one simulator; returns every REST exchange as text. */
async function play(sim: Simulator, script: readonly Action[]): Promise<string[]> {
  const transcript: string[] = [];
  const placed = new Map<string, Placed>();
  const groups = new Map<string, string>();
  const call = async (method: string, path: string, body?: unknown) => {
    const reply = await rest(sim.restUrl, key, method, path, body);
    transcript.push(`${method} ${path} ${body === undefined ? '' : JSON.stringify(body)} → ${reply.status} ${reply.text}`);
    return reply;
  };
  const wire = (o: OrderSpec) => {
    const body: Record<string, unknown> = {
      ticker: o.ticker, side: o.side, price: formatPrice(o.price), count: formatCount(o.count), time_in_force: o.tif,
      self_trade_prevention_type: 'taker_at_cross', client_order_id: o.cid,
    };
    if (o.group !== undefined && groups.has(o.group)) body.order_group_id = groups.get(o.group);
    return body;
  };
  const remember = (o: OrderSpec, orderId: unknown) => {
    if (typeof orderId === 'string') placed.set(o.cid, { orderId, ticker: o.ticker, side: o.side });
  };
  for (const a of script) {
    switch (a.kind) {
      case 'step':
        transcript.push(`step ${a.n} → ${sim.control.step(a.n)}`);
        break;
      case 'advance':
        sim.control.advance(a.ms);
        transcript.push(`advance ${a.ms} → ${sim.exchange.now()}`);
        break;
      case 'create': {
        const reply = await call('POST', '/portfolio/events/orders', wire(a.order));
        if (reply.status === 201) remember(a.order, reply.body.order_id);
        break;
      }
      case 'batch': {
        const reply = await call('POST', '/portfolio/events/orders/batched', { orders: a.orders.map(wire) });
        if (reply.status === 201) a.orders.forEach((o, i) => remember(o, reply.body.orders[i].order_id));
        break;
      }
      case 'amend': {
        const p = placed.get(a.ref);
        if (p === undefined) {
          transcript.push(`amend ${a.ref}: never placed`);
          break;
        }
        const reply = await call('POST', `/portfolio/events/orders/${p.orderId}/amend`, {
          ticker: p.ticker, side: p.side, price: formatPrice(a.price), count: formatCount(a.count), updated_client_order_id: a.newCid,
        });
        if (reply.status === 200) placed.set(a.newCid, p);
        break;
      }
      case 'decrease': {
        const p = placed.get(a.ref);
        if (p === undefined) transcript.push(`decrease ${a.ref}: never placed`);
        else await call('POST', `/portfolio/events/orders/${p.orderId}/decrease`, { reduce_by: formatCount(a.by) });
        break;
      }
      case 'cancel': {
        const p = placed.get(a.ref);
        if (p === undefined) transcript.push(`cancel ${a.ref}: never placed`);
        else await call('DELETE', `/portfolio/events/orders/${p.orderId}`);
        break;
      }
      case 'batch-cancel':
        await call('DELETE', '/portfolio/events/orders/batched', { orders: a.refs.map((ref) => ({ order_id: placed.get(ref)?.orderId ?? `unplaced-${ref}` })) });
        break;
      case 'group-create': {
        const reply = await call('POST', '/portfolio/order_groups/create', { contracts_limit_fp: formatCount(a.limit) });
        if (reply.status === 201) groups.set(a.name, reply.body.order_group_id);
        break;
      }
      case 'group-limit':
        await call('PUT', `/portfolio/order_groups/${groups.get(a.name)}/limit`, { contracts_limit_fp: formatCount(a.limit) });
        break;
      case 'group-trigger':
        await call('PUT', `/portfolio/order_groups/${groups.get(a.name)}/trigger`, {});
        break;
      case 'group-reset':
        await call('PUT', `/portfolio/order_groups/${groups.get(a.name)}/reset`, {});
        break;
      case 'group-delete':
        await call('DELETE', `/portfolio/order_groups/${groups.get(a.name)}`);
        break;
    }
  }
  return transcript;
}

/** Every page of a cursor-paged list, as the raw response texts. */
async function allPages(sim: Simulator, path: string, signed = true): Promise<string[]> {
  const texts: string[] = [];
  let cursor = '';
  do {
    const reply = await rest(sim.restUrl, signed ? key : undefined, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=37${cursor ? `&cursor=${cursor}` : ''}`);
    expect(reply.status).toBe(200);
    texts.push(reply.text);
    cursor = reply.body.cursor ?? '';
  } while (cursor !== '' && texts.length < 100);
  return texts;
}

/** Everything the account's owner can read over REST at the end, raw. */
async function accountViews(sim: Simulator): Promise<Record<string, string[]>> {
  const one = async (path: string) => {
    const reply = await rest(sim.restUrl, key, 'GET', path);
    expect(reply.status).toBe(200);
    return [reply.text];
  };
  return {
    fills: await allPages(sim, '/portfolio/fills'),
    orders: await allPages(sim, '/portfolio/orders'),
    positions: await allPages(sim, '/portfolio/positions'),
    settlements: await allPages(sim, '/portfolio/settlements'),
    balance: await one('/portfolio/balance'),
    orderGroups: await one('/portfolio/order_groups'),
    markets: await allPages(sim, '/markets', false),
  };
}

type Books = Array<{ ticker: string; yes: Array<[number, number]>; no: Array<[number, number]> }>;

function books(sim: Simulator): Books {
  return sim.exchange.markets().map((m) => ({ ticker: m.ticker, yes: sim.exchange.bookLevels(m.index, 'yes'), no: sim.exchange.bookLevels(m.index, 'no') }));
}

/** Waits until every frame sent before now has arrived: the answer to a later command follows them. */
async function drain(client: WsClient): Promise<void> {
  const id = client.command('list_subscriptions');
  await client.waitFor((f) => f.id === id && f.type !== 'subscribed');
}

interface Run {
  sim: Simulator;
  bookStream: WsClient;
  accountStream: WsClient;
  initialBooks: Books;
  transcript: string[];
  finalBooks: Books;
  views: Record<string, string[]>;
}

async function run(script: readonly Action[], cast: Cast): Promise<Run> {
  const sim = await startSimulator(options(SEED));
  const bookStream = await WsClient.connect(sim.wsUrl, key);
  const accountStream = await WsClient.connect(sim.wsUrl, key);
  bookStream.command('subscribe', { channels: ['orderbook_delta'], market_tickers: [cast.watched.ticker] });
  await bookStream.waitFor((f) => f.type === 'orderbook_snapshot');
  for (const channel of ['fill', 'user_orders', 'market_positions', 'order_group_updates', 'market_lifecycle_v2']) {
    const id = accountStream.command('subscribe', { channels: [channel] });
    await accountStream.waitFor((f) => f.id === id);
  }
  const initialBooks = books(sim);
  const transcript = await play(sim, script);
  const finalBooks = books(sim);
  const views = await accountViews(sim);
  await drain(bookStream);
  await drain(accountStream);
  return { sim, bookStream, accountStream, initialBooks, transcript, finalBooks, views };
}

// ---------------------------------------------------------------------------------------------

let cast: Cast;
let script: Action[];
let a: Run;
let b: Run;
let other: Simulator;

beforeAll(async () => {
  key = makeKey('determinism-key');
  // Read the catalogue (the seed alone determines it) and find the busiest market under
  // synthetic liquidity, on a scout simulator that is then thrown away.
  const scout = await startSimulator(options(SEED));
  try {
    const deltas = new Map<number, number>();
    scout.exchange.addListener({ bookDelta: (m) => void deltas.set(m.index, (deltas.get(m.index) ?? 0) + 1) });
    const markets = scout.exchange.markets();
    const firstClose = Math.min(...markets.map((m) => m.closeMs));
    const settling = markets.filter((m) => m.closeMs === firstClose).sort((x, y) => y.fairValue - x.fairValue)[0];
    const longLived = markets.filter((m) => m.closeMs > START_MS + 3_600_000 && m.status === 'active');
    const startFair = new Map(markets.map((m) => [m.ticker, m.fairValue]));
    scout.control.step(3_000);
    const watched = [...longLived].sort((x, y) => (deltas.get(y.index) ?? 0) - (deltas.get(x.index) ?? 0))[0];
    const others = longLived.filter((m) => m !== watched).slice(0, 2);
    cast = { watched, settling, others, startFair };
  } finally {
    await scout.close();
  }
  script = buildScript(cast);
  a = await run(script, cast);
  b = await run(script, cast);
  other = await startSimulator(options(OTHER_SEED));
});

afterAll(async () => {
  for (const r of [a, b]) {
    r?.bookStream.close();
    r?.accountStream.close();
    await r?.sim.close();
  }
  await other?.close();
});

describe('determinism: same seed, same client actions', () => {
  it('the two simulators listen on different ports and start from the same books', () => {
    expect(a.sim.port).not.toBe(b.sim.port);
    expect(b.initialBooks).toEqual(a.initialBooks);
  });

  it('the script is not idle: it trades, rests, is filled by the synthetic crowd, settles a market', () => {
    expect(script.filter((x) => x.kind === 'create' || x.kind === 'batch').length).toBeGreaterThan(50);
    const fills = a.views.fills.flatMap((t) => JSON.parse(t).fills as Array<{ is_taker: boolean; ticker: string }>);
    expect(fills.length).toBeGreaterThan(30);
    expect(fills.some((f) => !f.is_taker)).toBe(true); // resting orders of ours taken by synthetic takers
    expect(new Set(fills.map((f) => f.ticker)).size).toBeGreaterThanOrEqual(3);
    const settlements = a.views.settlements.flatMap((t) => JSON.parse(t).settlements as Array<{ ticker: string }>);
    expect(settlements.map((s) => s.ticker)).toContain(cast.settling.ticker);
    expect(a.sim.exchange.market(cast.settling.ticker)!.status).toBe('finalized');
    // every REST call was answered by the exchange, never by a rate limit or a server error
    expect(a.transcript.filter((t) => / → (429|5\d\d) /.test(t))).toEqual([]);
    expect(a.transcript.filter((t) => / → 20[01] /.test(t)).length).toBeGreaterThan(100);
    // and the books moved
    expect(a.finalBooks).not.toEqual(a.initialBooks);
  });

  it('gives the same answer to every request of the script, byte for byte (ids and times included)', () => {
    for (let i = 0; i < Math.min(a.transcript.length, b.transcript.length); i++) expect(b.transcript[i], `script line ${i}`).toBe(a.transcript[i]);
    expect(b.transcript.length).toBe(a.transcript.length);
  });

  it('stamps every time in every output from the manual clock, never the wall clock', () => {
    const texts = [...a.transcript, ...Object.values(a.views).flat(), ...a.bookStream.raw, ...a.accountStream.raw];
    // Every timestamp field: RFC 3339 strings, Unix ms and Unix seconds.
    const field = /"(\w*(?:time|_ts|ts_ms)|ts)":("[^"]*"|\d+)/g;
    let seen = 0;
    for (const text of texts) {
      for (const [, name, raw] of text.matchAll(field)) {
        const ms = raw.startsWith('"') ? Date.parse(raw.slice(1, -1)) : name.endsWith('_ms') || raw.length >= 13 ? Number(raw) : Number(raw) * 1000;
        // the catalogue opens markets up to 72 h before the start and closes them within 24 h of it
        expect(ms, `${name} ${raw}`).toBeGreaterThanOrEqual(START_MS - 72 * 3_600_000);
        expect(ms, `${name} ${raw}`).toBeLessThanOrEqual(START_MS + 25 * 3_600_000);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(1_000);
  });

  it('leaves every market with the same full order book, both sides', () => {
    expect(b.finalBooks).toEqual(a.finalBooks);
    expect(a.finalBooks.filter((m) => m.yes.length > 0 && m.no.length > 0).length).toBeGreaterThan(MARKETS / 2);
  });

  it('shows the same fills, orders, positions, settlements, balance, order groups and markets over REST', () => {
    for (const view of Object.keys(a.views)) expect(b.views[view], view).toEqual(a.views[view]);
  });

  it('streams the same WebSocket frames: one market\'s order book, and the account and lifecycle channels', () => {
    expect(a.bookStream.raw.length).toBeGreaterThan(100);
    expect(a.bookStream.frames.some((f) => f.type === 'orderbook_delta' && typeof f.msg.client_order_id === 'string')).toBe(true); // our own orders
    expect(b.bookStream.raw).toEqual(a.bookStream.raw);
    const types = new Set(a.accountStream.frames.map((f) => f.type));
    for (const t of ['fill', 'user_order', 'market_position', 'order_group_updates', 'market_lifecycle_v2']) expect(types, t).toContain(t);
    expect(b.accountStream.raw).toEqual(a.accountStream.raw);
  });
});

describe('determinism: another seed', () => {
  it('gives other books (so the comparisons above are not vacuous)', () => {
    const start = books(other);
    expect(start).not.toEqual(a.initialBooks);
    const steps = script.filter((x): x is { kind: 'step'; n: number } => x.kind === 'step').reduce((n, x) => n + x.n, 0);
    other.control.step(steps);
    const after = books(other);
    expect(after).not.toEqual(start);
    expect(after).not.toEqual(a.finalBooks);
    // not only the tickers: the levels themselves differ, market by market
    const levels = (bs: Books) => bs.map((m) => [m.yes, m.no]);
    expect(levels(start)).not.toEqual(levels(a.initialBooks));
  });

  it('a same-seed fresh simulator driven only by steps matches neither run: the client actions count', async () => {
    const fresh = await startSimulator(options(SEED));
    try {
      expect(books(fresh)).toEqual(a.initialBooks);
      const steps = script.filter((x): x is { kind: 'step'; n: number } => x.kind === 'step').reduce((n, x) => n + x.n, 0);
      fresh.control.step(steps);
      expect(books(fresh)).not.toEqual(a.finalBooks);
    } finally {
      await fresh.close();
    }
  });
});
