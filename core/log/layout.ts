/**
 * Every byte layout of core/log in one place: the record batch (Kafka's magic v2), the records inside
 * it, a segment (one SharedArrayBuffer) and the control block that readers in other threads watch.
 *
 * Segment (one SharedArrayBuffer, `segmentBytes` long):
 *
 *   0                64                      dataStart                      writePos        end
 *   +----------------+-----------------------+------------------------------+---------------+
 *   | segment header | sparse offset index   | batch | ff | batch | batch.. | open batch -> | free
 *   | (Int32 words)  | (relOffset, position) | (each a Kafka v2 record batch, back to back)  |
 *   +----------------+-----------------------+------------------------------+---------------+
 *
 * - A batch never spans segments. `ff` is 0..7 filler bytes (0xFF) that appendBatch puts before a
 *   batch so that its copy into shared memory has the same alignment mod 8 as its source (an unaligned
 *   copy into a SharedArrayBuffer is 5-7x slower here). A batch's first byte is the top byte of its
 *   base offset, which is 0x00 for any offset below 2^56, so filler can never be taken for a batch.
 * - The open batch takes single appends; its header says `recordsCount = OPEN_BATCH_COUNT` until it
 *   is sealed (see record-cursor.ts for why that value is safe to read while it changes).
 * - Index entries point at batch starts, at most one per `indexIntervalBytes`; the first batch of a
 *   segment is implied (dataStart), as in Kafka.
 */

// ---------------------------------------------------------------------------------------------------
// Record batch header (Kafka RecordBatch, magic 2). Fixed-width fields are big-endian, as in Kafka.
//
// | field                | offset | size | meaning                                                      |
// |----------------------|--------|------|--------------------------------------------------------------|
// | baseOffset           | 0      | 8    | offset of the first record; written by the log on append     |
// | batchLength          | 8      | 4    | bytes after this field (total length - 12)                   |
// | partitionLeaderEpoch | 12     | 4    | leader epoch that appended the batch; written by the log     |
// | magic                | 16     | 1    | 2                                                            |
// | crc                  | 17     | 4    | CRC32C of bytes [21, end): excludes the fields the log writes|
// | attributes           | 21     | 2    | bits 0-2 compression, 3 timestamp type, 4 transactional,     |
// |                      |        |      | 5 control, 7 (mqlab) CRC not computed                         |
// | lastOffsetDelta      | 23     | 4    | recordsCount - 1                                             |
// | baseTimestamp        | 27     | 8    | timestamp of the first record (ms)                           |
// | maxTimestamp         | 35     | 8    | largest record timestamp in the batch                        |
// | producerId           | 43     | 8    | -1 until the idempotent producer exists                      |
// | producerEpoch        | 51     | 2    | -1                                                           |
// | baseSequence         | 53     | 4    | -1                                                           |
// | recordsCount         | 57     | 4    | number of records; OPEN_BATCH_COUNT while the batch is open  |
// | records              | 61     | ...  | see the record grammar in record-batch.ts                    |
// ---------------------------------------------------------------------------------------------------
export const BATCH_BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
/** Bytes before the part that batchLength counts (Kafka's LOG_OVERHEAD). */
export const BATCH_LOG_OVERHEAD = 12;
export const BATCH_PARTITION_LEADER_EPOCH = 12;
export const BATCH_MAGIC = 16;
export const BATCH_CRC = 17;
export const BATCH_ATTRIBUTES = 21;
/** The CRC covers [BATCH_CRC_START, end of batch). */
export const BATCH_CRC_START = BATCH_ATTRIBUTES;
export const BATCH_LAST_OFFSET_DELTA = 23;
export const BATCH_BASE_TIMESTAMP = 27;
export const BATCH_MAX_TIMESTAMP = 35;
export const BATCH_PRODUCER_ID = 43;
export const BATCH_PRODUCER_EPOCH = 51;
export const BATCH_BASE_SEQUENCE = 53;
export const BATCH_RECORDS_COUNT = 57;
export const BATCH_HEADER_BYTES = 61;

export const MAGIC_V2 = 2;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE_LOG_APPEND = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
/**
 * mqlab's own attribute bit (unused by Kafka): the batch was sealed without computing its CRC (the
 * single-append path, see partition-log.ts). `crc` is then 0. Before such a batch leaves mqlab for a
 * Kafka client, `sealBatchCrc` computes the CRC and clears the bit.
 */
export const ATTR_CRC_ABSENT = 0x80;

/**
 * recordsCount of an open batch. Every byte of it is >= the same byte of any real count, so a reader
 * that races the seal and sees a mix of old and new bytes still reads a count >= the real one.
 */
export const OPEN_BATCH_COUNT = 0x7fffffff;

/** Filler byte between batches (see the segment diagram). */
export const BATCH_FILLER = 0xff;
/** Copies line up mod 8, so at most 7 filler bytes precede a batch. */
export const MAX_FILLER_BYTES = 7;
/** Address mod 8 of a copy's source and destination: `(address & ALIGNMENT_MASK)`. */
export const ALIGNMENT_MASK = 7;

/** Kafka's default message.max.bytes. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

// Records: varints are zigzag, as in Kafka; a varint takes at most 5 bytes, a varlong at most 10.
export const MAX_VARINT_BYTES = 5;
export const MAX_VARLONG_BYTES = 10;
/** length(1) attributes(1) timestampDelta(1) offsetDelta(1) keyLength(1) valueLength(1) headers(1). */
export const MIN_RECORD_BYTES = 7;

