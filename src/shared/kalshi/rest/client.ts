/**
 * `KalshiRestClient`: every REST call the host makes to Kalshi's trade-api v2, metered by the
 * account's shared token buckets, signed, decoded into fixed-point domain types.
 *
 * Two kinds of method, and the rule tells which is which:
 * - Queries (GET) return the decoded value or THROW: `KalshiHttpError` (non-2xx; `status`, Kalshi's
 *   `code`), `KalshiTransportError` (timeout / connection), `KalshiBudgetError` (no local tokens
 *   within the wait; nothing sent), `KalshiSchemaError` (a 2xx body not of the documented shape).
 * - Writes (order entry, cancels, order-group changes) NEVER throw for exchange or network
 *   behaviour: they return an `Outcome` (outcome.ts) — ACCEPTED / DENIED / REJECTED /
 *   RATE_LIMITED / UNKNOWN. (They do throw for programming errors, e.g. a non-object argument.)
 *
 * Paged lists have a page call (`ordersPage(filter)`, with `limit` and `cursor`) and an async
 * iterator over every page from the filter's cursor on (`orderPages(filter)`).
 *
 * Costs and waiting for tokens: request-budget.ts. Retries: only after a 429 (exchange-call.ts).
 * An UNKNOWN order creation is resolved by order-entry.ts, not here.
 *
 * Secrets: the client holds `KalshiCredentials` inside its transport; `String(client)`,
 * `util.inspect(client)` and `JSON.stringify(client)` show the base URL and key id only.
 */
import { inspect } from 'node:util';
import { formatCount, type Count } from '../../fixed-point.js';
import type { RateBudgets } from '../../rate-budgets.js';
import { budgetsOf, decodeAccountLimits, type AccountLimits } from './decoders/account.js';
import { decodeEmpty, type Page } from './decoders/common.js';
import { decodeExchangeStatus, type ExchangeStatus } from './decoders/exchange.js';
import { decodeMarketReply, decodeMarketsPage, decodeSeriesReply, type Market, type SeriesFees } from './decoders/market.js';
import {
  decodeAmendOrderReply, decodeBatchCancelReply, decodeBatchCreateReply, decodeCancelOrderReply, decodeCreateOrderReply,
  decodeDecreaseOrderReply, type AmendOrderReply, type BatchItem, type CancelOrderReply, type CreateOrderReply, type DecreaseOrderReply,
} from './decoders/order-replies.js';
import { decodeCreatedOrderGroup, decodeOrderGroupDetail, decodeOrderGroups, type CreatedOrderGroup, type OrderGroup, type OrderGroupDetail } from './decoders/order-groups.js';
import { decodeOrderbook, type Orderbook } from './decoders/orderbook.js';
import { decodeFillsPage, decodeOrderReply, decodeOrdersPage, type Fill, type Order } from './decoders/orders.js';
import { decodeBalance, decodePositionsPage, decodeSettlementsPage, type Balance, type MarketPosition, type Settlement } from './decoders/portfolio.js';
import { restBase, type RestBase } from './environments.js';
import { partsOf, type CallOptions, type ClientParts, type KalshiRestSettings } from './client-settings.js';
import { outcomeOf, runCall, valueOf, type CallPolicy, type Decoder, type ExchangeCall } from './exchange-call.js';
import {
  everyPage, fillsQuery, marketsQuery, ordersQuery, positionsQuery, queryString, settlementsQuery,
  type FillsFilter, type MarketsFilter, type OrdersFilter, type PositionsFilter, type SettlementsFilter,
} from './list-queries.js';
import {
  amendOrderBody, checkAmend, checkDecrease, checkOrderId, checkOrderIntent, createOrderBody, decreaseOrderBody,
  type AmendChange, type CancelItem, type DecreaseChange, type OrderIntent, type OrderRoute,
} from './order-intent.js';
import { denied, type Outcome } from './outcome.js';
import { maxWaitFor, type BucketName, type EndpointCosts, type RequestCost } from './request-budget.js';
import type { HttpMethod, RestTransport, TransportKind } from './transport.js';

/** Marks settings that carry ready-made parts (`withBudgets`). */
const PARTS = Symbol('KalshiRestClient.parts');

const seg = encodeURIComponent;

/** Create Order V2 and Batch Create Orders V2, relative to the base path: the order-entry paths with no id in them. */
export const CREATE_ORDER_PATH = '/portfolio/events/orders';
export const BATCH_CREATE_ORDERS_PATH = '/portfolio/events/orders/batched';

