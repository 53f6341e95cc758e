/**
 * One call end to end over a scripted transport: the 429 retry loop, then the two readings of
 * the result (order-entry outcomes, query values or typed errors).
 */
import { describe, expect, it } from 'vitest';
import { RateBudgets } from '../../../../src/shared/rate-budgets.js';
import { KalshiSchemaError, asObject, reqId } from '../../../../src/shared/kalshi/decode.js';
import { outcomeOf, runCall, valueOf, type CallPolicy, type CallResult, type ExchangeCall } from '../../../../src/shared/kalshi/rest/exchange-call.js';
import { KalshiBudgetError, KalshiHttpError, KalshiTransportError } from '../../../../src/shared/kalshi/rest/errors.js';
import { restBase } from '../../../../src/shared/kalshi/rest/environments.js';
import type { RestReply, RestRequest, RestTransport } from '../../../../src/shared/kalshi/rest/transport.js';

type Step = RestReply | KalshiTransportError;

/** Answers each send with the next scripted step. */
class ScriptedTransport implements RestTransport {
  readonly kind = 'undici' as const;
  readonly base = restBase('http://127.0.0.1:1/trade-api/v2');
  readonly sent: RestRequest[] = [];
  constructor(private readonly steps: Step[]) {}
  async send(request: RestRequest): Promise<RestReply> {
    this.sent.push(request);
    const step = this.steps.shift();
    if (step === undefined) throw new Error('script ran out');
    if (step instanceof KalshiTransportError) throw step;
    return step;
  }
  async close(): Promise<void> {}
}

const call: ExchangeCall = { method: 'POST', path: '/portfolio/events/orders', query: '', body: '{}', cost: { bucket: 'write', tokens: 10, priority: 'normal' } };
const slept: number[] = [];
const policy: CallPolicy = { timeoutMs: 1_000, maxWaitMs: 0, backoff: { retries: 2, baseMs: 100, maxMs: 1_000 }, sleep: async (ms) => void slept.push(ms) };
const plenty = () => RateBudgets.create({ read: { ratePerSecond: 1_000, capacity: 1_000 }, write: { ratePerSecond: 1_000, capacity: 1_000 } });
const decodeId = (body: unknown) => reqId(asObject(body, 'reply'), 'order_id', 'reply');
const TOO_MANY: RestReply = { status: 429, text: '{"error":"too many requests"}' };
const answer = (status: number, body: unknown): CallResult => ({ kind: 'answer', status, body, json: true, text: JSON.stringify(body), attempts: 1 });

describe('runCall', () => {
  it('retries a 429 with back-off, then returns the answer', async () => {
    slept.length = 0;
    const t = new ScriptedTransport([TOO_MANY, TOO_MANY, { status: 201, text: '{"order_id":"o1"}' }]);
    const r = await runCall(t, plenty(), call, policy);
    expect(r).toMatchObject({ kind: 'answer', status: 201, body: { order_id: 'o1' }, attempts: 3 });
    expect(t.sent).toHaveLength(3);
    expect(slept).toHaveLength(2);
    expect(slept[0]).toBeGreaterThanOrEqual(50);
    expect(slept[1]).toBeGreaterThanOrEqual(100);
  });

  it('stops after the allowed retries with the last 429', async () => {
    const t = new ScriptedTransport([TOO_MANY, TOO_MANY, TOO_MANY, { status: 201, text: '{}' }]);
    const r = await runCall(t, plenty(), call, policy);
    expect(r).toMatchObject({ kind: 'answer', status: 429, attempts: 3 });
    expect(outcomeOf(call, r, decodeId)).toEqual({ kind: 'RATE_LIMITED', source: 'exchange', attempts: 3 });
  });

  it('never retries a timeout, a 5xx or a 4xx', async () => {
    for (const step of [new KalshiTransportError('POST', '/p', 'timeout', true, 'x'), { status: 500, text: '' }, { status: 400, text: '' }]) {
      const t = new ScriptedTransport([step, { status: 201, text: '{}' }]);
      await runCall(t, plenty(), call, policy);
      expect(t.sent).toHaveLength(1);
    }
  });

  it('sends nothing when the bucket is empty; a retry the bucket cannot pay reports the last 429', async () => {
    const budgets = RateBudgets.create({ read: { ratePerSecond: 1, capacity: 10 }, write: { ratePerSecond: 1, capacity: 10 } }, { readReserve: 0, writeReserve: 0 });
    const t = new ScriptedTransport([TOO_MANY]);
    const first = await runCall(t, budgets, call, policy);
    expect(first).toMatchObject({ kind: 'answer', status: 429, attempts: 1 });
    const second = await runCall(t, budgets, call, policy);
    expect(second.kind).toBe('refused');
    expect(t.sent).toHaveLength(1);
  });

  it('marks a body that is not JSON', async () => {
    const r = await runCall(new ScriptedTransport([{ status: 502, text: '<html>bad gateway</html>' }]), plenty(), call, policy);
    expect(r).toMatchObject({ kind: 'answer', status: 502, json: false, body: undefined });
  });
});

