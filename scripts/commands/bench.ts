/** `mqlab bench`: runs a suite, writes results.json and prints the summary. */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { formatSummary } from '../../bench/format.js';
import { writeResults } from '../../bench/results.js';
import { runBench, SUITES, type SuiteName } from '../../bench/run.js';

interface BenchArgs {
  suite: SuiteName;
  out: string;
  duration: number;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'run benchmarks and write results.json',
  builder: (y: Argv) =>
    y
      .option('suite', { choices: SUITES, default: 'default', describe: 'which scenarios to run' })
      .option('out', { type: 'string', default: 'results/results.json', describe: 'results file to write' })
      .option('duration', { type: 'number', default: 1, describe: 'measured seconds per scenario' }),
  handler: async (argv: ArgumentsCamelCase<BenchArgs>) => {
    const results = await runBench({ suite: argv.suite, durationMs: argv.duration * 1000 });
    writeResults(argv.out, results);
    process.stdout.write(`${formatSummary(results)}\nwrote ${argv.out}\n`);
  },
};
