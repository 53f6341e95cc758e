import { describe, it, expect } from 'vitest';
import { FixedPointError, PRICE_SCALE, complement } from '../../src/shared/fixed-point.js';
import {
  PRICE_LEVEL_STRUCTURES,
  PriceGrid,
  PriceGridError,
  type PriceGridErrorCode,
  type PriceLevelStructure,
  type PriceRange,
  type PriceRangeJson,
} from '../../src/shared/price-grid.js';

// Real frames from kalshi-api.md §2.10 (market_lifecycle_v2, as in the official asyncapi examples).
const CREATED_FRAME = `{"type":"market_lifecycle_v2","sid":13,"seq":3,
 "msg":{"market_ticker":"INXD-23SEP14-B4487","event_type":"created","exchange_index":0,
        "open_ts":1694635200,"close_ts":1694721600,"price_level_structure":"linear_cent",
        "price_ranges":[{"start":"0.0000","end":"1.0000","step":"0.0100"}],
        "additional_metadata":{"name":"...","title":"...","yes_sub_title":"...","no_sub_title":"...",
          "rules_primary":"...","rules_secondary":"","can_close_early":true,"event_ticker":"INXD-23SEP14",
          "expected_expiration_ts":1694721600,"strike_type":"greater","floor_strike":4487}}}`;
const STRUCTURE_UPDATED_FRAME = `{"type":"market_lifecycle_v2","sid":13,"seq":8,"msg":{"market_ticker":"...","event_type":"price_level_structure_updated","price_level_structure":"deci_cent","price_ranges":[{"start":"0.0000","end":"1.0000","step":"0.0010"}]}}`;
// tapered_deci_cent as tabulated in Kalshi's fixed-point migration guide, in the price_ranges shape.
const TAPERED_RANGES = `[{"start":"0.0000","end":"0.1000","step":"0.0010"},{"start":"0.1000","end":"0.9000","step":"0.0100"},{"start":"0.9000","end":"1.0000","step":"0.0010"}]`;

interface LifecycleFrame {
  msg: { price_level_structure: string; price_ranges: PriceRangeJson[] };
}

function gridError(fn: () => unknown): PriceGridError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PriceGridError);
    return err as PriceGridError;
  }
  throw new Error('expected a PriceGridError');
}

/** Brute-force references over the level list. */
function refDown(levels: Int32Array, price: number): number {
  let best = -1;
  for (const p of levels) if (p <= price) best = p;
  return best;
}
function refUp(levels: Int32Array, price: number): number {
  for (const p of levels) if (p >= price) return p;
  return -1;
}

/**
 * Level counts: a range contributes (end − start) / step + 1 prices and adjacent ranges share
 * their endpoint. linear 100 + 1; deci 1000 + 1; tapered 100 + 80 + 100 steps + 1 = 281;
 * centre/edge with edges 0–0.10 and 0.90–1.00 = 2·(1000 / edge) + 8000 / center + 1;
 * centi 10000 + 1; center_deci_edge_centi 100 + 980 + 100 + 1 = 1181.
 */
const LEVEL_COUNTS: Record<PriceLevelStructure, number> = {
  linear_cent: 101,
  deci_cent: 1001,
  tapered_deci_cent: 281,
  center_whole_edge_half_cent: 20 + 80 + 20 + 1,
  center_whole_edge_quint_cent: 50 + 80 + 50 + 1,
  center_half_edge_half_cent: 20 + 160 + 20 + 1,
  center_half_edge_quint_cent: 50 + 160 + 50 + 1,
  center_half_edge_deci_cent: 100 + 160 + 100 + 1,
  center_quint_edge_quint_cent: 50 + 400 + 50 + 1,
  center_quint_edge_deci_cent: 100 + 400 + 100 + 1,
  center_centi_edge_centi_cent: 10_001,
  center_deci_edge_centi_cent: 1181,
};

const GRIDS = PRICE_LEVEL_STRUCTURES.map((name) => [name, PriceGrid.forStructure(name)] as const);

