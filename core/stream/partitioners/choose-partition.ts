/**
 * The producer's partition precedence (KafkaProducer.partition):
 *   explicit partition (0 included) > custom partitioner > key hash > sticky.
 * The last two live in the default partitioner, which also honours `ignoreKeys`.
 *
 * Invariants:
 * - A custom partitioner's answer is checked: a negative or non-integer partition is a typed
 *   KafkaConfigError (Java: IllegalArgumentException) naming the value, never a silent misroute.
 * - Whether a partition is below the topic's partition count is the caller's check, made against
 *   metadata it may still be waiting for (Java: waitOnMetadata).
 */
import { KafkaConfigError } from '../../errors/index.js';
import type { Partitioner } from './types.js';

/** Checks a custom partitioner's answer and returns it. */
export function checkCustomPartition(partition: number): number {
  if (Number.isInteger(partition) && partition >= 0) return partition;
  throw new KafkaConfigError(
    `The partitioner generated an invalid partition number: ${String(partition)}. Partition number should always be non-negative.`,
  );
}

/**
 * The partition of one record. `explicitPartition` is the record's own partition (null or
 * undefined when it has none); `custom` the configured partitioner (null for none); `builtIn`
 * the default partitioner (key hash, then sticky).
 */
export function choosePartition(
  explicitPartition: number | null | undefined,
  custom: Partitioner | null,
  builtIn: Partitioner,
  topic: string,
  numPartitions: number,
  availablePartitions: readonly number[],
  keyBytes: Uint8Array | null,
  recordSize: number,
): number {
  if (explicitPartition !== null && explicitPartition !== undefined) {
    if (Number.isInteger(explicitPartition) && explicitPartition >= 0) return explicitPartition;
    throw new KafkaConfigError(
      `Invalid partition: ${String(explicitPartition)}. Partition number should always be non-negative or null.`,
    );
  }
  if (numPartitions < 1) {
    throw new KafkaConfigError(`Cannot choose a partition of topic '${topic}': it has ${String(numPartitions)} partitions`);
  }
  if (custom !== null) {
    return checkCustomPartition(custom.partition(topic, numPartitions, availablePartitions, keyBytes, recordSize));
  }
  return builtIn.partition(topic, numPartitions, availablePartitions, keyBytes, recordSize);
}
