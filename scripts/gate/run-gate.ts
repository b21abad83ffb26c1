/**
 * The gate with real benchmark processes: builds the baseline when it is a git ref, measures rounds
 * (interleaved A B A B ..., or the candidate alone against a stored baseline) and hands them to the
 * decision flow in reports/gate. Prints progress through `log` only; the verdict is the caller's to
 * print.
 *
 * Threads: the gate process itself idles while a benchmark process runs, one at a time, so a round
 * uses the threads of one benchmark process (1 for log.*, 2 for ring.*) on the machine's cores.
 */
import os from 'node:os';
import {
  envMismatches,
  INJECT_ENV,
  applySlowdown,
  gateRun,
  readBaseline,
  runGateFlow,
  type GateConfig,
  type GateMode,
  type GateOutcome,
  type GateRun,
  type RoundRunner,
  type Slowdown,
} from '../../reports/gate/index.js';
import { LOG_SCENARIO_PREFIXES } from '../../bench/micro/log.js';
import type { Results } from '../../bench/results.js';
import { probeBench, runBenchProcess, runPairedProcess, withTwin, type BenchFeatures, type Build } from './bench-process.js';
import type { PairedOutput } from './paired-run.js';
import { measureCalibration } from './calibration.js';
import { withWorktreeBuild, type Log } from './worktree.js';

/** What the candidate is compared with. */
export type BaselineSource =
  | { readonly kind: 'ref'; readonly ref: string }
  | { readonly kind: 'dist'; readonly dist: string; readonly cwd: string }
  | { readonly kind: 'file'; readonly path: string };

export interface GateOptions {
  readonly config: GateConfig;
  readonly mode: GateMode;
  readonly candidate: Build;
  readonly baseline: BaselineSource;
  /** Overrides the mode's runs per side and round. */
  readonly runs?: number;
  /** Overrides the mode's measured seconds per scenario. */
  readonly durationS?: number;
  /** Applied to the candidate's figures: for validating the gate only (inject.ts). */
  readonly slowdowns: readonly Slowdown[];
  readonly log: Log;
}

/** The machine this process runs on, in the fields the environment check compares. */
export function currentEnv(): { node: string; cpu: string; cores: number } {
  return { node: process.version, cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism() };
}

interface Measurer {
  readonly build: Build;
  readonly features: BenchFeatures;
}

async function measurer(build: Build): Promise<Measurer> {
  return { build, features: await probeBench(build) };
}

/** One benchmark process as a gate run: calibrated by its own ceilings, or by the gate when it has none. */
export async function measureRun(
  m: Measurer,
  options: GateOptions,
  patterns: readonly string[],
  side: 'baseline' | 'candidate',
  needCalibration: boolean,
): Promise<GateRun> {
  const mode = options.config.modes[options.mode];
  const request = { suite: mode.suite, scenarios: [...patterns, ...options.config.calibration], durationS: options.durationS ?? mode.duration };
  let results = await runBenchProcess(m.build, m.features, request);
  if (side === 'candidate') results = applySlowdown(results, options.slowdowns);
  let run = gateRun(results, options.config.calibration);
  if (run.calibration === undefined && needCalibration) run = gateRun(results, options.config.calibration, await measureCalibration());
  return run;
}

function describe(options: GateOptions): string {
  const mode = options.config.modes[options.mode];
  const inject = options.slowdowns.length > 0 ? ` | INJECTED slowdown ${options.slowdowns.map((s) => `${s.pattern}:${s.fraction}`).join(',')} (${INJECT_ENV}: validating the gate)` : '';
  const runs = `${options.runs ?? mode.runs} ${options.baseline.kind === 'file' ? `candidate runs per round against ${options.baseline.path}` : 'interleaved pairs per round'}`;
  return `gate ${options.mode}: ${runs}, ${options.durationS ?? mode.duration} s per scenario, suite ${mode.suite}${inject}`;
}

/**
 * Interleaved rounds. Scenarios the paired runner covers (PAIRED_PREFIXES) are measured by one
 * paired process per pair (paired-run.ts: both builds in one process, alternating slices, with the
 * baseline's A/A twin); the rest by a baseline process, then a candidate process, the order of the
 * two swapped every other pair. Builds without the paired runner's hook are measured process by
 * process throughout.
 */
