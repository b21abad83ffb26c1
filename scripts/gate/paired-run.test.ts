/**
 * The gate's paired runner on real builds: this build's dist three times over (baseline, candidate
 * and twin), and a dist without the paired hook, which must be refused rather than half measured.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runPaired } from './paired-run.js';

const DIST = fileURLToPath(new URL('../../', import.meta.url));

describe('paired gate runs', () => {
  it('times the baseline, the candidate and the twin on the same scenarios, only those asked for', async () => {
    const out = await runPaired({ a: DIST, b: DIST, twin: DIST, patterns: ['log.append.batch.200B', 'log.read.200B'], durationS: 0.02, out: '' });
    expect(out).toBeDefined();
    for (const side of [out!.a, out!.b, out!.aa]) {
      expect(side.scenarios.map((s) => s.id)).toEqual(['log.append.batch.200B', 'log.read.200B']);
      for (const s of side.scenarios) {
        expect(s.messages).toBeGreaterThan(0);
        expect(s.elapsed_ns).toBeGreaterThanOrEqual(0.02e9);
        expect(s.throughput.msgs_per_s).toBeCloseTo(s.messages / (s.elapsed_ns / 1e9), 0);
      }
    }
  }, 30_000);

  it('refuses a build whose log scenarios have no logIterations hook', async () => {
    const old = mkdtempSync(join(tmpdir(), 'mqlab-old-dist-'));
    onTestFinished(() => rmSync(old, { recursive: true, force: true }));
    mkdirSync(join(old, 'bench', 'micro'), { recursive: true });
    writeFileSync(join(old, 'bench', 'micro', 'log.js'), 'export const runLogScenarios = async () => [];\n');
    writeFileSync(join(old, 'package.json'), '{ "type": "module" }\n');
    expect(await runPaired({ a: join(old), b: DIST, twin: join(old), patterns: ['log.*'], durationS: 0.02, out: '' })).toBeUndefined();
  });
});
