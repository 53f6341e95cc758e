/** The node:http transport keeps the same RestTransport contract. */
import { describe, expect, it } from 'vitest';
import { NodeHttpTransport, restBase } from '../../../../src/shared/kalshi/rest/index.js';
import { transportContract } from './transport-contract.js';

describe('NodeHttpTransport', () => {
  transportContract((base, options) => new NodeHttpTransport(base, options));

  it('names itself', () => {
    const t = new NodeHttpTransport(restBase('prod'));
    expect(t.kind).toBe('node:http');
    expect(String(t)).toBe("NodeHttpTransport { origin: 'https://external-api.kalshi.com' }");
    return t.close();
  });
});
