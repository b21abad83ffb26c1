/**
 * Kafka consumer groups: the classic-protocol group coordinator, the partition assignors, and the
 * committed-offset store. Pure, single-threaded logic driven with explicit time; the broker worker
 * that hosts it owns the timers and the threads.
 */
export * from './assignors/index.js';
export { GroupCoordinator, type OffsetCommitValidator } from './coordinator.js';
export { MemberIdRequiredError } from './errors.js';
export {
  OffsetStore,
  javaStringHashCode,
  kafkaAbs,
  offsetsPartitionFor,
  type CommittedPartitionOffset,
  type OffsetCommitPartition,
  type OffsetFetchTopic,
  type OffsetStoreConfig,
  type TopicOffsets,
} from './offset-store.js';
export {
  GROUP_COORDINATOR_DEFAULTS,
  OFFSET_STORE_DEFAULTS,
  type GroupCoordinatorOptions,
  type OffsetStoreOptions,
} from './options.js';
export type * from './types.js';
