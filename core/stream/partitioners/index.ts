/**
 * Partitioners: how a producer picks a record's partition. The public surface of this folder.
 */
export type { Partitioner, PartitionerName, RandomInt, DefaultPartitionerOptions, CounterPartitionerOptions } from './types.js';
export { PARTITIONER_DEFAULTS } from './options.js';
export { MURMUR2_SEED, murmur2, murmur2String, murmur2Key, toPositive, partitionForKey, keyToBytes, type KeyInput } from './murmur2.js';
export { murmur2Legacy, murmur2LegacyKey } from './murmur2-legacy.js';
export { BuiltInPartitioner } from './built-in-partitioner.js';
export { DefaultPartitioner } from './default-partitioner.js';
export { RoundRobinPartitioner } from './round-robin-partitioner.js';
export { KafkaJsPartitioner } from './kafkajs-partitioner.js';
export { KafkaJsDefaultPartitioner } from './kafkajs-default-partitioner.js';
export { KafkaJsLegacyPartitioner } from './kafkajs-legacy-partitioner.js';
export { choosePartition, checkCustomPartition } from './choose-partition.js';
export { createPartitioner, PARTITIONER_NAMES } from './create-partitioner.js';
