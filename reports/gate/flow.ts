/**
 * The gate from first measurement to verdict, with the measuring injected: `runRound` starts the
 * benchmark processes (scripts/gate) in the real command and generates synthetic runs in the tests,
 * so the whole decision, confirmation included, runs without a benchmark.
 *
 * 1. Round 1 measures every scenario of the mode.
 * 2. The machines are checked: a gate never compares unlike machines.
 * 3. Each scenario is screened (decide.ts).
 * 4. Suspected scenarios are measured again (round 2) and decided on both rounds' runs together,
 *    by the stricter confirmation rule; the fresh round alone must also show at least half the
 *    threshold's slowdown. Only a regression confirmed that way fails the gate.
 */
import { isCompared, thresholdFor, type GateConfig, type GateMode } from './config.js';
import { compareScenario, type Comparison, type DecisionOptions, type Pairing } from './decide.js';
import { envMismatchesAcross, type EnvMismatch } from './env-check.js';
import { scenarioIds, type GateRun } from './runs.js';

export interface RoundRuns {
  /** Empty when the baseline is stored. Interleaved: baseline[i] ran just before candidate[i]. */
  readonly baseline: readonly GateRun[];
  readonly candidate: readonly GateRun[];
  /** Paired runs only: the baseline's second instance beside baseline[i] (decide.ts, ScenarioInput.aa). */
  readonly aa?: readonly GateRun[];
}

/** Runs one round. `ids`: only these scenarios are needed (all of the mode's when undefined). */
export type RoundRunner = (round: number, ids: readonly string[] | undefined) => Promise<RoundRuns>;

export interface GateFlowOptions {
  readonly config: GateConfig;
  readonly mode: GateMode;
  readonly pairing: Pairing;
  /** The stored baseline's runs (pairing 'stored'). */
  readonly stored?: readonly GateRun[];
  readonly runRound: RoundRunner;
  readonly decision?: DecisionOptions;
}

export type GateStatus = 'pass' | 'regression' | 'refused';

export interface GateOutcome {
  readonly status: GateStatus;
  readonly comparisons: readonly Comparison[];
  readonly mismatches: readonly EnvMismatch[];
  readonly rounds: number;
  /** Verdicts of round 1, before confirmation. */
  readonly firstRound: readonly Comparison[];
}

function compareAll(options: GateFlowOptions, ids: readonly string[], runs: RoundRuns, stage: 'screen' | 'confirm'): Comparison[] {
  return ids.map((id) =>
    compareScenario(
      {
        id,
        pairing: options.pairing,
        baseline: runs.baseline,
        candidate: runs.candidate,
        threshold: thresholdFor(options.config, options.mode, id),
        stage,
        ...(runs.aa === undefined ? {} : { aa: runs.aa }),
      },
      options.decision,
    ),
  );
}

function withStored(options: GateFlowOptions, round: RoundRuns): RoundRuns {
  return options.pairing === 'stored' ? { baseline: options.stored ?? [], candidate: round.candidate } : round;
}

export async function runGateFlow(options: GateFlowOptions): Promise<GateOutcome> {
  if (options.pairing === 'stored' && (options.stored?.length ?? 0) === 0) throw new Error('a stored comparison needs baseline runs');
  const first = withStored(options, await options.runRound(1, undefined));
  const envOf = (r: GateRun): GateRun['results']['env'] => r.results.env;
  const mismatches = envMismatchesAcross(first.baseline.map(envOf), first.candidate.map(envOf));
  if (mismatches.length > 0) return { status: 'refused', comparisons: [], mismatches, rounds: 1, firstRound: [] };

  const ids = scenarioIds([...first.baseline, ...first.candidate]).filter((id) => isCompared(options.config, options.mode, id));
  const firstRound = compareAll(options, ids, first, 'screen');
  const suspected = firstRound.filter((c) => c.verdict === 'suspected').map((c) => c.id);
  let comparisons = firstRound;
  let rounds = 1;
  if (suspected.length > 0) {
    const second = withStored(options, await options.runRound(2, suspected));
    rounds = 2;
    const again = envMismatchesAcross(second.baseline.map(envOf), [...first.candidate, ...second.candidate].map(envOf));
    if (again.length > 0) return { status: 'refused', comparisons: firstRound, mismatches: again, rounds, firstRound };
    const pooled: RoundRuns = {
      baseline: options.pairing === 'stored' ? first.baseline : [...first.baseline, ...second.baseline],
      candidate: [...first.candidate, ...second.candidate],
      ...(first.aa === undefined || second.aa === undefined ? {} : { aa: [...first.aa, ...second.aa] }),
    };
    const confirmed = new Map(compareAll(options, suspected, pooled, 'confirm').map((c) => [c.id, c]));
    // The pooled runs include the round that raised the suspicion; the fresh round alone must also
    // lean the same way, or a lucky first round could carry the pooled verdict on its own.
    const fresh = new Map(compareAll(options, suspected, withStored(options, second), 'confirm').map((c) => [c.id, c]));
    comparisons = firstRound.map((c) => {
      const re = confirmed.get(c.id);
      if (re === undefined) return c;
      if (re.verdict === 'failed') return re;
      const freshRatio = fresh.get(c.id)?.ratio;
      const leans = freshRatio !== undefined && freshRatio < 1 - re.threshold / 2;
      return { ...re, verdict: re.verdict === 'suspected' && leans ? 'regression' : 'not confirmed' };
    });
  }
  const failing = comparisons.some((c) => c.verdict === 'regression' || c.verdict === 'failed');
  return { status: failing ? 'regression' : 'pass', comparisons, mismatches: [], rounds, firstRound };
}
