/** Runs a suite, or workload files, and returns validated results; prints nothing (the CLI formats). */
import { captureEnv } from './env.js';
import { isDriverName } from './drivers/index.js';
import type { DriverName } from './drivers/types.js';
import { MACRO_SCENARIOS, matchesScenario, runMacroSuite } from './macro/index.js';
import { runWorkloadScenario } from './macro/workload-scenario.js';
import { runMicroSuite } from './micro/index.js';
import type { Measurement } from './micro/types.js';
import { buildResults, scenarioFromMeasurement, type Results, type Skipped } from './results.js';
import type { ProgressSample } from './runner/run-workload.js';
import { targetFor, SEED_RATES } from './targets.js';
import { loadWorkload, resolveWorkloadFile } from './workload.js';

export const SUITES = ['default', 'micro', 'macro', 'all'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface RunOptions {
  readonly suite: SuiteName;
  /** Measured time per scenario (workload files keep their own durationS unless this is set). */
  readonly durationMs?: number;
  /** Only scenarios whose id matches: exact, or a prefix ending in `*`. */
  readonly scenarios?: readonly string[];
  /** Run these workload files instead of a suite. */
  readonly workloads?: readonly string[];
  /** The driver for workload files; with a suite, only its workload scenarios of the driver's model run, on it. */
  readonly driver?: string;
  /** Search each workload's max sustainable rate with this p99 bound (µs). */
  readonly findMaxRateP99Us?: number;
  readonly onProgress?: (sample: ProgressSample) => void;
}

const DEFAULT_DURATION_MS = 1_000;

export async function runBench(options: RunOptions): Promise<Results> {
  const env = captureEnv();
  const driver = parseDriver(options.driver);
  const measurements: Measurement[] = [];
  const progress = options.onProgress === undefined ? {} : { onProgress: options.onProgress };
  if (options.workloads !== undefined && options.workloads.length > 0) {
    for (const file of options.workloads) {
      const w = loadWorkload(resolveWorkloadFile(file));
      const durationMs = options.durationMs ?? w.durationS * 1000;
      measurements.push(await runWorkloadScenario(file, { durationMs, ...progress }, measurements, driver, options.findMaxRateP99Us));
    }
  } else if (driver !== undefined) {
    const o = { durationMs: options.durationMs ?? DEFAULT_DURATION_MS, ...progress };
    for (const s of MACRO_SCENARIOS) {
      if (s.workload === undefined || (options.suite === 'default' && !s.inDefault) || options.suite === 'micro') continue;
      const w = loadWorkload(resolveWorkloadFile(s.workload.file));
      if (w.model !== (driver === 'rabbitmq' || driver === 'mqlab-amqplib' ? 'amqp' : 'kafka')) continue;
      if (measurements.some((m) => m.params.workload === w.id)) continue;
      const m = await runWorkloadScenario(s.workload.file, o, measurements, driver, options.findMaxRateP99Us);
      if (matchesScenario(m.id, options.scenarios)) measurements.push(m);
    }
  } else {
    const o = { durationMs: options.durationMs ?? DEFAULT_DURATION_MS, ...progress };
    if (options.suite !== 'macro') measurements.push(...(await runMicroSuite(o, options.scenarios)));
    if (options.suite !== 'micro') measurements.push(...(await runMacroSuite(o, options.suite === 'default', options.scenarios)));
  }
  const skipped: Skipped[] = measurements.filter((m) => m.skipped !== undefined).map((m) => ({ id: m.id, target: m.target, reason: m.skipped ?? '' }));
  const scenarios = measurements.filter((m) => m.skipped === undefined).map((m) => scenarioFromMeasurement(m, env.cores));
  for (const s of scenarios) {
    const target = targetFor(s.id);
    if (target?.versus !== undefined) {
      const other = scenarios.find((o) => o.id === target.versus?.id);
      if (other !== undefined && other.throughput.msgs_per_s > 0) {
        s.reference = { name: other.id, msgs_per_s: other.throughput.msgs_per_s, ratio: s.throughput.msgs_per_s / other.throughput.msgs_per_s };
      }
    } else if (target?.seed !== undefined) {
      const rate = SEED_RATES[target.seed].msgs_per_s;
      s.reference = { name: `seed.${target.seed}`, msgs_per_s: rate, ratio: s.throughput.msgs_per_s / rate };
    }
  }
  return buildResults(options.workloads !== undefined && options.workloads.length > 0 ? 'workload' : options.suite, env, scenarios, skipped);
}

function parseDriver(name: string | undefined): DriverName | undefined {
  if (name === undefined) return undefined;
  if (!isDriverName(name)) throw new Error(`unknown driver '${name}'`);
  return name;
}
