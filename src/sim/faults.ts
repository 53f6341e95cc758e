/**
 * Fault injection for the simulator: what can go wrong on a real exchange, on demand.
 *
 * A fault is set at start (`--faults SPEC`) or at run time through the control API. SPEC is a
 * comma-separated list of `name[:arg][@seconds]`: `@seconds` schedules the fault that many
 * seconds after start (default: at once). Examples:
 *   drop@30                 drop every WebSocket connection 30 s after start
 *   gap@10,duplicate@12     a sequence gap on every orderbook subscription at 10 s, a duplicate frame at 12 s
 *   stall:5000@20           stop sending frames for 5 s (sockets stay open) at 20 s
 *   delay:200               delay every frame by 200 ms from the start on
 *   malformed@15            one malformed frame to every connection
 *   5xx-after-accept:2@60   the next 2 order creations execute but answer 500
 *   timeout-after-accept:1  the next order creation executes and is never answered
 *   429-burst:20@45         the next 20 REST requests answer 429
 *   pause:TICKER@20         pause a market (resume:TICKER, close-early:TICKER likewise)
 *   deposit:100.00@30       add $100 to every account outside the host (withdraw:… likewise)
 */
import { parseMoney } from '../shared/fixed-point.js';

export type FaultKind =
  | 'drop' | 'stall' | 'gap' | 'duplicate' | 'delay' | 'malformed'
  | '5xx-after-accept' | 'timeout-after-accept' | '429-burst'
  | 'pause' | 'resume' | 'close-early' | 'deposit' | 'withdraw';

export type Fault =
  | { kind: 'drop' | 'gap' | 'duplicate' | 'malformed' }
  | { kind: 'stall' | 'delay'; ms: number }
  | { kind: '5xx-after-accept' | 'timeout-after-accept' | '429-burst'; count: number }
  | { kind: 'pause' | 'resume' | 'close-early'; ticker: string }
  | { kind: 'deposit' | 'withdraw'; amount: number };

export interface ScheduledFault {
  /** Seconds after start. */
  atSeconds: number;
  fault: Fault;
}

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

const NO_ARG = new Set(['drop', 'gap', 'duplicate', 'malformed']);
const MS_ARG = new Set(['stall', 'delay']);
const COUNT_ARG = new Set(['5xx-after-accept', 'timeout-after-accept', '429-burst']);
const TICKER_ARG = new Set(['pause', 'resume', 'close-early']);
const MONEY_ARG = new Set(['deposit', 'withdraw']);
const TICKER = /^[A-Z0-9][A-Z0-9._-]{0,99}$/;

function positiveInt(text: string, what: string, item: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw new FaultSpecError(`fault '${item}': ${what} must be a positive whole number, got '${text}'`);
  return Number(text);
}

/** Parse one `name[:arg]` into a Fault; `item` is quoted in errors. */
export function parseFault(text: string, item = text): Fault {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? undefined : text.slice(colon + 1);
  const need = (what: string): string => {
    if (arg === undefined || arg === '') throw new FaultSpecError(`fault '${item}': needs ${what} (${name}:…)`);
    return arg;
  };
  if (NO_ARG.has(name)) {
    if (arg !== undefined) throw new FaultSpecError(`fault '${item}': ${name} takes no argument`);
    return { kind: name as 'drop' };
  }
  if (MS_ARG.has(name)) return { kind: name as 'stall', ms: positiveInt(need('milliseconds'), 'milliseconds', item) };
  if (COUNT_ARG.has(name)) return { kind: name as '429-burst', count: positiveInt(arg ?? '1', 'count', item) };
  if (TICKER_ARG.has(name)) {
    const ticker = need('a market ticker');
    if (!TICKER.test(ticker)) throw new FaultSpecError(`fault '${item}': '${ticker}' is not a market ticker`);
    return { kind: name as 'pause', ticker };
  }
  if (MONEY_ARG.has(name)) {
    let amount: number;
    try {
      amount = parseMoney(need('an amount in dollars'));
    } catch (err) {
      throw new FaultSpecError(`fault '${item}': ${(err as Error).message}`);
    }
    if (amount <= 0) throw new FaultSpecError(`fault '${item}': the amount must be positive`);
    return { kind: name as 'deposit', amount };
  }
  throw new FaultSpecError(`unknown fault '${name}' in '${item}' (known: ${[...NO_ARG, ...MS_ARG, ...COUNT_ARG, ...TICKER_ARG, ...MONEY_ARG].join(', ')})`);
}

/** Parse a whole `--faults` SPEC. An empty spec is no faults. */
export function parseFaultSpec(spec: string): ScheduledFault[] {
  const out: ScheduledFault[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const at = item.lastIndexOf('@');
    let atSeconds = 0;
    if (at >= 0) {
      const when = item.slice(at + 1);
      if (!/^\d+(\.\d+)?$/.test(when)) throw new FaultSpecError(`fault '${item}': '@${when}' must be seconds after start, e.g. @30`);
      atSeconds = Number(when);
    }
    out.push({ atSeconds, fault: parseFault(at >= 0 ? item.slice(0, at) : item, item) });
  }
  return out.sort((a, b) => a.atSeconds - b.atSeconds);
}
