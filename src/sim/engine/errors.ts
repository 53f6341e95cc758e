/**
 * Every refusal the engine can give, in one place: HTTP status + Kalshi's snake_case error code
 * (kalshi-api.md §4.2). The REST layer turns an ExchangeError into `{error:{code,message}}`.
 *
 * Codes Kalshi documents or has been seen to send: market_not_found (FIX MARKET_NOT_FOUND),
 * market_closed, trading_is_paused, invalid_price, invalid_order, invalid_order_size,
 * order_already_exists, insufficient_balance (FIX INSUFFICIENT_BALANCE; REST may say
 * available_balance_too_low — UNCONFIRMED which), order_ticker_mismatch, order_side_mismatch.
 * The lower-case forms of FIX texts, UNCONFIRMED on REST: exceeded_order_group_risk_limit,
 * order_group_not_found, post_only_cross. Ours (no Kalshi equivalent): account_not_found,
 * account_exists, invalid_parameters, invalid_market_state.
 */
import { ExchangeError } from './types.js';

export const marketNotFound = (ticker: string): ExchangeError =>
  new ExchangeError(404, 'market_not_found', `market ${JSON.stringify(ticker)} not found`);

export const marketClosed = (ticker: string, status: string): ExchangeError =>
  new ExchangeError(409, 'market_closed', `market ${ticker} is ${status}: trading is not open`);

export const tradingPaused = (ticker: string): ExchangeError =>
  new ExchangeError(409, 'trading_is_paused', `trading on market ${ticker} is paused`);

export const invalidPrice = (price: unknown): ExchangeError =>
  new ExchangeError(400, 'invalid_price', `price ${String(price)} is not an orderable price of the market's grid`);

export const invalidOrderSize = (count: unknown): ExchangeError =>
  new ExchangeError(400, 'invalid_order_size', `count ${String(count)} must be a positive whole number of hundredths of a contract`);

export const invalidOrder = (why: string): ExchangeError => new ExchangeError(400, 'invalid_order', why);

export const orderNotFound = (orderId: string): ExchangeError =>
  new ExchangeError(404, 'not_found', `order ${JSON.stringify(orderId)} not found`);

export const orderAlreadyExists = (clientOrderId: string): ExchangeError =>
  new ExchangeError(409, 'order_already_exists', `an order with client_order_id ${JSON.stringify(clientOrderId)} already exists`);

export const insufficientBalance = (need: number, have: number): ExchangeError =>
  new ExchangeError(400, 'insufficient_balance', `insufficient balance: the order needs ${need} µ$, ${have} µ$ available`);

export const groupRiskLimit = (groupId: string): ExchangeError =>
  new ExchangeError(409, 'exceeded_order_group_risk_limit', `order group ${groupId} is triggered: reset it before placing orders into it`);

export const groupNotFound = (groupId: string): ExchangeError =>
  new ExchangeError(404, 'order_group_not_found', `order group ${JSON.stringify(groupId)} not found`);

export const postOnlyCross = (price: number): ExchangeError =>
  new ExchangeError(409, 'post_only_cross', `post-only order at ${price} would cross the book`);

export const orderTickerMismatch = (ticker: string): ExchangeError =>
  new ExchangeError(400, 'order_ticker_mismatch', `the order is not on market ${JSON.stringify(ticker)}`);

export const orderSideMismatch = (side: string): ExchangeError =>
  new ExchangeError(400, 'order_side_mismatch', `the order's side is not ${JSON.stringify(side)}`);

export const accountNotFound = (id: string): ExchangeError =>
  new ExchangeError(404, 'account_not_found', `account ${JSON.stringify(id)} not found`);

export const accountExists = (id: string): ExchangeError =>
  new ExchangeError(409, 'account_exists', `account ${JSON.stringify(id)} already exists`);

export const invalidParameters = (why: string): ExchangeError => new ExchangeError(400, 'invalid_parameters', why);

export const invalidMarketState = (why: string): ExchangeError => new ExchangeError(409, 'invalid_market_state', why);
