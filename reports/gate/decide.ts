/**
 * The gate's decision for one scenario, from the runs of both sides: a ratio (candidate / baseline,
 * below 1 is slower), a bootstrap confidence interval on it, and the noise floor of this machine
 * right now, measured by comparing a build with itself (A against A).
 *
 * Two stages, so that a real slowdown is rarely missed and noise rarely fails a build:
 * - screen (first round): suspected when the ratio is below 1 - threshold and the 80% interval lies
 *   below 1. Cheap to pass on noise, because a suspect is only measured again.
 * - confirm (both rounds' runs pooled): a regression when the ratio is below
 *   1 - max(threshold, noise floor) and the whole 95% interval lies below 1. The slowdown then
 *   matters (config), exceeds what the same build shows against itself (measured), and chance alone
 *   would rarely give it.
 *
 * Each run is one figure per scenario (runs.ts), and the statistic is a trimmed geometric mean, so
 * one disturbed run among several moves the ratio little. Interleaved runs (A B A B ...) are
 * compared pair by pair; stored baselines, taken at another time, are compared in units of each
 * run's calibration figure.
 */
import { bootstrapInterval, bootstrapRatioCI, hashSeed, inlierMask, trimmedMean } from '../stats.js';
import type { GateRun } from './runs.js';
import { figureOf } from './runs.js';

export const DECISION_DEFAULTS = {
  /** Confidence level of the reported interval, of the confirmation and of the noise floor. */
  level: 0.95,
  /** Confidence level of the first-round screen. */
  screenLevel: 0.8,
  iterations: 2000,
  /** Fraction of runs dropped from each end before averaging. */
  trim: 0.1,
  /** A run whose log figure is more than this many robust standard deviations from its side's median is dropped. */
  outlierK: 3,
  /** Smallest robust standard deviation assumed, in log units (2%): quiet runs are not outliers of quieter ones. */
  outlierMinScale: 0.02,
  /** Fewer runs than this on a side: none is dropped (the median absolute deviation of 3 or 4 says little). */
  outlierMinRuns: 5,
  /** Fewer A/A ratios than this: no noise floor is claimed. */
  minAaRatios: 4,
} as const;

export type DecisionOptions = { readonly [K in keyof typeof DECISION_DEFAULTS]?: number };

export const VERDICTS = ['ok', 'faster', 'suspected', 'regression', 'not confirmed', 'missing', 'failed'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** How the two sides' runs relate. */
export type Pairing = 'interleaved' | 'stored';

export interface Comparison {
  readonly id: string;
  readonly pairing: Pairing;
  /** Candidate / baseline, in units of the calibration figure when stored. */
  readonly ratio: number | undefined;
  readonly low: number | undefined;
  readonly high: number | undefined;
  /** Largest change (a fraction) the same build showed against itself; undefined when not measurable. */
  readonly noiseFloor: number | undefined;
  readonly threshold: number;
  readonly baselineRuns: number;
  readonly candidateRuns: number;
  readonly verdict: Verdict;
  readonly note?: string;
}

export interface ScenarioInput {
  readonly id: string;
  readonly pairing: Pairing;
  readonly baseline: readonly GateRun[];
  readonly candidate: readonly GateRun[];
  readonly threshold: number;
  /** 'screen': first round; 'confirm': all runs pooled after a suspicion. */
  readonly stage: 'screen' | 'confirm';
  /**
   * Interleaved only: a second instance of the baseline measured beside each baseline run (aa[i]
   * with baseline[i], paired runs). When present for this scenario, the noise floor comes from
   * these A/A ratios, measured under the comparison's own conditions.
   */
  readonly aa?: readonly GateRun[];
}

/** exp(trimmed mean of logs): a geometric mean that shrugs off a stray run. */
export function robustCenter(values: readonly number[], trim: number = DECISION_DEFAULTS.trim): number {
  return Math.exp(trimmedMean(values.map(Math.log), trim));
}

/** A run's figure for `id`, divided by its calibration figure when `calibrated`. */
function figure(run: GateRun, id: string, calibrated: boolean): number | undefined {
  const f = figureOf(run.results, id);
  if (f === undefined || !calibrated) return f;
  return run.calibration === undefined ? undefined : f / run.calibration;
}

/** x1/x0, x3/x2, ...: same-build comparisons that share no run, so they are independent. */
export function disjointRatios(values: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < values.length; i += 2) out.push((values[i + 1] ?? Number.NaN) / (values[i] ?? Number.NaN));
  return out;
}

/**
 * The noise floor from A/A ratios: the half-width of their interval, as a fraction. A change
 * smaller than this is one the same build shows against itself. undefined with fewer than
 * `minAaRatios` A/A ratios.
 */
export function noiseFloor(aaRatios: readonly number[], seed: number, options: DecisionOptions = {}): number | undefined {
  const o = { ...DECISION_DEFAULTS, ...options };
  if (aaRatios.length < o.minAaRatios) return undefined;
  const ci = bootstrapInterval(aaRatios, (xs) => robustCenter(xs, o.trim), { seed, iterations: o.iterations, level: o.level });
  if (ci === undefined) return undefined;
  return 1 - Math.exp(-(Math.log(ci.high) - Math.log(ci.low)) / 2);
}