describe('real Kalshi price_ranges', () => {
  it('market_lifecycle_v2 created: linear_cent', () => {
    const frame = JSON.parse(CREATED_FRAME) as LifecycleFrame;
    const grid = PriceGrid.fromPriceRanges(frame.msg.price_ranges);
    expect(grid).toBe(PriceGrid.forStructure(frame.msg.price_level_structure));
    expect(grid.key).toBe('0:10000:100');
    expect(grid.levelCount).toBe(101);
    expect(grid.ranges).toEqual([{ start: 0, end: 10_000, step: 100 }]);
  });

  it('price_level_structure_updated: deci_cent', () => {
    const frame = JSON.parse(STRUCTURE_UPDATED_FRAME) as LifecycleFrame;
    const grid = PriceGrid.fromPriceRanges(frame.msg.price_ranges);
    expect(grid).toBe(PriceGrid.forStructure('deci_cent'));
    expect(grid.key).toBe('0:10000:10');
    expect(grid.isValid(5610)).toBe(true);
    expect(grid.isValid(5615)).toBe(false);
  });

  it('tapered_deci_cent', () => {
    const grid = PriceGrid.fromPriceRanges(JSON.parse(TAPERED_RANGES) as PriceRangeJson[]);
    expect(grid).toBe(PriceGrid.forStructure('tapered_deci_cent'));
    expect(grid.key).toBe('0:1000:10|1000:9000:100|9000:10000:10');
    expect(grid.levelCount).toBe(281);
    expect(grid.isValid(990)).toBe(true); // $0.099
    expect(grid.isValid(1010)).toBe(false); // $0.101 is off the 1¢ centre
    expect(grid.isValid(9010)).toBe(true);
  });

  it('toPriceRanges writes the canonical ranges back in Kalshi form', () => {
    const grid = PriceGrid.forStructure('tapered_deci_cent');
    expect(grid.toPriceRanges()).toEqual(JSON.parse(TAPERED_RANGES));
    for (const [, g] of GRIDS) expect(PriceGrid.fromPriceRanges(g.toPriceRanges())).toBe(g);
  });
});

describe('named structures', () => {
  it('the list is the asyncapi enum minus "" and banded_centi_cent', () => {
    expect(PRICE_LEVEL_STRUCTURES).toHaveLength(12);
    expect(new Set(PRICE_LEVEL_STRUCTURES).size).toBe(12);
  });

  it.each(GRIDS)('%s has the expected level count and shape', (name, grid) => {
    expect(grid.levelCount).toBe(LEVEL_COUNTS[name]);
    expect(grid.levels).toBeInstanceOf(Int32Array);
    expect(grid.levels.length).toBe(grid.levelCount);
    expect(grid.levels[0]).toBe(0);
    expect(grid.levels[grid.levelCount - 1]).toBe(PRICE_SCALE);
    for (let i = 1; i < grid.levelCount; i++) expect(grid.levels[i]).toBeGreaterThan(grid.levels[i - 1]);
  });

  it.each(GRIDS)('%s is symmetric: the complement of every valid price is valid', (_name, grid) => {
    expect(grid.isSymmetric()).toBe(true);
    for (const p of grid.levels) expect(grid.isValid(complement(p))).toBe(true);
  });

  it.each(GRIDS)('%s contains every whole-cent price (§5.2)', (_name, grid) => {
    for (let p = 0; p <= PRICE_SCALE; p += 100) expect(grid.isValid(p)).toBe(true);
  });

  it('has the documented steps', () => {
    const step = (name: PriceLevelStructure, price: number): number =>
      PriceGrid.forStructure(name).snapUp(price + 1) - price;
    expect(step('linear_cent', 5000)).toBe(100);
    expect(step('deci_cent', 5000)).toBe(10);
    expect(step('tapered_deci_cent', 500)).toBe(10);
    expect(step('tapered_deci_cent', 5000)).toBe(100);
    expect(step('tapered_deci_cent', 9500)).toBe(10);
    expect(step('center_whole_edge_half_cent', 500)).toBe(50);
    expect(step('center_whole_edge_quint_cent', 500)).toBe(20);
    expect(step('center_half_edge_deci_cent', 5000)).toBe(50);
    expect(step('center_quint_edge_deci_cent', 5000)).toBe(20);
    expect(step('center_quint_edge_deci_cent', 9990)).toBe(10);
    expect(step('center_centi_edge_centi_cent', 5000)).toBe(1);
    expect(step('center_deci_edge_centi_cent', 50)).toBe(1);
    expect(step('center_deci_edge_centi_cent', 100)).toBe(10);
    expect(step('center_deci_edge_centi_cent', 5000)).toBe(10);
    expect(step('center_deci_edge_centi_cent', 9900)).toBe(1);
  });

  it('merges equal adjacent steps into one canonical range', () => {
    expect(PriceGrid.forStructure('center_half_edge_half_cent').key).toBe('0:10000:50');
    expect(PriceGrid.forStructure('center_quint_edge_quint_cent').ranges).toEqual([{ start: 0, end: 10_000, step: 20 }]);
  });

  it.each(['banded_centi_cent', '', 'LINEAR_CENT', 'constructor', '__proto__', 'toString'])(
    'rejects the unknown name %j',
    (name) => {
      const err = gridError(() => PriceGrid.forStructure(name));
      expect(err.code).toBe('structure');
      expect(err.message).toContain(JSON.stringify(name));
    },
  );
});

