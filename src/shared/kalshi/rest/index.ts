/**
 * The REST half of the Kalshi client: `KalshiRestClient` (client.ts) for every call,
 * `OrderEntry` (order-entry.ts) for idempotent order creation, the decoded domain types, the
 * outcome union of order entry and the errors of queries.
 */
export { KALSHI_REST_URLS, restBase, type KalshiEnvironment, type RestBase } from './environments.js';
export { KalshiBudgetError, KalshiHttpError, KalshiTransportError, readErrorBody, type KalshiErrorBody, type TransportFailure } from './errors.js';
export { accepted, denied, isAccepted, type Accepted, type Denied, type DenyReason, type NotAccepted, type Outcome, type OutcomeKind, type RateLimited, type Rejected, type Unknown, type UnknownCause } from './outcome.js';
export {
  DEFAULT_BACKOFF, DEFAULT_BUDGET_WAITS, KALSHI_ENDPOINT_COSTS,
  type BackoffPolicy, type BucketName, type BudgetWaits, type EndpointCosts, type RequestCost,
} from './request-budget.js';
export { UndiciTransport, type HttpMethod, type RestReply, type RestRequest, type RestTransport, type TransportKind, type TransportOptions } from './transport.js';
export { NodeHttpTransport } from './node-http-transport.js';
export { BATCH_CREATE_ORDERS_PATH, CREATE_ORDER_PATH, KalshiRestClient, presignedOrderTargets } from './client.js';
export { DEFAULT_TIMEOUT_MS, type CallOptions, type KalshiRestSettings } from './client-settings.js';
export { everyPage, queryString, type FillsFilter, type MarketsFilter, type OrdersFilter, type PositionsFilter, type SettlementsFilter } from './list-queries.js';
export { OrderEntry, type OrderEntrySettings, type PlacedOrder, type PlaceOptions } from './order-entry.js';
export { TIME_IN_FORCE, type AmendChange, type CancelItem, type DecreaseChange, type OrderIntent, type OrderRoute, type TimeInForce } from './order-intent.js';
export { budgetsOf, decodeAccountLimits, type AccountLimits, type BucketLimit } from './decoders/account.js';
export { BOOK_SIDES, OUTCOME_SIDES, type BookSide, type ItemError, type OutcomeSide, type Page } from './decoders/common.js';
export { decodeExchangeStatus, type ExchangeStatus } from './decoders/exchange.js';
export { FEE_TYPES, MARKET_RESULTS, MARKET_STATUSES, decodeMarket, decodeMarketReply, decodeMarketsPage, decodeSeriesReply, type FeeType, type Market, type MarketResult, type MarketStatus, type SeriesFees } from './decoders/market.js';
export { decodeOrderbook, type Orderbook, type PriceLevel } from './decoders/orderbook.js';
export { ORDER_STATUSES, SELF_TRADE_PREVENTION, decodeFill, decodeFillsPage, decodeOrder, decodeOrderReply, decodeOrdersPage, type Fill, type Order, type OrderStatus, type SelfTradePrevention } from './decoders/orders.js';
export { decodeBalance, decodeMarketPosition, decodePositionsPage, decodeSettlement, decodeSettlementsPage, type Balance, type MarketPosition, type Settlement } from './decoders/portfolio.js';
export {
  decodeAmendOrderReply, decodeBatchCancelReply, decodeBatchCreateReply, decodeCancelOrderReply, decodeCreateOrderReply, decodeDecreaseOrderReply,
  type AmendOrderReply, type BatchItem, type CancelOrderReply, type CreateOrderReply, type DecreaseOrderReply,
} from './decoders/order-replies.js';
export { decodeCreatedOrderGroup, decodeOrderGroupDetail, decodeOrderGroups, type CreatedOrderGroup, type OrderGroup, type OrderGroupDetail } from './decoders/order-groups.js';
