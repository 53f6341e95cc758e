import { describe, expect, it } from 'vitest';
import { KalshiSchemaError } from '../../../../src/shared/kalshi/decode.js';
import {
  everyPage, fillsQuery, marketsQuery, ordersQuery, positionsQuery, queryString, settlementsQuery,
} from '../../../../src/shared/kalshi/rest/list-queries.js';
import type { Page } from '../../../../src/shared/kalshi/rest/decoders/common.js';

describe('query strings', () => {
  it('keeps defined values only, URL-encoded', () => {
    expect(queryString({ a: 1, b: undefined, c: 'x y&z', d: false })).toBe('a=1&c=x+y%26z&d=false');
    expect(queryString({})).toBe('');
  });

  it('speaks each endpoint\'s parameter names', () => {
    expect(marketsQuery({ status: 'open', tickers: ['A', 'B'], eventTicker: 'E', seriesTicker: 'S', minCloseTs: 1, maxCloseTs: 2, limit: 5, cursor: 'c' }))
      .toBe('limit=5&cursor=c&status=open&tickers=A%2CB&event_ticker=E&series_ticker=S&min_close_ts=1&max_close_ts=2');
    expect(ordersQuery({ ticker: 'T', status: 'resting', minTs: 100, maxTs: 200, limit: 50, cursor: '' })).toBe('limit=50&ticker=T&status=resting&min_ts=100&max_ts=200');
    expect(fillsQuery({ ticker: 'T', orderId: 'o1', minTs: 100 })).toBe('ticker=T&order_id=o1&min_ts=100');
    expect(positionsQuery({ countFilter: ['position', 'total_traded'], eventTicker: 'E', subaccount: 2 })).toBe('event_ticker=E&count_filter=position%2Ctotal_traded&subaccount=2');
    expect(settlementsQuery({ ticker: 'T', maxTs: 9 })).toBe('ticker=T&max_ts=9');
  });
});

describe('everyPage', () => {
  const pages: Record<string, Page<number>> = { '': { items: [1, 2], cursor: 'b' }, b: { items: [3], cursor: 'c' }, c: { items: [], cursor: '' } };

  it('follows cursors to the last page, from the filter\'s cursor on', async () => {
    const asked: string[] = [];
    const fetchPage = async (f: { cursor?: string }) => {
      asked.push(f.cursor ?? '');
      return pages[f.cursor ?? ''];
    };
    const seen: number[][] = [];
    for await (const p of everyPage(fetchPage, {})) seen.push(p.items);
    expect(seen).toEqual([[1, 2], [3], []]);
    expect(asked).toEqual(['', 'b', 'c']);
    const fromB: number[][] = [];
    for await (const p of everyPage(fetchPage, { cursor: 'b' })) fromB.push(p.items);
    expect(fromB).toEqual([[3], []]);
  });

  it('stops a server that hands back a cursor it already gave', async () => {
    const loop = async (f: { cursor?: string }) => ({ items: [0], cursor: f.cursor === 'x' ? 'y' : 'x' });
    const walk = async () => {
      for await (const _ of everyPage(loop, {})) void _;
    };
    await expect(walk()).rejects.toBeInstanceOf(KalshiSchemaError);
    await expect(walk()).rejects.toMatchObject({ path: 'reply.cursor' });
  });
});