/**
 * The requests of order entry whose signed message is fixed but for the timestamp, as signed for
 * the base URL `baseUrl` (its base path, e.g. `/trade-api/v2`, is part of what is signed):
 * `POST …/portfolio/events/orders` and `POST …/portfolio/events/orders/batched`. These are the
 * targets pre-signed off the hot path (presigned-signatures.ts); paths that carry an order id
 * (amend, decrease, cancel) cannot be.
 */
export function presignedOrderTargets(baseUrl: string): Array<{ method: HttpMethod; path: string }> {
  const { basePath } = restBase(baseUrl);
  return [{ method: 'POST', path: basePath + CREATE_ORDER_PATH }, { method: 'POST', path: basePath + BATCH_CREATE_ORDERS_PATH }];
}

export class KalshiRestClient {
  readonly base: RestBase;
  /** The shared buckets this client draws on. */
  readonly budgets: RateBudgets;
  readonly #parts: ClientParts;
  readonly #transport: RestTransport;
  readonly #costs: EndpointCosts;

  constructor(settings: KalshiRestSettings) {
    const parts = (settings as { [PARTS]?: ClientParts })[PARTS] ?? partsOf(settings);
    this.#parts = parts;
    this.#transport = parts.transport;
    this.#costs = parts.costs;
    this.base = parts.base;
    this.budgets = parts.budgets;
  }

  /**
   * A client whose budgets are the account's own, from GET /account/limits (one Read request,
   * metered by the `tier` table budgets meanwhile). With `budgets` already given, no request.
   * Throws like any query.
   */
  static async create(settings: KalshiRestSettings): Promise<KalshiRestClient> {
    if (settings.budgets !== undefined) return new KalshiRestClient(settings);
    const probe = new KalshiRestClient(settings);
    try {
      return probe.withBudgets(budgetsOf(await probe.accountLimits({ priority: true })));
    } catch (err) {
      await probe.close();
      throw err;
    }
  }

