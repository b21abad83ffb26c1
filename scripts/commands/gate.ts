/**
 * `mqlab gate`: compares this build's speed with a baseline and exits non-zero on a confirmed
 * regression. Exit codes: 0 pass, 1 confirmed regression (or the gate could not run), 2 refused
 * (the runs come from unlike machines).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { formatOutcome, INJECT_ENV, parseSlowdown, readGateConfig, type GateMode, type Slowdown } from '../../reports/gate/index.js';
import { checkoutOf, type Build } from '../gate/bench-process.js';
import { recordBaseline } from '../gate/record.js';
import { runGate, type BaselineSource, type GateOptions } from '../gate/run-gate.js';
import { runSelfTest } from '../gate/self-test.js';

const EXIT = { pass: 0, regression: 1, refused: 2 } as const;
/** What `--self-test` injects unless told otherwise: the issue's 15% slowdown of one scenario. */
const SELF_TEST_SLOWDOWN = 'log.append.batch.200B:0.15';

/** The dist folder this CLI runs from (dist/scripts/commands/gate.js → dist). */
const OWN_DIST = fileURLToPath(new URL('../../', import.meta.url));

export function gateCommand<T>(y: Argv<T>): Argv<T> {
  return y.command(
    'gate',
    'compare this build with a baseline; exit 1 on a confirmed regression, 2 when the machines differ',
    (b) =>
      b
        .option('against', { type: 'string', describe: 'git ref to build in a temporary worktree and run interleaved with this build (A B A B ...)' })
        .option('against-dist', { type: 'string', describe: 'an already built dist folder to run interleaved with this build' })
        .option('baseline', { type: 'string', describe: 'stored baseline (reports/baselines/*.json, or a results.json) to compare with' })
        .option('record', { type: 'string', describe: 'measure this build and write a stored baseline to this file' })
        .option('smoke', { type: 'boolean', default: false, describe: 'short CI mode: a few fast scenarios; fails only on large, confirmed regressions' })
        .option('config', { type: 'string', describe: 'gate config (default: reports/gate.config.json)' })
        .option('candidate-dist', { type: 'string', describe: 'dist folder of the build under test (default: the one this CLI runs from)' })
        .option('runs', { type: 'number', describe: 'benchmark processes per side and round (default: from the config)' })
        .option('duration', { type: 'number', describe: 'measured seconds per scenario (default: from the config)' })
        .option('json', { type: 'string', describe: 'also write the outcome as JSON to this file' })
        .option('self-test', {
          type: 'number',
          describe: `validate the gate: run it N times unmodified and N times with an injected slowdown (default ${SELF_TEST_SLOWDOWN}); reports false alarms and detections`,
        })
        .option('inject-slowdown', {
          type: 'string',
          describe: `FOR VALIDATING THE GATE ONLY: scale the candidate's figures down, e.g. log.append.200B:0.15 (also ${INJECT_ENV})`,
        })
        .check((argv) => {
          const sources = [argv.against, argv['against-dist'], argv.baseline, argv.record].filter((s) => s !== undefined);
          if (sources.length > 1) throw new Error('give only one of --against, --against-dist, --baseline and --record');
          if (sources.length === 0 && argv['self-test'] === undefined) throw new Error('give --against REF or --baseline FILE (or --record FILE)');
          if (argv.record !== undefined && argv['self-test'] !== undefined) throw new Error('--record and --self-test do not mix');
          if (argv['self-test'] !== undefined && !(Number.isInteger(argv['self-test']) && argv['self-test'] > 0)) throw new Error('--self-test takes a positive count');
          if (argv.runs !== undefined && !(Number.isInteger(argv.runs) && argv.runs >= 2)) throw new Error('--runs takes an integer of at least 2');
          if (argv.duration !== undefined && !(argv.duration > 0)) throw new Error('--duration takes a positive number of seconds');
          return true;
        }),
    async (argv) => {
      const config = readGateConfig(argv.config ?? undefined);
      const mode: GateMode = argv.smoke ? 'smoke' : 'full';
      const dist = resolve(argv['candidate-dist'] ?? OWN_DIST);
      const candidate: Build = { label: 'candidate', dist, cwd: checkoutOf(dist) };
      const log = (line: string): void => void process.stderr.write(`[gate] ${line}\n`);
      const spec = argv['inject-slowdown'] ?? process.env[INJECT_ENV];
      const slowdowns: Slowdown[] = spec === undefined || spec === '' ? [] : parseSlowdown(spec);
      const base = { config, mode, candidate, log, slowdowns, ...(argv.runs === undefined ? {} : { runs: argv.runs }), ...(argv.duration === undefined ? {} : { durationS: argv.duration }) };

      if (argv.record !== undefined) {
        if (slowdowns.length > 0) throw new Error('a baseline is never recorded with an injected slowdown');
        const runs = await recordBaseline(base, argv.record);
        process.stdout.write(`wrote ${argv.record} (${runs} runs, ${mode} mode)\n`);
        return;
      }
      const source: BaselineSource =
        argv.against !== undefined
          ? { kind: 'ref', ref: argv.against }
          : argv.baseline !== undefined
            ? { kind: 'file', path: argv.baseline }
            : { kind: 'dist', dist: resolve(argv['against-dist'] ?? dist), cwd: checkoutOf(resolve(argv['against-dist'] ?? dist)) };
      const options: GateOptions = { ...base, baseline: source };

      if (argv['self-test'] !== undefined) {
        const injected = slowdowns.length > 0 ? slowdowns : parseSlowdown(SELF_TEST_SLOWDOWN);
        const counts = await runSelfTest(options, argv['self-test'], injected);
        const what = injected.map((s) => `${s.pattern} -${(s.fraction * 100).toFixed(0)}%`).join(', ');
        process.stdout.write(
          `self-test (${mode}, ${source.kind === 'file' ? `stored baseline ${source.path}` : 'interleaved A/A'}): ` +
            `false alarms ${counts.falseAlarms}/${counts.n} unmodified runs; detected ${counts.detected}/${counts.n} with ${what}` +
            `${counts.refused > 0 ? `; ${counts.refused} refused` : ''}\n`,
        );
        process.exitCode = counts.falseAlarms === 0 && counts.refused === 0 && counts.detected >= Math.ceil(0.95 * counts.n) ? 0 : 1;
        return;
      }

      const outcome = await runGate(options);
      if (slowdowns.length > 0) process.stdout.write(`NOTE: slowdown injected into the candidate's figures (${spec ?? ''}), for validating the gate only\n`);
      process.stdout.write(`${formatOutcome(outcome)}\n`);
      if (argv.json !== undefined) writeFileSync(argv.json, `${JSON.stringify({ mode, source, ...outcome }, null, 2)}\n`);
      process.exitCode = EXIT[outcome.status];
    },
  );
}
