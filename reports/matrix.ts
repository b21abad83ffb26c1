/**
 * The conformance matrix a `mqlab conformance` run writes for one target, as the report reads it:
 * `{ target, version, checks: [{ id, title, status, message, duration_ms }] }`. Validated with zod on
 * read, so a malformed file fails with the offending path instead of rendering a broken table.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const CHECK_STATUSES = ['pass', 'fail', 'n/a', 'version'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const checkSchema = z.object({
  /** The checklist id the conformance test carries, e.g. `amqp.queue.requeue-order`. */
  id: z.string().min(1),
  title: z.string(),
  status: z.enum(CHECK_STATUSES),
  message: z.string().default(''),
  duration_ms: z.number().nonnegative().optional(),
});

export const matrixSchema = z.object({
  target: z.string().min(1),
  /** The version of the target tested: mqlab's commit, RabbitMQ's server version, ... */
  version: z.string(),
  checks: z.array(checkSchema),
});

export type Check = z.infer<typeof checkSchema>;
export type Matrix = z.infer<typeof matrixSchema>;

export function parseMatrix(json: unknown): Matrix {
  return matrixSchema.parse(json);
}

export function readMatrix(path: string): Matrix {
  return parseMatrix(JSON.parse(readFileSync(path, 'utf8')));
}
