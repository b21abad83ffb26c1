/** `mqlab conformance`: runs the conformance suite against one target and writes the matrix JSON. */
import type { Argv } from 'yargs';
import { formatMatrixSummary, matrixFailed } from '../../conformance/matrix.js';
import { runConformance } from '../../conformance/run.js';
import { DEFAULT_RABBITMQ_URL, TARGET_NAMES } from '../../conformance/targets/index.js';

export function conformanceCommand<T>(y: Argv<T>): Argv<T> {
  return y.command(
    'conformance',
    'run the conformance checks against a target and write the matrix',
    (b) =>
      b
        .option('target', { choices: TARGET_NAMES, default: 'core' as const, describe: 'what to check' })
        .option('url', { type: 'string', describe: `AMQP URL of the rabbitmq target (default ${DEFAULT_RABBITMQ_URL})` })
        .option('out', { type: 'string', describe: 'matrix JSON to write (default results/conformance-<target>.json)' })
        .option('filter', { type: 'string', describe: 'run only tests whose name matches this pattern' })
        .option('verbose', { type: 'boolean', default: false, describe: "print vitest's own report too" }),
    async (argv) => {
      const out = argv.out ?? `results/conformance-${argv.target}.json`;
      const matrix = await runConformance({
        target: argv.target,
        out,
        verbose: argv.verbose,
        ...(argv.url === undefined ? {} : { url: argv.url }),
        ...(argv.filter === undefined ? {} : { filter: argv.filter }),
      });
      process.stdout.write(`${formatMatrixSummary(matrix)}\nwrote ${out}\n`);
      if (matrixFailed(matrix) || (!matrix.available && matrix.checks.some((c) => c.status === 'fail'))) process.exitCode = 1;
    },
  );
}
