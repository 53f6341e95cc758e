import { describe, expect, it } from 'vitest';
import { RateBudgets } from '../../../../src/shared/rate-budgets.js';
import {
  backoffDelayMs, DEFAULT_BUDGET_WAITS, KALSHI_ENDPOINT_COSTS, maxWaitFor, takeTokens, type RequestCost,
} from '../../../../src/shared/kalshi/rest/request-budget.js';

/** Budgets on a fake clock, and a sleep that moves that clock instead of waiting. */
function fakeBudgets(ratePerSecond: number, capacity: number, reserve: number) {
  let ns = 1_000_000_000n;
  const budgets = RateBudgets.create(
    { read: { ratePerSecond, capacity }, write: { ratePerSecond, capacity } },
    { readReserve: reserve, writeReserve: reserve, now: () => ns },
  );
  const slept: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    slept.push(ms);
    ns += BigInt(Math.ceil(ms * 1e6));
  };
  return { budgets, sleep, slept };
}

const cost = (tokens: number, priority: 'normal' | 'priority' = 'normal', bucket: 'read' | 'write' = 'write'): RequestCost => ({ bucket, tokens, priority });

describe('takeTokens', () => {
  it('grants at once while the bucket has the tokens', async () => {
    const { budgets, sleep, slept } = fakeBudgets(10, 20, 0);
    expect(await takeTokens(budgets, cost(10), 0, sleep)).toEqual({ granted: true });
    expect(await takeTokens(budgets, cost(10), 0, sleep)).toEqual({ granted: true });
    expect(slept).toEqual([]);
  });

  it('waits exactly as long as the bucket says when that is within the bound', async () => {
    const { budgets, sleep, slept } = fakeBudgets(10, 10, 0);
    await takeTokens(budgets, cost(10), 0, sleep);
    expect(await takeTokens(budgets, cost(10), 2_000, sleep)).toEqual({ granted: true });
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThanOrEqual(1_000);
    expect(slept[0]).toBeLessThan(1_001);
  });

  it('refuses at once, without sleeping, when the tokens come too late', async () => {
    const { budgets, sleep, slept } = fakeBudgets(10, 10, 0);
    await takeTokens(budgets, cost(10), 0, sleep);
    const refused = await takeTokens(budgets, cost(10), 500, sleep);
    expect(refused.granted).toBe(false);
    expect(!refused.granted && refused.waitMs).toBeCloseTo(1_000, 0);
    expect(slept).toEqual([]);
  });

  it('keeps the reserve for priority requests', async () => {
    const { budgets, sleep } = fakeBudgets(1, 20, 10);
    expect(await takeTokens(budgets, cost(10), 0, sleep)).toEqual({ granted: true });
    expect((await takeTokens(budgets, cost(2), 0, sleep)).granted).toBe(false);
    expect(await takeTokens(budgets, cost(2, 'priority'), 0, sleep)).toEqual({ granted: true });
    expect(await takeTokens(budgets, cost(8, 'priority'), 0, sleep)).toEqual({ granted: true });
    expect((await takeTokens(budgets, cost(1, 'priority'), 0, sleep)).granted).toBe(false);
  });

  it('reports a request larger than the bucket ever grants as an infinite wait', async () => {
    const { budgets, sleep } = fakeBudgets(100, 100, 20);
    expect(await takeTokens(budgets, cost(90), 10_000, sleep)).toEqual({ granted: false, waitMs: Infinity });
    expect(await takeTokens(budgets, cost(90, 'priority'), 0, sleep)).toEqual({ granted: true });
  });

  it('draws on the bucket the cost names', async () => {
    const { budgets, sleep } = fakeBudgets(1, 100, 0);
    await takeTokens(budgets, cost(30, 'normal', 'read'), 0, sleep);
    expect(budgets.read.available()).toBe(70);
    expect(budgets.write.available()).toBe(100);
  });
});

describe('costs and waits', () => {
  it('has Kalshi\'s documented non-default costs', () => {
    expect(KALSHI_ENDPOINT_COSTS).toEqual({ default: 10, getOrder: 2, cancelOrder: 2, cancelAll: 2, batchCancelPerOrder: 2, batchCreatePerOrder: 10 });
  });

  it('bounds the wait by bucket and priority', () => {
    expect(maxWaitFor(cost(10, 'normal', 'read'), DEFAULT_BUDGET_WAITS)).toBe(1_000);
    expect(maxWaitFor(cost(10, 'priority', 'read'), DEFAULT_BUDGET_WAITS)).toBe(1_000);
    expect(maxWaitFor(cost(10, 'normal', 'write'), DEFAULT_BUDGET_WAITS)).toBe(25);
    expect(maxWaitFor(cost(2, 'priority', 'write'), DEFAULT_BUDGET_WAITS)).toBe(1_000);
  });
});

describe('backoffDelayMs', () => {
  const policy = { retries: 5, baseMs: 100, maxMs: 1_000 };
  it('doubles per attempt with equal jitter, capped', () => {
    expect(backoffDelayMs(policy, 0, () => 0)).toBe(50);
    expect(backoffDelayMs(policy, 0, () => 1)).toBe(100);
    expect(backoffDelayMs(policy, 2, () => 0)).toBe(200);
    expect(backoffDelayMs(policy, 2, () => 1)).toBe(400);
    expect(backoffDelayMs(policy, 10, () => 1)).toBe(1_000);
    expect(backoffDelayMs(policy, 10, () => 0)).toBe(500);
  });
});
