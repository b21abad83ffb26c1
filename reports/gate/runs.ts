/**
 * One benchmark process's results as the gate sees them: each scenario reduced to one figure, and
 * the machine's speed in that same process (its calibration figure), so that runs made at different
 * times can be compared in units of the machine rather than in raw msgs/s.
 */
import type { Results, Scenario } from '../../bench/results.js';
import { median } from '../stats.js';

export interface GateRun {
  readonly results: Results;
  /** msgs/s of the calibration workload in this run; undefined when none was measured. */
  readonly calibration: number | undefined;
  /** Where the calibration figure came from: the run's own scenarios, or the gate process. */
  readonly calibrationSource: 'scenarios' | 'gate' | 'none';
}

/**
 * With at least this many samples a scenario's figure is their median: a burst from a neighbour on
 * a shared machine then moves it little. With fewer, the run's overall msgs/s.
 */
export const MIN_SAMPLES_FOR_MEDIAN = 20;

/** The figure the gate compares for one scenario of one run; undefined when it failed. */
export function scenarioFigure(s: Scenario): number | undefined {
  if (s.status !== 'ok') return undefined;
  const samples = s.samples_msgs_per_s;
  const figure = samples !== undefined && samples.length >= MIN_SAMPLES_FOR_MEDIAN ? median(samples) : s.throughput.msgs_per_s;
  return figure > 0 && Number.isFinite(figure) ? figure : undefined;
}

export function figureOf(results: Results, id: string): number | undefined {
  const s = results.scenarios.find((x) => x.id === id);
  return s === undefined ? undefined : scenarioFigure(s);
}

/** Geometric mean of the calibration scenarios' figures; undefined unless every one is present. */
export function calibrationFromScenarios(results: Results, ids: readonly string[]): number | undefined {
  if (ids.length === 0) return undefined;
  let logSum = 0;
  for (const id of ids) {
    const f = figureOf(results, id);
    if (f === undefined) return undefined;
    logSum += Math.log(f);
  }
  return Math.exp(logSum / ids.length);
}

/**
 * A run from results: calibrated by its own calibration scenarios when it has them, else by a
 * figure the gate measured in the same process run (`gateCalibration`), else not at all.
 */
export function gateRun(results: Results, calibrationIds: readonly string[], gateCalibration?: number): GateRun {
  const own = calibrationFromScenarios(results, calibrationIds);
  if (own !== undefined) return { results, calibration: own, calibrationSource: 'scenarios' };
  if (gateCalibration !== undefined && gateCalibration > 0) return { results, calibration: gateCalibration, calibrationSource: 'gate' };
  return { results, calibration: undefined, calibrationSource: 'none' };
}

/** Scenario ids present in any of the runs, in first-seen order. */
export function scenarioIds(runs: readonly GateRun[]): string[] {
  const ids = new Set<string>();
  for (const r of runs) for (const s of r.results.scenarios) ids.add(s.id);
  return [...ids];
}
