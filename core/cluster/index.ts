/** core/cluster: the worker-thread runtime — brokers, the controller, and client connections. */
export { Cluster, defaultCluster, startCluster, type ClusterOptions } from './cluster.js';
export { BrokerConnection, produceError, type ProduceResult, type ProduceWaiter } from './connection.js';
export { brokerDefaults, resolveBrokerConfig, type BrokerConfig, type BrokerConfigInput } from './config.js';
export type { BrokerHandle, BrokerLink } from './broker-handle.js';
export { BrokerState, STATE_WORD } from './layout.js';
export type { BrokerCallName, BrokerCalls } from './messages.js';
export type { Controller, CreateTopicRequest } from './controller.js';
export type { PartitionMetadata, TopicMetadata } from './metadata.js';
export { REQUEST_HEADER_BYTES } from './wire.js';
