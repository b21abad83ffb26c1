#!/usr/bin/env node
/** The `mqlab` command line: argument parsing (yargs) and printing; the work lives in bench/ etc. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { formatSummary } from '../bench/format.js';
import { writeResults } from '../bench/results.js';
import { runBench, SUITES } from '../bench/run.js';

await yargs(hideBin(process.argv))
  .scriptName('mqlab')
  .usage('$0 <command> [options]')
  .command(
    'bench',
    'run benchmarks and write results.json',
    (y) =>
      y
        .option('suite', { choices: SUITES, default: 'default' as const, describe: 'which scenarios to run' })
        .option('out', { type: 'string', default: 'results/results.json', describe: 'results file to write' })
        .option('duration', { type: 'number', default: 1, describe: 'measured seconds per scenario' }),
    async (argv) => {
      const results = await runBench({ suite: argv.suite, durationMs: argv.duration * 1000 });
      writeResults(argv.out, results);
      process.stdout.write(`${formatSummary(results)}\nwrote ${argv.out}\n`);
    },
  )
  .demandCommand(1, 'name a command; --help lists them')
  .strict()
  .help()
  .parseAsync();
