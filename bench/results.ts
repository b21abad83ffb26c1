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

/** One trial of a max-sustainable-rate search: offered rate, achieved rate, p99 from intended send. */
export const curvePointSchema = z.object({
  rate_msgs_per_s: z.number().nonnegative(),
  msgs_per_s: z.number().nonnegative(),
  p99_us: z.number().nonnegative(),
  ok: z.boolean(),
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
  /** Added in place (optional, so older files still read): delivery checks from payload sequence numbers. */
  lost: z.number().int().nonnegative().optional(),
  duplicated: z.number().int().nonnegative().optional(),
  reordered: z.number().int().nonnegative().optional(),
  /** Latency from the actual send time; `latency` counts from the intended send time where a rate is set. */
  latency_actual: latencySchema.optional(),
  /** Rate versus p99 from a max-sustainable-rate search, by offered rate. */
  curve: z.array(curvePointSchema).optional(),
});

/** A scenario that did not run here and why (for example, its peer is unreachable): never a pass. */
export const skippedSchema = z.object({ id: z.string().min(1), target: z.string(), reason: z.string() });

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
  skipped: z.array(skippedSchema).optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Results = z.infer<typeof resultsSchema>;
export type Skipped = z.infer<typeof skippedSchema>;

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
    status: m.error === undefined ? 'ok' : 'failed',
  };
  if (m.error !== undefined) scenario.error = m.error;
  if (m.delivery !== undefined) {
    scenario.lost = m.delivery.lost;
    scenario.duplicated = m.delivery.duplicated;
    scenario.reordered = m.delivery.reordered;
  }
  if (m.latencyActual !== undefined) scenario.latency_actual = { ...m.latencyActual };
  if (m.curve !== undefined) scenario.curve = m.curve.map((p) => ({ ...p }));
  if (m.samplesMsgsPerS !== undefined) scenario.samples_msgs_per_s = [...m.samplesMsgsPerS];
  if (m.extra !== undefined) scenario.extra = { ...m.extra };
  if (m.latency !== undefined) scenario.latency = { ...m.latency };
  return scenario;
}

export function buildResults(suite: string, env: BenchEnv, scenarios: Scenario[], skipped: Skipped[] = []): Results {
  return resultsSchema.parse({ schema: RESULTS_SCHEMA_VERSION, created: new Date().toISOString(), suite, env, scenarios, ...(skipped.length === 0 ? {} : { skipped }) });
}

export function writeResults(path: string, results: Results): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(resultsSchema.parse(results), null, 2)}\n`);
}

export function readResults(path: string): Results {
  return resultsSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}
