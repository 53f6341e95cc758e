/**
 * A market's price grid: the valid prices given by its `price_ranges` (kalshi-api.md §5.2), in
 * $0.0001 units (see fixed-point.ts).
 *
 * Grids are interned per thread: every factory returns the one instance for a given set of valid
 * prices, so all markets on the same grid share its lookup tables (2 × 20 KB) and can be compared
 * with `===` or by `key`.
 *
 * Costs: `levelOf`, `priceAt`, `isValid`, every snap: O(1), a bounds check and one or two
 * typed-array loads. Building a new grid: O(10001) once per distinct grid per thread.
 */
import { formatPrice, parsePrice, PRICE_SCALE, type Price } from './fixed-point.js';

/** One band of valid prices: start, start + step, …, end (all in $0.0001 units). */
export interface PriceRange {
  readonly start: Price;
  readonly end: Price;
  readonly step: Price;
}

/** A `price_ranges` entry as Kalshi sends it, in dollars: `{"start":"0.0000","end":"1.0000","step":"0.0100"}`. */
export interface PriceRangeJson {
  readonly start: string;
  readonly end: string;
  readonly step: string;
}

/**
 * The named structures of §5.2 and the asyncapi enum. `banded_centi_cent` (also in the enum) is
 * left out: no source describes its ranges. `price_level_structure` is only a label; a market's
 * `price_ranges` are the source of truth.
 */
export const PRICE_LEVEL_STRUCTURES = [
  'linear_cent',
  'deci_cent',
  'tapered_deci_cent',
  'center_whole_edge_half_cent',
  'center_whole_edge_quint_cent',
  'center_half_edge_half_cent',
  'center_half_edge_quint_cent',
  'center_half_edge_deci_cent',
  'center_quint_edge_quint_cent',
  'center_quint_edge_deci_cent',
  'center_centi_edge_centi_cent',
  'center_deci_edge_centi_cent',
] as const;
export type PriceLevelStructure = (typeof PRICE_LEVEL_STRUCTURES)[number];

// Tick sizes in $0.0001: whole cent, half cent, quint = a fifth of a cent ($0.002, inferred from
// the names: edge steps are never coarser than centre steps), deci = a tenth, centi = a hundredth.
const WHOLE = 100;
const HALF = 50;
const QUINT = 20;
const DECI = 10;
const CENTI = 1;

/** Edges [0, low] and [high, 1] at `edge`, the centre at `center`. */
function centerEdge(center: Price, edge: Price, low = 1_000, high = 9_000): PriceRange[] {
  return [
    { start: 0, end: low, step: edge },
    { start: low, end: high, step: center },
    { start: high, end: PRICE_SCALE, step: edge },
  ];
}

const STRUCTURE_RANGES: Readonly<Record<PriceLevelStructure, readonly PriceRange[]>> = {
  linear_cent: [{ start: 0, end: PRICE_SCALE, step: WHOLE }],
  deci_cent: [{ start: 0, end: PRICE_SCALE, step: DECI }],
  tapered_deci_cent: centerEdge(WHOLE, DECI),
  center_whole_edge_half_cent: centerEdge(WHOLE, HALF),
  center_whole_edge_quint_cent: centerEdge(WHOLE, QUINT),
  center_half_edge_half_cent: centerEdge(HALF, HALF),
  center_half_edge_quint_cent: centerEdge(HALF, QUINT),
  center_half_edge_deci_cent: centerEdge(HALF, DECI),
  center_quint_edge_quint_cent: centerEdge(QUINT, QUINT),
  center_quint_edge_deci_cent: centerEdge(QUINT, DECI),
  center_centi_edge_centi_cent: [{ start: 0, end: PRICE_SCALE, step: CENTI }],
  // $0.0001 below 0.01 and above 0.99, $0.001 between (§5.2).
  center_deci_edge_centi_cent: centerEdge(DECI, CENTI, 100, 9_900),
};

export type PriceGridErrorCode = 'type' | 'empty' | 'parse' | 'bounds' | 'step' | 'order' | 'structure';

