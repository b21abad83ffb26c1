/**
 * Macro scenarios defined by workload files (bench/workloads): loads the file, applies the run's
 * duration and any rate taken from an earlier scenario, and runs it through the runner (or its
 * max-sustainable-rate search when the workload asks for one).
 */
import type { DriverName } from '../drivers/types.js';
import type { Measurement } from '../micro/types.js';
import { findMaxRate } from '../runner/max-rate.js';
import { runWorkload, type ProgressSample } from '../runner/run-workload.js';
import { loadWorkload, resolveWorkloadFile, type Workload } from '../workload.js';

export interface MacroOptions {
  readonly durationMs: number;
  readonly onProgress?: (sample: ProgressSample) => void;
}

function rateOf(m: Measurement): number {
  return m.elapsedNs > 0 ? m.messages / (m.elapsedNs / 1e9) : 0;
}

/** The workload's rate, or its `rateFrom` fraction of a scenario measured earlier in this run. */
export function offeredRate(w: Workload, earlier: readonly Measurement[]): number {
  if (w.rateFrom === undefined) return w.rate;
  const from = earlier.find((m) => m.id === w.rateFrom?.scenario && m.error === undefined && m.skipped === undefined);
  if (from === undefined || rateOf(from) === 0) return w.rate;
  return Math.max(1_000, Math.round((rateOf(from) * w.rateFrom.fraction) / 10_000) * 10_000);
}

export async function runWorkloadScenario(file: string, options: MacroOptions, earlier: readonly Measurement[] = [], driver?: DriverName, p99Us?: number): Promise<Measurement> {
  const workload = loadWorkload(resolveWorkloadFile(file));
  const run = { ...(driver === undefined ? {} : { driver }), durationMs: options.durationMs, ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) };
  const search = p99Us === undefined ? workload.findMaxRate : { trialS: 0.5, warmupS: 0.2, minRate: 1_000, maxRate: 5_000_000, steps: 5, ...workload.findMaxRate, p99Us };
  if (search !== undefined) return findMaxRate(workload, search, run);
  return runWorkload(workload, { ...run, rate: offeredRate(workload, earlier) });
}
