/**
 * The machine and runtime a result came from. Every results file carries one, so that figures are
 * never read without their context (DESIGN.md: results contract).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface BenchEnv {
  readonly node: string;
  readonly v8: string;
  readonly cpu: string;
  readonly cores: number;
  readonly os: string;
  readonly commit: string;
  readonly memory_bytes: number;
}

function gitCommit(): string {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty.length > 0 ? `${out}-dirty` : out;
  } catch {
    return 'unknown';
  }
}

export function captureEnv(): BenchEnv {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    commit: gitCommit(),
    memory_bytes: os.totalmem(),
  };
}
