import { describe, expect, it } from 'vitest';
import { blockMeans, bootstrapRatioCI, seededRandom } from './stats.js';

describe('bootstrapRatioCI', () => {
  const noisy = (n: number, level: number, seed: number): number[] => {
    const r = seededRandom(seed);
    return Array.from({ length: n }, () => level * (0.9 + 0.2 * r()));
  };

  it('brackets the true ratio of two noisy series', () => {
    const ci = bootstrapRatioCI(noisy(500, 200, 1), noisy(500, 100, 2));
    if (ci === undefined) throw new Error('no interval');
    expect(ci.low).toBeLessThan(2);
    expect(ci.high).toBeGreaterThan(2);
    expect(ci.low).toBeLessThanOrEqual(ci.ratio);
    expect(ci.high).toBeGreaterThanOrEqual(ci.ratio);
  });

  it('gives the same interval for the same seed', () => {
    const a = noisy(300, 5, 3);
    const b = noisy(300, 4, 4);
    expect(bootstrapRatioCI(a, b, { seed: 9 })).toEqual(bootstrapRatioCI(a, b, { seed: 9 }));
  });

  it('is undefined with fewer than two samples on a side', () => {
    expect(bootstrapRatioCI([1], [1, 2])).toBeUndefined();
  });

  it('averages long series into at most maxBlocks consecutive blocks', () => {
    expect(blockMeans([1, 1, 3, 3, 5, 5], 3)).toEqual([1, 3, 5]);
    expect(blockMeans([1, 2], 10)).toEqual([1, 2]);
  });
});
