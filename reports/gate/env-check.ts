/**
 * The gate compares figures only between like machines: the same core count, the same CPU model and
 * the same Node major version (V8 changes with it, and with V8 the speed of everything). A stored
 * baseline from another machine is refused, never scaled.
 */
import type { Results } from '../../bench/results.js';

export type Env = Pick<Results['env'], 'node' | 'cpu' | 'cores'>;

export interface EnvMismatch {
  readonly field: 'cores' | 'cpu' | 'node major';
  readonly baseline: string;
  readonly candidate: string;
}

/** `v20.20.2` → 20; undefined when the version does not parse. */
export function nodeMajor(version: string): number | undefined {
  const m = /^v?(\d+)\./.exec(version);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Every way in which the two machines differ; empty when they may be compared. */
export function envMismatches(baseline: Env, candidate: Env): EnvMismatch[] {
  const out: EnvMismatch[] = [];
  if (baseline.cores !== candidate.cores) out.push({ field: 'cores', baseline: String(baseline.cores), candidate: String(candidate.cores) });
  if (baseline.cpu.trim() !== candidate.cpu.trim()) out.push({ field: 'cpu', baseline: baseline.cpu, candidate: candidate.cpu });
  const a = nodeMajor(baseline.node);
  const b = nodeMajor(candidate.node);
  if (a === undefined || a !== b) out.push({ field: 'node major', baseline: baseline.node, candidate: candidate.node });
  return out;
}

/** The mismatches between the first run's machine and every other run's (deduplicated). */
export function envMismatchesAcross(baseline: readonly Env[], candidate: readonly Env[]): EnvMismatch[] {
  const [reference] = candidate.length > 0 ? candidate : baseline;
  if (reference === undefined) return [];
  const seen = new Map<string, EnvMismatch>();
  for (const env of [...baseline, ...candidate]) {
    for (const m of envMismatches(env, reference)) seen.set(`${m.field}\u0000${m.baseline}\u0000${m.candidate}`, m);
  }
  return [...seen.values()];
}
