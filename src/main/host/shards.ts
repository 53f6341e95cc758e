/**
 * Markets sharded by ticker across the market-data workers, and shards across the inference
 * workers. A ticker's shard is FNV-1a of its bytes modulo the shard count, so a market stays on
 * its shard whatever else is traded; shard s feeds inference worker s mod K.
 *
 * Markets added while running (market rotation) go to `shardFor(ticker, shards)`: the same hash
 * modulo the shards that exist (the threads are not re-planned; every shard's dirty channel is
 * sized for the session's slot capacity, so any shard can take any market).
 */
export interface ShardPlan {
  /** Per market-data shard: the global market indexes it owns, in shard-local order. */
  shards: number[][];
  /** Per inference worker: the shards it reads. */
  inference: number[][];
}

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function planShards(tickers: readonly string[], marketDataWorkers: number, inferenceWorkers: number): ShardPlan {
  const m = Math.max(1, Math.min(marketDataWorkers, tickers.length));
  let shards: number[][] = Array.from({ length: m }, () => []);
  tickers.forEach((t, i) => shards[fnv1a(t) % m].push(i));
  shards = shards.filter((s) => s.length > 0); // a hash can leave a shard empty with few markets
  const k = Math.max(1, Math.min(inferenceWorkers, shards.length));
  const inference: number[][] = Array.from({ length: k }, () => []);
  shards.forEach((_, s) => inference[s % k].push(s));
  return { shards, inference };
}

/** The shard of a market added while running: FNV-1a of its ticker modulo the shard count. */
export function shardFor(ticker: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shard count must be a positive integer, got ${shardCount}`);
  return fnv1a(ticker) % shardCount;
}

/** Per shard: the inference worker that reads it and the shard's position in that worker's channels. */
export function channelsOf(plan: ShardPlan): Array<{ worker: number; channel: number }> {
  const out: Array<{ worker: number; channel: number }> = new Array(plan.shards.length);
  plan.inference.forEach((shards, worker) => shards.forEach((s, channel) => (out[s] = { worker, channel })));
  return out;
}
