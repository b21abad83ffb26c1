/**
 * One benchmark run as its own process: `node <dist>/scripts/mqlab.js bench ...` writing a results
 * file into a temporary folder, read back and validated. A separate process per run gives each run a
 * fresh heap and JIT state, so that run-to-run variation is measured rather than hidden.
 *
 * Builds older than `bench --scenario` run their whole suite; the results are then filtered to the
 * scenarios asked for, so the gate works against any ref.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResults, resultsSchema, type Results } from '../../bench/results.js';
import { matchesAny } from '../../reports/gate/index.js';
import { UNPAIRABLE_EXIT, type PairedOutput, type PairedRequest } from './paired-run.js';

/** A compiled mqlab tree: `<dist>/scripts/mqlab.js` is its CLI, `cwd` its checkout. */
export interface Build {
  readonly label: string;
  readonly dist: string;
  readonly cwd: string;
}

export interface BenchFeatures {
  readonly scenario: boolean;
  readonly quiet: boolean;
}

export interface BenchRequest {
  readonly suite: string;
  /** Patterns (exact id or prefix*) of the scenarios needed. */
  readonly scenarios: readonly string[];
  readonly durationS: number;
}

export function cliOf(build: Build): string {
  return join(build.dist, 'scripts', 'mqlab.js');
}

/** Finds the checkout a dist folder was built from: the nearest ancestor holding package.json. */
export function checkoutOf(dist: string): string {
  let dir = dirname(dist);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return dirname(dist);
    dir = up;
  }
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Which `bench` options this build knows, from its own help text. */
export async function probeBench(build: Build): Promise<BenchFeatures> {
  const help = await run(process.execPath, [cliOf(build), 'bench', '--help'], build.cwd);
  if (help.code !== 0) throw new Error(`${build.label}: \`mqlab bench --help\` failed (exit ${help.code}): ${help.stderr.trim()}`);
  return { scenario: help.stdout.includes('--scenario'), quiet: help.stdout.includes('--quiet') };
}

/** Runs one benchmark process and returns its results, restricted to the scenarios asked for. */
export async function runBenchProcess(build: Build, features: BenchFeatures, request: BenchRequest): Promise<Results> {
  const tmp = mkdtempSync(join(os.tmpdir(), 'mqlab-gate-run-'));
  try {
    const out = join(tmp, 'results.json');
    const args = [cliOf(build), 'bench', '--suite', request.suite, '--duration', String(request.durationS), '--out', out];
    if (features.scenario) for (const s of request.scenarios) args.push('--scenario', s);
    if (features.quiet) args.push('--quiet');
    const done = await run(process.execPath, args, build.cwd);
    if (done.code !== 0 || !existsSync(out)) {
      const tail = done.stderr.trim().split('\n').slice(-5).join('\n');
      throw new Error(`${build.label}: bench exited with ${done.code}\n${tail}`);
    }
    const results = readResults(out);
    return { ...results, scenarios: results.scenarios.filter((s) => matchesAny(s.id, request.scenarios)) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The paired runner of the build this gate runs from (it loads both builds' scenarios). */
const PAIRED_RUN = fileURLToPath(new URL('./paired-run.js', import.meta.url));

/**
 * One paired process (paired-run.ts) over the scenarios matching `patterns`: both builds in one
 * process, alternating slices. undefined when a build has no paired hook (an older ref).
 */
export async function runPairedProcess(baseline: Build, twin: string, candidate: Build, patterns: readonly string[], durationS: number): Promise<PairedOutput | undefined> {
  const tmp = mkdtempSync(join(os.tmpdir(), 'mqlab-gate-pair-'));
  try {
    const out = join(tmp, 'paired.json');
    const request: PairedRequest = { a: baseline.dist, b: candidate.dist, twin, patterns, durationS, out };
    const done = await run(process.execPath, [PAIRED_RUN, JSON.stringify(request)], candidate.cwd);
    if (done.code === UNPAIRABLE_EXIT) return undefined;
    if (done.code !== 0 || !existsSync(out)) {
      const tail = done.stderr.trim().split('\n').slice(-5).join('\n');
      throw new Error(`paired run exited with ${done.code}\n${tail}`);
    }
    const raw = JSON.parse(readFileSync(out, 'utf8')) as Record<keyof PairedOutput, unknown>;
    return { a: resultsSchema.parse(raw.a), b: resultsSchema.parse(raw.b), aa: resultsSchema.parse(raw.aa) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` with a copy of `build`'s dist in a temporary folder (package.json beside it, node_modules
 * linked), removed afterwards: the paired runner's A/A twin.
 */
export async function withTwin<T>(build: Build, fn: (twinDist: string) => Promise<T>): Promise<T> {
  const tmp = mkdtempSync(join(os.tmpdir(), 'mqlab-gate-twin-'));
  try {
    const dist = join(tmp, 'dist');
    cpSync(build.dist, dist, { recursive: true });
    const pkg = join(checkoutOf(build.dist), 'package.json');
    if (existsSync(pkg)) cpSync(pkg, join(tmp, 'package.json'));
    const modules = join(checkoutOf(build.dist), 'node_modules');
    if (existsSync(modules)) symlinkSync(modules, join(tmp, 'node_modules'), 'dir');
    return await fn(dist);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
