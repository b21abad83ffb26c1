/** The native fast Kafka-model API: zero-copy readers and writers that encode into shared memory. */
export { PartitionReader, type PartitionReaderOptions } from './partition-reader.js';
export { PartitionWriter, partitionWriterDefaults, validateAcks, type PartitionWriterOptions } from './partition-writer.js';