describe('levelOf, priceAt, isValid, isOrderable', () => {
  it.each(GRIDS)('%s: levelOf agrees with the level list at every price, and inverts priceAt', (_name, grid) => {
    const index = new Map<number, number>();
    grid.levels.forEach((p, i) => index.set(p, i));
    for (let p = 0; p <= PRICE_SCALE; p++) {
      const level = grid.levelOf(p);
      expect(level).toBe(index.get(p) ?? -1);
      expect(grid.isValid(p)).toBe(level >= 0);
      if (level >= 0) expect(grid.priceAt(level)).toBe(p);
    }
    for (let level = 0; level < grid.levelCount; level++) expect(grid.levelOf(grid.priceAt(level))).toBe(level);
  });

  it('returns -1 off the grid, outside [0, 10000] and for non-integers', () => {
    const grid = PriceGrid.forStructure('linear_cent');
    expect(grid.levelOf(5600)).toBe(56);
    expect(grid.levelOf(0)).toBe(0);
    expect(grid.levelOf(10_000)).toBe(100);
    for (const p of [5650, 1, 9999, -1, -100, 10_001, 10_100, 5600.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32 + 5600]) {
      expect(grid.levelOf(p)).toBe(-1);
      expect(grid.isValid(p)).toBe(false);
      expect(grid.isOrderable(p)).toBe(false);
    }
  });

  it('priceAt returns -1 outside [0, levelCount)', () => {
    const grid = PriceGrid.forStructure('linear_cent');
    expect(grid.priceAt(0)).toBe(0);
    expect(grid.priceAt(100)).toBe(10_000);
    for (const level of [-1, 101, 1.5, Number.NaN]) expect(grid.priceAt(level)).toBe(-1);
  });

  it('isOrderable excludes the endpoints 0 and 1', () => {
    const grid = PriceGrid.forStructure('deci_cent');
    expect(grid.isOrderable(0)).toBe(false);
    expect(grid.isOrderable(10_000)).toBe(false);
    expect(grid.isOrderable(10)).toBe(true);
    expect(grid.isOrderable(9990)).toBe(true);
    expect(grid.isOrderable(15)).toBe(false);
  });
});

