/** The default transport (undici 7 Pool) keeps the RestTransport contract. */
import { describe, expect, it } from 'vitest';
import { restBase, UndiciTransport } from '../../../../src/shared/kalshi/rest/index.js';
import { transportContract } from './transport-contract.js';

describe('UndiciTransport', () => {
  transportContract((base, options) => new UndiciTransport(base, options));

  it('names itself', () => {
    const t = new UndiciTransport(restBase('demo'));
    expect(t.kind).toBe('undici');
    expect(String(t)).toBe("UndiciTransport { origin: 'https://external-api.demo.kalshi.co' }");
    return t.close();
  });
});
