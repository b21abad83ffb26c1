/**
 * `mqlab`: the cluster runtime and the typed errors. The Kafka-model API is `mqlab/kafka`; the
 * AMQP-model API is `mqlab/amqp`.
 */
export { startCluster, type Cluster, type ClusterOptions, brokerDefaults, type BrokerConfigInput } from './cluster/index.js';
export * from './errors/index.js';
export { channels, tracing } from './diagnostics.js';
