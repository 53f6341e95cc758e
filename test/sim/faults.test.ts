import { describe, expect, it } from 'vitest';
import { FaultSpecError, parseFault, parseFaultSpec } from '../../src/sim/faults.js';

describe('fault specs', () => {
  it('parses every kind with its argument and schedule, sorted by time', () => {
    const spec = 'gap@10,drop@30,stall:5000@20,delay:200,malformed@15,5xx-after-accept:2@60,timeout-after-accept,429-burst:20@45,pause:KXSIMBTC-26NOV24A-T5000@20,deposit:100.00@30,withdraw:0.5,duplicate@12,resume:ABC@21,close-early:ABC@22';
    const faults = parseFaultSpec(spec);
    expect(faults.map((f) => f.atSeconds)).toEqual([0, 0, 0, 10, 12, 15, 20, 20, 21, 22, 30, 30, 45, 60]);
    expect(faults).toContainEqual({ atSeconds: 0, fault: { kind: 'delay', ms: 200 } });
    expect(faults).toContainEqual({ atSeconds: 0, fault: { kind: 'timeout-after-accept', count: 1 } });
    expect(faults).toContainEqual({ atSeconds: 0, fault: { kind: 'withdraw', amount: 500_000 } });
    expect(faults).toContainEqual({ atSeconds: 20, fault: { kind: 'stall', ms: 5000 } });
    expect(faults).toContainEqual({ atSeconds: 20, fault: { kind: 'pause', ticker: 'KXSIMBTC-26NOV24A-T5000' } });
    expect(faults).toContainEqual({ atSeconds: 30, fault: { kind: 'deposit', amount: 100_000_000 } });
    expect(faults).toContainEqual({ atSeconds: 60, fault: { kind: '5xx-after-accept', count: 2 } });
    expect(parseFaultSpec('')).toEqual([]);
    expect(parseFaultSpec(' drop , ')).toEqual([{ atSeconds: 0, fault: { kind: 'drop' } }]);
    expect(parseFaultSpec('gap@1.5')).toEqual([{ atSeconds: 1.5, fault: { kind: 'gap' } }]);
  });

  it.each([
    ['frobnicate', /unknown fault 'frobnicate'/],
    ['drop:1', /drop takes no argument/],
    ['stall', /needs milliseconds/],
    ['stall:-5', /positive whole number/],
    ['stall:1e3', /positive whole number/],
    ['429-burst:0', /positive whole number/],
    ['pause', /needs a market ticker/],
    ['pause:bad ticker', /not a market ticker/],
    ['deposit:1e5', /invalid money/],
    ['deposit:0', /must be positive/],
    ['withdraw:-1.00', /must be positive/],
    ['gap@soon', /seconds after start/],
    ['gap@-3', /seconds after start/],
  ])('rejects %s with a clear error', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });

  it('parses a single fault for the control API', () => {
    expect(parseFault('429-burst:3')).toEqual({ kind: '429-burst', count: 3 });
  });
});
