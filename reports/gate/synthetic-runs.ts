/**
 * Synthetic benchmark runs for the gate's tests, with the noise of a shared 2-core VM: every run is
 * off by a lognormal factor (5-10% coefficient of variation per scenario, plus a factor shared by all
 * scenarios of the run, as when a neighbour loads the machine), a few runs are outliers (a burst of
 * interference takes 15-40% off one scenario), and a whole session may run slower than another.
 * Deterministic for a seed. Built through the real results schema, as bench writes them.
 */
import { resultsSchema, type Results, type Scenario } from '../../bench/results.js';
import { seededRandom } from '../stats.js';
import type { RoundRunner } from './flow.js';
import { gateRun, type GateRun } from './runs.js';

export interface SyntheticScenario {
  readonly id: string;
  /** msgs/s when nothing disturbs the run. */
  readonly rate: number;
  /** Coefficient of variation of this scenario's figure from run to run. */
  readonly cv: number;
}

export interface NoiseModel {
  /** CV of the factor all scenarios of one run share. */
  readonly machineCv: number;
  /** Chance that a scenario's run is an outlier. */
  readonly outlierRate: number;
  /** An outlier loses between these fractions of its throughput. */
  readonly outlierLoss: readonly [number, number];
  /** Samples recorded per scenario and run (the figure is their median). */
  readonly samples: number;
  /** CV of one sample around its run's level. */
  readonly sampleCv: number;
}

export const VM_NOISE: NoiseModel = { machineCv: 0.03, outlierRate: 0.03, outlierLoss: [0.15, 0.4], samples: 31, sampleCv: 0.05 };

export const SYNTHETIC_ENV: Results['env'] = { node: 'v20.20.2', v8: '11.3.244.8-node.33', cpu: 'AMD EPYC', cores: 2, os: 'linux 6.1 x64', commit: 'synthetic' };

export interface SyntheticRunOptions {
  readonly scenarios: readonly SyntheticScenario[];
  readonly noise?: NoiseModel;
  /** Fraction of throughput removed from scenarios by id (a real slowdown in the candidate). */
  readonly slowdown?: Readonly<Record<string, number>>;
  /** Factor on every rate for the whole session (a slower machine today). */
  readonly session?: number;
  readonly env?: Results['env'];
  readonly calibrationIds: readonly string[];
}

/** Draws standard normal variates from a uniform PRNG (Box-Muller). */
export function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A lognormal factor with mean 1 and the given coefficient of variation. */
export function lognormal(random: () => number, cv: number): number {
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  return Math.exp(sigma * normal(random) - (sigma * sigma) / 2);
}

export function syntheticRun(random: () => number, options: SyntheticRunOptions): GateRun {
  const noise = options.noise ?? VM_NOISE;
  const machine = lognormal(random, noise.machineCv) * (options.session ?? 1);
  const scenarios: Scenario[] = options.scenarios.map((s) => {
    let level = s.rate * machine * lognormal(random, s.cv) * (1 - (options.slowdown?.[s.id] ?? 0));
    if (random() < noise.outlierRate) level *= 1 - (noise.outlierLoss[0] + random() * (noise.outlierLoss[1] - noise.outlierLoss[0]));
    const samples = Array.from({ length: noise.samples }, () => level * lognormal(random, noise.sampleCv));
    return {
      id: s.id,
      target: 'mqlab',
      params: { payloadBytes: 200 },
      throughput: { msgs_per_s: level, MB_per_s: (level * 200) / 1e6 },
      threads: 1,
      cores: 2,
      messages: Math.round(level),
      elapsed_ns: 1e9,
      samples_msgs_per_s: samples,
      status: 'ok',
    };
  });
  const results = resultsSchema.parse({ schema: 1, created: '2026-01-01T00:00:00.000Z', suite: 'micro', env: options.env ?? SYNTHETIC_ENV, scenarios });
  return gateRun(results, options.calibrationIds);
}

/** The scenarios of the tests: two calibration ceilings and three mqlab scenarios, at 5-10% CV. */
export const SYNTHETIC_SCENARIOS: readonly SyntheticScenario[] = [
  { id: 'ceiling.copy.200B', rate: 90e6, cv: 0.03 },
  { id: 'ceiling.copy.200B.sab', rate: 60e6, cv: 0.03 },
  { id: 'log.append.200B', rate: 22e6, cv: 0.05 },
  { id: 'log.append.batch.200B', rate: 99e6, cv: 0.07 },
  { id: 'log.read.200B', rate: 90e6, cv: 0.1 },
];

