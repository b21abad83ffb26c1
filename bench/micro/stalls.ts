/**
 * `host.stalls`: how long this machine keeps a busy thread off its core. Every core runs a thread
 * that does nothing but read the clock; a gap between two reads is time the thread did not run
 * (the hypervisor or the OS had the core). On a shared 2-core VM such gaps reach milliseconds
 * several times a second, and no message path across threads can have a latency tail below them.
 *
 * The figure is the delay an event arriving at a uniformly random moment would wait for the thread
 * to run again, as a latency distribution: a gap of g µs stands for g arrivals, waiting g, g-1, ...,
 * 1 µs (HDR's expected-interval correction, as jHiccup records its hiccups); running time counts as
 * one 1 µs arrival per µs. So p99 here is the p99 floor for any latency measured on this host while
 * every core is busy; `stalled_share` is the share of time lost to gaps of STALL_FLOOR_US or more.
 */
import { Worker } from 'node:worker_threads';
import type * as hdr from 'hdr-histogram-js';
import { availableParallelism } from 'node:os';
import { createLatencyHistogram, decodeHistogram, encodeHistogram, summarizeLatency } from '../stats/latency.js';
import type { Measurement, MicroScenarioGroup } from './types.js';

/** Gaps at least this long count as stalls (a clock read costs tens of ns; 50 µs is no jitter). */
export const STALL_FLOOR_US = 50;

/** What one thread's meter saw. */
export interface StallReport {
  readonly hdr: string;
  readonly reads: number;
  readonly elapsedNs: number;
  readonly stalledUs: number;
  readonly stallsOver1ms: number;
  readonly maxGapUs: number;
}

/**
 * Turns clock gaps into arrival delays. Running time (gaps under 1 µs, summed) becomes one 1 µs
 * arrival per whole µs; a gap of 1 µs or more is recorded with a 1 µs expected interval.
 */
export class StallRecorder {
  private running = 0;
  stalledUs = 0;
  stallsOver1ms = 0;
  maxGapUs = 0;

  constructor(readonly histogram: hdr.Histogram) {}

  gap(us: number): void {
    if (us < 1) {
      this.running += us;
      if (this.running >= 1) {
        const whole = Math.floor(this.running);
        this.histogram.recordValueWithCount(1, whole);
        this.running -= whole;
      }
      return;
    }
    const value = Math.round(us);
    this.histogram.recordValueWithExpectedInterval(value, 1);
    if (us >= STALL_FLOOR_US) this.stalledUs += us;
    if (us >= 1000) this.stallsOver1ms++;
    if (us > this.maxGapUs) this.maxGapUs = us;
  }
}

/** Spins for `durationMs`, reading the clock, and reports the gaps (runs in the main thread and in workers). */
export function meterStalls(durationMs: number): StallReport {
  const histogram = createLatencyHistogram();
  const recorder = new StallRecorder(histogram);
  const start = performance.now();
  const end = start + durationMs;
  let last = start;
  let reads = 0;
  while (last < end) {
    const now = performance.now();
    reads++;
    recorder.gap((now - last) * 1000);
    last = now;
  }
  const report: StallReport = {
    hdr: encodeHistogram(histogram),
    reads,
    elapsedNs: (last - start) * 1e6,
    stalledUs: recorder.stalledUs,
    stallsOver1ms: recorder.stallsOver1ms,
    maxGapUs: recorder.maxGapUs,
  };
  histogram.destroy();
  return report;
}

function meterInWorker(durationMs: number): Promise<StallReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./stalls.worker.js', import.meta.url), { workerData: { durationMs } });
    worker.once('message', (report: StallReport) => resolve(report));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`stall meter worker exited with code ${code}`));
    });
  });
}

export const runStallScenarios: MicroScenarioGroup = async (options) => {
  if (!(options.wants?.('host.stalls') ?? true)) return [];
  const threads = Math.max(1, availableParallelism());
  // The workers start spinning while this thread is still setting up: give them a head start, then
  // meter here for the same span, so every core is busy for the whole measured window.
  const others = Array.from({ length: threads - 1 }, () => meterInWorker(options.durationMs + 100));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const reports = [meterStalls(options.durationMs), ...(await Promise.all(others))];
  const merged = createLatencyHistogram();
  for (const r of reports) {
    const h = decodeHistogram(r.hdr);
    merged.add(h);
    h.destroy();
  }
  const s = summarizeLatency(merged);
  merged.destroy();
  const threadSeconds = reports.reduce((sum, r) => sum + r.elapsedNs / 1e9, 0);
  const measurement: Measurement = {
    id: 'host.stalls',
    target: 'node',
    params: { threads_spinning: threads, stall_floor_us: STALL_FLOOR_US, unit: 'clock reads' },
    messages: reports.reduce((sum, r) => sum + r.reads, 0),
    payloadBytes: 0,
    elapsedNs: reports[0]!.elapsedNs,
    threads,
    latency: { p50_us: s.p50_us, p90_us: s.p90_us, p99_us: s.p99_us, p999_us: s.p999_us, max_us: s.max_us, mean_us: s.mean_us, hdr: s.hdr },
    extra: {
      stalls_over_1ms_per_s: reports.reduce((sum, r) => sum + r.stallsOver1ms, 0) / threadSeconds,
      stalled_share: reports.reduce((sum, r) => sum + r.stalledUs, 0) / 1e6 / threadSeconds,
      max_stall_us: Math.max(...reports.map((r) => r.maxGapUs)),
    },
  };
  return [measurement];
};
