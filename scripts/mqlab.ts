#!/usr/bin/env node
/** The `mqlab` command line: yargs wires each command module in scripts/commands/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './commands/bench.js';

await yargs(hideBin(process.argv))
  .scriptName('mqlab')
  .usage('$0 <command> [options]')
  .command(benchCommand)
  .demandCommand(1, 'name a command; --help lists them')
  .strict()
  .help()
  .parseAsync();
