/**
 * The default partitioner: what Kafka's Java producer does when no `partitioner.class` is set
 * (KafkaProducer.partition + BuiltInPartitioner, KIP-794).
 *
 * - A keyed record goes to toPositive(murmur2(keyBytes)) % numPartitions, over ALL partitions, even
 *   when that partition has no leader: a key's partition must not move when a broker fails.
 * - A keyless record (or any record when `ignoreKeys` is set) goes to the topic's sticky partition,
 *   which changes after `batchSize` bytes (see built-in-partitioner.ts).
 *
 * Invariant: a call allocates nothing once its topic has been seen (one BuiltInPartitioner per
 * topic is created on first use).
 */
import { BuiltInPartitioner } from './built-in-partitioner.js';
import { partitionForKey } from './murmur2.js';
import { resolveDefaultPartitionerOptions, type ResolvedDefaultPartitionerOptions } from './options.js';
import type { DefaultPartitionerOptions, Partitioner } from './types.js';

export class DefaultPartitioner implements Partitioner {
  readonly options: ResolvedDefaultPartitionerOptions;
  private readonly topics = new Map<string, BuiltInPartitioner>();

  constructor(options?: DefaultPartitionerOptions) {
    this.options = resolveDefaultPartitionerOptions(options);
  }

  partition(topic: string, numPartitions: number, availablePartitions: readonly number[], keyBytes: Uint8Array | null, recordSize: number): number {
    if (keyBytes !== null && !this.options.ignoreKeys) return partitionForKey(keyBytes, numPartitions);
    return this.stickyPartition(topic, numPartitions, availablePartitions, recordSize);
  }

  /** The keyless path: the topic's sticky partition, with `recordSize` counted against it. */
  stickyPartition(topic: string, numPartitions: number, availablePartitions: readonly number[], recordSize: number): number {
    const builtIn = this.builtInPartitioner(topic);
    const partition = builtIn.currentPartition(numPartitions, availablePartitions);
    builtIn.updatePartitionInfo(recordSize, numPartitions, availablePartitions);
    return partition;
  }

  /** The topic's sticky/adaptive state, for producers that peek and update in two steps as Java's accumulator does. */
  builtInPartitioner(topic: string): BuiltInPartitioner {
    let builtIn = this.topics.get(topic);
    if (builtIn === undefined) {
      builtIn = new BuiltInPartitioner(topic, this.options.batchSize, this.options.random);
      this.topics.set(topic, builtIn);
    }
    return builtIn;
  }

  /** Feeds the topic's queue sizes to adaptive partitioning; ignored when it is disabled. */
  updatePartitionLoadStats(topic: string, queueSizes: ArrayLike<number> | null, partitionIds: ArrayLike<number>, length: number): void {
    this.builtInPartitioner(topic).updatePartitionLoadStats(this.options.adaptivePartitioningEnable ? queueSizes : null, partitionIds, length);
  }
}
