import { describe, expect, it } from 'vitest';
import type { Results } from '../../bench/results.js';
import { compareScenario, disjointRatios, noiseFloor, robustCenter } from './decide.js';
import { formatOutcome } from './format.js';
import { gateRun, type GateRun } from './runs.js';
import { SYNTHETIC_ENV } from './synthetic-runs.js';

/** A run with the given msgs/s per scenario, no samples (the figure is the throughput). */
function run(figures: Record<string, number>, failed: readonly string[] = []): GateRun {
  const results: Results = {
    schema: 1,
    created: '2026-01-01T00:00:00.000Z',
    suite: 'micro',
    env: SYNTHETIC_ENV,
    scenarios: Object.entries(figures).map(([id, v]) => ({
      id,
      target: 'mqlab',
      params: {},
      throughput: { msgs_per_s: v, MB_per_s: (v * 200) / 1e6 },
      threads: 1,
      cores: 2,
      messages: v,
      elapsed_ns: 1e9,
      status: failed.includes(id) ? ('failed' as const) : ('ok' as const),
    })),
  };
  return gateRun(results, ['cal']);
}

const series = (values: readonly number[], cal: readonly number[] = values.map(() => 100)): GateRun[] => values.map((v, i) => run({ x: v, cal: cal[i] ?? 100 }));
const input = (baseline: GateRun[], candidate: GateRun[], stage: 'screen' | 'confirm' = 'confirm', pairing: 'interleaved' | 'stored' = 'interleaved') =>
  ({ id: 'x', pairing, baseline, candidate, threshold: 0.08, stage }) as const;

const base = [100, 101, 99, 100.5, 99.5, 100, 100.2, 99.8];

describe('compareScenario', () => {
  it('flags a clear, consistent 20% slowdown', () => {
    const c = compareScenario(input(series(base), series(base.map((v) => v * 0.8))));
    expect(c.verdict).toBe('suspected');
    expect(c.ratio).toBeCloseTo(0.8, 2);
    expect(c.high).toBeLessThan(1);
  });

  it('calls a slowdown below the threshold ok, however certain', () => {
    expect(compareScenario(input(series(base), series(base.map((v) => v * 0.95)))).verdict).toBe('ok');
  });

  it('reports a clear speed-up as faster', () => {
    expect(compareScenario(input(series(base), series(base.map((v) => v * 1.3)))).verdict).toBe('faster');
  });

  it('does not confirm a slowdown smaller than the A/A noise floor', () => {
    // Runs of the same build differ by ±30%: a 12% drop is inside that.
    const noisy = [100, 130, 100, 70, 100, 135, 100, 68];
    const c = compareScenario(input(series(noisy), series(noisy.map((v) => v * 0.88))));
    expect(c.noiseFloor).toBeGreaterThan(0.12);
    expect(c.verdict).toBe('ok');
  });

  it('paired runs: the noise floor comes from the baseline beside its twin, not from runs made at other times', () => {
    // The machine's speed swings ±30% between paired processes, but within each process the three
    // arms meet the same machine: B is 12% slower than A in every pair, and the twin matches A.
    const swinging = [100, 130, 100, 70, 100, 135, 100, 68];
    const baseline = series(swinging);
    const candidate = series(swinging.map((v) => v * 0.88));
    const twin = series(swinging.map((v, i) => v * (i % 2 === 0 ? 1.01 : 0.99)));
    const paired = compareScenario({ ...input(baseline, candidate), aa: twin });
    expect(paired.noiseFloor).toBeLessThan(0.03);
    expect(paired.verdict).toBe('suspected');
    // Without the twin the same runs fall back to same-side ratios, whose ±30% hides the 12%.
    expect(compareScenario(input(baseline, candidate)).verdict).toBe('ok');
    // A twin that strays from A by ±25% makes the same 12% a change the build shows against itself.
    const wide = series(swinging.map((v, i) => v * (i % 2 === 0 ? 0.75 : 1.25)));
    const unsure = compareScenario({ ...input(baseline, candidate), aa: wide });
    expect(unsure.noiseFloor).toBeGreaterThan(0.12);
    expect(unsure.verdict).toBe('ok');
  });

  it('drops a disturbed run instead of letting it decide', () => {
    const cand = base.map((v) => v);
    cand[3] = 40;
    const c = compareScenario(input(series(base), series(cand)));
    expect(c.verdict).toBe('ok');
    expect(c.note).toMatch(/1 outlier run/);
    expect(c.candidateRuns).toBe(7);
  });

  it('compares stored runs in units of their calibration figure', () => {
    // Everything, the calibration included, runs 25% slower today: no regression.
    const c = compareScenario(input(series(base), series(base.map((v) => v * 0.75), base.map(() => 75)), 'confirm', 'stored'));
    expect(c.ratio).toBeCloseTo(1, 2);
    expect(c.verdict).toBe('ok');
  });

  it('screens with a looser interval than it confirms with', () => {
    const b = [100, 104, 97, 102, 99, 103, 96, 101];
    const c = [88, 95, 84, 90, 93, 86, 91, 89];
    const screened = compareScenario(input(series(b), series(c), 'screen'));
    const confirmed = compareScenario(input(series(b), series(c), 'confirm'));
    expect(screened.verdict).toBe('suspected');
    expect(confirmed.ratio).toBe(screened.ratio);
  });

  it('marks a scenario that failed in the candidate as failed, and one run once as missing', () => {
    const failed = compareScenario(input(series(base), base.map((v) => run({ x: v, cal: 100 }, ['x']))));
    expect(failed.verdict).toBe('failed');
    expect(compareScenario(input(series([100]), series([90]))).verdict).toBe('missing');
  });
});

describe('statistics helpers', () => {
  it('pairs disjoint neighbours for A/A ratios', () => {
    expect(disjointRatios([1, 2, 4, 2, 5])).toEqual([2, 0.5]);
  });

  it('gives a noise floor near zero for identical runs and a wide one for scattered runs', () => {
    expect(noiseFloor([1, 1, 1, 1], 1)).toBeCloseTo(0, 6);
    expect(noiseFloor([0.7, 1.3, 0.8, 1.25, 0.75, 1.2], 1)).toBeGreaterThan(0.1);
    expect(noiseFloor([1, 1, 1], 1)).toBeUndefined();
  });

  it('takes a geometric centre', () => {
    expect(robustCenter([0.5, 2], 0)).toBeCloseTo(1, 9);
  });
});

describe('formatOutcome', () => {
  it('prints scenario, ratio, interval, floor, threshold and verdict, and the refusal reasons', () => {
    const c = compareScenario(input(series(base), series(base.map((v) => v * 0.8))));
    const text = formatOutcome({ status: 'regression', comparisons: [{ ...c, verdict: 'regression' }], mismatches: [], rounds: 2, firstRound: [c] });
    expect(text).toMatch(/scenario\s+ratio\s+95% CI\s+change\s+A\/A floor\s+threshold/);
    expect(text).toMatch(/^x\s+0\.80\d\s+0\.\d+\.\.0\.\d+\s+-20\.\d%\s+±\d+\.\d%\s+-8%\s+8\/8\s+REGRESSION/m);
    expect(text).toMatch(/gate FAIL: regression confirmed on re-run: x/);
    const refused = formatOutcome({ status: 'refused', comparisons: [], mismatches: [{ field: 'cores', baseline: '4', candidate: '2' }], rounds: 1, firstRound: [] });
    expect(refused).toMatch(/REFUSED[\s\S]*cores: baseline 4, candidate 2/);
  });
});
