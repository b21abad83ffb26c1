/**
 * Defaults of every partitioner in one place, and their validation. Options are checked once, at
 * construction, and never again on the per-record path.
 */
import { parseOrThrow } from '../parse-options.js';
import { zod } from '../../schema.js';
import type { CounterPartitionerOptions, DefaultPartitionerOptions, RandomInt } from './types.js';

// This module runs on the main thread only: zod loads with it (see core/schema.ts).
const z = zod();

/** Java's ThreadLocalRandom.nextInt() stand-in: a uniform int in [0, 2^31). */
export const mathRandomInt: RandomInt = () => Math.floor(Math.random() * 0x80000000);

export const PARTITIONER_DEFAULTS = {
  /** ProducerConfig `batch.size` default. */
  batchSize: 16_384,
  /** ProducerConfig `partitioner.ignore.keys` default. */
  ignoreKeys: false,
  /** ProducerConfig `partitioner.adaptive.partitioning.enable` default. */
  adaptivePartitioningEnable: true,
  random: mathRandomInt,
} as const;

export interface ResolvedDefaultPartitionerOptions {
  /** The sticky batch size actually used: max(1, batch.size). */
  readonly batchSize: number;
  readonly ignoreKeys: boolean;
  readonly adaptivePartitioningEnable: boolean;
  readonly random: RandomInt;
}

const randomSchema = z.custom<RandomInt>((v) => typeof v === 'function', { message: 'must be a function returning an integer' });

const defaultOptionsSchema = z
  .object({
    batchSize: z.number().int().min(0).max(0x7fffffff).optional(),
    ignoreKeys: z.boolean().optional(),
    adaptivePartitioningEnable: z.boolean().optional(),
    random: randomSchema.optional(),
  })
  .strict();

const counterOptionsSchema = z.object({ random: randomSchema.optional() }).strict();

export function resolveDefaultPartitionerOptions(options?: DefaultPartitionerOptions): ResolvedDefaultPartitionerOptions {
  const o = parseOrThrow(defaultOptionsSchema, options, 'partitioner');
  return {
    batchSize: Math.max(1, o.batchSize ?? PARTITIONER_DEFAULTS.batchSize),
    ignoreKeys: o.ignoreKeys ?? PARTITIONER_DEFAULTS.ignoreKeys,
    adaptivePartitioningEnable: o.adaptivePartitioningEnable ?? PARTITIONER_DEFAULTS.adaptivePartitioningEnable,
    random: o.random ?? PARTITIONER_DEFAULTS.random,
  };
}

export function resolveCounterPartitionerOptions(options?: CounterPartitionerOptions): { readonly random: RandomInt } {
  const o = parseOrThrow(counterOptionsSchema, options, 'partitioner');
  return { random: o.random ?? PARTITIONER_DEFAULTS.random };
}