describe('snapping', () => {
  // A grid with a gap and mixed steps exercises every branch of the tables.
  const gapped = PriceGrid.fromRanges([
    { start: 200, end: 1000, step: 200 },
    { start: 3000, end: 3100, step: 10 },
    { start: 3100, end: 9000, step: 100 },
  ]);
  const cases: Array<readonly [string, PriceGrid]> = [
    ['linear_cent', PriceGrid.forStructure('linear_cent')],
    ['tapered_deci_cent', PriceGrid.forStructure('tapered_deci_cent')],
    ['center_deci_edge_centi_cent', PriceGrid.forStructure('center_deci_edge_centi_cent')],
    ['gapped', gapped],
  ];
  const probes: number[] = [-5, -0.5, 10_000.5, 10_001, 20_000, 1e9];
  for (let p = 0; p <= PRICE_SCALE; p++) probes.push(p);
  for (let p = 0.25; p < PRICE_SCALE; p += 97.75) probes.push(p);

  it.each(cases)('%s: snapDown, snapUp and snapNearest match brute force', (_name, grid) => {
    for (const price of probes) {
      const down = refDown(grid.levels, price);
      const up = refUp(grid.levels, price);
      expect(grid.snapDown(price), `snapDown(${price})`).toBe(down);
      expect(grid.snapUp(price), `snapUp(${price})`).toBe(up);
      const nearest = down < 0 ? up : up < 0 ? down : up - price < price - down ? up : down;
      expect(grid.snapNearest(price), `snapNearest(${price})`).toBe(nearest);
    }
  });

  it.each(cases)('%s: snapOrderable matches brute force over orderable levels', (_name, grid) => {
    const orderable = grid.levels.filter((p) => p > 0 && p < PRICE_SCALE);
    for (const price of probes) {
      expect(grid.snapOrderable(price, 'down'), `down(${price})`).toBe(refDown(orderable, price));
      expect(grid.snapOrderable(price, 'up'), `up(${price})`).toBe(refUp(orderable, price));
    }
  });

  it('tapered_deci_cent at and around its range boundaries', () => {
    const grid = PriceGrid.forStructure('tapered_deci_cent');
    expect(grid.snapDown(1000)).toBe(1000);
    expect(grid.snapUp(1000)).toBe(1000);
    expect(grid.snapDown(1005)).toBe(1000);
    expect(grid.snapUp(1005)).toBe(1100);
    expect(grid.snapNearest(1050)).toBe(1000); // tie goes down
    expect(grid.snapNearest(1051)).toBe(1100);
    expect(grid.snapNearest(1049)).toBe(1000);
    expect(grid.snapDown(995)).toBe(990);
    expect(grid.snapUp(995)).toBe(1000);
    expect(grid.snapNearest(995)).toBe(990); // tie on the fine side goes down too
    expect(grid.snapDown(9005)).toBe(9000);
    expect(grid.snapUp(9005)).toBe(9010);
    expect(grid.snapDown(8999)).toBe(8900);
    expect(grid.snapUp(8901)).toBe(9000);
  });

  it('handles prices beyond the scale and NaN', () => {
    const grid = PriceGrid.forStructure('linear_cent');
    expect(grid.snapDown(-1)).toBe(-1);
    expect(grid.snapUp(-1)).toBe(0);
    expect(grid.snapDown(20_000)).toBe(10_000);
    expect(grid.snapUp(10_001)).toBe(-1);
    expect(grid.snapNearest(-50)).toBe(0);
    expect(grid.snapNearest(10_050)).toBe(10_000);
    expect(grid.snapDown(Number.NaN)).toBe(-1);
    expect(grid.snapUp(Number.NaN)).toBe(-1);
    expect(grid.snapNearest(Number.NaN)).toBe(-1);
    expect(grid.snapOrderable(Number.NaN, 'down')).toBe(-1);
    expect(grid.snapOrderable(Number.NaN, 'up')).toBe(-1);
  });

  it('snapOrderable stays strictly inside (0, 1)', () => {
    const grid = PriceGrid.forStructure('linear_cent');
    expect(grid.snapOrderable(5650, 'down')).toBe(5600);
    expect(grid.snapOrderable(5650, 'up')).toBe(5700);
    expect(grid.snapOrderable(5600, 'down')).toBe(5600);
    expect(grid.snapOrderable(50, 'down')).toBe(-1); // only $0 lies below
    expect(grid.snapOrderable(0, 'up')).toBe(100);
    expect(grid.snapOrderable(-10, 'up')).toBe(100);
    expect(grid.snapOrderable(10_000, 'down')).toBe(9900);
    expect(grid.snapOrderable(15_000, 'down')).toBe(9900);
    expect(grid.snapOrderable(9950, 'up')).toBe(-1); // only $1 lies above
    expect(grid.snapOrderable(100, 'down')).toBe(100);
    expect(grid.snapOrderable(9900, 'up')).toBe(9900);
    expect(() => grid.snapOrderable(5000, 'sideways' as 'up')).toThrow(TypeError);
  });

  it('nextAbove and nextBelow walk levels and stop at the ends', () => {
    const grid = PriceGrid.forStructure('linear_cent');
    expect(grid.nextAbove(0)).toBe(1);
    expect(grid.nextAbove(99)).toBe(100);
    expect(grid.nextAbove(100)).toBe(-1);
    expect(grid.nextBelow(100)).toBe(99);
    expect(grid.nextBelow(1)).toBe(0);
    expect(grid.nextBelow(0)).toBe(-1);
    for (const bad of [-1, 101, 1.5, Number.NaN]) {
      expect(grid.nextAbove(bad)).toBe(-1);
      expect(grid.nextBelow(bad)).toBe(-1);
    }
  });
});

