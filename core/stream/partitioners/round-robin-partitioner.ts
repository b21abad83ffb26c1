/**
 * Kafka's RoundRobinPartitioner (`partitioner.class`): every record, keyed or not, goes to the next
 * partition in turn, per topic, over the partitions that have a leader (over all of them when none
 * has). Keys are ignored.
 *
 * Invariant: a topic's counter starts at 0 and wraps as a Java int does; one Int32Array(1) per topic
 * holds it, so a call allocates nothing once its topic has been seen.
 */
import { toPositive } from './murmur2.js';
import type { Partitioner } from './types.js';

export class RoundRobinPartitioner implements Partitioner {
  private readonly counters = new Map<string, Int32Array>();

  partition(topic: string, numPartitions: number, availablePartitions: readonly number[], _keyBytes: Uint8Array | null, _recordSize: number): number {
    let counter = this.counters.get(topic);
    if (counter === undefined) {
      counter = new Int32Array(1);
      this.counters.set(topic, counter);
    }
    const next = toPositive(counter[0]!);
    counter[0] = counter[0]! + 1;
    const available = availablePartitions.length;
    return available > 0 ? availablePartitions[next % available]! : next % numPartitions;
  }
}
