/** The micro suite: the primitives (ring, log) against the memory-copy ceiling and their peers. */
import { LOG_SCENARIO_PREFIXES, runLogScenarios } from './log.js';
import { runRingScenarios } from './ring.js';
import { runStallScenarios } from './stalls.js';
import type { Measurement, MicroOptions, MicroScenarioGroup } from './types.js';

export type { Measurement, MicroOptions } from './types.js';

interface Group {
  /** Every id the group produces starts with one of these. */
  readonly prefixes: readonly string[];
  readonly run: MicroScenarioGroup;
}

const GROUPS: readonly Group[] = [
  { prefixes: LOG_SCENARIO_PREFIXES, run: runLogScenarios },
  { prefixes: ['ring.', 'peer.postMessage.', 'peer.ringbufjs.'], run: runRingScenarios },
  { prefixes: ['host.'], run: runStallScenarios },
];

function matches(id: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined || patterns.length === 0) return true;
  return patterns.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : id === p));
}

/** Could a pattern match an id starting with `prefix`? */
function mayMatch(prefix: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined || patterns.length === 0) return true;
  return patterns.some((p) => {
    const stem = p.endsWith('*') ? p.slice(0, -1) : p;
    return stem.startsWith(prefix) || prefix.startsWith(stem);
  });
}

export async function runMicroSuite(options: MicroOptions, patterns?: readonly string[]): Promise<Measurement[]> {
  const all: Measurement[] = [];
  for (const group of GROUPS) {
    if (!group.prefixes.some((prefix) => mayMatch(prefix, patterns))) continue;
    const wants = (id: string): boolean => matches(id, patterns);
    all.push(...(await group.run({ ...options, wants })).filter((m) => wants(m.id)));
  }
  return all;
}
