/**
 * Latency percentile curves, as HdrHistogram plots them: x is 1 / (1 - percentile), so a log-scaled
 * x axis spreads 90%, 99%, 99.9% ... evenly and the tail is as visible as the median. Points are
 * taken from the full HDR histogram when the results carry one (`latency.hdr`), otherwise from the
 * summary percentiles alone.
 */
import type { Scenario } from '../bench/results.js';
import { decodeHistogram } from '../bench/stats/latency.js';

export interface LatencyCurve {
  /** 1 / (1 - percentile/100); 1 is the minimum, 100 is p99. */
  readonly x: number[];
  /** Latency in microseconds at that percentile. */
  readonly y: number[];
  /** Recorded values; 0 when the curve comes from the summary percentiles only. */
  readonly count: number;
  readonly source: 'hdr' | 'summary';
}

/** Points per decade of the percentile axis. */
const TICKS_PER_DECADE = 10;

/** Percentile (0..100) at position x of the curve. */
export function percentileAt(x: number): number {
  return x <= 1 ? 0 : 100 * (1 - 1 / x);
}

export function curveFromHdr(encoded: string): LatencyCurve {
  const h = decodeHistogram(encoded);
  try {
    const count = h.totalCount;
    const x: number[] = [];
    const y: number[] = [];
    if (count === 0) return { x, y, count, source: 'hdr' };
    // Beyond x = count the percentiles resolve to single recorded values; end on the maximum there.
    for (let k = 0; ; k++) {
      const pos = 10 ** (k / TICKS_PER_DECADE);
      if (pos >= count) break;
      x.push(pos);
      y.push(h.getValueAtPercentile(percentileAt(pos)));
    }
    x.push(Math.max(count, 1));
    y.push(h.maxValue);
    return { x, y, count, source: 'hdr' };
  } finally {
    h.destroy();
  }
}

export function curveFromSummary(latency: NonNullable<Scenario['latency']>): LatencyCurve {
  const points: [number, number | undefined][] = [
    [2, latency.p50_us],
    [10, latency.p90_us],
    [100, latency.p99_us],
    [1000, latency.p999_us],
  ];
  const x: number[] = [];
  const y: number[] = [];
  for (const [px, py] of points) {
    if (py === undefined) continue;
    x.push(px);
    y.push(py);
  }
  return { x, y, count: 0, source: 'summary' };
}

export function latencyCurve(scenario: Scenario): LatencyCurve | undefined {
  const latency = scenario.latency;
  if (latency === undefined) return undefined;
  if (latency.hdr !== undefined && latency.hdr.length > 0) return curveFromHdr(latency.hdr);
  return curveFromSummary(latency);
}
