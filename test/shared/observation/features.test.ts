import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildObservation, type ObservationInput } from '../../../src/shared/observation/build.js';
import {
  FEATURES, FEATURE_CLIP_HI, FEATURE_CLIP_LO, FEATURE_COUNT, FEATURE_INDEX, FEATURE_PARAMS, FEATURE_SPEC_HASH,
  featureSpecCanonicalJson, featureSpecHash, featureTableMarkdown, type FeatureSpec,
} from '../../../src/shared/observation/features.js';
import { MarketHistory } from '../../../src/shared/observation/market-history.js';
import { randomInput, rng } from './support.js';

/**
 * The feature-spec version. It changes whenever the table or FEATURE_PARAMS change, and that
 * invalidates every trained model: update this pin only on purpose, together with
 * docs/observation.md, and retrain/re-export models against the new table.
 */
const PINNED_FEATURE_SPEC_HASH = '6ba58c398b18e5b1';

describe('feature table', () => {
  it('has exactly 52 uniquely named features, in index order', () => {
    expect(FEATURE_COUNT).toBe(52);
    expect(FEATURES).toHaveLength(52);
    expect(new Set(FEATURES.map((f) => f.name)).size).toBe(52);
    FEATURES.forEach((f, i) => {
      expect(f.index).toBe(i);
      expect(FEATURE_INDEX[f.name]).toBe(i);
      expect(f.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(['book', 'freshness', 'market', 'history', 'portfolio', 'order']).toContain(f.group);
      expect(f.unit.length).toBeGreaterThan(0);
      expect(f.compute.length).toBeGreaterThan(0);
      expect(f.missing.length).toBeGreaterThan(0);
      expect(f.clip[0]).toBeLessThan(f.clip[1]);
      expect(FEATURE_CLIP_LO[i]).toBe(f.clip[0]);
      expect(FEATURE_CLIP_HI[i]).toBe(f.clip[1]);
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(FEATURES)).toBe(true);
    expect(Object.isFrozen(FEATURES[0])).toBe(true);
    expect(Object.isFrozen(FEATURES[0].clip)).toBe(true);
    expect(Object.isFrozen(FEATURE_PARAMS)).toBe(true);
  });

  it('spends no slot on a mirror copy: no NO-side duplicates by name', () => {
    for (const f of FEATURES) expect(f.name).not.toMatch(/(^|_)no_/);
  });
});

describe('docs/observation.md', () => {
  const doc = readFileSync(new URL('../../../docs/observation.md', import.meta.url), 'utf8');

  it('embeds the table exactly as the code defines it', () => {
    const m = /<!-- FEATURE-TABLE:BEGIN[^\n]*-->\n([\s\S]*?)\n<!-- FEATURE-TABLE:END -->/.exec(doc);
    expect(m, 'FEATURE-TABLE markers').not.toBeNull();
    expect(m![1]).toBe(featureTableMarkdown());
  });

  it('quotes the current hash', () => {
    expect(doc).toContain(`Current value: **\`${FEATURE_SPEC_HASH}\`**`);
  });
});

describe('FEATURE_SPEC_HASH', () => {
  it('is pinned (change the pin only with the table; see the comment above)', () => {
    expect(FEATURE_SPEC_HASH).toMatch(/^[0-9a-f]{16}$/);
    expect(FEATURE_SPEC_HASH).toBe(PINNED_FEATURE_SPEC_HASH);
    expect(featureSpecHash()).toBe(FEATURE_SPEC_HASH);
  });

  it('changes when any field of any row changes', () => {
    const seen = new Set([FEATURE_SPEC_HASH]);
    const edits: ((f: FeatureSpec) => FeatureSpec)[] = [
      (f) => ({ ...f, name: `${f.name}_x` }),
      (f) => ({ ...f, group: f.group === 'book' ? 'order' : 'book' }),
      (f) => ({ ...f, unit: `${f.unit}!` }),
      (f) => ({ ...f, compute: `${f.compute} ` }),
      (f) => ({ ...f, missing: `${f.missing}?` }),
      (f) => ({ ...f, clip: [f.clip[0] - 1, f.clip[1]] }),
      (f) => ({ ...f, clip: [f.clip[0], f.clip[1] + 0.5] }),
    ];
    for (let i = 0; i < FEATURE_COUNT; i++) {
      for (const edit of edits) {
        const table = FEATURES.map((f, j) => (j === i ? edit(f) : f));
        const h = featureSpecHash(table);
        expect(seen.has(h), `editing row ${i} left the hash unchanged`).toBe(false);
        seen.add(h);
      }
    }
  });

  it('changes with the order of rows and with every parameter', () => {
    const swapped = [...FEATURES];
    [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
    expect(featureSpecHash(swapped)).not.toBe(FEATURE_SPEC_HASH);
    expect(featureSpecHash(FEATURES.slice(0, 51))).not.toBe(FEATURE_SPEC_HASH);
    for (const key of Object.keys(FEATURE_PARAMS)) {
      const params = { ...FEATURE_PARAMS, [key]: (FEATURE_PARAMS as Record<string, number>)[key] + 1 };
      expect(featureSpecHash(FEATURES, params), key).not.toBe(FEATURE_SPEC_HASH);
    }
  });

  it('is taken over a canonical JSON that carries the whole spec', () => {
    const json = JSON.parse(featureSpecCanonicalJson()) as { count: number; features: unknown[][]; params: unknown[][] };
    expect(json.count).toBe(52);
    expect(json.features[1]).toEqual([1, 'yes_ask', 'book', FEATURES[1].unit, FEATURES[1].compute, FEATURES[1].missing, [0, 1]]);
    expect(json.params.map((p) => p[0])).toEqual(Object.keys(FEATURE_PARAMS).sort());
  });
});

/** The same input with the YES and NO books swapped (a book and its mirror). */
function mirrored(input: ObservationInput): ObservationInput {
  const t = input.top;
  return {
    ...input,
    top: { ...t, yesBid: t.noBid, yesBidSize: t.noBidSize, noBid: t.yesBid, noBidSize: t.yesBidSize },
    yesPrices: input.noPrices, yesSizes: input.noSizes, yesLevels: input.noLevels,
    noPrices: input.yesPrices, noSizes: input.yesSizes, noLevels: input.yesLevels,
  };
}

describe('no mirror duplicates among the outputs', () => {
  const r = rng(20_261_124);
  const history = new MarketHistory(64);
  const samples: Float32Array[] = [];
  const pairs: [Float32Array, Float32Array][] = [];
  for (let k = 0; k < 3000; k++) {
    const input = randomInput(r, history, k % 64);
    const a = new Float32Array(FEATURE_COUNT);
    const b = new Float32Array(FEATURE_COUNT);
    buildObservation(input, a, 0);
    buildObservation(mirrored(input), b, 0);
    samples.push(a, b);
    pairs.push([a, b]);
  }
  const col = (i: number) => samples.map((s) => s[i]);

  it('every feature varies over books and their mirrors (nothing stuck at a constant)', () => {
    for (let i = 0; i < FEATURE_COUNT; i++) {
      const v = col(i);
      expect(Math.max(...v) - Math.min(...v), FEATURES[i].name).toBeGreaterThan(0);
    }
  });

  it('no two features are always equal, negatives, complements or a constant apart', () => {
    const constant = (xs: number[]) => xs.every((x) => Math.abs(x - xs[0]) < 1e-6);
    for (let i = 0; i < FEATURE_COUNT; i++) {
      const a = col(i);
      for (let j = i + 1; j < FEATURE_COUNT; j++) {
        const b = col(j);
        const diff = a.map((x, k) => x - b[k]);
        const sum = a.map((x, k) => x + b[k]);
        expect(constant(diff), `${FEATURES[i].name} − ${FEATURES[j].name} is constant`).toBe(false);
        expect(constant(sum), `${FEATURES[i].name} + ${FEATURES[j].name} is constant`).toBe(false);
      }
    }
  });

  it('the mirror moves each book quantity within its own slot', () => {
    const I = FEATURE_INDEX;
    for (const [a, b] of pairs) {
      expect(b[I.yes_bid]).toBeCloseTo(1 - a[I.yes_ask], 6);
      expect(b[I.yes_ask]).toBeCloseTo(1 - a[I.yes_bid], 6);
      expect(b[I.has_yes_bid]).toBe(a[I.has_yes_ask]);
      expect(b[I.mid]).toBeCloseTo(1 - a[I.mid], 6);
      expect(b[I.spread]).toBeCloseTo(a[I.spread], 5);
      expect(b[I.imbalance_top]).toBeCloseTo(-a[I.imbalance_top], 6);
      expect(b[I.imbalance_depth]).toBeCloseTo(-a[I.imbalance_depth], 6);
      expect(b[I.microprice_edge]).toBeCloseTo(-a[I.microprice_edge], 5);
      expect(b[I.bid_size]).toBe(a[I.ask_size]);
      expect(b[I.bid_depth]).toBe(a[I.ask_depth]);
      expect(b[I.bid_vwap_gap]).toBeCloseTo(a[I.ask_vwap_gap], 5);
    }
  });
});
