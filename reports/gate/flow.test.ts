import { describe, expect, it } from 'vitest';
import { parseGateConfig, type GateConfig } from './config.js';
import { runGateFlow, type GateOutcome } from './flow.js';
import {
  SYNTHETIC_ENV,
  SYNTHETIC_SCENARIOS,
  syntheticBimodalRounds,
  syntheticPairedRounds,
  syntheticRounds,
  syntheticStoredBaseline,
  type SyntheticGateOptions,
} from './synthetic-runs.js';

/** The committed config's shape, restricted to the synthetic scenarios, in full (not smoke) mode. */
const config: GateConfig = parseGateConfig({
  schema: 1,
  calibration: ['ceiling.copy.200B', 'ceiling.copy.200B.sab'],
  thresholds: { default: 0.08 },
  ignore: ['peer.*', 'ceiling.*'],
  modes: {
    full: { suite: 'micro', scenarios: ['log.*'], runs: 8, duration: 0.3 },
    smoke: { suite: 'micro', scenarios: ['log.append.batch.200B', 'log.append.200B'], runs: 4, duration: 0.4, minThreshold: 0.25 },
  },
});

const DECISIONS = 20;
const RUNS = config.modes.full.runs;

async function gate(pairing: 'interleaved' | 'stored', options: Omit<SyntheticGateOptions, 'runs' | 'calibrationIds'>): Promise<GateOutcome> {
  const o = { ...options, runs: RUNS, calibrationIds: config.calibration };
  // A stored baseline is twice as many runs, recorded in a session 7% faster than today's.
  const stored = pairing === 'stored' ? syntheticStoredBaseline({ ...o, runs: 2 * RUNS }) : undefined;
  const session = pairing === 'stored' ? 0.93 : 1;
  return runGateFlow({ config, mode: 'full', pairing, ...(stored === undefined ? {} : { stored }), runRound: syntheticRounds({ ...o, session }, pairing) });
}

async function decisions(pairing: 'interleaved' | 'stored', slowdown?: Record<string, number>): Promise<GateOutcome[]> {
  const out: GateOutcome[] = [];
  for (let seed = 1; seed <= DECISIONS; seed++) out.push(await gate(pairing, { seed: seed * 7919, ...(slowdown === undefined ? {} : { slowdown }) }));
  return out;
}

const regressed = (o: GateOutcome, id: string): boolean => o.comparisons.some((c) => c.id === id && c.verdict === 'regression');

describe.each(['interleaved', 'stored'] as const)('the gate on synthetic %s runs (5-10% CV, outliers)', (pairing) => {
  it('raises no false alarm in 20 consecutive decisions on unmodified code', async () => {
    const outcomes = await decisions(pairing);
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: DECISIONS }, () => 'pass'));
    // Every scenario was compared, so the passes are decisions, not omissions.
    for (const o of outcomes) expect(o.comparisons.map((c) => c.id).sort()).toEqual(['log.append.200B', 'log.append.batch.200B', 'log.read.200B']);
  });

  it.each(['log.append.200B', 'log.append.batch.200B'])('detects a 15%% slowdown of %s in at least 19 of 20 decisions', async (id) => {
    const outcomes = await decisions(pairing, { [id]: 0.15 });
    const detected = outcomes.filter((o) => o.status === 'regression' && regressed(o, id)).length;
    expect(detected).toBeGreaterThanOrEqual(19);
    // Only the slowed scenario is blamed.
    for (const o of outcomes) expect(o.comparisons.filter((c) => c.verdict === 'regression').every((c) => c.id === id)).toBe(true);
  });

  it('fails only on a regression confirmed by a second round', async () => {
    const outcomes = await decisions(pairing, { 'log.append.batch.200B': 0.15 });
    for (const o of outcomes.filter((x) => x.status === 'regression')) expect(o.rounds).toBe(2);
  });
});

describe('the gate on a machine whose speed jumps between two levels (synthetic)', () => {
  const scenarios = SYNTHETIC_SCENARIOS.map((s) => ({ ...s, cv: 0.03 }));
  const pairedGate = (seed: number, slowdown?: Record<string, number>, paired = true): Promise<GateOutcome> => {
    const o = { seed, runs: 6, calibrationIds: config.calibration, scenarios, ...(slowdown === undefined ? {} : { slowdown }) };
    return runGateFlow({ config, mode: 'full', pairing: 'interleaved', runRound: paired ? syntheticPairedRounds(o) : syntheticBimodalRounds(o) });
  };
  const seeds = Array.from({ length: DECISIONS }, (_, i) => (i + 1) * 104729);

  it('paired runs: no false alarm in 20 decisions, and a 15% slowdown caught in at least 19 of 20', async () => {
    const clean = await Promise.all(seeds.map((seed) => pairedGate(seed)));
    expect(clean.map((o) => o.status)).toEqual(seeds.map(() => 'pass'));
    const slowed = await Promise.all(seeds.map((seed) => pairedGate(seed, { 'log.append.batch.200B': 0.15 })));
    expect(slowed.filter((o) => regressed(o, 'log.append.batch.200B')).length).toBeGreaterThanOrEqual(19);
  });

  it('one process per build, on the same machine, falls short of 19 in 20: why the gate pairs', async () => {
    const slowed = await Promise.all(seeds.map((seed) => pairedGate(seed, { 'log.append.batch.200B': 0.15 }, false)));
    expect(slowed.filter((o) => regressed(o, 'log.append.batch.200B')).length).toBeLessThan(19);
  });
});

