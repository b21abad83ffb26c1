/**
 * Records a stored baseline (`gate --record FILE`): the candidate build measured `runs` times, each
 * run with its calibration figure, slimmed to what the gate reads, written in the baseline format of
 * reports/gate/baseline-file.ts.
 */
import { buildBaseline, isCompared, slimResults, writeBaseline, type GateRun } from '../../reports/gate/index.js';
import { probeBench } from './bench-process.js';
import { measureRun, type GateOptions } from './run-gate.js';

export async function recordBaseline(options: Omit<GateOptions, 'baseline'>, path: string): Promise<number> {
  const mode = options.config.modes[options.mode];
  const runs = options.runs ?? 2 * mode.runs;
  const m = { build: options.candidate, features: await probeBench(options.candidate) };
  const keep = (id: string): boolean => isCompared(options.config, options.mode, id) || options.config.calibration.includes(id);
  const recorded: GateRun[] = [];
  for (let i = 0; i < runs; i++) {
    options.log(`recording: run ${i + 1}/${runs}`);
    const run = await measureRun(m, { ...options, baseline: { kind: 'file', path } }, mode.scenarios, 'baseline', true);
    recorded.push({ ...run, results: slimResults(run.results, keep) });
  }
  writeBaseline(path, buildBaseline({ mode: options.mode, suite: mode.suite, durationS: options.durationS ?? mode.duration, calibration: options.config.calibration, runs: recorded }));
  return runs;
}
