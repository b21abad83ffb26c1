/**
 * The partitioner contract, shaped after Kafka's `Partitioner.partition(topic, key, keyBytes, value,
 * valueBytes, cluster)` but with the cluster reduced to what a choice needs, passed positionally so
 * that a call allocates nothing.
 *
 * Invariants every implementation keeps:
 * - `partition` returns an integer in [0, numPartitions) (a custom one may break this; the caller
 *   checks it, see choose-partition.ts), and never allocates per call.
 * - `availablePartitions` is owned by the caller and only read: the ids of the partitions that have
 *   a leader (kafkajs: `leader >= 0`), in metadata order. The caller rebuilds it on metadata change.
 * - `keyBytes === null` means keyless. An empty key (zero bytes, the key "") is a key and is hashed.
 */
export interface Partitioner {
  /**
   * Chooses the partition for one record.
   *
   * @param topic the record's topic
   * @param numPartitions how many partitions the topic has, with a leader or not
   * @param availablePartitions ids of the partitions that currently have a leader, in metadata order
   * @param keyBytes the serialized key, or null for a keyless record
   * @param recordSize the record's size in bytes as appended to its batch (sticky partitioning
   *   counts these against `batchSize`)
   */
  partition(
    topic: string,
    numPartitions: number,
    availablePartitions: readonly number[],
    keyBytes: Uint8Array | null,
    recordSize: number,
  ): number;
}

/** The built-in strategies, by the names mqlab's producer options accept. */
export type PartitionerName = 'default' | 'roundRobin' | 'kafkajsDefault' | 'kafkajsLegacy';

/** A source of uniformly distributed integers; only the low 31 bits are used (toPositive). */
export type RandomInt = () => number;

/** Options of the default (Java built-in, KIP-794) partitioner. Names follow the Java configs. */
export interface DefaultPartitionerOptions {
  /** `batch.size`: bytes produced to the sticky partition before switching. 0 behaves as 1, as in Java. */
  readonly batchSize?: number;
  /** `partitioner.ignore.keys`: when true, keyed records take the keyless (sticky) path too. */
  readonly ignoreKeys?: boolean;
  /** `partitioner.adaptive.partitioning.enable`: when false, queue-size load stats are ignored. */
  readonly adaptivePartitioningEnable?: boolean;
  /** Where the switch to a new sticky partition draws its random number (Java: ThreadLocalRandom). */
  readonly random?: RandomInt;
}

/** Options of the round-robin and kafkajs partitioners. */
export interface CounterPartitionerOptions {
  /**
   * Where a topic's first counter value comes from. RoundRobinPartitioner starts every topic at 0
   * (this is ignored there); kafkajs starts each topic at a random 32-bit value.
   */
  readonly random?: RandomInt;
}
