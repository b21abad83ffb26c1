/**
 * kafkajs's `Partitioners.LegacyPartitioner` (1.x's default): its own murmur2 variant for keys
 * (murmur2-legacy.ts), which does NOT agree with Java's. Opt-in only, for topics whose keyed data
 * was written by kafkajs 1.x and must keep its partitions.
 */
import { KafkaJsPartitioner } from './kafkajs-partitioner.js';
import { murmur2Legacy } from './murmur2-legacy.js';

export class KafkaJsLegacyPartitioner extends KafkaJsPartitioner {
  protected override hash(keyBytes: Uint8Array): number {
    return murmur2Legacy(keyBytes, 0, keyBytes.length);
  }
}
