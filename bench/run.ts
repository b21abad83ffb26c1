/** Runs a suite and returns validated results; prints nothing (the CLI formats). */
import { captureEnv } from './env.js';
import { runMacroSuite } from './macro/index.js';
import { runMicroSuite } from './micro/index.js';
import { buildResults, scenarioFromMeasurement, type Results } from './results.js';
import { targetFor, SEED_RATES } from './targets.js';

export const SUITES = ['default', 'micro', 'macro', 'all'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface RunOptions {
  readonly suite: SuiteName;
  /** Measured time per scenario. */
  readonly durationMs: number;
}

export async function runBench(options: RunOptions): Promise<Results> {
  const env = captureEnv();
  const o = { durationMs: options.durationMs };
  const measurements = [];
  if (options.suite !== 'macro') measurements.push(...(await runMicroSuite(o)));
  if (options.suite !== 'micro') measurements.push(...(await runMacroSuite(o, options.suite === 'default')));
  const scenarios = measurements.map((m) => scenarioFromMeasurement(m, env.cores));
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
  return buildResults(options.suite, env, scenarios);
}
