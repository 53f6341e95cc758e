/**
 * Identifiers the wire formats need but the engine's data model does not carry.
 *
 * - `market_id` (WebSocket only, AsyncAPI `format: uuid`): Kalshi gives every market a UUID beside
 *   its ticker. The engine has none, so the simulator derives one from the ticker: a name-based
 *   UUID (version 5 layout, SHA-1 of a fixed namespace + the ticker). It is the same on every run
 *   and every thread, so recorded sessions and tests can compare it.
 * - `user_id` (REST Order, WS user_order / market_position; WS requires `format: uuid`): the
 *   engine's account id when it already is a UUID, otherwise a UUID derived from it the same way.
 *   REST and WS use the same function, so a client sees one id on both.
 *
 * Results are memoised: a market's id is computed once per process.
 */
import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const marketIds = new Map<string, string>();
const userIds = new Map<string, string>();

/** A version-5-shaped UUID from `namespace` and `name` (deterministic). */
export function nameUuid(namespace: string, name: string): string {
  const h = createHash('sha1').update(namespace).update('\0').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50; // version 5
  h[8] = (h[8] & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The WebSocket `market_id` of a market ticker. */
export function marketIdOf(ticker: string): string {
  let id = marketIds.get(ticker);
  if (id === undefined) {
    id = nameUuid('kalshi-sim/market', ticker);
    marketIds.set(ticker, id);
  }
  return id;
}

/** The `user_id` shown for an engine account id. */
export function userIdOf(accountId: string): string {
  if (UUID.test(accountId)) return accountId;
  let id = userIds.get(accountId);
  if (id === undefined) {
    id = nameUuid('kalshi-sim/user', accountId);
    userIds.set(accountId, id);
  }
  return id;
}

export function isUuid(s: string): boolean {
  return UUID.test(s);
}
