/**
 * kafkajs 2.x's `Partitioners.DefaultPartitioner` (1.x's JavaCompatiblePartitioner): Java's murmur2
 * for keys, so keyed records land where the Java client puts them; keyless records round-robin.
 */
import { KafkaJsPartitioner } from './kafkajs-partitioner.js';
import { murmur2 } from './murmur2.js';

export class KafkaJsDefaultPartitioner extends KafkaJsPartitioner {
  protected override hash(keyBytes: Uint8Array): number {
    return murmur2(keyBytes, 0, keyBytes.length);
  }
}
