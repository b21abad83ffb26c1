/**
 * `mqlab/kafka`: kafkajs's API over mqlab's embedded cluster. Code written for kafkajs moves over
 * by changing its import; the native fast API (partitionWriter, partitionReader) sits beside it.
 */
export { Kafka } from './kafka.js';
export { Producer, producerDefaults } from './producer.js';
export { Consumer, consumerDefaults, PartitionAssigners, type Batch, type ConsumerConfig, type ConsumerRunConfig, type EachBatchPayload, type EachMessagePayload } from './consumer.js';
export { Admin, type ITopicConfig } from './admin.js';
export { CONSUMER_EVENTS, PRODUCER_EVENTS, ADMIN_EVENTS } from './instrumentation.js';
export { Partitioners } from './partitioners.js';
export { PartitionReader, PartitionWriter, type PartitionReaderOptions, type PartitionWriterOptions } from '../native/index.js';
export { startCluster, type Cluster, type ClusterOptions } from '../../cluster/index.js';
export { KafkaProtocolError as KafkaJSProtocolError, KafkaConfigError as KafkaJSNonRetriableError, KafkaClientStateError, MqlabError, errorFromRecord } from '../../errors/index.js';
export { logLevel } from './partitioners.js';
export * from './types.js';
