#!/usr/bin/env node
/** The `mqlab` command line: each command registers itself from scripts/commands/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './commands/bench.js';
import { conformanceCommand } from './commands/conformance.js';
import { gateCommand } from './commands/gate.js';
import { jepsenCommand } from './commands/jepsen.js';
import { reportCommand } from './commands/report.js';

const cli = yargs(hideBin(process.argv)).scriptName('mqlab').usage('$0 <command> [options]');
await jepsenCommand(gateCommand(conformanceCommand(reportCommand(benchCommand(cli)))))
  .demandCommand(1, 'name a command; --help lists them')
  .strict()
  .help()
  .parseAsync();
