/**
 * One topic's keyless partitioning state, as Kafka's BuiltInPartitioner (KIP-794) keeps it: a
 * "sticky" partition that receives every keyless record until at least `stickyBatchSize` bytes have
 * been produced to it, then a switch to a new partition drawn at random, either uniformly over the
 * partitions that have a leader or, when queue-size load stats are present (adaptive partitioning),
 * weighted towards the partitions with the shortest queues.
 *
 * Invariants:
 * - A switch draws only among available partitions; when none has a leader, among all of them.
 * - The cumulative frequency table (CFT) is strictly increasing: each partition's frequency is
 *   (max queue size + 1 - its queue size) >= 1. A draw r in [0, CFT[last]) picks the first index
 *   whose CFT value is > r. Example: queue sizes {5,0,3,0,1} -> frequencies {1,6,3,6,5} ->
 *   CFT [1,7,10,16,21].
 * - Nothing here allocates per record. The load-stats arrays are owned here (the caller's arrays
 *   are only read, unlike Java, which folds the CFT into the caller's array) and only grow.
 */
import { KafkaConfigError } from '../../errors/index.js';
import { toPositive } from './murmur2.js';
import type { RandomInt } from './types.js';

/** No sticky partition chosen yet. */
const NO_PARTITION = -1;

export class BuiltInPartitioner {
  readonly topic: string;
  readonly stickyBatchSize: number;
  private readonly random: RandomInt;

  private stickyPartition = NO_PARTITION;
  private producedBytes = 0;

  /** CFT over `loadIds`, valid in [0, loadLength); loadLength 0 means uniform choice. */
  private cft = new Int32Array(0);
  private loadIds = new Int32Array(0);
  private loadLength = 0;

  constructor(topic: string, stickyBatchSize: number, random: RandomInt) {
    if (!Number.isInteger(stickyBatchSize) || stickyBatchSize < 1) {
      throw new KafkaConfigError(`stickyBatchSize must be >= 1 but got ${String(stickyBatchSize)} (topic '${topic}')`);
    }
    this.topic = topic;
    this.stickyBatchSize = stickyBatchSize;
    this.random = random;
  }

  /**
   * The current sticky partition (Java: peekCurrentPartitionInfo), choosing one if there is none
   * yet or if the topic no longer has it.
   */
  currentPartition(numPartitions: number, availablePartitions: readonly number[]): number {
    if (this.stickyPartition === NO_PARTITION || this.stickyPartition >= numPartitions) {
      this.stickyPartition = this.nextPartition(numPartitions, availablePartitions);
      this.producedBytes = 0;
    }
    return this.stickyPartition;
  }

  /**
   * Counts `appendedBytes` against the sticky partition and switches once enough has been produced
   * (Java: updatePartitionInfo). With `enableSwitch` false (the current batch is not ready yet) the
   * switch waits, but never past twice the sticky batch size.
   */
  updatePartitionInfo(appendedBytes: number, numPartitions: number, availablePartitions: readonly number[], enableSwitch = true): void {
    this.producedBytes += appendedBytes;
    if ((enableSwitch && this.producedBytes >= this.stickyBatchSize) || this.producedBytes >= this.stickyBatchSize * 2) {
      this.stickyPartition = this.nextPartition(numPartitions, availablePartitions);
      this.producedBytes = 0;
    }
  }

  /**
   * Installs queue-size load stats for adaptive partitioning (Java: updatePartitionLoadStats).
   * `queueSizes[i]` is the number of queued batches of partition `partitionIds[i]`; partitions
   * without a leader are left out, and `length` may be less than the arrays' length when slow
   * partitions were excluded. Pass null to drop the stats and return to uniform choice.
   */
  updatePartitionLoadStats(queueSizes: ArrayLike<number> | null, partitionIds: ArrayLike<number>, length: number): void {
    // Fewer than 2 partitions in all: nothing to balance. All queues equal and none excluded:
    // uniform choice already gives the same distribution.
    if (queueSizes === null || length < 1 || queueSizes.length < 2) {
      this.loadLength = 0;
      return;
    }
    let maxSizePlus1 = queueSizes[0]!;
    let allEqual = true;
    for (let i = 1; i < length; i++) {
      const size = queueSizes[i]!;
      if (size !== maxSizePlus1) allEqual = false;
      if (size > maxSizePlus1) maxSizePlus1 = size;
    }
    maxSizePlus1++;
    if (allEqual && length === queueSizes.length) {
      this.loadLength = 0;
      return;
    }
    if (this.cft.length < length) {
      this.cft = new Int32Array(length);
      this.loadIds = new Int32Array(length);
    }
    let running = 0;
    for (let i = 0; i < length; i++) {
      running += maxSizePlus1 - queueSizes[i]!;
      this.cft[i] = running;
      this.loadIds[i] = partitionIds[i]!;
    }
    this.loadLength = length;
  }

  /** The end of the weighted draw's range (the CFT's last value), or 0 without load stats. */
  loadStatsRangeEnd(): number {
    return this.loadLength === 0 ? 0 : this.cft[this.loadLength - 1]!;
  }

  /** A copy of the current CFT (empty without load stats); for tests and diagnostics. */
  cumulativeFrequencyTable(): number[] {
    return Array.from(this.cft.subarray(0, this.loadLength));
  }

  private nextPartition(numPartitions: number, availablePartitions: readonly number[]): number {
    const random = toPositive(this.random());
    const length = this.loadLength;
    if (length === 0) {
      const available = availablePartitions.length;
      return available > 0 ? availablePartitions[random % available]! : random % numPartitions;
    }
    const cft = this.cft;
    const weighted = random % cft[length - 1]!;
    // First index whose CFT value is strictly greater than the draw.
    let lo = 0;
    let hi = length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cft[mid]! > weighted) hi = mid;
      else lo = mid + 1;
    }
    return this.loadIds[lo]!;
  }
}
