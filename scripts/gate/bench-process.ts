/**
 * One benchmark run as its own process: `node <dist>/scripts/mqlab.js bench ...` writing a results
 * file into a temporary folder, read back and validated. A separate process per run gives each run a
 * fresh heap and JIT state, so that run-to-run variation is measured rather than hidden.
 *
 * Builds older than `bench --scenario` run their whole suite; the results are then filtered to the
 * scenarios asked for, so the gate works against any ref.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { readResults, type Results } from '../../bench/results.js';
import { matchesAny } from '../../reports/gate/index.js';

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
