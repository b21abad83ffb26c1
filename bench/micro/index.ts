/** The micro suite: the primitives (ring, log) against the memory-copy ceiling and their peers. */
import { runLogScenarios } from './log.js';
import { runRingScenarios } from './ring.js';
import type { Measurement, MicroOptions, MicroScenarioGroup } from './types.js';

export type { Measurement, MicroOptions } from './types.js';

const GROUPS: readonly MicroScenarioGroup[] = [runLogScenarios, runRingScenarios];

export async function runMicroSuite(options: MicroOptions): Promise<Measurement[]> {
  const all: Measurement[] = [];
  for (const group of GROUPS) all.push(...(await group(options)));
  return all;
}
