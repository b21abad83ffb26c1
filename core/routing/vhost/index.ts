/**
 * The AMQP broker model's public surface: a {@link VirtualHost} with its exchanges, queues,
 * connections and channels, as a pure single-threaded state machine driven with the current time,
 * and the {@link ConnectionSink} a host implements to receive deliveries, returns, confirms and
 * closes.
 */
export { VirtualHost, NO_ROUTE, type QueueInfo } from './vhost.js';
export { Connection, type ConnectionOptions } from './connection.js';
export { Channel, type ChannelMode, type ConsumeOptions, type GetMessage } from './channel.js';
export type { ConnectionSink } from './sink.js';
export { Message, MessageStats, type MessageProperties, type PublishOptions } from './message.js';
export type {
  AssertExchangeOptions,
  AssertQueueOptions,
  DeleteExchangeOptions,
  DeleteQueueOptions,
  QueueDeclareOk,
} from './topology.js';
export {
  MAX_EXPIRY_MS,
  MAX_MESSAGE_SIZE_CAP,
  virtualHostDefaults,
  type VirtualHostOptions,
} from './options.js';
export { OVERFLOW_BEHAVIOURS, QUEUE_TYPES, parseExpiration, type OverflowBehaviour, type QueueType } from './args.js';
export { DIRECT_REPLY_TO, DIRECT_REPLY_PREFIX } from './route.js';
export { TRACE_EXCHANGE } from './trace.js';
export { DELIVERY_COUNT_HEADER, type DeathReason, type Queue } from './queue.js';
export type { QueueStore, QueueStoreProvider, RestoredEntry } from './queue-store.js';
