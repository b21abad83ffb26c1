import { describe, expect, it } from 'vitest';
import { blockMeans, bootstrapInterval, bootstrapRatioCI, inlierMask, mean, median, seededRandom, trimmedMean } from './stats.js';

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

describe('robust helpers for the gate', () => {
  it('compares any centre, not only the mean', () => {
    const ci = bootstrapRatioCI([2, 2, 2, 20], [1, 1, 1, 1], { center: median });
    expect(ci?.ratio).toBe(2);
  });

  it('brackets a one-sample statistic with a seeded percentile interval', () => {
    const values = Array.from({ length: 50 }, (_, i) => 1 + (i % 5) / 10);
    const ci = bootstrapInterval(values, mean, { seed: 4 });
    if (ci === undefined) throw new Error('no interval');
    expect(ci.low).toBeLessThan(ci.estimate);
    expect(ci.high).toBeGreaterThan(ci.estimate);
    expect(bootstrapInterval(values, mean, { seed: 4 })).toEqual(ci);
    expect(bootstrapInterval([1], mean)).toBeUndefined();
  });

  it('trims the ends before averaging', () => {
    expect(trimmedMean([1, 2, 3, 4, 100], 0.2)).toBe(3);
    expect(trimmedMean([1, 2, 3], 0)).toBe(2);
  });

  it('marks values far from the median as outliers, with a floor on the scale', () => {
    expect(inlierMask([1, 1.01, 0.99, 1, 0.5], 3, 0.01)).toEqual([true, true, true, true, false]);
    expect(inlierMask([1, 1, 1, 1, 1.02], 3, 0.01)).toEqual([true, true, true, true, true]);
  });
});
