/** `mqlab bench`: runs a suite (or workload files), writes results.json and prints the summary. */
import type { Argv } from 'yargs';
import { DRIVER_NAMES } from '../../bench/drivers/types.js';
import { formatProgress, formatSummary } from '../../bench/format.js';
import { writeResults } from '../../bench/results.js';
import { runBench, SUITES } from '../../bench/run.js';
import { WorkloadError } from '../../bench/workload.js';
import { writeReportBeside } from '../../reports/index.js';

export function benchCommand<T>(y: Argv<T>): Argv<T> {
  return y.command(
    'bench',
    'run benchmarks and write results.json',
    (b) =>
      b
        .option('suite', { choices: SUITES, describe: 'which scenarios to run (default: default; with --scenario: all)' })
        .option('scenario', { type: 'string', array: true, describe: 'run only this scenario id (repeatable); a trailing * matches a prefix' })
        .option('workload', { type: 'string', array: true, describe: 'run these workload files (a path, or a name in bench/workloads) instead of a suite' })
        .option('driver', { choices: DRIVER_NAMES, describe: 'driver for workload scenarios' })
        .option('out', { type: 'string', default: 'results/results.json', describe: 'results file to write' })
        .option('duration', { type: 'number', describe: 'measured seconds per scenario (default 1; workload files keep their own)' })
        .option('find-max-rate', { type: 'number', describe: 'search each workload\'s max sustainable rate with this p99 bound, in µs' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' }),
    async (argv) => {
      const scenarios = argv.scenario?.map(String);
      const suite = argv.suite ?? (scenarios !== undefined && scenarios.length > 0 ? 'all' : 'default');
      let results;
      try {
        results = await runBench({
        suite,
        ...(argv.duration === undefined ? {} : { durationMs: argv.duration * 1000 }),
        ...(scenarios === undefined ? {} : { scenarios }),
        ...(argv.workload === undefined ? {} : { workloads: argv.workload.map(String) }),
        ...(argv.driver === undefined ? {} : { driver: argv.driver }),
        ...(argv['find-max-rate'] === undefined ? {} : { findMaxRateP99Us: argv['find-max-rate'] }),
          ...(argv.quiet ? {} : { onProgress: (p) => process.stderr.write(`[${p.scenario}] ${formatProgress(p)}\n`) }),
        });
      } catch (error) {
        // Bad input (a workload file, a driver name) gets its message, not a stack trace.
        if (!(error instanceof WorkloadError) && !(error instanceof Error && error.message.startsWith('unknown driver'))) throw error;
        process.stderr.write(`mqlab bench: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      writeResults(argv.out, results);
      const report = writeReportBeside(argv.out);
      process.stdout.write(`${formatSummary(results)}\nwrote ${argv.out}\nwrote ${report}\n`);
    },
  );
}
