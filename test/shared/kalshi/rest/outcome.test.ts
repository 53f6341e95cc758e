import { describe, expect, it } from 'vitest';
import { accepted, denied, isAccepted, type Outcome } from '../../../../src/shared/kalshi/rest/outcome.js';

describe('outcomes', () => {
  it('builds ACCEPTED and DENIED and narrows on kind', () => {
    const a: Outcome<number> = accepted(201, 7);
    expect(a).toEqual({ kind: 'ACCEPTED', status: 201, reply: 7 });
    expect(isAccepted(a) && a.reply + 1).toBe(8);
    const d: Outcome<number> = denied('off_grid', 'price 0.0105 is not on the grid');
    expect(d).toEqual({ kind: 'DENIED', reason: 'off_grid', message: 'price 0.0105 is not on the grid' });
    expect(isAccepted(d)).toBe(false);
  });

  it('is exhaustive over five kinds', () => {
    const describeOutcome = (o: Outcome<unknown>): string => {
      switch (o.kind) {
        case 'ACCEPTED': return 'done';
        case 'DENIED': return 'not sent';
        case 'REJECTED': return 'refused';
        case 'RATE_LIMITED': return 'later';
        case 'UNKNOWN': return 'look it up';
      }
    };
    expect(describeOutcome({ kind: 'UNKNOWN', cause: 'timeout', sent: true, message: '' })).toBe('look it up');
    expect(describeOutcome({ kind: 'RATE_LIMITED', source: 'exchange', attempts: 4 })).toBe('later');
  });
});
