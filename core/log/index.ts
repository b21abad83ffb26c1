/**
 * core/log: a Kafka partition's log in shared memory. PartitionLog (the owner's side), RecordCursor
 * (zero-copy reads), PartitionLogReader (another thread's side), and the record batch codec that
 * producers encode with.
 */
export { PartitionLog, type PartitionLogCursorOptions, type PartitionLogStats } from './partition-log.js';
export { PartitionLogReader, type BatchSink, type PartitionLogReaderOptions } from './partition-log-reader.js';
export { RecordCursor, type BatchCrcStatus, type RecordCursorOptions } from './record-cursor.js';
export {
  RecordBatchBuilder,
  computeBatchCrc,
  decodeRecordBatch,
  readBatchHeader,
  readInt16BE,
  readInt32BE,
  readInt64BE,
  sealBatchCrc,
  type BatchFields,
  type DecodedBatch,
  type DecodedHeader,
  type DecodedRecord,
  type RecordBatchBuilderOptions,
  type RecordBatchHeader,
  type RecordHeader,
} from './record-batch.js';
export { crc32c } from './crc32c.js';
export { coarseNow } from './clock.js';
export { partitionLogDefaults, resolvePartitionLogOptions, type PartitionLogOptions } from './options.js';
export type { LogDescriptor, SegmentDescriptor, SegmentMessage } from './descriptor.js';
export type { WaitResult } from './control.js';
export { announceSegments, pullSegmentsFrom } from './segment-port.js';
export {
  ATTR_CRC_ABSENT,
  BATCH_BASE_OFFSET,
  BATCH_BASE_SEQUENCE,
  BATCH_HEADER_BYTES,
  BATCH_PARTITION_LEADER_EPOCH,
  BATCH_PRODUCER_EPOCH,
  BATCH_PRODUCER_ID,
  BATCH_RECORDS_COUNT,
  DEFAULT_MAX_MESSAGE_BYTES,
  MAGIC_V2,
} from './layout.js';
