/**
 * A git ref built in a temporary worktree, for `gate --against REF`. The worktree shares this
 * checkout's node_modules through a symlink (the lockfile is the same tree's, or close enough for a
 * baseline build) and compiles with the project's own tsc into its own dist/. It is removed
 * afterwards whatever happens, with `git worktree remove --force`: the only git commands the gate
 * runs, and only on that temporary worktree.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Build } from './bench-process.js';

export interface CommandResult {
  readonly code: number | null;
  readonly output: string;
}

function exec(command: string, args: readonly string[], cwd: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export type Log = (line: string) => void;

/**
 * Runs `use` with `ref` checked out and built in a temporary worktree of `checkout`, then removes
 * the worktree. A build with type errors is used when tsc still wrote the CLI (tsc emits despite
 * errors), with a warning: the baseline is what the ref compiles to.
 */
export async function withWorktreeBuild<T>(checkout: string, ref: string, log: Log, use: (build: Build) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(os.tmpdir(), 'mqlab-gate-ref-'));
  let added = false;
  // Interrupted (Ctrl-C, a CI timeout): remove the worktree before exiting, synchronously.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (added) {
      try {
        execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: checkout, stdio: 'ignore' });
      } catch {
        // Still remove the folder; `git worktree prune` forgets a worktree whose folder is gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const add = await exec('git', ['worktree', 'add', '--detach', dir, ref], checkout);
    if (add.code !== 0) throw new Error(`git worktree add ${ref} failed: ${add.output.trim()}`);
    added = true;
    symlinkSync(join(checkout, 'node_modules'), join(dir, 'node_modules'), 'dir');
    log(`building ${ref} in ${dir}`);
    const tsc = await exec(process.execPath, [join(checkout, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
    const dist = join(dir, 'dist');
    if (!existsSync(join(dist, 'scripts', 'mqlab.js'))) throw new Error(`building ${ref} failed:\n${tsc.output.trim()}`);
    if (tsc.code !== 0) log(`warning: tsc reported errors building ${ref}; using what it emitted`);
    return await use({ label: `baseline ${ref}`, dist, cwd: dir });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (added) {
      const removed = await exec('git', ['worktree', 'remove', '--force', dir], checkout);
      if (removed.code !== 0) log(`warning: git worktree remove ${dir} failed: ${removed.output.trim()}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
