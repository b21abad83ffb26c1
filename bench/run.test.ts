import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readResults, writeResults } from './results.js';
import { runBench } from './run.js';

const MICRO_IDS = [
  'ceiling.copy.200B',
  'peer.postMessage.200B',
  'peer.postMessage.batch.200B',
  'peer.ringbufjs.200B',
  'ring.spsc.200B',
  'log.append.200B',
  'log.append.batch.200B',
  'log.read.200B',
  'host.stalls',
];

describe('mqlab bench --suite micro', () => {
  it('writes a valid results file with every micro scenario id', async () => {
    const results = await runBench({ suite: 'micro', durationMs: 40 });
    const dir = mkdtempSync(join(tmpdir(), 'mqlab-bench-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'results.json');
    writeResults(file, results);
    const read = readResults(file);
    expect(read.schema).toBe(1);
    expect(read.env.cores).toBeGreaterThan(0);
    const ids = read.scenarios.map((s) => s.id);
    for (const id of MICRO_IDS) expect(ids).toContain(id);
    for (const s of read.scenarios) {
      expect(s.messages, s.id).toBeGreaterThan(0);
      expect(s.throughput.msgs_per_s, s.id).toBeGreaterThan(0);
      expect(s.threads, s.id).toBeGreaterThan(0);
    }
  }, 120_000);
});