describe('interning', () => {
  it('returns the same instance for the same grid, however it is described', () => {
    const linear = PriceGrid.forStructure('linear_cent');
    expect(PriceGrid.forStructure('linear_cent')).toBe(linear);
    expect(PriceGrid.fromRanges([{ start: 0, end: 10_000, step: 100 }])).toBe(linear);
    expect(PriceGrid.fromPriceRanges([{ start: '0', end: '1', step: '0.01' }])).toBe(linear);
    expect(PriceGrid.fromPriceRanges([{ start: '0.000000', end: '1.0000', step: '0.010000' }])).toBe(linear);
    const coarserTop = PriceGrid.fromRanges([
      { start: 0, end: 4000, step: 100 },
      { start: 4000, end: 10_000, step: 200 },
    ]);
    expect(coarserTop).not.toBe(linear);
    expect(coarserTop.key).toBe('0:4000:100|4000:10000:200');
    expect(
      PriceGrid.fromRanges([
        { start: 0, end: 5000, step: 100 },
        { start: 5000, end: 10_000, step: 100 },
      ]),
    ).toBe(linear);
    // A gap of exactly one step is the same set of prices as no gap.
    expect(
      PriceGrid.fromRanges([
        { start: 0, end: 5000, step: 100 },
        { start: 5100, end: 10_000, step: 100 },
      ]),
    ).toBe(linear);
  });

  it('gives distinct grids distinct keys', () => {
    const keys = new Set(GRIDS.map(([, g]) => g.key));
    expect(keys.size).toBe(GRIDS.length);
    expect(new Set(GRIDS.map(([, g]) => g)).size).toBe(GRIDS.length);
  });

  it('exposes frozen canonical ranges', () => {
    const grid = PriceGrid.forStructure('tapered_deci_cent');
    expect(Object.isFrozen(grid.ranges)).toBe(true);
    expect(Object.isFrozen(grid.ranges[0])).toBe(true);
  });

  it('is not fooled by mutating the input afterwards', () => {
    const input: PriceRange[] = [{ start: 0, end: 10_000, step: 2500 }];
    const grid = PriceGrid.fromRanges(input);
    input[0] = { start: 0, end: 10_000, step: 5000 };
    expect(grid.levelCount).toBe(5);
    expect(PriceGrid.fromRanges(input).levelCount).toBe(3);
  });
});

describe('isSymmetric', () => {
  it('is false when a complement falls off the grid', () => {
    const grid = PriceGrid.fromRanges([
      { start: 0, end: 1000, step: 10 },
      { start: 1000, end: 10_000, step: 100 },
    ]);
    expect(grid.isSymmetric()).toBe(false);
    expect(grid.isValid(10)).toBe(true);
    expect(grid.isValid(complement(10))).toBe(false);
  });

  it('is true for a symmetric grid without the endpoints', () => {
    expect(PriceGrid.fromRanges([{ start: 100, end: 9900, step: 100 }]).isSymmetric()).toBe(true);
    expect(PriceGrid.fromRanges([{ start: 100, end: 9800, step: 100 }]).isSymmetric()).toBe(false);
  });
});