export function compareScenario(input: ScenarioInput, options: DecisionOptions = {}): Comparison {
  const o = { ...DECISION_DEFAULTS, ...options };
  const { id, pairing, threshold, stage } = input;
  const calibrated = pairing === 'stored' && [...input.baseline, ...input.candidate].every((r) => r.calibration !== undefined);
  let base: number[] = [];
  let cand: number[] = [];
  let pairs: number[] = [];
  let aaRatios: number[] = [];
  let dropped = 0;
  const inliers = (xs: readonly number[]): boolean[] => (xs.length < o.outlierMinRuns ? xs.map(() => true) : inlierMask(xs.map(Math.log), o.outlierK, o.outlierMinScale));
  if (pairing === 'interleaved') {
    const n = Math.min(input.baseline.length, input.candidate.length);
    const twin: (number | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      const b = input.baseline[i];
      const c = input.candidate[i];
      const a2 = input.aa?.[i];
      const fb = b === undefined ? undefined : figure(b, id, false);
      const fc = c === undefined ? undefined : figure(c, id, false);
      if (fb !== undefined && fc !== undefined) {
        base.push(fb);
        cand.push(fc);
        twin.push(a2 === undefined ? undefined : figure(a2, id, false));
      }
    }
    // A pair goes when either of its runs was disturbed. Paired runs (every pair with its twin) meet
    // the machine at whatever speed it had then, so their raw figures swing by design: there the
    // ratios within each process are what a disturbance shows in.
    const twinned = twin.length > 0 && twin.every((t) => t !== undefined);
    const keepB = twinned ? inliers(base.map((b, i) => (twin[i] ?? Number.NaN) / b)) : inliers(base);
    const keepC = twinned ? inliers(cand.map((c, i) => c / (base[i] ?? Number.NaN))) : inliers(cand);
    const keep = base.map((_, i) => keepB[i] === true && keepC[i] === true);
    dropped = keep.filter((k) => !k).length;
    aaRatios = base.flatMap((b, i) => (keep[i] === true && twin[i] !== undefined ? [twin[i] / b] : []));
    base = base.filter((_, i) => keep[i]);
    cand = cand.filter((_, i) => keep[i]);
    pairs = cand.map((c, i) => c / (base[i] ?? Number.NaN));
  } else {
    for (const r of input.baseline) {
      const f = figure(r, id, calibrated);
      if (f !== undefined) base.push(f);
    }
    for (const r of input.candidate) {
      const f = figure(r, id, calibrated);
      if (f !== undefined) cand.push(f);
    }
    const keepB = inliers(base);
    const keepC = inliers(cand);
    dropped = keepB.filter((k) => !k).length + keepC.filter((k) => !k).length;
    base = base.filter((_, i) => keepB[i]);
    cand = cand.filter((_, i) => keepC[i]);
  }
  const failedRuns = input.candidate.filter((r) => r.results.scenarios.some((s) => s.id === id && s.status !== 'ok')).length;
  const empty = { id, pairing, threshold, ratio: undefined, low: undefined, high: undefined, noiseFloor: undefined, baselineRuns: base.length, candidateRuns: cand.length };
  if (failedRuns > 0) return { ...empty, verdict: 'failed', note: `failed in ${failedRuns} candidate run(s)` };
  if (base.length < 2 || cand.length < 2) return { ...empty, verdict: 'missing', note: 'fewer than two runs on a side' };

  const seed = hashSeed(id);
  const center = (xs: readonly number[]): number => robustCenter(xs, o.trim);
  const bootstrap = { seed, iterations: o.iterations, level: o.level };
  const interval = (level: number): { ratio: number; low: number; high: number } | undefined => {
    if (pairing === 'interleaved') {
      const ci = bootstrapInterval(pairs, center, { ...bootstrap, level });
      return ci === undefined ? undefined : { ratio: ci.estimate, low: ci.low, high: ci.high };
    }
    return bootstrapRatioCI(cand, base, { ...bootstrap, level, center });
  };
  const ci = interval(o.level);
  const screen = interval(o.screenLevel);
  if (ci === undefined || screen === undefined) return { ...empty, verdict: 'missing', note: 'no positive baseline figure' };
  const { ratio, low, high } = ci;
  // Paired runs carry their own A/A (the baseline beside itself); otherwise same-side runs that
  // share nothing stand in for it.
  const aa = aaRatios.length >= o.minAaRatios ? aaRatios : [...disjointRatios(base), ...disjointRatios(cand)];
  const floor = noiseFloor(aa, seed ^ 0x5bd1e995, o);
  const margin = stage === 'screen' ? threshold : Math.max(threshold, floor ?? 0);
  const bounds = stage === 'screen' ? screen : ci;
  let verdict: Verdict = 'ok';
  if (ratio < 1 - margin && bounds.high < 1) verdict = 'suspected';
  else if (ratio > 1 + margin && bounds.low > 1) verdict = 'faster';
  const notes: string[] = [];
  if (dropped > 0) notes.push(`${dropped} outlier run(s) dropped`);
  if (pairing === 'stored' && !calibrated) notes.push('uncalibrated: raw msgs/s compared');
  if (floor === undefined) notes.push('too few runs for an A/A noise floor');
  else if (floor > threshold) notes.push('noise floor above threshold');
  return {
    id,
    pairing,
    threshold,
    ratio,
    low,
    high,
    noiseFloor: floor,
    baselineRuns: base.length,
    candidateRuns: cand.length,
    verdict,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}