// ---------------------------------------------------------------------------------------------------
// Segment header: Int32 words (platform byte order; never leaves the process) at the start of the
// segment SharedArrayBuffer. The owner writes words 0..7 before the buffer is shared; INDEX_COUNT and
// CLOSED_END change later and are written with Atomics.store.
//
// | word | byte | field           | meaning                                                        |
// |------|------|-----------------|----------------------------------------------------------------|
// | 0    | 0    | magic           | SEGMENT_MAGIC                                                  |
// | 1    | 4    | layoutVersion   | SEGMENT_LAYOUT_VERSION                                         |
// | 2    | 8    | ordinal         | segment number in this log, 0, 1, 2... never reused            |
// | 3    | 12   | baseOffsetLo    | base offset, low 32 bits                                       |
// | 4    | 16   | baseOffsetHi    | base offset, high bits                                         |
// | 5    | 20   | indexCapacity   | index entries that fit                                         |
// | 6    | 24   | dataStart       | byte position of the first batch                               |
// | 7    | 28   | segmentBytes    | total size of the buffer                                       |
// | 8    | 32   | indexCount      | index entries written (Atomics)                                |
// | 9    | 36   | closedEnd       | -1 while active; end of the last batch once rolled (Atomics)   |
// | 16.. | 64   | index           | indexCapacity x (relativeOffset int32, position int32)         |
// ---------------------------------------------------------------------------------------------------
export const SEGMENT_MAGIC = 0x4d51_5347; // "MQSG"
export const SEGMENT_LAYOUT_VERSION = 1;
export const SEG_WORD_MAGIC = 0;
export const SEG_WORD_VERSION = 1;
export const SEG_WORD_ORDINAL = 2;
export const SEG_WORD_BASE_LO = 3;
export const SEG_WORD_BASE_HI = 4;
export const SEG_WORD_INDEX_CAPACITY = 5;
export const SEG_WORD_DATA_START = 6;
export const SEG_WORD_SEGMENT_BYTES = 7;
export const SEG_WORD_INDEX_COUNT = 8;
export const SEG_WORD_CLOSED_END = 9;
export const SEGMENT_HEADER_BYTES = 64;
export const SEG_WORD_INDEX_START = SEGMENT_HEADER_BYTES / 4;
export const INDEX_ENTRY_BYTES = 8;
export const INDEX_ENTRY_WORDS = 2;
/** Index entries never come closer than this, whatever indexIntervalBytes says (bounds the index). */
export const MIN_INDEX_SPACING = 64;
/** Smallest segment accepted. */
export const MIN_SEGMENT_BYTES = 1024;

// ---------------------------------------------------------------------------------------------------
// Control block: a small SharedArrayBuffer of Int32 words, one per log, that the owner publishes into
// and readers in other threads watch. Publication (line 0) is a seqlock: the owner makes `seq` odd,
// writes the fields, makes it even again; a reader retries while `seq` is odd or changed under it.
// The doorbell (line 1) sits on its own cache line so readers waiting on it do not slow publication.
//
// | word | byte | field          | meaning                                                        |
// |------|------|----------------|----------------------------------------------------------------|
// | 0    | 0    | magic          | CONTROL_MAGIC                                                  |
// | 1    | 4    | seq            | seqlock sequence; odd while the owner writes                   |
// | 2    | 8    | hwLo           | high watermark (readable limit), low 32 bits                   |
// | 3    | 12   | hwHi           | high watermark, high bits                                      |
// | 4    | 16   | logStartLo     | log start offset, low 32 bits                                  |
// | 5    | 20   | logStartHi     | log start offset, high bits                                    |
// | 6    | 24   | truncations    | bumped on every truncation; readers re-seek when it changes    |
// | 7    | 28   | generation     | ordinal of the newest segment (Atomics, outside the seqlock)   |
// | 8    | 32   | logEndLo       | log end offset of sealed batches, low 32 bits (for followers)  |
// | 9    | 36   | logEndHi       | log end offset, high bits; published without waking readers    |
// | 16   | 64   | dataSignal     | bumped on every publication; readers Atomics.wait on it        |
// | 17   | 68   | sleepers       | readers parked on dataSignal; notify only when > 0             |
// | 32.. | 128  | readerPins     | READER_SLOTS words: per attached reader, the oldest segment     |
// |      |      |                | ordinal it may still touch; FREE_READER_SLOT when unused. The   |
// |      |      |                | owner reuses a deleted segment's buffer only below every pin.   |
// ---------------------------------------------------------------------------------------------------
export const CONTROL_MAGIC = 0x4d51_4c43; // "MQLC"
export const CTL_WORD_MAGIC = 0;
export const CTL_WORD_SEQ = 1;
export const CTL_WORD_HW_LO = 2;
export const CTL_WORD_HW_HI = 3;
export const CTL_WORD_LOG_START_LO = 4;
export const CTL_WORD_LOG_START_HI = 5;
export const CTL_WORD_TRUNCATIONS = 6;
export const CTL_WORD_GENERATION = 7;
export const CTL_WORD_LEO_LO = 8;
export const CTL_WORD_LEO_HI = 9;
export const CTL_WORD_DATA_SIGNAL = 16;
export const CTL_WORD_SLEEPERS = 17;
export const CTL_WORD_READER_PINS = 32;
export const READER_SLOTS = 16;
export const FREE_READER_SLOT = -1;
export const CONTROL_BYTES = 192;

/** 2^32, for splitting offsets into two Int32 words. */
export const TWO_POW_32 = 4_294_967_296;
