/**
 * Runs the conformance suite against one target: vitest over the compiled conformance tests (the
 * build folder this file was compiled into), with the target selected through the environment,
 * then folds the per-test results into one row per checklist id and writes the matrix.
 *
 * Invariants: an id is `pass` only when at least one of its tests passed and none failed; an id
 * with no test that ran is n/a; an unreachable target is never passed (n/a, or fail when CI is set).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';
import type { TestCase } from 'vitest/node';
import { CHECKLIST, checkIdOf } from './checklist.js';
import { matrixSchema, type CheckResult, type CheckStatus, type Matrix } from './matrix.js';
import { createTarget, ENV_FIREHOSE, ENV_TARGET, ENV_URL, rabbitmqctlAvailable, type TargetName } from './targets/index.js';
import { NOTE_NA, NOTE_VERSION } from './notes.js';

export interface RunConformanceOptions {
  readonly target: TargetName;
  readonly url?: string;
  /** Where to write the matrix JSON; nothing is written when absent. */
  readonly out?: string;
  /** Test name filter (vitest -t). */
  readonly filter?: string;
  /** Treat an unreachable target as a failure (default: when the CI variable is set). */
  readonly ci?: boolean;
  /** Print vitest's own report (default false: the summary is the caller's to print). */
  readonly verbose?: boolean;
}

/** dist-…/conformance/run.js → dist-… */
const BUILD_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface TestOutcome {
  readonly name: string;
  readonly status: CheckStatus;
  readonly message: string;
  readonly durationMs: number;
}

function outcomeOf(test: TestCase): TestOutcome {
  const result = test.result();
  const durationMs = test.diagnostic()?.duration ?? 0;
  switch (result.state) {
    case 'passed':
      // A passing check may still report what it measured (ctx.annotate): loss counts Kafka allows,
      // or where mqlab deliberately follows kafkajs rather than the Java client.
      return { name: test.name, status: 'pass', message: test.annotations().map((a) => a.message).join('\n'), durationMs };
    case 'failed': {
      const first = result.errors[0];
      return { name: test.name, status: 'fail', message: first?.message ?? 'failed', durationMs };
    }
    case 'skipped': {
      const note = result.note ?? '';
      if (note.startsWith(NOTE_VERSION)) return { name: test.name, status: 'version', message: note.slice(NOTE_VERSION.length), durationMs };
      return { name: test.name, status: 'n/a', message: note.startsWith(NOTE_NA) ? note.slice(NOTE_NA.length) : note || 'skipped', durationMs };
    }
    case 'pending':
      return { name: test.name, status: 'fail', message: 'did not finish', durationMs };
    default: {
      const unknown: never = result;
      throw new Error(`unexpected test state ${JSON.stringify(unknown)}`);
    }
  }
}

function fold(id: string, title: string, outcomes: readonly TestOutcome[]): CheckResult {
  const duration_ms = Math.round(outcomes.reduce((sum, o) => sum + o.durationMs, 0) * 1000) / 1000;
  const marked = outcomes.some((o) => o.name.includes('(3.10)')) ? `${title} (3.10)` : title;
  const failed = outcomes.filter((o) => o.status === 'fail');
  if (failed.length > 0) {
    return { id, title: marked, status: 'fail', message: failed.map((o) => `${o.name}: ${o.message}`).join('\n'), duration_ms };
  }
  const passed = outcomes.filter((o) => o.status === 'pass');
  if (passed.length > 0) {
    const notes = passed.filter((o) => o.message !== '').map((o) => o.message);
    const partial = outcomes.filter((o) => o.status !== 'pass').map((o) => `${o.name}: ${o.status} ${o.message}`);
    return { id, title: marked, status: 'pass', message: [...notes, ...partial].join('\n'), duration_ms };
  }
  const version = outcomes.find((o) => o.status === 'version');
  if (version !== undefined) return { id, title: marked, status: 'version', message: version.message, duration_ms };
  const na = outcomes[0];
  return { id, title: marked, status: 'n/a', message: na === undefined ? 'no conformance test yet' : na.message, duration_ms };
}

function unavailableMatrix(target: TargetName, reason: string, ci: boolean): Matrix {
  return {
    target,
    version: 'unavailable',
    available: false,
    errors: [],
    checks: CHECKLIST.map((c) => ({
      id: c.id,
      title: c.title,
      status: ci ? 'fail' : 'n/a',
      message: `target unavailable: ${reason}`,
      duration_ms: 0,
    })),
  };
}

function write(out: string | undefined, matrix: Matrix): void {
  if (out === undefined) return;
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(matrix, null, 2)}\n`);
}

export async function runConformance(options: RunConformanceOptions): Promise<Matrix> {
  const ci = options.ci ?? (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false');
  const probe = createTarget(options.target, options.url === undefined ? {} : { url: options.url });
  let version: string;
  try {
    version = await probe.version();
  } catch (error) {
    const matrix = matrixSchema.parse(unavailableMatrix(options.target, error instanceof Error ? error.message : String(error), ci));
    write(options.out, matrix);
    return matrix;
  } finally {
    await probe.close();
  }

  const firehose = options.target === 'rabbitmq' && (await rabbitmqctlAvailable());
  process.env[ENV_TARGET] = options.target;
  process.env[ENV_FIREHOSE] = firehose ? '1' : '0';
  if (options.url !== undefined) process.env[ENV_URL] = options.url;

  const vitest = await startVitest(
    'test',
    [],
    {
      config: false,
      root: BUILD_ROOT,
      include: ['conformance/**/*.test.js'],
      exclude: ['**/node_modules/**'],
      watch: false,
      pool: 'forks',
      testTimeout: 30_000,
      hookTimeout: 30_000,
      reporters: options.verbose === true ? ['default'] : [{}],
      ...(options.filter === undefined ? {} : { testNamePattern: options.filter }),
    },
  );
  const byId = new Map<string, TestOutcome[]>();
  const errors: string[] = [];
  try {
    for (const module of vitest.state.getTestModules()) {
      for (const e of module.errors()) errors.push(`${module.moduleId}: ${e.message}`);
      for (const test of module.children.allTests()) {
        const id = checkIdOf(test.name);
        if (id === undefined) {
          errors.push(`test without a checklist id: ${test.fullName}`);
          continue;
        }
        const list = byId.get(id) ?? [];
        list.push(outcomeOf(test));
        byId.set(id, list);
      }
    }
    for (const e of vitest.state.getUnhandledErrors()) errors.push(`unhandled: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await vitest.close();
  }
  const known = new Set(CHECKLIST.map((c) => c.id));
  for (const id of byId.keys()) if (!known.has(id)) errors.push(`test id ${id} is not in the checklist`);

  const matrix = matrixSchema.parse({
    target: options.target,
    version,
    available: true,
    errors,
    checks: CHECKLIST.map((c) => fold(c.id, c.title, byId.get(c.id) ?? [])),
  });
  write(options.out, matrix);
  return matrix;
}