export class PriceGridError extends Error {
  override readonly name = 'PriceGridError';
  readonly code: PriceGridErrorCode;
  /** Index of the offending range, or -1 when the error is not about one range. */
  readonly rangeIndex: number;

  constructor(code: PriceGridErrorCode, message: string, rangeIndex = -1, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.rangeIndex = rangeIndex;
  }
}

/** Interned grids by key; also holds the raw key of every input seen, which maps to the same grid. */
const interned = new Map<string, PriceGrid>();

export class PriceGrid {
  /**
   * Canonical ranges, derived from the valid prices: maximal arithmetic runs, left to right, so
   * adjacent input ranges with equal steps come out merged ("center_half_edge_half_cent" is one
   * range 0–1 step 0.005).
   */
  readonly ranges: readonly PriceRange[];
  /** Valid prices, ascending, endpoints included. Shared by every user of the grid: never write. */
  readonly levels: Int32Array;
  readonly levelCount: number;
  /** `start:end:step` of each canonical range joined by `|`, e.g. "0:10000:100"; equal iff grids are equal. */
  readonly key: string;
  /** price → level, -1 off grid; PRICE_SCALE + 1 entries. */
  private readonly levelTable: Int16Array;
  /** price → highest level whose price ≤ price, -1 if none; PRICE_SCALE + 1 entries. */
  private readonly floorTable: Int16Array;
  private readonly symmetric: boolean;

  private constructor(levels: Int32Array, ranges: readonly PriceRange[], key: string) {
    const n = levels.length;
    this.levels = levels;
    this.levelCount = n;
    this.ranges = ranges;
    this.key = key;
    // Level indexes fit Int16: at most PRICE_SCALE + 1 = 10001 levels.
    const levelTable = new Int16Array(PRICE_SCALE + 1).fill(-1);
    const floorTable = new Int16Array(PRICE_SCALE + 1);
    let level = -1;
    for (let p = 0; p <= PRICE_SCALE; p++) {
      if (level + 1 < n && levels[level + 1] === p) levelTable[p] = ++level;
      floorTable[p] = level;
    }
    this.levelTable = levelTable;
    this.floorTable = floorTable;
    let symmetric = true;
    for (let i = 0; i < n && symmetric; i++) symmetric = levels[i] + levels[n - 1 - i] === PRICE_SCALE;
    this.symmetric = symmetric;
  }

  /** The grid of Kalshi's `price_ranges` (dollar strings, parsed exactly). */
  static fromPriceRanges(json: ReadonlyArray<PriceRangeJson>): PriceGrid {
    if (!Array.isArray(json)) throw new PriceGridError('type', `price_ranges must be an array, got ${typeof json}`);
    const ranges: PriceRange[] = [];
    for (let i = 0; i < json.length; i++) {
      const r: unknown = json[i];
      if (typeof r !== 'object' || r === null) throw new PriceGridError('type', `price_ranges[${i}] is not an object`, i);
      const { start, end, step } = r as Partial<Record<keyof PriceRangeJson, unknown>>;
      ranges.push({ start: parseRangeField(start, i, 'start'), end: parseRangeField(end, i, 'end'), step: parseRangeField(step, i, 'step') });
    }
    return PriceGrid.build(ranges, (i) => `price_ranges[${i}] ${JSON.stringify(json[i])}`);
  }

  /** The grid of integer ranges in $0.0001 units. */
  static fromRanges(ranges: ReadonlyArray<PriceRange>): PriceGrid {
    if (!Array.isArray(ranges)) throw new PriceGridError('type', `ranges must be an array, got ${typeof ranges}`);
    return PriceGrid.build(ranges, (i) => `range ${i} ${JSON.stringify(ranges[i])}`);
  }

