/** `mqlab bench`: runs a suite, writes results.json and prints the summary. */
import type { Argv } from 'yargs';
import { formatSummary } from '../../bench/format.js';
import { writeResults } from '../../bench/results.js';
import { runBench, SUITES } from '../../bench/run.js';
import { writeReportBeside } from '../../reports/index.js';

export function benchCommand<T>(y: Argv<T>): Argv<T> {
  return y.command(
    'bench',
    'run benchmarks and write results.json',
    (b) =>
      b
        .option('suite', { choices: SUITES, default: 'default' as const, describe: 'which scenarios to run' })
        .option('out', { type: 'string', default: 'results/results.json', describe: 'results file to write' })
        .option('duration', { type: 'number', default: 1, describe: 'measured seconds per scenario' }),
    async (argv) => {
      const results = await runBench({ suite: argv.suite, durationMs: argv.duration * 1000 });
      writeResults(argv.out, results);
      const report = writeReportBeside(argv.out);
      process.stdout.write(`${formatSummary(results)}\nwrote ${argv.out}\nwrote ${report}\n`);
    },
  );
}
