/**
 * Every diagnostics channel mqlab publishes, under the `mqlab:` namespace (as @platformatic/kafka
 * does). Operations use tracing channels (start, end, asyncStart, asyncEnd, error, with an operation
 * id); plain events use simple channels. Publishers check `hasSubscribers` first, so nothing is
 * built or published when nobody listens, and the engine never prints to the console.
 */
import diagnostics from 'node:diagnostics_channel';

export const channels = {
  /** A broker started, stopped, was killed or restarted: `{ brokerId, event }`. */
  brokerLifecycle: diagnostics.channel('mqlab:broker:lifecycle'),
  /** A partition got a new leader: `{ topic, partition, leader, leaderEpoch }`. */
  brokerElection: diagnostics.channel('mqlab:broker:election'),
  /** The controller accepted a partition's new ISR: `{ topic, partition, leaderEpoch, isr }`. */
  isrChange: diagnostics.channel('mqlab:cluster:isr'),
  /** A topic was created or deleted: `{ topic, event, partitions }`. */
  topicChange: diagnostics.channel('mqlab:cluster:topics'),
  /** A consumer group changed state: `{ groupId, generationId, state, members }`. */
  consumerGroup: diagnostics.channel('mqlab:consumer:group'),
} as const;

export const tracing = {
  /** One producer send: `{ operationId, topic, messages }`. */
  producerSends: diagnostics.tracingChannel('mqlab:producer:sends'),
  /** One consumer fetch or batch delivery: `{ operationId, topic, partition }`. */
  consumerFetches: diagnostics.tracingChannel('mqlab:consumer:fetches'),
  /** One admin operation: `{ operationId, operation }`. */
  adminOperations: diagnostics.tracingChannel('mqlab:admin:operations'),
} as const;

let nextOperationId = 0;
/** A process-unique id that ties the start, end and error events of one operation together. */
export function operationId(): number {
  nextOperationId += 1;
  return nextOperationId;
}
