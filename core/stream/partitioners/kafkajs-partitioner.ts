/**
 * The partitioning scheme shared by kafkajs 2.x's two partitioners (see kafkajs-default-partitioner.ts
 * and kafkajs-legacy-partitioner.ts); they differ only in the key hash.
 *
 * - Keyed record: toPositive(hash(key)) % numPartitions, over all partitions.
 * - Keyless record: round-robin, per topic, over the partitions whose leader is >= 0 (over all
 *   partitions when none has one). Not sticky: this is where kafkajs and the Java client differ.
 *
 * Invariant: a topic's counter starts at a random 32-bit value, is pre-incremented per keyless
 * record and wraps modulo 2^32 (kafkajs keeps an unbounded number but only its low 32 bits ever
 * matter, through `& 0x7fffffff`). A call allocates nothing once its topic has been seen.
 */
import { toPositive } from './murmur2.js';
import { resolveCounterPartitionerOptions } from './options.js';
import type { CounterPartitionerOptions, Partitioner, RandomInt } from './types.js';

export abstract class KafkaJsPartitioner implements Partitioner {
  private readonly random: RandomInt;
  private readonly counters = new Map<string, Int32Array>();

  constructor(options?: CounterPartitionerOptions) {
    this.random = resolveCounterPartitionerOptions(options).random;
  }

  /** The key hash, as a signed int32. */
  protected abstract hash(keyBytes: Uint8Array): number;

  partition(topic: string, numPartitions: number, availablePartitions: readonly number[], keyBytes: Uint8Array | null, _recordSize: number): number {
    if (keyBytes !== null) return toPositive(this.hash(keyBytes)) % numPartitions;
    let counter = this.counters.get(topic);
    if (counter === undefined) {
      counter = new Int32Array(1);
      counter[0] = this.random();
      this.counters.set(topic, counter);
    }
    counter[0] = counter[0]! + 1;
    const next = toPositive(counter[0]);
    const available = availablePartitions.length;
    return available > 0 ? availablePartitions[next % available]! : next % numPartitions;
  }
}