describe('confirmation', () => {
  it('clears a first-round suspect that a second round does not show', async () => {
    let round = 0;
    const clean = syntheticRounds({ seed: 5, runs: RUNS, calibrationIds: config.calibration }, 'interleaved');
    const slowFirst = syntheticRounds({ seed: 5, runs: RUNS, calibrationIds: config.calibration, slowdown: { 'log.append.200B': 0.2 } }, 'interleaved');
    const outcome = await runGateFlow({
      config,
      mode: 'full',
      pairing: 'interleaved',
      // A transient slowdown: the first round is slow, and the re-run, bigger in total, is not.
      runRound: async (r, ids) => {
        round = r;
        if (r === 1) return slowFirst(r, ids);
        const a = await clean(r, ids);
        const b = await clean(r, ids);
        const c = await clean(r, ids);
        return { baseline: [...a.baseline, ...b.baseline, ...c.baseline], candidate: [...a.candidate, ...b.candidate, ...c.candidate] };
      },
    });
    expect(round).toBe(2);
    expect(outcome.firstRound.find((c) => c.id === 'log.append.200B')?.verdict).toBe('suspected');
    expect(outcome.comparisons.find((c) => c.id === 'log.append.200B')?.verdict).toBe('not confirmed');
    expect(outcome.status).toBe('pass');
  });
});

describe('smoke mode', () => {
  it('passes a 15% slowdown (below its 25% floor) and fails a 40% one', async () => {
    const run = (fraction: number): Promise<GateOutcome> => {
      const o = { seed: 11, runs: 4, calibrationIds: config.calibration, slowdown: { 'log.append.200B': fraction } };
      return runGateFlow({ config, mode: 'smoke', pairing: 'stored', stored: syntheticStoredBaseline({ ...o, runs: 10 }), runRound: syntheticRounds(o, 'stored') });
    };
    expect((await run(0.15)).status).toBe('pass');
    const big = await run(0.4);
    expect(big.status).toBe('regression');
    expect(big.comparisons.map((c) => c.id).sort()).toEqual(['log.append.200B', 'log.append.batch.200B']);
  });
});

describe('environment check', () => {
  it.each([
    ['cores', { ...SYNTHETIC_ENV, cores: 4 }],
    ['cpu', { ...SYNTHETIC_ENV, cpu: 'Intel(R) Xeon(R) Platinum 8370C' }],
    ['node major', { ...SYNTHETIC_ENV, node: 'v22.12.0' }],
  ] as const)('refuses to compare with a stored baseline from a machine with other %s', async (field, env) => {
    const o = { seed: 3, runs: 4, calibrationIds: config.calibration };
    const outcome = await runGateFlow({ config, mode: 'full', pairing: 'stored', stored: syntheticStoredBaseline({ ...o, env }), runRound: syntheticRounds(o, 'stored') });
    expect(outcome.status).toBe('refused');
    expect(outcome.comparisons).toEqual([]);
    expect(outcome.mismatches.map((m) => m.field)).toEqual([field]);
  });

  it('compares runs that differ only in node patch version, OS and commit', async () => {
    const o = { seed: 3, runs: 4, calibrationIds: config.calibration };
    const env = { ...SYNTHETIC_ENV, node: 'v20.11.0', os: 'linux 5.15 x64', commit: 'abc' };
    const outcome = await runGateFlow({ config, mode: 'full', pairing: 'stored', stored: syntheticStoredBaseline({ ...o, env }), runRound: syntheticRounds(o, 'stored') });
    expect(outcome.status).toBe('pass');
  });
});

describe('calibration', () => {
  it('cancels a session-wide speed change against a stored baseline', async () => {
    // Today's machine is 20% slower across the board: raw msgs/s would all look like regressions.
    const o = { seed: 17, runs: RUNS, calibrationIds: config.calibration };
    const outcome = await runGateFlow({
      config,
      mode: 'full',
      pairing: 'stored',
      stored: syntheticStoredBaseline({ ...o, runs: 2 * RUNS }),
      runRound: syntheticRounds({ ...o, session: 0.8 }, 'stored'),
    });
    expect(outcome.status).toBe('pass');
    for (const c of outcome.comparisons) expect(Math.abs((c.ratio ?? 0) - 1)).toBeLessThan(0.08);
  });

  it('the synthetic scenarios span 5-10% CV', () => {
    const cvs = SYNTHETIC_SCENARIOS.filter((s) => s.id.startsWith('log.')).map((s) => s.cv);
    expect(Math.min(...cvs)).toBe(0.05);
    expect(Math.max(...cvs)).toBe(0.1);
  });
});