  /**
   * The same client (same transport, connections and credentials) drawing on other buckets.
   * The twins share the transport: closing either closes both.
   */
  withBudgets(budgets: RateBudgets): KalshiRestClient {
    return new KalshiRestClient({ baseUrl: '', [PARTS]: { ...this.#parts, budgets } } as KalshiRestSettings);
  }

  get transportKind(): TransportKind {
    return this.#transport.kind;
  }

  /** Close the connections. Calls made afterwards fail as lost (UNKNOWN / KalshiTransportError). */
  close(): Promise<void> {
    return this.#transport.close();
  }

  // -------------------------------------------------------------------------------------------
  // Exchange and markets (public data; signed anyway when credentials are given)

  exchangeStatus(options?: CallOptions): Promise<ExchangeStatus> {
    return this.#query('GET', '/exchange/status', '', options, decodeExchangeStatus);
  }

  marketsPage(filter: MarketsFilter = {}, options?: CallOptions): Promise<Page<Market>> {
    return this.#query('GET', '/markets', marketsQuery(filter), options, decodeMarketsPage);
  }

  marketPages(filter: MarketsFilter = {}, options?: CallOptions): AsyncGenerator<Page<Market>> {
    return everyPage((f) => this.marketsPage(f, options), filter);
  }

  market(ticker: string, options?: CallOptions): Promise<Market> {
    return this.#query('GET', `/markets/${seg(ticker)}`, '', options, decodeMarketReply);
  }

  /** `depth` 0 (default) = every level, else the best `depth` of each side. */
  orderbook(ticker: string, depth?: number, options?: CallOptions): Promise<Orderbook> {
    return this.#query('GET', `/markets/${seg(ticker)}/orderbook`, queryString({ depth }), options, decodeOrderbook);
  }

  /** A series' fee type and multiplier (kalshi-api.md §5.3). */
  seriesFees(seriesTicker: string, options?: CallOptions): Promise<SeriesFees> {
    return this.#query('GET', `/series/${seg(seriesTicker)}`, '', options, decodeSeriesReply);
  }

  // -------------------------------------------------------------------------------------------
  // Portfolio queries

  balance(options?: CallOptions): Promise<Balance> {
    return this.#query('GET', '/portfolio/balance', '', options, decodeBalance);
  }

  positionsPage(filter: PositionsFilter = {}, options?: CallOptions): Promise<Page<MarketPosition>> {
    return this.#query('GET', '/portfolio/positions', positionsQuery(filter), options, decodePositionsPage);
  }

  positionPages(filter: PositionsFilter = {}, options?: CallOptions): AsyncGenerator<Page<MarketPosition>> {
    return everyPage((f) => this.positionsPage(f, options), filter);
  }

  ordersPage(filter: OrdersFilter = {}, options?: CallOptions): Promise<Page<Order>> {
    return this.#query('GET', '/portfolio/orders', ordersQuery(filter), options, decodeOrdersPage);
  }

  orderPages(filter: OrdersFilter = {}, options?: CallOptions): AsyncGenerator<Page<Order>> {
    return everyPage((f) => this.ordersPage(f, options), filter);
  }

  /** One order (2 tokens). A 404 throws KalshiHttpError with status 404. */
  order(orderId: string, options?: CallOptions): Promise<Order> {
    return this.#query('GET', `/portfolio/orders/${seg(orderId)}`, '', options, decodeOrderReply, this.#costs.getOrder);
  }

  fillsPage(filter: FillsFilter = {}, options?: CallOptions): Promise<Page<Fill>> {
    return this.#query('GET', '/portfolio/fills', fillsQuery(filter), options, decodeFillsPage);
  }

  fillPages(filter: FillsFilter = {}, options?: CallOptions): AsyncGenerator<Page<Fill>> {
    return everyPage((f) => this.fillsPage(f, options), filter);
  }

  settlementsPage(filter: SettlementsFilter = {}, options?: CallOptions): Promise<Page<Settlement>> {
    return this.#query('GET', '/portfolio/settlements', settlementsQuery(filter), options, decodeSettlementsPage);
  }

  settlementPages(filter: SettlementsFilter = {}, options?: CallOptions): AsyncGenerator<Page<Settlement>> {
    return everyPage((f) => this.settlementsPage(f, options), filter);
  }

  orderGroups(options?: CallOptions): Promise<OrderGroup[]> {
    return this.#query('GET', '/portfolio/order_groups', '', options, decodeOrderGroups);
  }

  orderGroup(orderGroupId: string, options?: CallOptions): Promise<OrderGroupDetail> {
    return this.#query('GET', `/portfolio/order_groups/${seg(orderGroupId)}`, '', options, decodeOrderGroupDetail);
  }

  /** The usage tier and token buckets (budgetsOf turns them into RateBudgets). */
  accountLimits(options?: CallOptions): Promise<AccountLimits> {
    return this.#query('GET', '/account/limits', '', options, decodeAccountLimits);
  }

  // -------------------------------------------------------------------------------------------
  // Order entry (V2, YES book): outcomes, never throws for exchange behaviour

  /** Create Order V2 (10 tokens, Write, normal). For an idempotent place with lookup on UNKNOWN use OrderEntry. */
  createOrder(intent: OrderIntent, options?: CallOptions): Promise<Outcome<CreateOrderReply>> {
    const refused = checkOrderIntent(intent);
    if (refused !== undefined) return Promise.resolve(refused);
    return this.#submit('POST', CREATE_ORDER_PATH, '', createOrderBody(intent), this.#cost('write', this.#costs.default, 'normal'), options, decodeCreateOrderReply);
  }

  /**
   * Batch Create Orders V2 (10 tokens per order, taken whole). ACCEPTED means the batch was
   * processed; each item then has its own result or error. A batch larger than the Write bucket
   * can ever grant is DENIED `exceeds_budget`.
   */
  batchCreateOrders(intents: readonly OrderIntent[], options?: CallOptions): Promise<Outcome<BatchItem<CreateOrderReply>[]>> {
    if (!Array.isArray(intents) || intents.length === 0) return Promise.resolve(denied('invalid_batch', 'a batch needs at least one order'));
    const ids = new Set<string>();
    for (let i = 0; i < intents.length; i++) {
      const refused = checkOrderIntent(intents[i]);
      if (refused !== undefined) return Promise.resolve(denied(refused.reason, `order ${i}: ${refused.message}`));
      if (ids.has(intents[i].clientOrderId)) return Promise.resolve(denied('invalid_client_order_id', `order ${i}: clientOrderId repeats an earlier order of the batch`));
      ids.add(intents[i].clientOrderId);
    }
    const cost = this.#cost('write', this.#costs.batchCreatePerOrder * intents.length, 'normal');
    return this.#submit('POST', BATCH_CREATE_ORDERS_PATH, '', { orders: intents.map(createOrderBody) }, cost, options, decodeBatchCreateReply);
  }

  /** Cancel Order V2 (2 tokens, priority). */
  cancelOrder(orderId: string, route: OrderRoute = {}, options?: CallOptions): Promise<Outcome<CancelOrderReply>> {
    const refused = checkOrderId(orderId);
    if (refused !== undefined) return Promise.resolve(refused);
    const query = queryString({ market_ticker: route.marketTicker, exchange_index: route.exchangeIndex, subaccount: route.subaccount });
    return this.#submit('DELETE', `/portfolio/events/orders/${seg(orderId)}`, query, undefined, this.#cost('write', this.#costs.cancelOrder, 'priority'), options, decodeCancelOrderReply);
  }

  /** Batch Cancel Orders V2 (2 tokens per order, priority). */
  batchCancelOrders(items: readonly CancelItem[], options?: CallOptions): Promise<Outcome<BatchItem<CancelOrderReply>[]>> {
    if (!Array.isArray(items) || items.length === 0) return Promise.resolve(denied('invalid_batch', 'a batch needs at least one order'));
    for (let i = 0; i < items.length; i++) {
      const refused = checkOrderId(items[i].orderId);
      if (refused !== undefined) return Promise.resolve(denied(refused.reason, `order ${i}: ${refused.message}`));
    }
    const body = {
      orders: items.map((it) => {
        const o: Record<string, unknown> = { order_id: it.orderId };
        if (it.marketTicker !== undefined) o.market_ticker = it.marketTicker;
        if (it.exchangeIndex !== undefined) o.exchange_index = it.exchangeIndex;
        if (it.subaccount !== undefined) o.subaccount = it.subaccount;
        return o;
      }),
    };
    const cost = this.#cost('write', this.#costs.batchCancelPerOrder * items.length, 'priority');
    return this.#submit('DELETE', '/portfolio/events/orders/batched', '', body, cost, options, decodeBatchCancelReply);
  }

  /** Cancel every resting order of the account on every shard (2 tokens, priority) → 204. */
  cancelAllOrders(filter: { subaccount?: number } = {}, options?: CallOptions): Promise<Outcome<void>> {
    const query = queryString({ subaccount: filter.subaccount });
    return this.#submit('DELETE', '/portfolio/events/orders', query, undefined, this.#cost('write', this.#costs.cancelAll, 'priority'), options, decodeEmpty);
  }

  /** Amend Order V2 (10 tokens, normal): new price and new TOTAL count. */
  amendOrder(orderId: string, change: AmendChange, options?: CallOptions): Promise<Outcome<AmendOrderReply>> {
    const refused = checkAmend(orderId, change);
    if (refused !== undefined) return Promise.resolve(refused);
    return this.#submit('POST', `/portfolio/events/orders/${seg(orderId)}/amend`, '', amendOrderBody(change), this.#cost('write', this.#costs.default, 'normal'), options, decodeAmendOrderReply);
  }

  /** Decrease Order V2 (10 tokens, priority: it only ever reduces risk). */
  decreaseOrder(orderId: string, change: DecreaseChange, route: OrderRoute = {}, options?: CallOptions): Promise<Outcome<DecreaseOrderReply>> {
    const refused = checkDecrease(orderId, change);
    if (refused !== undefined) return Promise.resolve(refused);
    const body = decreaseOrderBody(change);
    if (route.marketTicker !== undefined) body.market_ticker = route.marketTicker;
    if (route.exchangeIndex !== undefined) body.exchange_index = route.exchangeIndex;
    const query = queryString({ subaccount: route.subaccount });
    return this.#submit('POST', `/portfolio/events/orders/${seg(orderId)}/decrease`, query, body, this.#cost('write', this.#costs.default, 'priority'), options, decodeDecreaseOrderReply);
  }

  // -------------------------------------------------------------------------------------------
  // Order groups (Write bucket, kalshi-api.md §3)

  /** `contractsLimit` in hundredths (Kalshi: 1 – 1,000,000 contracts). */
  createOrderGroup(contractsLimit: Count, scope: { subaccount?: number; exchangeIndex?: number } = {}, options?: CallOptions): Promise<Outcome<CreatedOrderGroup>> {
    if (!Number.isSafeInteger(contractsLimit) || contractsLimit <= 0) return Promise.resolve(denied('invalid_count', `contractsLimit must be a positive integer number of hundredths, got ${String(contractsLimit)}`));
    const body: Record<string, unknown> = { contracts_limit_fp: formatCount(contractsLimit) };
    if (scope.subaccount !== undefined) body.subaccount = scope.subaccount;
    if (scope.exchangeIndex !== undefined) body.exchange_index = scope.exchangeIndex;
    return this.#submit('POST', '/portfolio/order_groups/create', '', body, this.#cost('write', this.#costs.default, 'normal'), options, decodeCreatedOrderGroup);
  }

  /** Delete the group and cancel its resting orders (priority). */
  deleteOrderGroup(orderGroupId: string, options?: CallOptions): Promise<Outcome<void>> {
    return this.#groupOp('DELETE', orderGroupId, '', undefined, 'priority', options);
  }

  /** Clear the triggered state and the rolling counter. */
  resetOrderGroup(orderGroupId: string, options?: CallOptions): Promise<Outcome<void>> {
    return this.#groupOp('PUT', orderGroupId, '/reset', {}, 'normal', options);
  }

  /** Trigger now: cancels every resting order of the group (priority). */
  triggerOrderGroup(orderGroupId: string, options?: CallOptions): Promise<Outcome<void>> {
    return this.#groupOp('PUT', orderGroupId, '/trigger', {}, 'priority', options);
  }

  /** New limit, hundredths; below the current rolling volume it triggers the group at once. */
  setOrderGroupLimit(orderGroupId: string, contractsLimit: Count, options?: CallOptions): Promise<Outcome<void>> {
    if (!Number.isSafeInteger(contractsLimit) || contractsLimit <= 0) return Promise.resolve(denied('invalid_count', `contractsLimit must be a positive integer number of hundredths, got ${String(contractsLimit)}`));
    return this.#groupOp('PUT', orderGroupId, '/limit', { contracts_limit_fp: formatCount(contractsLimit) }, 'normal', options);
  }

  #groupOp(method: HttpMethod, id: string, suffix: string, body: unknown, priority: 'normal' | 'priority', options: CallOptions | undefined): Promise<Outcome<void>> {
    if (typeof id !== 'string' || id === '') return Promise.resolve(denied('invalid_order_id', 'orderGroupId must be a non-empty string'));
    return this.#submit(method, `/portfolio/order_groups/${seg(id)}${suffix}`, '', body, this.#cost('write', this.#costs.default, priority), options, decodeEmpty);
  }

  // -------------------------------------------------------------------------------------------
  // The two readings of a call

  #cost(bucket: BucketName, tokens: number, priority: 'normal' | 'priority'): RequestCost {
    return { bucket, tokens, priority };
  }

  #policy(cost: RequestCost, options: CallOptions | undefined): CallPolicy {
    return {
      timeoutMs: options?.timeoutMs ?? this.#parts.timeoutMs,
      maxWaitMs: options?.maxWaitMs ?? maxWaitFor(cost, this.#parts.waits),
      backoff: options?.retries === undefined ? this.#parts.backoff : { ...this.#parts.backoff, retries: options.retries },
      sleep: this.#parts.sleep,
      onSent: options?.onSent,
    };
  }

  async #query<T>(method: HttpMethod, path: string, query: string, options: CallOptions | undefined, decode: Decoder<T>, tokens = this.#costs.default): Promise<T> {
    const cost = this.#cost('read', tokens, options?.priority === true ? 'priority' : 'normal');
    const call: ExchangeCall = { method, path, query, cost };
    return valueOf(call, await runCall(this.#transport, this.budgets, call, this.#policy(cost, options)), decode);
  }

  async #submit<T>(method: HttpMethod, path: string, query: string, body: unknown, cost: RequestCost, options: CallOptions | undefined, decode: Decoder<T>): Promise<Outcome<T>> {
    const call: ExchangeCall = { method, path, query, cost, body: body === undefined ? undefined : JSON.stringify(body) };
    return outcomeOf(call, await runCall(this.#transport, this.budgets, call, this.#policy(cost, options)), decode);
  }

  // -------------------------------------------------------------------------------------------
  // Never shows the key

  toString(): string {
    return `KalshiRestClient { baseUrl: '${this.base.origin}${this.base.basePath}', keyId: ${this.#parts.keyId === undefined ? 'none' : `'${this.#parts.keyId}'`}, transport: '${this.#transport.kind}' }`;
  }

  toJSON(): { baseUrl: string; keyId: string | null; transport: TransportKind } {
    return { baseUrl: this.base.origin + this.base.basePath, keyId: this.#parts.keyId ?? null, transport: this.#transport.kind };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
