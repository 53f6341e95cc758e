/**
 * GET /markets/{ticker}/orderbook → `{"orderbook_fp":{"yes_dollars":[[price,count],…],"no_dollars":[…]}}`
 * (OpenAPI `GetMarketOrderbookResponse`; kalshi-api.md §5.1). Bids only: a NO bid at q is a YES
 * ask at 1 − q. Kalshi documents the arrays as ascending with the best bid last (§5.1) while the
 * OpenAPI text says "best to worst"; the decoder accepts either and always returns ascending,
 * best last. A price listed twice on one side is a KalshiSchemaError.
 */
import type { Count, Price } from '../../../fixed-point.js';
import { asObject, KalshiSchemaError, priceLevel, reqArray, reqObject, show } from '../../decode.js';

/** [price $0.0001, size hundredths of a contract]. */
export type PriceLevel = readonly [price: Price, count: Count];

export interface Orderbook {
  /** YES bids, ascending by price: the best bid is the last element. */
  readonly yes: readonly PriceLevel[];
  /** NO bids, ascending by (NO) price: the best is last; best YES ask = 10000 − its price. */
  readonly no: readonly PriceLevel[];
}

export function decodeOrderbook(body: unknown): Orderbook {
  const book = reqObject(asObject(body, 'reply'), 'orderbook_fp', 'reply');
  const path = 'reply.orderbook_fp';
  return { yes: ascending(reqArray(book, 'yes_dollars', path, priceLevel), `${path}.yes_dollars`), no: ascending(reqArray(book, 'no_dollars', path, priceLevel), `${path}.no_dollars`) };
}

function ascending(levels: Array<[Price, Count]>, path: string): PriceLevel[] {
  let sorted = true;
  for (let i = 1; i < levels.length && sorted; i++) sorted = levels[i][0] > levels[i - 1][0];
  if (!sorted) {
    levels.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < levels.length; i++) {
      if (levels[i][0] === levels[i - 1][0]) throw new KalshiSchemaError(path, 'one level per price', `two levels at ${show(levels[i][0])}`);
    }
  }
  return levels;
}
