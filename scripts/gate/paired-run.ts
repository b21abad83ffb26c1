/**
 * One paired gate run, as its own process: `node paired-run.js '<json PairedRequest>'`.
 *
 * It loads the log micro-scenarios of three builds into this one process (`logIterations` from each
 * dist's bench/micro/log.js) and, per scenario, times three arms in short alternating slices: the
 * baseline (A), the candidate (B) and a copy of the baseline (A2, its own module graph and so its
 * own compiled code and object layout, as B has). On a shared machine whose speed changes from one
 * millisecond to the next (a neighbour on the sibling hyperthread halves a core's throughput here),
 * runs made seconds apart meet different machines; slices a few milliseconds apart meet the same
 * one. A2 against A is the same build against itself under exactly the conditions of the
 * comparison: the gate's noise floor.
 *
 * Slices rotate their order (A B A2, B A2 A, A2 A B), so no arm always runs first or after a given
 * other. Each arm's figure is its messages over its own timed slices. Writes `{ a, b, aa }` (three
 * results files' worth) as JSON to `out`; exits 3 when a build has no `logIterations` (too old).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { captureEnv } from '../../bench/env.js';
import type { LogIteration } from '../../bench/micro/log.js';
import { PAYLOAD_BYTES } from '../../bench/micro/types.js';
import { buildResults, type Results, type Scenario } from '../../bench/results.js';
import { matchesAny } from '../../reports/gate/index.js';

export interface PairedRequest {
  /** dist folders of the baseline and the candidate. */
  readonly a: string;
  readonly b: string;
  /** A copy of the baseline's dist (its own module graph, so its own compiled code): the A/A twin. */
  readonly twin: string;
  /** Scenario ids or prefix* patterns. */
  readonly patterns: readonly string[];
  /** Timed seconds per arm and scenario. */
  readonly durationS: number;
  readonly out: string;
}

export interface PairedOutput {
  readonly a: Results;
  readonly b: Results;
  readonly aa: Results;
}

/** Exit code when a build cannot be paired (no `logIterations`). */
export const UNPAIRABLE_EXIT = 3;

/** Target length of one slice: short against the machine's changes of speed, long against the timer. */
const SLICE_MS = 2;
const WARMUP_MS = 150;

interface Arm {
  readonly iterate: () => void;
  ns: number;
  iterations: number;
}

async function iterationsOf(dist: string): Promise<readonly LogIteration[] | undefined> {
  const mod = (await import(pathToFileURL(join(dist, 'bench', 'micro', 'log.js')).href)) as { logIterations?: () => LogIteration[] };
  return typeof mod.logIterations === 'function' ? mod.logIterations() : undefined;
}

function slice(arm: Arm, count: number): void {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) arm.iterate();
  arm.ns += Number(process.hrtime.bigint() - t0);
  arm.iterations += count;
}

/** Times the three arms of one scenario; returns them in the order A, B, A2. */
function measurePaired(a: LogIteration, b: LogIteration, twin: LogIteration, durationS: number): Arm[] {
  const arms: Arm[] = [a.setup(), b.setup(), twin.setup()].map((iterate) => ({ iterate, ns: 0, iterations: 0 }));
  // Warm-up: every arm compiled and its state faulted in before anything counts.
  const warmUntil = performance.now() + WARMUP_MS;
  while (performance.now() < warmUntil) for (const arm of arms) slice(arm, 1);
  // Iterations per slice, from the warm-up's pace (the slowest arm sets it).
  const perIterationMs = Math.max(...arms.map((arm) => arm.ns / 1e6 / arm.iterations));
  const count = Math.max(1, Math.round(SLICE_MS / perIterationMs));
  for (const arm of arms) {
    arm.ns = 0;
    arm.iterations = 0;
  }
  const budgetNs = durationS * 1e9;
  for (let cycle = 0; arms.some((arm) => arm.ns < budgetNs); cycle++) {
    for (let k = 0; k < arms.length; k++) slice(arms[(cycle + k) % arms.length]!, count);
  }
  return arms;
}

function scenarioOf(id: string, arm: Arm, messagesPerIteration: number, cores: number): Scenario {
  const messages = arm.iterations * messagesPerIteration;
  const msgsPerS = messages / (arm.ns / 1e9);
  return {
    id,
    target: id.startsWith('ceiling.') ? 'node' : 'mqlab',
    params: { paired: true, sliceMs: SLICE_MS, payloadBytes: PAYLOAD_BYTES },
    throughput: { msgs_per_s: msgsPerS, MB_per_s: (msgsPerS * PAYLOAD_BYTES) / 1e6 },
    threads: 1,
    cores,
    messages,
    elapsed_ns: arm.ns,
    status: 'ok',
  };
}

export async function runPaired(request: PairedRequest): Promise<PairedOutput | undefined> {
  const [fromA, fromB, fromTwin] = await Promise.all([iterationsOf(request.a), iterationsOf(request.b), iterationsOf(request.twin)]);
  if (fromA === undefined || fromB === undefined || fromTwin === undefined) return undefined;
  const env = captureEnv();
  const sides: Scenario[][] = [[], [], []];
  for (const a of fromA) {
    const b = fromB.find((s) => s.id === a.id);
    const twin = fromTwin.find((s) => s.id === a.id);
    if (b === undefined || twin === undefined || !matchesAny(a.id, request.patterns)) continue;
    const arms = measurePaired(a, b, twin, request.durationS);
    arms.forEach((arm, i) => sides[i]!.push(scenarioOf(a.id, arm, a.messagesPerIteration, env.cores)));
  }
  const [sa, sb, saa] = sides;
  return { a: buildResults('micro', env, sa!), b: buildResults('micro', env, sb!), aa: buildResults('micro', env, saa!) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const request = JSON.parse(process.argv[2] ?? '{}') as PairedRequest;
  const output = await runPaired(request);
  if (output === undefined) process.exitCode = UNPAIRABLE_EXIT;
  else writeFileSync(request.out, JSON.stringify(output));
}