describe('outcomeOf', () => {
  it('ACCEPTED with the decoded reply', () => {
    expect(outcomeOf(call, answer(201, { order_id: 'o1' }), decodeId)).toEqual({ kind: 'ACCEPTED', status: 201, reply: 'o1' });
  });

  it('UNKNOWN bad_reply for a 2xx that does not decode or is not JSON', () => {
    const bad = outcomeOf(call, answer(201, { order_id: '' }), decodeId);
    expect(bad).toMatchObject({ kind: 'UNKNOWN', cause: 'bad_reply', sent: true, status: 201 });
    expect(bad.kind === 'UNKNOWN' && bad.message).toMatch(/reply\.order_id/);
    expect(outcomeOf(call, { kind: 'answer', status: 200, body: undefined, json: false, text: 'oops', attempts: 1 }, decodeId)).toMatchObject({ kind: 'UNKNOWN', cause: 'bad_reply' });
  });

  it('REJECTED with Kalshi\'s code, message and details for a 4xx', () => {
    const body = { error: { code: 'order_already_exists', message: 'exists', details: 'cid' } };
    expect(outcomeOf(call, answer(409, body), decodeId)).toEqual({ kind: 'REJECTED', status: 409, code: 'order_already_exists', message: 'exists', details: 'cid' });
    expect(outcomeOf(call, answer(404, undefined), decodeId)).toEqual({ kind: 'REJECTED', status: 404, code: 'http_404', message: '' });
  });

  it('UNKNOWN server_error for a 5xx, keeping the code', () => {
    expect(outcomeOf(call, answer(503, { error: { code: 'service_unavailable', message: 'down' } }), decodeId)).toMatchObject({ kind: 'UNKNOWN', cause: 'server_error', sent: true, status: 503, code: 'service_unavailable' });
  });

  it('UNKNOWN for a lost request, with whether it was sent', () => {
    const lost = (code: 'timeout' | 'connection', sent: boolean): CallResult => ({ kind: 'lost', error: new KalshiTransportError('POST', '/p', code, sent, 'x'), attempts: 1 });
    expect(outcomeOf(call, lost('timeout', true), decodeId)).toMatchObject({ kind: 'UNKNOWN', cause: 'timeout', sent: true });
    expect(outcomeOf(call, lost('connection', false), decodeId)).toMatchObject({ kind: 'UNKNOWN', cause: 'connection', sent: false });
  });

  it('RATE_LIMITED local, or DENIED when the bucket can never pay', () => {
    expect(outcomeOf(call, { kind: 'refused', waitMs: 40 }, decodeId)).toEqual({ kind: 'RATE_LIMITED', source: 'local', retryAfterMs: 40, attempts: 0 });
    expect(outcomeOf(call, { kind: 'refused', waitMs: Infinity }, decodeId)).toMatchObject({ kind: 'DENIED', reason: 'exceeds_budget' });
  });

  it('UNKNOWN bad_reply for a 1xx/3xx', () => {
    expect(outcomeOf(call, answer(302, undefined), decodeId)).toMatchObject({ kind: 'UNKNOWN', cause: 'bad_reply', status: 302 });
  });
});

describe('valueOf', () => {
  const query: ExchangeCall = { method: 'GET', path: '/portfolio/orders/o1', query: '', cost: { bucket: 'read', tokens: 2, priority: 'normal' } };

  it('returns the decoded value or throws the typed error', () => {
    expect(valueOf(query, answer(200, { order_id: 'o1' }), decodeId)).toBe('o1');
    expect(() => valueOf(query, answer(200, {}), decodeId)).toThrow(KalshiSchemaError);
    expect(() => valueOf(query, { kind: 'answer', status: 200, body: undefined, json: false, text: '<html>', attempts: 1 }, decodeId)).toThrow(/expected a JSON document/);
    expect(() => valueOf(query, answer(404, { error: { code: 'not_found', message: 'nope' } }), decodeId)).toThrow(KalshiHttpError);
    expect(() => valueOf(query, answer(429, { error: 'too many requests' }), decodeId)).toThrow(/429 too_many_requests/);
    expect(() => valueOf(query, { kind: 'refused', waitMs: 12 }, decodeId)).toThrow(KalshiBudgetError);
    const lost = new KalshiTransportError('GET', '/p', 'timeout', true, 'x');
    expect(() => valueOf(query, { kind: 'lost', error: lost, attempts: 1 }, decodeId)).toThrow(lost);
  });
});