describe('validation', () => {
  it.each<[string, unknown, PriceGridErrorCode, number]>([
    ['not an array', { start: '0', end: '1', step: '0.01' }, 'type', -1],
    ['null', null, 'type', -1],
    ['empty', [], 'empty', -1],
    ['a null range', [null], 'type', 0],
    ['a string range', ['0:1:0.01'], 'type', 0],
    ['a number where a string belongs', [{ start: 0, end: '1.0000', step: '0.0100' }], 'parse', 0],
    ['a missing step', [{ start: '0.0000', end: '1.0000' }], 'parse', 0],
    ['sub-$0.0001 step', [{ start: '0.0000', end: '1.0000', step: '0.00005' }], 'parse', 0],
    ['end above $1', [{ start: '0.0000', end: '1.0100', step: '0.0100' }], 'parse', 0],
    ['negative start', [{ start: '-0.0100', end: '1.0000', step: '0.0100' }], 'parse', 0],
    ['whitespace', [{ start: '0.0000', end: '1.0000 ', step: '0.0100' }], 'parse', 0],
    ['start = end', [{ start: '0.5000', end: '0.5000', step: '0.0100' }], 'bounds', 0],
    ['start > end', [{ start: '0.6000', end: '0.5000', step: '0.0100' }], 'bounds', 0],
    ['zero step', [{ start: '0.0000', end: '1.0000', step: '0.0000' }], 'step', 0],
    ['step not dividing', [{ start: '0.0000', end: '1.0000', step: '0.0300' }], 'step', 0],
    [
      'overlap',
      [
        { start: '0.0000', end: '0.5000', step: '0.0100' },
        { start: '0.4000', end: '1.0000', step: '0.0100' },
      ],
      'order',
      1,
    ],
    [
      'descending order',
      [
        { start: '0.5000', end: '1.0000', step: '0.0100' },
        { start: '0.0000', end: '0.5000', step: '0.0100' },
      ],
      'order',
      1,
    ],
    [
      'a bad second range',
      [
        { start: '0.0000', end: '0.1000', step: '0.0010' },
        { start: '0.1000', end: '0.9000', step: '0.0300' },
      ],
      'step',
      1,
    ],
  ])('fromPriceRanges rejects %s', (_what, input, code, rangeIndex) => {
    const err = gridError(() => PriceGrid.fromPriceRanges(input as PriceRangeJson[]));
    expect(err.code).toBe(code);
    expect(err.rangeIndex).toBe(rangeIndex);
    expect(err.name).toBe('PriceGridError');
    if (rangeIndex >= 0) expect(err.message).toContain(`price_ranges[${rangeIndex}]`);
  });

  it('names the offending range in Kalshi form and keeps the parse error as cause', () => {
    const bad = { start: '0.1000', end: '0.9000', step: '0.0300' };
    const err = gridError(() => PriceGrid.fromPriceRanges([{ start: '0.0000', end: '0.1000', step: '0.0010' }, bad]));
    expect(err.message).toBe(`price_ranges[1] ${JSON.stringify(bad)}: step does not divide end − start`);

    const parse = gridError(() => PriceGrid.fromPriceRanges([{ start: '0.0000', end: '1.0000', step: '0.00005' }]));
    expect(parse.message).toBe('price_ranges[0].step: invalid price "0.00005": more than 4 decimal places');
    expect(parse.cause).toBeInstanceOf(FixedPointError);
    expect((parse.cause as FixedPointError).code).toBe('precision');
  });

  it.each<[string, unknown[], PriceGridErrorCode]>([
    ['a non-integer', [{ start: 0, end: 10_000, step: 0.5 }], 'type'],
    ['a string', [{ start: '0', end: 10_000, step: 100 }], 'type'],
    ['NaN', [{ start: Number.NaN, end: 10_000, step: 100 }], 'type'],
    ['start below 0', [{ start: -100, end: 10_000, step: 100 }], 'bounds'],
    ['end above 10000', [{ start: 0, end: 10_100, step: 100 }], 'bounds'],
    ['negative step', [{ start: 0, end: 10_000, step: -100 }], 'step'],
  ])('fromRanges rejects %s', (_what, input, code) => {
    const err = gridError(() => PriceGrid.fromRanges(input as PriceRange[]));
    expect(err.code).toBe(code);
    expect(err.rangeIndex).toBe(0);
    expect(err.message).toContain('range 0');
  });
});