  /** The grid of a named structure (§5.2). Unknown names, `banded_centi_cent` included, throw. */
  static forStructure(name: string): PriceGrid {
    if (!Object.hasOwn(STRUCTURE_RANGES, name)) {
      throw new PriceGridError('structure', `unknown price level structure ${JSON.stringify(name)}`);
    }
    return PriceGrid.fromRanges(STRUCTURE_RANGES[name as PriceLevelStructure]);
  }

  /** The level of an on-grid price, else -1 (also for non-integers and prices outside [0, 10000]). */
  levelOf(price: Price): number {
    return price >>> 0 === price && price <= PRICE_SCALE ? this.levelTable[price] : -1;
  }

  /** The price of a level, or -1 when `level` is not in [0, levelCount). */
  priceAt(level: number): Price {
    return level >>> 0 === level && level < this.levelCount ? this.levels[level] : -1;
  }

  isValid(price: Price): boolean {
    return this.levelOf(price) >= 0;
  }

  /** On the grid and strictly inside (0, 1): Kalshi order prices at 0 or 1 are treated as invalid (§5.2). */
  isOrderable(price: Price): boolean {
    return price > 0 && price < PRICE_SCALE && this.levelOf(price) >= 0;
  }

  // The snaps take any number (a computed mid may be fractional or off the [0, 1] scale) and
  // return a price, or -1 when there is none that way (NaN gives -1).

  /** Highest valid price ≤ price. */
  snapDown(price: number): Price {
    const i = this.floorLevel(price);
    return i >= 0 ? this.levels[i] : -1;
  }

  /** Lowest valid price ≥ price. */
  snapUp(price: number): Price {
    const i = this.ceilLevel(price);
    return i >= 0 ? this.levels[i] : -1;
  }

  /** The valid price closest to `price`; a tie goes down (the cheaper price for a buyer). */
  snapNearest(price: number): Price {
    const down = this.snapDown(price);
    const up = this.snapUp(price);
    if (down < 0) return up;
    if (up < 0) return down;
    return up - price < price - down ? up : down;
  }

  /**
   * Like snapDown / snapUp but restricted to orderable prices, strictly inside (0, 10000): a buy
   * that must not cross snaps 'down', a sell 'up'. -1 when no orderable level lies that way.
   */
  snapOrderable(price: number, direction: 'down' | 'up'): Price {
    const levels = this.levels;
    if (direction === 'down') {
      let i = this.floorLevel(price);
      if (i >= 0 && levels[i] >= PRICE_SCALE) i--;
      return i >= 0 && levels[i] > 0 ? levels[i] : -1;
    }
    if (direction === 'up') {
      let i = this.ceilLevel(price);
      if (i >= 0 && levels[i] <= 0) i++;
      return i >= 0 && i < this.levelCount && levels[i] < PRICE_SCALE ? levels[i] : -1;
    }
    throw new TypeError(`snapOrderable: direction must be 'down' or 'up', got ${String(direction)}`);
  }

  /** The level above `level`, or -1 at the top or for an invalid level. */
  nextAbove(level: number): number {
    return level >>> 0 === level && level + 1 < this.levelCount ? level + 1 : -1;
  }

  /** The level below `level`, or -1 at the bottom or for an invalid level. */
  nextBelow(level: number): number {
    return level >>> 0 === level && level >= 1 && level < this.levelCount ? level - 1 : -1;
  }

  /** True when the complement (10000 − p) of every valid price is valid: YES and NO share the grid. */
  isSymmetric(): boolean {
    return this.symmetric;
  }

  /** The canonical ranges as Kalshi writes them, e.g. for the simulator's market payloads. */
  toPriceRanges(): PriceRangeJson[] {
    return this.ranges.map((r) => ({ start: formatPrice(r.start), end: formatPrice(r.end), step: formatPrice(r.step) }));
  }

  /** Index of the highest level ≤ price, -1 if none. */
  private floorLevel(price: number): number {
    if (!(price >= 0)) return -1; // negative or NaN
    return this.floorTable[price >= PRICE_SCALE ? PRICE_SCALE : Math.floor(price)];
  }

