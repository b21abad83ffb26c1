/**
 * kafkajs's `Partitioners` names. mqlab's producer already partitions as the Java client does
 * (murmur2 for keys, sticky for keyless records) when given no partitioner; these factories give
 * kafkajs's own behaviours to code that passes `createPartitioner` explicitly.
 */
import { KafkaJsDefaultPartitioner, KafkaJsLegacyPartitioner, RoundRobinPartitioner } from '../../stream/partitioners/index.js';
import { keyToBytes } from '../../stream/partitioners/index.js';
import type { ICustomPartitioner, PartitionerArgs } from './types.js';

function adapt(make: () => { partition(topic: string, n: number, available: readonly number[], key: Uint8Array | null, size: number): number }): ICustomPartitioner {
  return () => {
    const partitioner = make();
    return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
      const available = partitionMetadata.filter((p) => p.leader >= 0).map((p) => p.partitionId);
      return partitioner.partition(topic, partitionMetadata.length, available, keyToBytes(message.key ?? null), 0);
    };
  };
}

export const Partitioners = {
  /** Java-compatible: murmur2 of the key, round-robin over partitions with a leader when keyless. */
  DefaultPartitioner: adapt(() => new KafkaJsDefaultPartitioner()),
  JavaCompatiblePartitioner: adapt(() => new KafkaJsDefaultPartitioner()),
  /** kafkajs's pre-2.0 partitioner, for data partitioned by old kafkajs versions. */
  LegacyPartitioner: adapt(() => new KafkaJsLegacyPartitioner()),
  /** Keys ignored, records spread evenly (Kafka's RoundRobinPartitioner). */
  RoundRobinPartitioner: adapt(() => new RoundRobinPartitioner()),
};

/** kafkajs's log levels, accepted for compatibility (mqlab logs nothing; it traces via diagnostics_channel). */
export const logLevel = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;
