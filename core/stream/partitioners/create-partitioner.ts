/**
 * Builds a built-in partitioner by name. 'default' is Java's built-in (sticky, KIP-794); the
 * kafkajs ones reproduce kafkajs 2.x for users migrating from it; 'kafkajsLegacy' is opt-in only.
 */
import { KafkaConfigError } from '../../errors/index.js';
import { DefaultPartitioner } from './default-partitioner.js';
import { KafkaJsDefaultPartitioner } from './kafkajs-default-partitioner.js';
import { KafkaJsLegacyPartitioner } from './kafkajs-legacy-partitioner.js';
import { RoundRobinPartitioner } from './round-robin-partitioner.js';
import type { CounterPartitionerOptions, DefaultPartitionerOptions, Partitioner, PartitionerName } from './types.js';

export const PARTITIONER_NAMES: readonly PartitionerName[] = ['default', 'roundRobin', 'kafkajsDefault', 'kafkajsLegacy'];

export function createPartitioner(name: 'default', options?: DefaultPartitionerOptions): DefaultPartitioner;
export function createPartitioner(name: PartitionerName, options?: DefaultPartitionerOptions & CounterPartitionerOptions): Partitioner;
export function createPartitioner(name: PartitionerName, options?: DefaultPartitionerOptions & CounterPartitionerOptions): Partitioner {
  switch (name) {
    case 'default':
      return new DefaultPartitioner(options);
    case 'roundRobin':
      return new RoundRobinPartitioner();
    case 'kafkajsDefault':
      return new KafkaJsDefaultPartitioner({ random: options?.random });
    case 'kafkajsLegacy':
      return new KafkaJsLegacyPartitioner({ random: options?.random });
    default: {
      // Reachable from untyped callers only.
      const unknown: never = name;
      throw new KafkaConfigError(`Unknown partitioner '${String(unknown)}': expected one of ${PARTITIONER_NAMES.join(', ')}`);
    }
  }
}