export interface SyntheticGateOptions {
  readonly seed: number;
  readonly runs: number;
  readonly calibrationIds: readonly string[];
  readonly scenarios?: readonly SyntheticScenario[];
  readonly noise?: NoiseModel;
  readonly slowdown?: Readonly<Record<string, number>>;
  /** Session factor of the candidate's runs against a stored baseline's. */
  readonly session?: number;
  readonly env?: Results['env'];
}

/** A stored baseline of `runs` synthetic runs, recorded in its own session. */
export function syntheticStoredBaseline(options: SyntheticGateOptions): GateRun[] {
  const random = seededRandom(options.seed ^ 0x9e3779b9);
  const o = { scenarios: options.scenarios ?? SYNTHETIC_SCENARIOS, noise: options.noise, calibrationIds: options.calibrationIds, env: options.env };
  return Array.from({ length: options.runs }, () => syntheticRun(random, o));
}

/**
 * A round runner over synthetic runs: interleaved rounds give `runs` baseline runs and `runs`
 * candidate runs; stored rounds give candidate runs only.
 */
export function syntheticRounds(options: SyntheticGateOptions, pairing: 'interleaved' | 'stored'): RoundRunner {
  const random = seededRandom(options.seed);
  const common = { scenarios: options.scenarios ?? SYNTHETIC_SCENARIOS, noise: options.noise, calibrationIds: options.calibrationIds, env: options.env };
  return (): Promise<{ baseline: GateRun[]; candidate: GateRun[] }> => {
    const baseline: GateRun[] = [];
    const candidate: GateRun[] = [];
    for (let i = 0; i < options.runs; i++) {
      if (pairing === 'interleaved') baseline.push(syntheticRun(random, { ...common, session: options.session }));
      candidate.push(syntheticRun(random, { ...common, slowdown: options.slowdown, session: options.session }));
    }
    return Promise.resolve({ baseline, candidate });
  };
}

/**
 * A shared machine whose speed jumps between two levels (a neighbour on the sibling hyperthread
 * takes half of a core, as measured on this project's CI machines): each paired process meets the
 * machine at either level, independently of the process before it.
 */
export const BIMODAL_MACHINE = { slowLevel: 0.5, slowChance: 0.6 } as const;

/** What varies between arms of one paired process: a few percent per arm, and the usual outliers. */
export const PAIRED_NOISE: NoiseModel = { machineCv: 0, outlierRate: 0.03, outlierLoss: [0.15, 0.4], samples: 0, sampleCv: 0 };

/**
 * A round runner over synthetic *paired* runs (scripts/gate/paired-run.ts): per pair one machine
 * level, drawn from BIMODAL_MACHINE, shared by the baseline, the candidate and the baseline's twin,
 * each with its own few percent (the scenarios' cv) and outliers.
 */
export function syntheticPairedRounds(options: SyntheticGateOptions): RoundRunner {
  const random = seededRandom(options.seed);
  const common = { scenarios: options.scenarios ?? SYNTHETIC_SCENARIOS, noise: PAIRED_NOISE, calibrationIds: options.calibrationIds, env: options.env };
  return (): Promise<{ baseline: GateRun[]; candidate: GateRun[]; aa: GateRun[] }> => {
    const baseline: GateRun[] = [];
    const candidate: GateRun[] = [];
    const aa: GateRun[] = [];
    for (let i = 0; i < options.runs; i++) {
      const level = random() < BIMODAL_MACHINE.slowChance ? BIMODAL_MACHINE.slowLevel : 1;
      baseline.push(syntheticRun(random, { ...common, session: level }));
      candidate.push(syntheticRun(random, { ...common, session: level, slowdown: options.slowdown }));
      aa.push(syntheticRun(random, { ...common, session: level }));
    }
    return Promise.resolve({ baseline, candidate, aa });
  };
}

/** The same bimodal machine met by one process per build: each run draws its own level. */
export function syntheticBimodalRounds(options: SyntheticGateOptions): RoundRunner {
  const random = seededRandom(options.seed);
  const common = { scenarios: options.scenarios ?? SYNTHETIC_SCENARIOS, noise: PAIRED_NOISE, calibrationIds: options.calibrationIds, env: options.env };
  const run = (slowdown?: Readonly<Record<string, number>>): GateRun =>
    syntheticRun(random, { ...common, session: random() < BIMODAL_MACHINE.slowChance ? BIMODAL_MACHINE.slowLevel : 1, ...(slowdown === undefined ? {} : { slowdown }) });
  return (): Promise<{ baseline: GateRun[]; candidate: GateRun[] }> => {
    const baseline: GateRun[] = [];
    const candidate: GateRun[] = [];
    for (let i = 0; i < options.runs; i++) {
      baseline.push(run());
      candidate.push(run(options.slowdown));
    }
    return Promise.resolve({ baseline, candidate });
  };
}
