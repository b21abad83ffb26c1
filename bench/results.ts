/**
 * results.json: the one contract between bench, reports and gate (DESIGN.md). Schema version 1 fixes
 * `schema`, `env` and each scenario's `id`, `target`, `params` and `throughput`; later versions add
 * fields and never rename these. Validated with zod on write and on read.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { BenchEnv } from './env.js';
import type { Measurement } from './micro/types.js';

export const RESULTS_SCHEMA_VERSION = 1;

const paramValue = z.union([z.string(), z.number(), z.boolean()]);

export const latencySchema = z.object({
  p50_us: z.number(),
  p90_us: z.number().optional(),
  p99_us: z.number(),
  p999_us: z.number(),
  max_us: z.number(),
  mean_us: z.number().optional(),
  /** The full HDR histogram, base64 compressed (hdr-histogram-js encodeIntoCompressedBase64). */
  hdr: z.string().optional(),
});

export const scenarioSchema = z.object({
  id: z.string().min(1),
  target: z.string().min(1),
  params: z.record(z.string(), paramValue),
  throughput: z.object({ msgs_per_s: z.number().nonnegative(), MB_per_s: z.number().nonnegative() }),
  threads: z.number().int().positive(),
  cores: z.number().int().positive(),
  messages: z.number().nonnegative(),
  elapsed_ns: z.number().nonnegative(),
  samples_msgs_per_s: z.array(z.number()).optional(),
  latency: latencySchema.optional(),
  reference: z.object({ name: z.string(), msgs_per_s: z.number(), ratio: z.number() }).optional(),
  extra: z.record(z.string(), z.number()).optional(),
  status: z.enum(['ok', 'failed']).default('ok'),
  error: z.string().optional(),
});

export const envSchema = z.object({
  node: z.string(),
  v8: z.string(),
  cpu: z.string(),
  cores: z.number().int().positive(),
  os: z.string(),
  commit: z.string(),
  memory_bytes: z.number().optional(),
});

export const resultsSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA_VERSION),
  created: z.string(),
  suite: z.string(),
  env: envSchema,
  scenarios: z.array(scenarioSchema),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Results = z.infer<typeof resultsSchema>;

const MB = 1_000_000;

export function scenarioFromMeasurement(m: Measurement, cores: number): Scenario {
  const seconds = m.elapsedNs / 1e9;
  const msgsPerS = seconds > 0 ? m.messages / seconds : 0;
  const mbPerS = seconds > 0 ? m.payloadBytes / seconds / MB : 0;
  const scenario: Scenario = {
    id: m.id,
    target: m.target,
    params: { ...m.params },
    throughput: { msgs_per_s: msgsPerS, MB_per_s: mbPerS },
    threads: m.threads,
    cores,
    messages: m.messages,
    elapsed_ns: m.elapsedNs,
    status: 'ok',
  };
  if (m.samplesMsgsPerS !== undefined) scenario.samples_msgs_per_s = [...m.samplesMsgsPerS];
  if (m.extra !== undefined) scenario.extra = { ...m.extra };
  if (m.latency !== undefined) scenario.latency = { ...m.latency };
  return scenario;
}

export function buildResults(suite: string, env: BenchEnv, scenarios: Scenario[]): Results {
  return resultsSchema.parse({ schema: RESULTS_SCHEMA_VERSION, created: new Date().toISOString(), suite, env, scenarios });
}

export function writeResults(path: string, results: Results): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(resultsSchema.parse(results), null, 2)}\n`);
}

export function readResults(path: string): Results {
  return resultsSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}
