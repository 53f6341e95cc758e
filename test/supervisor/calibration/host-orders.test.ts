/** Telling the host's orders from the others', and sorting the resting orders into differences. */
import { describe, expect, it } from 'vitest';
import type { Order } from '../../../src/shared/kalshi/rest/index.js';
import { formatClientOrderId } from '../../../src/workers/execution/client-order-id.js';
import { classifyRestingOrders, describeOrder, isHostOrder, parseHostOrderId } from '../../../src/supervisor/calibration/host-orders.js';

const S1 = 'mwuj0001abcd';
const S2 = 'mwuj0002abcd';
const LONG = `KX${'LONG'.repeat(20)}-26NOV24`;

function orderOf(o: Partial<Order> & Pick<Order, 'orderId' | 'ticker'>): Order {
  return {
    clientOrderId: '', bookSide: 'bid', outcomeSide: 'yes', type: 'limit', status: 'resting', yesPrice: 4_500, noPrice: 5_500,
    initialCount: 100, fillCount: 0, remainingCount: 100, takerFillCost: 0, makerFillCost: 0, takerFees: 0, makerFees: 0,
    createdTimeMs: 1, lastUpdateTimeMs: 1, expirationTimeMs: undefined, selfTradePrevention: undefined, orderGroupId: undefined,
    cancelOrderOnPause: undefined, exchangeIndex: 0, ...o,
  };
}

describe('parseHostOrderId', () => {
  it('reads both forms back for the order\'s own ticker', () => {
    expect(parseHostOrderId(formatClientOrderId(S1, 'KXA-1', 0), 'KXA-1')).toEqual({ session: S1, seq: 0 });
    expect(parseHostOrderId(formatClientOrderId(S1, 'KXA-1', 1295), 'KXA-1')).toEqual({ session: S1, seq: 1295 });
    const hashed = formatClientOrderId(S1, LONG, 7);
    expect(hashed).toMatch(new RegExp(`^${S1}-h[0-9a-z]{13}-7$`));
    expect(parseHostOrderId(hashed, LONG)).toEqual({ session: S1, seq: 7 });
  });

  it('anything else is not the host\'s: another ticker\'s id, a non-canonical sequence, a UUID, nothing', () => {
    expect(parseHostOrderId(formatClientOrderId(S1, 'KXA-1', 0), 'KXB-1')).toBeUndefined();
    expect(parseHostOrderId(formatClientOrderId(S1, LONG, 7), `${LONG}X`)).toBeUndefined();
    expect(parseHostOrderId(`${S1}-KXA-1-007`, 'KXA-1')).toBeUndefined();
    expect(parseHostOrderId('0b6d5e38-6f5e-4f0e-9a55-0d2b8f3b8c11', 'KXA-1')).toBeUndefined();
    expect(parseHostOrderId('', 'KXA-1')).toBeUndefined();
    expect(parseHostOrderId('manual', 'KXA-1')).toBeUndefined();
  });

  it('isHostOrder: by format without a journal; by a known session (or a known id) with one', () => {
    const id = formatClientOrderId(S1, 'KXA-1', 3);
    expect(isHostOrder(id, 'KXA-1')).toBe(true);
    expect(isHostOrder(id, 'KXA-1', new Set([S1]))).toBe(true);
    expect(isHostOrder(id, 'KXA-1', new Set([S2]))).toBe(false);
    expect(isHostOrder(id, 'KXA-1', new Set([S2]), new Set([id]))).toBe(true);
    expect(isHostOrder('manual-1', 'KXA-1')).toBe(false);
  });
});

describe('classifyRestingOrders', () => {
  const traded = new Set(['KXA-1', 'KXB-1']);
  const known = formatClientOrderId(S1, 'KXA-1', 0);
  const unknown = formatClientOrderId(S1, 'KXA-1', 1);
  const final = formatClientOrderId(S1, 'KXB-1', 0);
  const elsewhereHost = formatClientOrderId(S1, 'KXC-1', 0);
  const otherHost = formatClientOrderId(S2, 'KXB-1', 0);
  const resting = [
    orderOf({ orderId: 'o1', ticker: 'KXA-1', clientOrderId: known }),
    orderOf({ orderId: 'o2', ticker: 'KXA-1', clientOrderId: unknown }),
    orderOf({ orderId: 'o3', ticker: 'KXB-1', clientOrderId: final }),
    orderOf({ orderId: 'o4', ticker: 'KXB-1', clientOrderId: '' }),
    orderOf({ orderId: 'o5', ticker: 'KXB-1', clientOrderId: otherHost }),
    orderOf({ orderId: 'o6', ticker: 'KXC-1', clientOrderId: elsewhereHost }),
    orderOf({ orderId: 'o7', ticker: 'KXC-1', clientOrderId: 'by-hand' }),
  ];
  const journaled = new Map([[known, { status: 'resting', lastEvent: 'accepted' }], [final, { status: 'canceled', lastEvent: 'canceled' }]]);

  it('with a journal: unknown → cancel, final in the journal → cancel (an earlier session\'s order: the execution thread cancels it), foreign in a traded market → orphan, elsewhere → leave or count', () => {
    const c = classifyRestingOrders(resting, { traded, knownSessions: new Set([S1]), journaled, cancel: true });
    expect(c.differences.map((d) => [d.kind, d.id, d.action])).toEqual([
      ['order_unknown', 'o2', 'cancel'],
      ['order_state', 'o3', 'cancel'],
      ['order_foreign', 'o4', 'cancel'],
      ['order_foreign', 'o5', 'cancel'], // a session this journal does not know: not this host's
      ['order_unknown', 'o6', 'leave'],
    ]);
    expect(c.orphans.map((o) => o.orderId)).toEqual(['o4', 'o5']);
    expect(c.hostOrders).toBe(3);
    expect(c.elsewhere).toBe(1);
    expect(c.differences[1].journal).toBe('canceled (canceled)');
    expect(c.differences[2].detail).toBe('no client_order_id');
  });

  it('without a journal: the host\'s by format, would be cancelled in traded markets like orphans when not acting', () => {
    const c = classifyRestingOrders(resting, { traded, knownSessions: undefined, journaled: undefined, cancel: false });
    expect(c.differences.map((d) => [d.kind, d.id, d.action])).toEqual([
      ['order_unknown', 'o1', 'would_cancel'], ['order_unknown', 'o2', 'would_cancel'], ['order_unknown', 'o3', 'would_cancel'],
      ['order_foreign', 'o4', 'would_cancel'], ['order_unknown', 'o5', 'would_cancel'],
    ]);
    expect(c.elsewhere).toBe(1);
  });

  it('describeOrder', () => {
    expect(describeOrder(orderOf({ orderId: 'x', ticker: 'T', bookSide: 'ask', yesPrice: 1_200, remainingCount: 250 }))).toBe('ask 2.50 @ 0.1200 resting');
  });
});
