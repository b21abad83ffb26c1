/** `mqlab report`: results.json (plus conformance matrices and a baseline) to one HTML file. */
import type { Argv } from 'yargs';
import { writeReport } from '../../reports/index.js';

export function reportCommand<T>(y: Argv<T>): Argv<T> {
  return y.command(
    'report',
    'write a self-contained HTML report of a results file',
    (b) =>
      b
        .option('in', { type: 'string', default: 'results/results.json', describe: 'results file to report on' })
        .option('conformance', { type: 'string', array: true, describe: 'conformance matrix files (one per target)' })
        .option('baseline', { type: 'string', describe: 'results file to compare with' })
        .option('out', { type: 'string', describe: 'HTML file to write (default: beside --in, .json → .html)' }),
    (argv) => {
      const out = writeReport({ in: argv.in, out: argv.out, conformance: argv.conformance, baseline: argv.baseline });
      process.stdout.write(`wrote ${out}\n`);
    },
  );
}
