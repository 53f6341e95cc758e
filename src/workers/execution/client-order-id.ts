/**
 * Deterministic `client_order_id`s: a pure function of (session id, market ticker, the market's
 * intent sequence number), so an id is the same after a restart whose journal replays the
 * sequence, and the exchange's `order_already_exists` (409) turns a replayed request into a
 * harmless duplicate instead of a second order.
 *
 * Constraints. The OpenAPI spec (specs/kalshi-openapi.yaml, CreateOrderV2Request, AmendOrderV2Request)
 * gives `client_order_id` as a plain string with no maxLength or pattern; its examples are UUIDs,
 * the simulator accepts up to 128 characters. We stay well inside what any venue accepts:
 * at most 64 characters of [A-Za-z0-9-] (the UUID alphabet plus letters).
 *
 * Format, two disjoint forms, `-` as the only separator:
 *   readable  <session>-<TICKER>-<seq>       when the ticker is [A-Z0-9-] and the whole fits in 64
 *   hashed    <session>-h<digest13>-<seq>    otherwise (long or unusual tickers)
 * session: 1..12 of [A-Za-z0-9] (no `-`), seq: base 36 of a safe integer (no `-`); so the first
 * and last `-` delimit the parts and the readable form is injective. `digest13` is the 64-bit
 * FNV-1a of the ticker in 13 lowercase base-36 digits: a lowercase `h` start can never be an
 * (uppercase) readable ticker. Two tickers with the same digest would share ids: `ClientOrderIds`
 * detects that (probability ~n²/2⁶⁵) and throws rather than reuse an id for a different intent.
 *
 * Uniqueness across sessions is the session id's job: a new one per trading session, persisted
 * with the journal (`newSessionId`).
 */
export const MAX_CLIENT_ORDER_ID_LENGTH = 64;
export const MAX_SESSION_ID_LENGTH = 12;

const SESSION_RE = /^[A-Za-z0-9]{1,12}$/;
const READABLE_TICKER_RE = /^[A-Z0-9][A-Z0-9-]*$/;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** 64-bit FNV-1a of the UTF-8 bytes of `s`, as 13 lowercase base-36 digits. */
export function tickerDigest(s: string): string {
  let h = FNV_OFFSET;
  for (const byte of Buffer.from(s, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * FNV_PRIME) & MASK64;
  }
  return h.toString(36).padStart(13, '0');
}

export function assertSessionId(session: string): void {
  if (typeof session !== 'string' || !SESSION_RE.test(session)) {
    throw new RangeError(`session id must be 1..${MAX_SESSION_ID_LENGTH} characters of [A-Za-z0-9], got ${JSON.stringify(session)}`);
  }
}

/**
 * The id of intent `seq` of `ticker` in `session`. Pure; throws on a bad session, an empty
 * ticker or a seq that is not a non-negative safe integer.
 */
export function formatClientOrderId(session: string, ticker: string, seq: number): string {
  assertSessionId(session);
  if (typeof ticker !== 'string' || ticker.length === 0) throw new RangeError('ticker must be a non-empty string');
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be a non-negative safe integer, got ${seq}`);
  const tail = seq.toString(36);
  if (session.length + ticker.length + tail.length + 2 <= MAX_CLIENT_ORDER_ID_LENGTH && READABLE_TICKER_RE.test(ticker)) {
    return `${session}-${ticker}-${tail}`;
  }
  return `${session}-h${tickerDigest(ticker)}-${tail}`;
}

/**
 * A session id: the start time in base 36 (8 digits until 2059) and 4 base-36 digits of
 * `random` (an integer the caller draws, e.g. from crypto.randomInt(36 ** 4)). 12 characters.
 */
export function newSessionId(nowMs: number, random: number): string {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new RangeError(`nowMs must be a non-negative safe integer, got ${nowMs}`);
  if (!Number.isInteger(random) || random < 0 || random >= 36 ** 4) throw new RangeError(`random must be an integer in [0, 36^4), got ${random}`);
  return (nowMs.toString(36).padStart(8, '0').slice(-8) + random.toString(36).padStart(4, '0'));
}

/** Per ticker: its next sequence number and the id prefixes of both forms. */
interface TickerIds {
  seq: number;
  /** `<session>-<TICKER>-`, or '' when the ticker cannot take the readable form. */
  readable: string;
  /** `<session>-h<digest>-`, computed on first need. */
  hashed: string;
}

/**
 * The per-market intent sequences of one session and the ids they produce. `next` hands out
 * seq 0, 1, 2, … per ticker; `restore` sets where a ticker continues after a restart (from the
 * journal: the last sequence used + 1), never going back. Ids equal `formatClientOrderId`; the
 * prefixes are cached per ticker, so `next` costs a map lookup and a short concatenation.
 */
export class ClientOrderIds {
  readonly session: string;
  private readonly tickers = new Map<string, TickerIds>();
  /** digest → ticker, for the hashed form's collision check. */
  private readonly digests = new Map<string, string>();

  constructor(session: string) {
    assertSessionId(session);
    this.session = session;
  }

  /** The id for the ticker's next intent; advances its sequence. */
  next(ticker: string): string {
    const t = this.entry(ticker);
    const id = this.format(ticker, t, t.seq);
    t.seq++;
    return id;
  }

  /** The id of a given (ticker, seq): the same string `next` gave or will give for it. */
  idFor(ticker: string, seq: number): string {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be a non-negative safe integer, got ${seq}`);
    return this.format(ticker, this.entry(ticker), seq);
  }

  /** The sequence number `next` will use for `ticker`. */
  nextSeq(ticker: string): number {
    return this.tickers.get(ticker)?.seq ?? 0;
  }

  /** Continue `ticker` at `nextSeq` (journal replay); ignored if that would go back. */
  restore(ticker: string, nextSeq: number): void {
    if (!Number.isSafeInteger(nextSeq) || nextSeq < 0) throw new RangeError(`nextSeq must be a non-negative safe integer, got ${nextSeq}`);
    const t = this.entry(ticker);
    if (nextSeq > t.seq) t.seq = nextSeq;
  }

  private entry(ticker: string): TickerIds {
    let t = this.tickers.get(ticker);
    if (t === undefined) {
      if (typeof ticker !== 'string' || ticker.length === 0) throw new RangeError('ticker must be a non-empty string');
      const readable = READABLE_TICKER_RE.test(ticker) && this.session.length + ticker.length + 3 <= MAX_CLIENT_ORDER_ID_LENGTH
        ? `${this.session}-${ticker}-`
        : '';
      t = { seq: 0, readable, hashed: '' };
      this.tickers.set(ticker, t);
    }
    return t;
  }

  private format(ticker: string, t: TickerIds, seq: number): string {
    const tail = seq.toString(36);
    if (t.readable !== '' && t.readable.length + tail.length <= MAX_CLIENT_ORDER_ID_LENGTH) return t.readable + tail;
    if (t.hashed === '') {
      const digest = tickerDigest(ticker);
      const seen = this.digests.get(digest);
      if (seen !== undefined && seen !== ticker) {
        throw new Error(`client_order_id digest collision between ${JSON.stringify(seen)} and ${JSON.stringify(ticker)}: refusing to reuse ids`);
      }
      this.digests.set(digest, ticker);
      t.hashed = `${this.session}-h${digest}-`;
    }
    return t.hashed + tail;
  }
}
