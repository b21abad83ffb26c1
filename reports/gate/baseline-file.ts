/**
 * A stored gate baseline (reports/baselines/*.json): several complete results files of one build,
 * each with the calibration figure measured in the same process, so that a later gate run can be
 * compared with it in units of the machine. A plain results.json is accepted as a baseline of one
 * run, calibrated by its own calibration scenarios.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { resultsSchema, type Results } from '../../bench/results.js';
import { quantileSorted } from '../stats.js';
import { gateRun, type GateRun } from './runs.js';

export const BASELINE_KIND = 'mqlab-gate-baseline';

export const storedRunSchema = z.object({
  /** msgs/s of the calibration workload in this run. */
  calibration_msgs_per_s: z.number().positive(),
  calibration_source: z.enum(['scenarios', 'gate']),
  results: resultsSchema,
});

export const baselineFileSchema = z.object({
  schema: z.literal(1),
  kind: z.literal(BASELINE_KIND),
  created: z.string(),
  /** The gate mode and settings it was recorded with, for the reader. */
  mode: z.string(),
  suite: z.string(),
  duration_s: z.number().positive(),
  calibration: z.array(z.string()),
  runs: z.array(storedRunSchema).min(2),
});

export type BaselineFile = z.infer<typeof baselineFileSchema>;

export interface StoredBaseline {
  readonly runs: GateRun[];
  readonly source: 'baseline file' | 'results file';
}

export function parseBaseline(value: unknown, calibrationIds: readonly string[]): StoredBaseline {
  const file = baselineFileSchema.safeParse(value);
  if (file.success) {
    return {
      source: 'baseline file',
      runs: file.data.runs.map((r) => ({ results: r.results, calibration: r.calibration_msgs_per_s, calibrationSource: r.calibration_source })),
    };
  }
  const results = resultsSchema.safeParse(value);
  if (results.success) return { source: 'results file', runs: [gateRun(results.data, calibrationIds)] };
  throw new Error(`not a gate baseline (${file.error.issues[0]?.message ?? 'invalid'}) nor a results file (${results.error.issues[0]?.message ?? 'invalid'})`);
}

export function readBaseline(path: string, calibrationIds: readonly string[]): StoredBaseline {
  return parseBaseline(JSON.parse(readFileSync(path, 'utf8')), calibrationIds);
}

export interface BaselineRecord {
  readonly mode: string;
  readonly suite: string;
  readonly durationS: number;
  readonly calibration: readonly string[];
  readonly runs: readonly GateRun[];
}

export function buildBaseline(record: BaselineRecord): BaselineFile {
  return baselineFileSchema.parse({
    schema: 1,
    kind: BASELINE_KIND,
    created: new Date().toISOString(),
    mode: record.mode,
    suite: record.suite,
    duration_s: record.durationS,
    calibration: [...record.calibration],
    runs: record.runs.map((r) => {
      if (r.calibration === undefined || r.calibrationSource === 'none') throw new Error('a stored baseline run needs a calibration figure');
      return { calibration_msgs_per_s: r.calibration, calibration_source: r.calibrationSource, results: r.results };
    }),
  });
}

export function writeBaseline(path: string, file: BaselineFile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(baselineFileSchema.parse(file), null, 2)}\n`);
}

/** Quantiles kept of a scenario's samples in a stored baseline: 0%, 1%, ..., 100%. */
export const STORED_QUANTILES = 101;

/**
 * Keeps a committed baseline small: only the scenarios the gate reads, each sample series replaced by
 * its percentiles (0..100). The median, the figure the gate compares, is unchanged; the time order
 * of samples is not kept.
 */
export function slimResults(results: Results, keep: (id: string) => boolean): Results {
  return {
    ...results,
    scenarios: results.scenarios
      .filter((s) => keep(s.id))
      .map((s) => {
        const samples = s.samples_msgs_per_s;
        if (samples === undefined || samples.length <= STORED_QUANTILES) return s;
        const sorted = [...samples].sort((x, y) => x - y);
        const q = Array.from({ length: STORED_QUANTILES }, (_, k) => quantileSorted(sorted, k / (STORED_QUANTILES - 1)));
        return { ...s, samples_msgs_per_s: q };
      }),
  };
}
