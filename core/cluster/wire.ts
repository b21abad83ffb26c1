/**
 * The data-path frames between a client connection and a broker, carried in ByteRing frames (never
 * postMessage). Every header is int32 words at the frame's payload offset, which the ring keeps
 * 8-aligned, so both sides read them straight from `ring.dataWords` (little-endian, host order).
 *
 * Request frame (client -> broker), PRODUCE:
 *
 *   word  byte  field            meaning
 *   0     0     apiKey           API_PRODUCE
 *   1     4     correlationId    echoed in the response; unique per connection
 *   2     8     topicId          the controller's numeric id for the topic
 *   3     12    partition
 *   4     16    acks             -1 (all), 0 or 1
 *   5     20    timeoutMs
 *   6     24    batchLength      bytes of the record batch that follows
 *   7     28    reserved
 *   --    32    recordBatch      Kafka record batch v2 (core/log/record-batch.ts), batchLength bytes
 *
 * Response frame (broker -> client), PRODUCE:
 *
 *   word  byte  field            meaning
 *   0     0     apiKey           API_PRODUCE
 *   1     4     correlationId
 *   2     8     errorCode        Kafka error code, 0 on success
 *   3     12    recordCount      records appended (0 on error)
 *   4     16    baseOffsetLow    base offset = high * 2^32 + (low >>> 0); -1 for acks=0 or error
 *   5     20    baseOffsetHigh
 *   6     24    logStartLow      the partition's log start offset after the append
 *   7     28    logStartHigh
 *
 * Invariant: a broker answers every request with acks != 0 exactly once, in request order per
 * connection; acks = 0 requests get no answer, as in Kafka.
 */

export const API_PRODUCE = 0;

export const REQUEST_HEADER_BYTES = 32;
export const REQ_API_KEY = 0;
export const REQ_CORRELATION_ID = 1;
export const REQ_TOPIC_ID = 2;
export const REQ_PARTITION = 3;
export const REQ_ACKS = 4;
export const REQ_TIMEOUT_MS = 5;
export const REQ_BATCH_LENGTH = 6;

export const RESPONSE_BYTES = 32;
export const RES_API_KEY = 0;
export const RES_CORRELATION_ID = 1;
export const RES_ERROR_CODE = 2;
export const RES_RECORD_COUNT = 3;
export const RES_BASE_OFFSET_LOW = 4;
export const RES_BASE_OFFSET_HIGH = 5;
export const RES_LOG_START_LOW = 6;
export const RES_LOG_START_HIGH = 7;

const TWO_POW_32 = 0x1_0000_0000;

/** Splits a non-negative safe integer (or -1) into the two words above. */
export function writeOffset(words: Int32Array, index: number, value: number): void {
  if (value < 0) {
    words[index] = -1;
    words[index + 1] = -1;
    return;
  }
  words[index] = value % TWO_POW_32 | 0;
  words[index + 1] = Math.floor(value / TWO_POW_32);
}

export function readOffset(words: Int32Array, index: number): number {
  const high = words[index + 1] ?? 0;
  const low = words[index] ?? 0;
  if (high === -1 && low === -1) return -1;
  return high * TWO_POW_32 + (low >>> 0);
}
