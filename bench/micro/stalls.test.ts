import { describe, expect, it } from 'vitest';
import { createLatencyHistogram } from '../stats/latency.js';
import { runStallScenarios, StallRecorder } from './stalls.js';

describe('host.stalls', () => {
  it('weights each gap by the time it lasted: 1% of a second stalled in 1 ms gaps puts p99.5 near 500 µs and p98 at 1 µs', () => {
    const h = createLatencyHistogram();
    const r = new StallRecorder(h);
    // One second: 99 ms of running in 0.1 µs reads, then a 1 ms stall, ten times over.
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 990_000; i++) r.gap(0.1);
      r.gap(1000);
    }
    // 990,000 µs of running (one arrival per µs) and 10 × 1000 arrivals inside stalls.
    expect(h.totalCount).toBeGreaterThanOrEqual(999_990);
    expect(h.totalCount).toBeLessThanOrEqual(1_000_000);
    expect(h.getValueAtPercentile(98)).toBe(1);
    expect(h.getValueAtPercentile(99.5)).toBeGreaterThan(400);
    expect(h.getValueAtPercentile(99.5)).toBeLessThan(600);
    expect(h.maxValue).toBeGreaterThanOrEqual(999);
    expect(r.stallsOver1ms).toBe(10);
    expect(r.stalledUs).toBe(10_000);
    h.destroy();
  });

  it('gaps under the stall floor are delays but not stalls', () => {
    const h = createLatencyHistogram();
    const r = new StallRecorder(h);
    r.gap(20);
    expect(r.stalledUs).toBe(0);
    expect(r.maxGapUs).toBe(20);
    expect(h.totalCount).toBe(20);
    h.destroy();
  });

  it('meters every core at once and reports the delay distribution with the stall figures', async () => {
    const [m] = await runStallScenarios({ durationMs: 100 });
    expect(m?.id).toBe('host.stalls');
    expect(m?.messages).toBeGreaterThan(1000);
    expect(m?.latency?.p50_us).toBeGreaterThanOrEqual(1);
    expect(m?.latency?.max_us).toBeGreaterThanOrEqual(m?.latency?.p99_us ?? Infinity);
    expect(m?.extra?.stalled_share).toBeGreaterThanOrEqual(0);
    expect(m?.extra?.stalled_share).toBeLessThan(1);
  }, 20_000);
});
