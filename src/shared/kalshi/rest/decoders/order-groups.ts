/**
 * Order groups (kalshi-api.md §3; OpenAPI `OrderGroup`, `GetOrderGroupResponse`,
 * `CreateOrderGroupResponse`): a contracts limit over a rolling 15-second window of fills; once
 * triggered, every resting order of the group is cancelled and new ones are refused until reset.
 * `autoCancelEnabled` is Kalshi's `is_auto_cancel_enabled` (its exact meaning is UNCONFIRMED;
 * the simulator shows it false while the group is triggered).
 */
import type { Count } from '../../../fixed-point.js';
import { asObject, optArray, optCount, reqArray, reqBoolean, reqId, reqInt } from '../../decode.js';
import { exchangeIndexOf, idElement } from './common.js';

export interface OrderGroup {
  readonly id: string;
  /** Contracts per rolling 15 s, hundredths; undefined when Kalshi omits it. */
  readonly contractsLimit: Count | undefined;
  readonly autoCancelEnabled: boolean;
  readonly exchangeIndex: number;
}

/** GET /portfolio/order_groups → `{order_groups?}` (an absent list is empty). */
export function decodeOrderGroups(body: unknown): OrderGroup[] {
  return optArray(asObject(body, 'reply'), 'order_groups', 'reply', (v, path) => {
    const o = asObject(v, path);
    return {
      id: reqId(o, 'id', path),
      contractsLimit: optCount(o, 'contracts_limit_fp', path),
      autoCancelEnabled: reqBoolean(o, 'is_auto_cancel_enabled', path),
      exchangeIndex: exchangeIndexOf(o, path),
    };
  });
}

export interface OrderGroupDetail {
  readonly contractsLimit: Count | undefined;
  readonly autoCancelEnabled: boolean;
  /** Ids of the group's orders. */
  readonly orderIds: string[];
  readonly exchangeIndex: number;
}

/** GET /portfolio/order_groups/{id}. */
export function decodeOrderGroupDetail(body: unknown): OrderGroupDetail {
  const o = asObject(body, 'reply');
  return {
    contractsLimit: optCount(o, 'contracts_limit_fp', 'reply'),
    autoCancelEnabled: reqBoolean(o, 'is_auto_cancel_enabled', 'reply'),
    orderIds: reqArray(o, 'orders', 'reply', idElement),
    exchangeIndex: exchangeIndexOf(o, 'reply'),
  };
}

export interface CreatedOrderGroup {
  readonly orderGroupId: string;
  readonly subaccount: number;
  readonly exchangeIndex: number;
}

/** POST /portfolio/order_groups/create → 201. */
export function decodeCreatedOrderGroup(body: unknown): CreatedOrderGroup {
  const o = asObject(body, 'reply');
  return {
    orderGroupId: reqId(o, 'order_group_id', 'reply'),
    subaccount: reqInt(o, 'subaccount', 'reply'),
    exchangeIndex: exchangeIndexOf(o, 'reply'),
  };
}
