/**
 * Latency statistics kept apart from the runners: HDR histograms (hdr-histogram-js, WebAssembly
 * build, so recording costs ~18 ns on hot paths) in microseconds, merged across workers through
 * their compressed encoding, and summarized into the results file's `latency` fields.
 */
import * as hdr from 'hdr-histogram-js';

let wasmReady = false;

/** Call once per thread before building histograms. */
export function initHistograms(): void {
  if (wasmReady) return;
  hdr.initWebAssemblySync();
  wasmReady = true;
}

/** A histogram of microseconds, 1 µs to 60 s, 3 significant digits. */
export function createLatencyHistogram(): hdr.Histogram {
  initHistograms();
  return hdr.build({ useWebAssembly: true, lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

export function encodeHistogram(h: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): hdr.Histogram {
  initHistograms();
  return hdr.decodeFromCompressedBase64(encoded, 32, true);
}

export interface LatencySummary {
  p50_us: number;
  p90_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
  mean_us: number;
  count: number;
  hdr: string;
}

export function summarizeLatency(h: hdr.Histogram): LatencySummary {
  return {
    p50_us: h.getValueAtPercentile(50),
    p90_us: h.getValueAtPercentile(90),
    p99_us: h.getValueAtPercentile(99),
    p999_us: h.getValueAtPercentile(99.9),
    max_us: h.maxValue,
    mean_us: h.mean,
    count: h.totalCount,
    hdr: encodeHistogram(h),
  };
}
