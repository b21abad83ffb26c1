import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats.js';
import { buildBaseline, parseBaseline, slimResults } from './baseline-file.js';
import { scenarioFigure } from './runs.js';
import { SYNTHETIC_SCENARIOS, syntheticRun } from './synthetic-runs.js';

const calibrationIds = ['ceiling.copy.200B', 'ceiling.copy.200B.sab'];

describe('stored baselines', () => {
  it('round-trips runs with their calibration figures through the file format', () => {
    const random = seededRandom(1);
    const runs = [1, 2, 3].map(() => syntheticRun(random, { scenarios: SYNTHETIC_SCENARIOS, calibrationIds }));
    const file = buildBaseline({ mode: 'smoke', suite: 'micro', durationS: 0.15, calibration: calibrationIds, runs });
    const back = parseBaseline(JSON.parse(JSON.stringify(file)), calibrationIds);
    expect(back.source).toBe('baseline file');
    expect(back.runs.map((r) => r.calibration)).toEqual(runs.map((r) => r.calibration));
    expect(back.runs.every((r) => r.calibrationSource === 'scenarios')).toBe(true);
  });

  it('accepts a plain results file as a baseline of one run', () => {
    const run = syntheticRun(seededRandom(2), { scenarios: SYNTHETIC_SCENARIOS, calibrationIds });
    const back = parseBaseline(JSON.parse(JSON.stringify(run.results)), calibrationIds);
    expect(back.source).toBe('results file');
    expect(back.runs[0]?.calibration).toBeCloseTo(run.calibration ?? 0);
  });

  it('rejects anything else, saying why', () => {
    expect(() => parseBaseline({ schema: 2 }, calibrationIds)).toThrow(/not a gate baseline/);
  });

  it('slims samples to percentiles without moving the figure the gate compares', () => {
    const run = syntheticRun(seededRandom(3), { scenarios: SYNTHETIC_SCENARIOS, calibrationIds, noise: { machineCv: 0.03, outlierRate: 0, outlierLoss: [0, 0], samples: 999, sampleCv: 0.05 } });
    const slim = slimResults(run.results, (id) => id !== 'log.read.200B');
    expect(slim.scenarios.map((s) => s.id)).not.toContain('log.read.200B');
    for (const s of slim.scenarios) {
      const original = run.results.scenarios.find((x) => x.id === s.id);
      if (original === undefined) throw new Error(`lost ${s.id}`);
      expect(s.samples_msgs_per_s).toHaveLength(101);
      expect(scenarioFigure(s)).toBeCloseTo(scenarioFigure(original) ?? 0, 6);
    }
  });
});