function interleavedRounds(baseline: Measurer, twin: string, candidate: Measurer, options: GateOptions): RoundRunner {
  const mode = options.config.modes[options.mode];
  const runs = options.runs ?? mode.runs;
  const durationS = options.durationS ?? mode.duration;
  let pairable = true;
  return async (round, ids) => {
    const patterns = ids ?? mode.scenarios;
    const a: GateRun[] = [];
    const b: GateRun[] = [];
    const aa: GateRun[] = [];
    for (let i = 0; i < runs; i++) {
      options.log(`round ${round}: pair ${i + 1}/${runs} (A = ${baseline.build.label}, B = ${candidate.build.label})`);
      const paired = pairable ? patterns.filter((p) => PAIRED_PREFIXES.some((prefix) => p.startsWith(prefix))) : [];
      const rest = patterns.filter((p) => !paired.includes(p));
      let fromPair: PairedOutput | undefined;
      if (paired.length > 0) {
        fromPair = await runPairedProcess(baseline.build, twin, candidate.build, paired, durationS);
        if (fromPair === undefined) {
          pairable = false;
          options.log('a build has no paired runner: measuring process by process');
          rest.unshift(...paired);
        }
      }
      let runA: GateRun | undefined;
      let runB: GateRun | undefined;
      if (rest.length > 0) {
        // Swap the order every other pair, so that neither build always runs first.
        if (i % 2 === 0) {
          runA = await measureRun(baseline, options, rest, 'baseline', false);
          runB = await measureRun(candidate, options, rest, 'candidate', false);
        } else {
          runB = await measureRun(candidate, options, rest, 'candidate', false);
          runA = await measureRun(baseline, options, rest, 'baseline', false);
        }
      }
      a.push(joinRuns(fromPair?.a, runA, options, false));
      b.push(joinRuns(fromPair?.b, runB, options, true));
      if (fromPair !== undefined) aa.push(joinRuns(fromPair.aa, undefined, options, false));
    }
    return { baseline: a, candidate: b, ...(aa.length === runs ? { aa } : {}) };
  };
}

/** Scenario prefixes the paired runner measures: the log micro group's (paired-run.ts loads its iterations). */
const PAIRED_PREFIXES = LOG_SCENARIO_PREFIXES;

/** One run from a paired process's results and a process run's: their scenarios side by side. */
function joinRuns(paired: Results | undefined, run: GateRun | undefined, options: GateOptions, candidate: boolean): GateRun {
  const own = paired === undefined ? undefined : candidate ? applySlowdown(paired, options.slowdowns) : paired;
  if (own === undefined) {
    if (run === undefined) throw new Error('a gate run measured nothing');
    return run;
  }
  const results: Results = run === undefined ? own : { ...own, scenarios: [...own.scenarios, ...run.results.scenarios] };
  return gateRun(results, options.config.calibration);
}

function candidateRounds(candidate: Measurer, options: GateOptions): RoundRunner {
  const mode = options.config.modes[options.mode];
  const runs = options.runs ?? mode.runs;
  return async (round, ids) => {
    const patterns = ids ?? mode.scenarios;
    const c: GateRun[] = [];
    for (let i = 0; i < runs; i++) {
      options.log(`round ${round}: run ${i + 1}/${runs} (${candidate.build.label})`);
      c.push(await measureRun(candidate, options, patterns, 'candidate', true));
    }
    return { baseline: [], candidate: c };
  };
}

export async function runGate(options: GateOptions): Promise<GateOutcome> {
  options.log(describe(options));
  const candidate = await measurer(options.candidate);
  const source = options.baseline;
  switch (source.kind) {
    case 'file': {
      const stored = readBaseline(source.path, options.config.calibration);
      // Refuse before measuring anything: a baseline from another machine cannot be compared.
      const first = stored.runs[0];
      const mismatches = first === undefined ? [] : envMismatches(first.results.env, currentEnv());
      if (mismatches.length > 0) return { status: 'refused', comparisons: [], mismatches, rounds: 0, firstRound: [] };
      return runGateFlow({ config: options.config, mode: options.mode, pairing: 'stored', stored: stored.runs, runRound: candidateRounds(candidate, options) });
    }
    case 'dist': {
      const baseline = await measurer({ label: `baseline ${source.dist}`, dist: source.dist, cwd: source.cwd });
      return withTwin(baseline.build, (twin) =>
        runGateFlow({ config: options.config, mode: options.mode, pairing: 'interleaved', runRound: interleavedRounds(baseline, twin, candidate, options) }),
      );
    }
    case 'ref':
      return withWorktreeBuild(options.candidate.cwd, source.ref, options.log, async (build) => {
        const baseline = await measurer(build);
        return withTwin(build, (twin) =>
          runGateFlow({ config: options.config, mode: options.mode, pairing: 'interleaved', runRound: interleavedRounds(baseline, twin, candidate, options) }),
        );
      });
    default: {
      const never: never = source;
      throw new Error(`unknown baseline source ${JSON.stringify(never)}`);
    }
  }
}
