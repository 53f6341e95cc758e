/**
 * Step 2 against the simulator, through a transport that can alter the exchange's replies (to
 * show what the simulator never does: a record that contradicts itself, a negative balance, a
 * cancel that fails), and a journal double that answers the baseline query or fails.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRICE_SCALE } from '../../../src/shared/fixed-point.js';
import { KalshiCredentials } from '../../../src/shared/kalshi-signing.js';
import { KalshiRestClient, restBase, UndiciTransport, type RestReply, type RestRequest, type RestTransport } from '../../../src/shared/kalshi/rest/index.js';
import type { MarketPosition } from '../../../src/shared/kalshi/rest/index.js';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.js';
import type { MarketState } from '../../../src/sim/engine/types.js';
import { reconcileAccount, reconcileStep, selfInconsistent, type ReconcileOptions } from '../../../src/supervisor/calibration/journal-reconcile.js';
import type { CalibrationJournal } from '../../../src/supervisor/calibration/journal-view.js';
import type { ReconcileReport } from '../../../src/supervisor/calibration/report.js';
import { makeKey, type TestKey } from '../../support/sim-client.js';

type Tamper = (req: RestRequest, reply: RestReply) => RestReply | undefined;

/** The real transport, with replies a test may rewrite, and requests it may answer itself (never sent). */
class TamperingTransport implements RestTransport {
  readonly kind = 'undici' as const;
  readonly base;
  tamper: Tamper | undefined;
  intercept: ((req: RestRequest) => RestReply | undefined) | undefined;
  readonly #inner: UndiciTransport;
  constructor(url: string, credentials: KalshiCredentials) {
    this.base = restBase(url);
    this.#inner = new UndiciTransport(this.base, { credentials });
  }
  async send(req: RestRequest, timeoutMs: number): Promise<RestReply> {
    const own = this.intercept?.(req);
    if (own !== undefined) return own;
    const reply = await this.#inner.send(req, timeoutMs);
    return this.tamper?.(req, reply) ?? reply;
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

let sim: Simulator;
let key: TestKey;
let transport: TamperingTransport;
let rest: KalshiRestClient;
let M: MarketState;
let N: MarketState;

/** A journal whose last session (at `atMs`) traded M and N and held nothing. */
function journalDouble(atMs: number, writes: Array<[string, Record<string, unknown>]> = []): CalibrationJournal {
  return {
    async query<T>(sql: string): Promise<T[]> {
      if (/FROM sessions\s+WHERE session_id <> \$1/.test(sql)) {
        return [{ session_id: 'prev1', started_ms: String(atMs - 1), ended_ms: String(atMs), start_values: { markets: [M.ticker, N.ticker] }, end_values: { positions: [] }, start_cash_micros: null, end_cash_micros: null }] as T[];
      }
      return [];
    },
    write(kind, record) {
      writes.push([kind, { ...record }]);
    },
  };
}

function options(over: Partial<ReconcileOptions> = {}): ReconcileOptions {
  return { rest, journal: undefined, markets: new Set([M.ticker, N.ticker]), act: false, cancelOrphans: true, sessionId: 'cal1', clock: Date.now, ...over };
}

beforeAll(async () => {
  key = makeKey(`rec-${randomInt(1e9)}`);
  sim = await startSimulator({ keys: [key], port: 0, markets: 16, rate: 0, seed: 5, tier: 'prestige' });
  const quoted = sim.exchange.markets().filter((m) => {
    const y = sim.exchange.bestBid(m.index, 'yes');
    const n = sim.exchange.bestBid(m.index, 'no');
    return m.status === 'active' && m.closeMs > Date.now() + 3_600_000 && y !== undefined && y[0] >= 1_000 && n !== undefined && m.grid.isOrderable(y[0] - 100);
  });
  [M, N] = quoted;
  const credentials = new KalshiCredentials(key.keyId, key.privateKey);
  transport = new TamperingTransport(sim.restUrl, credentials);
  rest = new KalshiRestClient({ baseUrl: sim.restUrl, transport, credentials, tier: 'prestige' });
  // M: 2 YES bought at the ask, before any baseline the tests use.
  const ask = PRICE_SCALE - sim.exchange.bestBid(M.index, 'no')![0];
  const r = sim.control.placeOrder(key.keyId, { ticker: M.ticker, side: 'bid', price: ask, count: 200, timeInForce: 'immediate_or_cancel', selfTradePrevention: 'taker_at_cross' });
  expect(r.fills.reduce((n, f) => n + f.count, 0)).toBe(200);
});
afterAll(async () => {
  await rest?.close();
  await sim?.close();
});

describe('reconcileAccount', () => {
  it('a journal that does not answer: reported, and the exchange alone is reconciled', async () => {
    const broken: CalibrationJournal = { query: async () => { throw new Error('connection refused'); }, write: () => undefined };
    const out = await reconcileAccount(options({ journal: broken }));
    expect(out.report.ok).toBe(true);
    expect(out.report.journal).toMatchObject({ available: false, error: 'connection refused', baseline: null });
    expect(out.report.differences).toEqual([expect.objectContaining({ kind: 'position_unknown', ticker: M.ticker, exchange: 200, action: 'adopt', detail: 'no journal' })]);
    expect(out.report.note).toMatch(/the journal did not answer: compared with the exchange alone$/);
    expect(out.snapshot?.positions.find((p) => p.ticker === M.ticker)?.position).toBe(200);
    expect(reconcileStep(out.report).status).toBe('warn');
  });

  it('an unexplained position whose exchange record contradicts itself cannot be reconciled', async () => {
    transport.tamper = (req, reply) => {
      if (req.path !== '/portfolio/positions') return undefined;
      const body = JSON.parse(reply.text) as { market_positions: Array<Record<string, unknown>> };
      for (const p of body.market_positions) if (p.ticker === M.ticker) p.market_exposure_dollars = '0.000000';
      return { status: reply.status, text: JSON.stringify(body) };
    };
    try {
      const writes: Array<[string, Record<string, unknown>]> = [];
      const out = await reconcileAccount(options({ journal: journalDouble(Date.now(), writes), act: true }));
      const d = out.report.differences.find((x) => x.kind === 'position_unexplained');
      expect(d).toMatchObject({ ticker: M.ticker, journal: 0, exchange: 200, action: 'would_synthesize', detail: expect.stringMatching(/not synthesized/) });
      expect(out.report.irreconcilable).toEqual([expect.stringMatching(new RegExp(`^${M.ticker}: the exchange holds 2\\.00 that no fill explains`))]);
      expect(reconcileStep(out.report).status).toBe('fail');
      expect(writes.filter(([kind, r]) => kind === 'fill' && r.source === 'synthesized')).toEqual([]);
    } finally {
      transport.tamper = undefined;
    }
    // the same position, its record intact: synthesized, with the deterministic id, after the baseline
    const writes: Array<[string, Record<string, unknown>]> = [];
    const atMs = Date.now();
    const out = await reconcileAccount(options({ journal: journalDouble(atMs, writes), act: true }));
    const d = out.report.differences.find((x) => x.kind === 'position_unexplained');
    expect(d).toMatchObject({ ticker: M.ticker, action: 'synthesize' });
    expect(out.report.irreconcilable).toEqual([]);
    expect(writes.filter(([kind, r]) => kind === 'fill' && r.source === 'synthesized')).toEqual([
      ['fill', expect.objectContaining({ trade_id: d!.id, order_id: d!.id, market_ticker: M.ticker, side: 'yes', count: 200, ts_ms: atMs + 1 })],
    ]);
  });

  it('a negative balance cannot be reconciled', async () => {
    transport.tamper = (req, reply) => req.path === '/portfolio/balance'
      ? { status: 200, text: JSON.stringify({ ...JSON.parse(reply.text), balance: -100, balance_dollars: '-1.000000' }) }
      : undefined;
    try {
      const out = await reconcileAccount(options());
      expect(out.report.irreconcilable).toEqual(['the exchange reports a negative available balance (-$1.00)']);
    } finally {
      transport.tamper = undefined;
    }
  });

  it('an orphan whose cancel fails is reported cancel_failed, and still rests', async () => {
    const bid = sim.exchange.bestBid(N.index, 'yes')![0] - 100;
    const orphan = sim.control.placeOrder(key.keyId, { ticker: N.ticker, side: 'bid', price: bid, count: 100, timeInForce: 'good_till_canceled', selfTradePrevention: 'taker_at_cross' }).order;
    transport.intercept = (req) => (req.method === 'DELETE' ? { status: 500, text: '{"error":{"code":"internal","message":"boom"}}' } : undefined);
    try {
      const out = await reconcileAccount(options({ act: true }));
      expect(out.report.differences.filter((d) => d.kind === 'order_foreign')).toEqual([expect.objectContaining({ id: orphan.orderId, action: 'cancel_failed' })]);
      expect(out.report.orphans).toEqual({ cancelled: 0, failed: 1, kept: 0 });
      expect(sim.exchange.getOrder(key.keyId, orphan.orderId).status).toBe('resting');
    } finally {
      transport.intercept = undefined;
    }
    // cancel-orphans off: kept, and would be cancelled
    const kept = await reconcileAccount(options({ act: true, cancelOrphans: false }));
    expect(kept.report.orphans).toEqual({ cancelled: 0, failed: 0, kept: 1 });
    expect(kept.report.differences.find((d) => d.kind === 'order_foreign')?.action).toBe('would_cancel');
    expect(kept.report.note).toMatch(/orphans kept/);
    sim.exchange.cancelOrder(key.keyId, orphan.orderId);
  });

  it('an exchange that cannot be read ends the step', async () => {
    transport.tamper = (req) => (req.path === '/portfolio/orders' ? { status: 503, text: '{"error":{"code":"unavailable","message":"down"}}' } : undefined);
    try {
      const out = await reconcileAccount(options());
      expect(out.report.ok).toBe(false);
      expect(out.report.error).toMatch(/^the account could not be read: .*503/);
      expect(reconcileStep(out.report)).toMatchObject({ status: 'fail' });
    } finally {
      transport.tamper = undefined;
    }
  });
});

describe('pieces', () => {
  it('selfInconsistent: contracts at no cost, or cost without contracts', () => {
    const p = (position: number, marketExposure: number) => ({ ticker: 'T', position, marketExposure } as MarketPosition);
    expect(selfInconsistent(p(100, 0))).toBe(true);
    expect(selfInconsistent(p(0, 500))).toBe(true);
    expect(selfInconsistent(p(-100, 60_000))).toBe(false);
    expect(selfInconsistent(p(0, 0))).toBe(false);
  });

  it('reconcileStep: ok with nothing to say', () => {
    const r: ReconcileReport = {
      ok: true, journal: { available: true, baseline: null, fillsSince: 0 },
      exchange: { balance: 1_000_000_000, reserved: 0, portfolioValue: 0, positions: 0, resting: 0, fills: 0, settlements: 0, sinceMs: 0 },
      differences: [], journaled: { fills: 0, synthesized: 0, settlements: 0 }, orphans: { cancelled: 0, failed: 0, kept: 0 }, ordersElsewhere: 0, irreconcilable: [], note: '',
    };
    expect(reconcileStep(r)).toEqual({ status: 'ok', summary: expect.stringMatching(/^balance \$1000\.00, 0 position\(s\), .* 0 difference\(s\)$/) });
  });
});
