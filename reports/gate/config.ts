/**
 * The gate's configuration (reports/gate.config.json): which scenarios each mode runs, which figures
 * calibrate the machine, and how large a slowdown of each scenario counts as a regression. Validated
 * once when read; everything downstream trusts it.
 *
 * A scenario pattern is an exact id or a prefix ending in `*`, the same grammar as `bench --scenario`.
 * Where several patterns match an id, the exact id wins, then the longest prefix.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const GATE_MODES = ['full', 'smoke'] as const;
export type GateMode = (typeof GATE_MODES)[number];

/** Fractions are of the baseline's throughput: 0.08 means "8% slower". */
const fraction = z.number().min(0).max(1);
const pattern = z.string().regex(/^[^*]+\*?$/, 'an exact id, or a prefix ending in *');

const modeSchema = z.object({
  suite: z.enum(['default', 'micro', 'macro', 'all']),
  /** Scenarios compared (patterns). The calibration scenarios are always run as well. */
  scenarios: z.array(pattern).min(1),
  /** Benchmark processes per side and round (pairs, when interleaved). */
  runs: z.number().int().min(2),
  /** Measured seconds per scenario in each process. */
  duration: z.number().positive(),
  /** No threshold in this mode is below this (smoke mode fails only on large regressions). */
  minThreshold: fraction.default(0),
});

export const gateConfigSchema = z.object({
  schema: z.literal(1),
  /**
   * Scenarios whose figures measure the machine rather than mqlab (the memory-copy ceiling). A
   * run's calibration figure is the geometric mean of their figures; stored baselines are compared
   * in units of it.
   */
  calibration: z.array(z.string().min(1)).min(1),
  thresholds: z.object({
    default: fraction,
    scenarios: z.record(pattern, fraction).default({}),
  }),
  /** Scenarios never compared (peers measured for the report, not mqlab's own speed). */
  ignore: z.array(pattern).default([]),
  modes: z.object({ full: modeSchema, smoke: modeSchema }),
});

export type GateConfig = z.infer<typeof gateConfigSchema>;
export type ModeConfig = z.infer<typeof modeSchema>;

/** The configuration committed beside the baselines. */
export const DEFAULT_CONFIG_PATH = new URL('../../../reports/gate.config.json', import.meta.url);

export function parseGateConfig(value: unknown): GateConfig {
  return gateConfigSchema.parse(value);
}

export function readGateConfig(path: string | URL = DEFAULT_CONFIG_PATH): GateConfig {
  return parseGateConfig(JSON.parse(readFileSync(path, 'utf8')));
}

export function matchesPattern(id: string, p: string): boolean {
  return p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : id === p;
}

export function matchesAny(id: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => matchesPattern(id, p));
}

/** The most specific pattern of `patterns` that matches `id`: the exact id, else the longest prefix. */
export function mostSpecific(id: string, patterns: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const p of patterns) {
    if (!matchesPattern(id, p)) continue;
    if (p === id) return p;
    if (best === undefined || p.length > best.length) best = p;
  }
  return best;
}

/** The slowdown (a fraction) of `id` that counts as a regression in `mode`. */
export function thresholdFor(config: GateConfig, mode: GateMode, id: string): number {
  const key = mostSpecific(id, Object.keys(config.thresholds.scenarios));
  const own = key === undefined ? config.thresholds.default : (config.thresholds.scenarios[key] ?? config.thresholds.default);
  return Math.max(own, config.modes[mode].minThreshold);
}

/** Whether the gate compares `id` in `mode`: named by the mode, neither ignored nor a calibration figure. */
export function isCompared(config: GateConfig, mode: GateMode, id: string): boolean {
  return matchesAny(id, config.modes[mode].scenarios) && !matchesAny(id, config.ignore) && !config.calibration.includes(id);
}