  /** Index of the lowest level ≥ price, -1 if none. */
  private ceilLevel(price: number): number {
    if (!(price <= PRICE_SCALE)) return -1; // above 1 or NaN
    if (price <= 0) return 0;
    const p = Math.ceil(price);
    const i = this.floorTable[p];
    if (i >= 0 && this.levels[i] === p) return i;
    return i + 1 < this.levelCount ? i + 1 : -1;
  }

  /** Validates, then returns the interned grid of these ranges, creating it on first sight. */
  private static build(ranges: ReadonlyArray<PriceRange>, describe: (i: number) => string): PriceGrid {
    validate(ranges, describe);
    const rawKey = rangeKey(ranges);
    const seen = interned.get(rawKey);
    if (seen !== undefined) return seen;

    const levels = levelsOf(ranges);
    const canonical = runsOf(levels);
    const key = rangeKey(canonical);
    let grid = interned.get(key);
    if (grid === undefined) {
      grid = new PriceGrid(levels, Object.freeze(canonical.map((r) => Object.freeze(r))), key);
      interned.set(key, grid);
    }
    // Sound to share one map: a raw key equal to some canonical key describes the same prices.
    interned.set(rawKey, grid);
    return grid;
  }
}

function parseRangeField(value: unknown, index: number, field: keyof PriceRangeJson): Price {
  try {
    return parsePrice(value as string);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new PriceGridError('parse', `price_ranges[${index}].${field}: ${reason}`, index, err);
  }
}

function rangeKey(ranges: ReadonlyArray<PriceRange>): string {
  let key = '';
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    key += `${i === 0 ? '' : '|'}${r.start}:${r.end}:${r.step}`;
  }
  return key;
}

function validate(ranges: ReadonlyArray<PriceRange>, describe: (i: number) => string): void {
  if (ranges.length === 0) throw new PriceGridError('empty', 'no price ranges');
  for (let i = 0; i < ranges.length; i++) {
    const r: unknown = ranges[i];
    if (typeof r !== 'object' || r === null) throw new PriceGridError('type', `range ${i} is not an object`, i);
    const { start, end, step } = r as PriceRange;
    if (!Number.isInteger(start) || !Number.isInteger(end) || !Number.isInteger(step)) {
      throw new PriceGridError('type', `${describe(i)}: start, end and step must be integers in $0.0001 units`, i);
    }
    if (start < 0 || end > PRICE_SCALE || start >= end) {
      throw new PriceGridError('bounds', `${describe(i)}: needs 0 ≤ start < end ≤ 1`, i);
    }
    if (step <= 0) throw new PriceGridError('step', `${describe(i)}: step must be positive`, i);
    if ((end - start) % step !== 0) {
      throw new PriceGridError('step', `${describe(i)}: step does not divide end − start`, i);
    }
    if (i > 0 && start < ranges[i - 1].end) {
      throw new PriceGridError('order', `${describe(i)}: starts before range ${i - 1} ends (ranges must be ascending and not overlap)`, i);
    }
  }
}

/** All valid prices, ascending; adjacent ranges sharing an endpoint contribute it once. */
function levelsOf(ranges: ReadonlyArray<PriceRange>): Int32Array {
  const out: number[] = [];
  for (const { start, end, step } of ranges) {
    for (let p = start; p <= end; p += step) {
      if (out.length === 0 || out[out.length - 1] < p) out.push(p);
    }
  }
  return Int32Array.from(out);
}

/** Maximal arithmetic runs of ≥ 2 ascending levels, greedy from the left; consecutive runs share an endpoint. */
function runsOf(levels: Int32Array): PriceRange[] {
  const runs: PriceRange[] = [];
  let start = levels[0];
  let step = levels[1] - levels[0];
  for (let i = 2; i < levels.length; i++) {
    const d = levels[i] - levels[i - 1];
    if (d !== step) {
      runs.push({ start, end: levels[i - 1], step });
      start = levels[i - 1];
      step = d;
    }
  }
  runs.push({ start, end: levels[levels.length - 1], step });
  return runs;
}
