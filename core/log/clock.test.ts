import { setImmediate as nextTask } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { coarseNow, MAX_STRIDE } from './clock.js';

/** Runs `calls` coarseNow() calls and counts the distinct clock reads, spying on Date.now. */
function countReads(calls: number, between?: () => void): { reads: number; values: number[] } {
  const real = Date.now;
  let reads = 0;
  Date.now = () => {
    reads++;
    return real();
  };
  const values: number[] = [];
  try {
    for (let i = 0; i < calls; i++) {
      values.push(coarseNow());
      between?.();
    }
  } finally {
    Date.now = real;
  }
  return { reads, values };
}

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('coarseNow', () => {
  it('reads the clock about once per MAX_STRIDE calls in a tight loop, and never runs ahead of Date.now', async () => {
    await nextTask();
    const before = Date.now();
    const { reads, values } = countReads(100_000);
    const after = Date.now();
    expect(reads).toBeGreaterThan(100_000 / MAX_STRIDE / 2);
    expect(reads).toBeLessThan(100_000 / 8);
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(before);
      expect(v).toBeLessThanOrEqual(after);
    }
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
  });

  it('reads the clock on every call when calls are more than a millisecond apart', async () => {
    await nextTask();
    const { reads, values } = countReads(20, () => spin(1.5));
    expect(reads).toBeGreaterThanOrEqual(18);
    // Each value is within about a millisecond of the clock at its call.
    for (let i = 1; i < values.length; i++) expect(values[i]! - values[i - 1]!).toBeGreaterThanOrEqual(1);
  });

  it('reads the clock on the first call of every task, however long the task before', async () => {
    await nextTask();
    countReads(10_000);
    await nextTask();
    spin(5);
    const t = Date.now();
    const { reads, values } = countReads(1);
    expect(reads).toBe(1);
    expect(values[0]).toBeGreaterThanOrEqual(t);
  });
});
