import { describe, expect, it } from 'vitest';
import { syntheticResults } from '../synthetic-results.js';
import { applySlowdown, parseSlowdown } from './inject.js';

describe('injected slowdown', () => {
  it('parses scenario:fraction lists', () => {
    expect(parseSlowdown('log.append.200B:0.15, ring.*:0.3')).toEqual([
      { pattern: 'log.append.200B', fraction: 0.15 },
      { pattern: 'ring.*', fraction: 0.3 },
    ]);
  });

  it.each(['log.append.200B', 'x:1.5', ':0.1', 'a*b:0.1', 'x:-0.1'])('rejects %s', (spec) => {
    expect(() => parseSlowdown(spec)).toThrow(/bad slowdown/);
  });

  it('scales throughput and samples of matching scenarios only', () => {
    const results = syntheticResults({ scenarios: 4, samples: 5 });
    const [a, b] = results.scenarios;
    if (a === undefined || b === undefined) throw new Error('no scenarios');
    const slowed = applySlowdown(results, parseSlowdown(`${a.id}:0.25`));
    expect(slowed.scenarios[0]?.throughput.msgs_per_s).toBeCloseTo(a.throughput.msgs_per_s * 0.75);
    expect(slowed.scenarios[0]?.samples_msgs_per_s).toEqual(a.samples_msgs_per_s?.map((v) => v * 0.75));
    expect(slowed.scenarios[1]).toEqual(b);
    expect(results.scenarios[0]).toBe(a);
  });
});
