/**
 * PartitionLog: one partition's append-only log, Kafka's model, in SharedArrayBuffer segments.
 * The owner (one thread) appends; cursors read in the owner's thread or, through a
 * PartitionLogReader, in other threads. Layouts are in layout.ts, the batch format in record-batch.ts.
 *
 * Two ways in:
 * - appendBatch(batch): a batch the producer encoded (RecordBatchBuilder) is checked cheaply and copied
 *   once (TypedArray.set); the log writes its base offset and leader epoch into the stored header.
 *   Those fields are outside the CRC, so the producer's CRC stays valid.
 * - append(key, value, headers?, timestamp?): a single record goes into the open batch at the end
 *   of the active segment and gets its offset at once. A full batch header per record would cost 61
 *   bytes and ~10 header writes each; the open batch amortizes both over up to `batchSize` bytes or
 *   `batchMaxRecords` records. The batch is sealed (count, lastOffsetDelta, maxTimestamp, length,
 *   CRC) when it is full, before an appendBatch, on a roll, on flush() and before a truncation.
 *   Cursors read the open batch's records up to their limit (see record-cursor.ts).
 *
 * CRC policy (the trade-off): CRC32C costs ~1 ns per byte in JS here, about 5x the cost of copying the
 * record into shared memory. So nothing on the default hot path computes it:
 * - appendBatch trusts the producer's CRC; `verifyCrc: true` checks it on append (Kafka brokers do).
 * - Batches sealed from single appends carry no CRC by default: crc = 0 and the mqlab attribute bit
 *   ATTR_CRC_ABSENT. `sealCrc: true` computes it at seal time instead. `sealBatchCrc` adds it to a
 *   stored batch's copy before that copy leaves for a Kafka client.
 * - Cursors verify on demand (`checkBatchCrc()`, or the cursor option `verifyCrc`).
 * Every cheap check still runs: sizes against max.message.bytes and the batch's own lengths, magic,
 * count vs lastOffsetDelta; and cursors bounds-check every record, so a malformed batch throws
 * CORRUPT_MESSAGE when read and cannot reach the batches around it.
 *
 * Sparse index: an entry (offset, position) per segment for a batch start at least
 * `indexIntervalBytes` after the previous entry (Kafka's index.interval.bytes); a seek binary-searches
 * the segments, then the entries, then walks at most one interval of batch headers and records.
 *
 * Offsets: log start offset <= high watermark <= log end offset. The high watermark is the readable
 * limit that readers in other threads see; the owner sets it (replication will) and it is published
 * through the control block with the log start offset, once per set, never per record.
 *
 * Truncation (truncateTo): drops every record at or above the offset. A batch cut in the middle keeps
 * its records below the offset: its header is rewritten (count, lastOffsetDelta, maxTimestamp,
 * length, and CRC if it had one). The cut segment is then closed at the cut and appends continue in
 * a new segment, so bytes a reader might still be reading are never overwritten. As in Kafka,
 * truncating below the high watermark is a failover event (unclean election): a cursor that already
 * loaded a higher limit notices at its next batch boundary or refresh and repositions itself, or
 * throws OFFSET_OUT_OF_RANGE if its position is gone.
 *
 * Retention (deleteOldSegments): drops whole segments from the oldest, by size (retention.bytes) and
 * by age (retention.ms, against the segment's largest timestamp), never the active segment and never
 * one holding records at or above the high watermark. The log start offset moves to the first kept
 * segment. Readers drop their references when they see the new log start offset.
 *
 * Segment reuse: fresh SharedArrayBuffer memory costs a page fault per 4 KiB on first touch (~1.8 us
 * here, ~100 ns per 200-byte record, more than the copy itself). So deleted segments' buffers are
 * kept (up to MAX_RETIRED_SEGMENTS) and reused for new segments once nothing can read them: their
 * ordinal is below every reader's pin in the control block and below the segment of every live
 * cursor in this thread. A reader that vanishes without close() keeps its pin until
 * releaseReader(); until then buffers are simply not reused (never reused unsafely).
 */
import { coarseNow } from './clock.js';
import { ControlBlock } from './control.js';
import type { LogDescriptor, SegmentDescriptor } from './descriptor.js';
import { invalidArgument, messageTooLarge, offsetOutOfRange } from './errors.js';
import {
  ALIGNMENT_MASK,
  ATTR_CRC_ABSENT,
  ATTR_TIMESTAMP_TYPE_LOG_APPEND,
  BATCH_ATTRIBUTES,
  BATCH_BASE_OFFSET,
  BATCH_CRC,
  BATCH_CRC_START,
  BATCH_FILLER,
  BATCH_HEADER_BYTES,
  BATCH_LAST_OFFSET_DELTA,
  BATCH_LENGTH,
  BATCH_LOG_OVERHEAD,
  BATCH_MAX_TIMESTAMP,
  BATCH_PARTITION_LEADER_EPOCH,
  BATCH_RECORDS_COUNT,
  BATCH_BASE_TIMESTAMP,
  INDEX_ENTRY_BYTES,
  MAX_FILLER_BYTES,
  MIN_RECORD_BYTES,
  SEGMENT_HEADER_BYTES,
} from './layout.js';
import { partitionLogDefaults, resolvePartitionLogOptions, type PartitionLogOptions } from './options.js';
import { crc32c } from './crc32c.js';
import {
  RecordBatchBuilder,
  readInt16BE,
  readInt32BE,
  readInt64BE,
  validateBatch,
  writeInt32BE,
  writeInt64BE,
  writeUint32BE,
  type RecordHeader,
} from './record-batch.js';
import { CursorSet, RecordCursor, type LogSource, type RecordCursorOptions } from './record-cursor.js';
import { Segment } from './segment.js';
import { VarintReader } from './varint.js';

/** Relative offsets in the index are int32: a segment rolls before it would exceed them. */
const MAX_RELATIVE_OFFSET = 0x7fff_ffff;
/** Deleted segments kept for reuse; beyond this many, the oldest goes to the garbage collector. */
const MAX_RETIRED_SEGMENTS = 4;

export interface PartitionLogCursorOptions extends RecordCursorOptions {
  /** Read up to the high watermark (default, what consumers see) or up to the log end offset. */
  readonly upTo?: 'highWatermark' | 'logEnd';
}

export interface PartitionLogStats {
  readonly segments: number;
  /** Bytes of batches (and filler) stored: Kafka's log size. */
  readonly batchBytes: number;
  /** Bytes of index entries written. */
  readonly indexBytes: number;
  /** Bytes of segment headers. */
  readonly headerBytes: number;
  /** Bytes of all segment buffers (including the index space reserved and the unused tails). */
  readonly allocatedBytes: number;
}

/** The offsets and segments that the log and its in-thread cursors share. */
class LogState implements LogSource {
  readonly segments: Segment[] = [];
  logEndOffset: number;
  highWatermark: number;
  logStartOffset: number;
  truncations = 0;
  visibleEnd = 0;
  readonly cursors = new CursorSet();

  constructor(startOffset: number) {
    this.logEndOffset = startOffset;
    this.highWatermark = startOffset;
    this.logStartOffset = startOffset;
  }

  currentTruncations(): number {
    return this.truncations;
  }

  refresh(toLogEnd: boolean): number {
    this.visibleEnd = this.logEndOffset;
    return toLogEnd ? this.logEndOffset : this.highWatermark;
  }

  segmentFor(offset: number): Segment | undefined {
    return findSegment(this.segments, offset);
  }

  segmentAfter(segment: Segment): Segment | undefined {
    return findSegmentAfter(this.segments, segment.ordinal);
  }

  track(cursor: RecordCursor): void {
    this.cursors.add(cursor);
  }
}

export class PartitionLog {
  /** Written into partitionLeaderEpoch of each stored batch; the controller bumps it on election. */
  leaderEpoch: number;

  private readonly options: PartitionLogOptions;
  private readonly state: LogState;
  private readonly control = ControlBlock.create();
  private readonly builder: RecordBatchBuilder;
  private readonly listeners = new Set<(segment: SegmentDescriptor) => void>();
  private active: Segment;
  private batchOpen = false;
  private nextOrdinal = 0;
  /** Deleted segments whose buffers may be reused once no cursor or reader can touch them. */
  private readonly retired: Segment[] = [];
  /** False once a reader could not get a pin slot: then no buffer is ever reused. */
  private reuseSafe = true;

  /**
   * `options` are merged over the defaults and validated, unless `validated` says the caller already
   * resolved them with resolvePartitionLogOptions (a broker worker gets settings its cluster checked).
   */
  constructor(options: Partial<PartitionLogOptions> = {}, validated = false) {
    this.options = validated ? { ...partitionLogDefaults, now: coarseNow, ...options } : resolvePartitionLogOptions(options);
    this.leaderEpoch = this.options.leaderEpoch;
    this.state = new LogState(this.options.startOffset);
    this.builder = new RecordBatchBuilder({ now: this.options.now });
    this.active = this.createSegment(this.options.startOffset);
    this.publish();
  }

  get logStartOffset(): number {
    return this.state.logStartOffset;
  }

  /** Offset the next record will get. */
  get logEndOffset(): number {
    return this.state.logEndOffset;
  }

  /** The readable limit published to readers: records below it are visible to them. */
  get highWatermark(): number {
    return this.state.highWatermark;
  }

  /** Moves the high watermark forward (to at most the log end offset) and publishes it. */
  set highWatermark(offset: number) {
    const s = this.state;
    if (!Number.isInteger(offset) || offset < s.highWatermark || offset > s.logEndOffset) {
      throw invalidArgument(`high watermark ${offset} must be an integer in [${s.highWatermark}, ${s.logEndOffset}]`);
    }
    s.highWatermark = offset;
    this.publish();
  }

  /** Bytes of batches stored (Kafka's log size), the open batch included. */
  get size(): number {
    let bytes = this.batchOpen ? this.builder.size : 0;
    for (const s of this.state.segments) bytes += s.size;
    return bytes;
  }

  get segmentCount(): number {
    return this.state.segments.length;
  }

  stats(): PartitionLogStats {
    let indexEntries = 0;
    let allocated = 0;
    for (const s of this.state.segments) {
      indexEntries += s.indexCount();
      allocated += s.end;
    }
    const segments = this.state.segments.length;
    return {
      segments,
      batchBytes: this.size,
      indexBytes: indexEntries * INDEX_ENTRY_BYTES,
      headerBytes: segments * SEGMENT_HEADER_BYTES,
      allocatedBytes: allocated,
    };
  }

  /**
   * Appends one record to the open batch and returns its offset. Throws MESSAGE_TOO_LARGE when the
   * record in a batch of its own would exceed max.message.bytes, INVALID_TIMESTAMP for a timestamp
   * that is not an integer >= -1. Nothing is written when it throws.
   */
  append(key: Uint8Array | null, value: Uint8Array | null, headers?: readonly RecordHeader[], timestamp?: number): number {
    if (this.batchOpen && this.builder.append(key, value, headers, timestamp)) return this.state.logEndOffset++;
    return this.appendToNewBatch(key, value, headers, timestamp);
  }

  /**
   * Appends a batch encoded by a producer (bytes [start, start + length) of `batch`) with one copy,
   * and returns its base offset. Throws MESSAGE_TOO_LARGE or CORRUPT_MESSAGE before writing anything.
   */
  appendBatch(batch: Uint8Array, start = 0, length = batch.length - start): number {
    const count = validateBatch(batch, start, length, this.options.maxMessageBytes, this.options.verifyCrc);
    return this.store(batch, start, length, count, true);
  }

  /**
   * A follower's append: a batch copied from the leader's log keeps its base offset and leader epoch.
   * Its base offset must be this log's end offset (followers copy whole batches, in order). Returns
   * the number of records. Throws INVALID_ARGUMENT for a batch that does not continue this log, and
   * CORRUPT_MESSAGE for one that is not a record batch.
   */
  appendReplica(batch: Uint8Array, start: number, length: number): number {
    const base = readInt64BE(batch, start + BATCH_BASE_OFFSET);
    if (base !== this.state.logEndOffset) {
      throw invalidArgument(`replicated batch at offset ${base} does not continue the log, whose end offset is ${this.state.logEndOffset}`);
    }
    // The leader checked size and CRC already; a follower trusts its leader as Kafka's does.
    const count = validateBatch(batch, start, length, Math.max(this.options.maxMessageBytes, length), false);
    this.store(batch, start, length, count, false);
    return count;
  }

  /** Publishes the log end offset for followers (once per batch of appends, not per append). */
  publishLogEnd(): void {
    this.control.publishLogEnd(this.state.logEndOffset);
  }

  private store(batch: Uint8Array, start: number, length: number, count: number, stamp: boolean): number {
    if (this.batchOpen) this.sealOpenBatch();
    const s = this.state;
    let segment = this.active;
    let p = segment.writePos;
    let filler = (batch.byteOffset + start - p) & ALIGNMENT_MASK;
    if (p + filler + length > segment.end || s.logEndOffset + count - segment.baseOffset > MAX_RELATIVE_OFFSET) {
      segment = this.roll();
      p = segment.writePos;
      filler = (batch.byteOffset + start - p) & ALIGNMENT_MASK;
    }
    const b = segment.bytes;
    for (let i = 0; i < filler; i++) b[p++] = BATCH_FILLER;
    b.set(start === 0 && length === batch.length ? batch : batch.subarray(start, start + length), p);
    const base = s.logEndOffset;
    if (stamp) {
      writeInt64BE(b, p + BATCH_BASE_OFFSET, base);
      writeInt32BE(b, p + BATCH_PARTITION_LEADER_EPOCH, this.leaderEpoch);
    }
    if (segment.wantsIndexEntry(p, this.options.indexIntervalBytes)) segment.addIndexEntry(base, p);
    segment.writePos = p + length;
    const maxTimestamp = readInt64BE(b, p + BATCH_MAX_TIMESTAMP);
    if (maxTimestamp > segment.maxTimestamp) segment.maxTimestamp = maxTimestamp;
    s.logEndOffset = base + count;
    return base;
  }

  /** Seals the open batch of single appends, if any (Kafka producer's flush, for the log). */
  flush(): void {
    if (this.batchOpen) this.sealOpenBatch();
  }

  /** A cursor positioned at `fromOffset` (default: the log start offset), in this thread. */
  cursor(fromOffset = this.state.logStartOffset, options: PartitionLogCursorOptions = {}): RecordCursor {
    return new RecordCursor(this.state, fromOffset, options.upTo === 'logEnd', options);
  }

  /**
   * Removes every record at or above `offset`; the log end offset becomes `offset` and the high
   * watermark drops to it if it was above. Throws OFFSET_OUT_OF_RANGE outside [log start, log end].
   */
  truncateTo(offset: number): void {
    const s = this.state;
    if (!Number.isInteger(offset) || offset < s.logStartOffset || offset > s.logEndOffset) {
      throw offsetOutOfRange('truncate to', offset, s.logStartOffset, s.logEndOffset);
    }
    if (offset === s.logEndOffset) return;
    this.flush();
    const segments = s.segments;
    let i = segments.length - 1;
    while (i > 0 && segments[i]!.baseOffset > offset) i--;
    const segment = segments[i]!;
    const cut = cutPosition(segment, offset);
    const keep = cut === segment.dataStart && segment.baseOffset === offset ? i : i + 1;
    for (const dropped of segments.splice(keep)) this.retire(dropped);
    if (keep > i) {
      segment.writePos = cut;
      segment.truncateIndex(cut);
      segment.maxTimestamp = largestTimestamp(segment);
      segment.close(cut);
    }
    s.logEndOffset = offset;
    if (s.highWatermark > offset) s.highWatermark = offset;
    s.truncations++;
    this.active = this.createSegment(offset);
    this.publish();
  }

  /**
   * Deletes the oldest segments that retention.bytes or retention.ms (against `now`) no longer keep,
   * never the active one nor one with records at or above the high watermark. Returns how many.
   */
  deleteOldSegments(now = this.options.now()): number {
    const { retentionBytes, retentionMs } = this.options;
    const s = this.state;
    const segments = s.segments;
    let total = this.size;
    let deleted = 0;
    while (segments.length - deleted > 1) {
      const oldest = segments[deleted]!;
      if (segments[deleted + 1]!.baseOffset > s.highWatermark) break;
      const expired = retentionMs >= 0 && now - oldest.maxTimestamp > retentionMs;
      const oversize = retentionBytes >= 0 && total - oldest.size >= retentionBytes;
      if (!expired && !oversize) break;
      total -= oldest.size;
      deleted++;
    }
    if (deleted === 0) return 0;
    for (const segment of segments.splice(0, deleted)) this.retire(segment);
    s.logStartOffset = Math.max(s.logStartOffset, segments[0]!.baseOffset);
    this.publish();
    return deleted;
  }

  /**
   * What one reader in another thread attaches with (PartitionLogReader.attach): call it once per
   * reader. It claims the reader's pin slot (see control.ts); `releaseReader` frees it if the reader
   * goes away without closing.
   */
  describe(): LogDescriptor {
    const segments = this.state.segments;
    const readerSlot = this.control.claimReaderSlot(segments[0]!.ordinal);
    if (readerSlot < 0) this.reuseSafe = false;
    return { control: this.control.buffer, segments: segments.map(describeSegment), readerSlot };
  }

  /** Frees the pin slot of a reader that is gone (its thread ended without closing it). */
  releaseReader(descriptor: LogDescriptor): void {
    this.control.releaseReaderSlot(descriptor.readerSlot);
  }

  /**
   * Calls `listener` with each segment created from now on (rolls, truncations), before any record
   * in it is published. Returns a function that removes the listener.
   */
  onSegmentCreated(listener: (segment: SegmentDescriptor) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private appendToNewBatch(
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeader[] | undefined,
    timestamp: number | undefined,
  ): number {
    if (this.batchOpen) this.sealOpenBatch();
    const builder = this.builder;
    for (let attempt = 0; attempt < 2; attempt++) {
      const segment = this.openBatch();
      let appended: boolean;
      try {
        appended = builder.append(key, value, headers, timestamp);
      } catch (error) {
        this.batchOpen = false; // the batch holds no record: nothing to seal
        throw error;
      }
      if (appended) {
        if (segment.wantsIndexEntry(builder.start, this.options.indexIntervalBytes)) {
          segment.addIndexEntry(this.state.logEndOffset, builder.start);
        }
        return this.state.logEndOffset++;
      }
      this.batchOpen = false;
      const bytes = BATCH_HEADER_BYTES + builder.lastRecordBytes;
      if (bytes > this.options.maxMessageBytes) throw messageTooLarge(bytes, this.options.maxMessageBytes);
      this.roll();
    }
    throw invalidArgument(`a record of ${builder.lastRecordBytes} bytes does not fit in an empty segment`);
  }

  /** Begins the open batch at the end of the active segment (rolling first if it has no room). */
  private openBatch(): Segment {
    const o = this.options;
    const s = this.state;
    let segment = this.active;
    const room = segment.end - segment.writePos;
    if (
      room < BATCH_HEADER_BYTES + MIN_RECORD_BYTES ||
      s.logEndOffset + o.batchMaxRecords - segment.baseOffset > MAX_RELATIVE_OFFSET
    ) {
      segment = this.roll();
    }
    const start = segment.writePos;
    this.builder.begin(segment.bytes, start, Math.min(segment.end, start + o.maxMessageBytes), {
      baseOffset: s.logEndOffset,
      partitionLeaderEpoch: this.leaderEpoch,
    });
    this.builder.limit(start + o.batchSize, o.batchMaxRecords);
    this.batchOpen = true;
    return segment;
  }

  private sealOpenBatch(): void {
    const builder = this.builder;
    builder.finish(this.options.sealCrc);
    const segment = this.active;
    segment.writePos = builder.pos;
    if (builder.maxTimestamp > segment.maxTimestamp) segment.maxTimestamp = builder.maxTimestamp;
    this.batchOpen = false;
  }

  /** Closes the active segment and starts the next one at the log end offset. */
  private roll(): Segment {
    if (this.batchOpen) this.sealOpenBatch();
    const old = this.active;
    old.close(old.writePos);
    this.active = this.createSegment(this.state.logEndOffset);
    return this.active;
  }

  private createSegment(baseOffset: number): Segment {
    const o = this.options;
    const segment = Segment.create(this.nextOrdinal++, baseOffset, o.segmentBytes, o.indexIntervalBytes, this.reusableBuffer());
    this.state.segments.push(segment);
    this.control.setGeneration(segment.ordinal);
    if (this.listeners.size > 0) {
      const descriptor = describeSegment(segment);
      for (const listener of this.listeners) listener(descriptor);
    }
    return segment;
  }

  private retire(segment: Segment): void {
    if (!this.reuseSafe) return;
    this.retired.push(segment);
    if (this.retired.length > MAX_RETIRED_SEGMENTS) this.retired.shift();
  }

  /**
   * A retired segment's buffer that nothing can read any more: its ordinal is below every reader's
   * pin and below the segment of every live cursor in this thread. Reusing it saves the page faults
   * of fresh memory (~0.45 ns per byte here, about a third of the cost of an append).
   */
  private reusableBuffer(): SharedArrayBuffer | undefined {
    if (this.retired.length === 0) return undefined;
    const floor = Math.min(this.control.lowestPin(), this.state.cursors.lowestOrdinal());
    const i = this.retired.findIndex((s) => s.ordinal < floor);
    if (i < 0) return undefined;
    return this.retired.splice(i, 1)[0]!.buffer;
  }

  private publish(): void {
    const s = this.state;
    this.control.publish(s.highWatermark, s.logStartOffset, s.truncations);
    this.control.publishLogEnd(s.logEndOffset);
  }
}

function describeSegment(segment: Segment): SegmentDescriptor {
  return { ordinal: segment.ordinal, baseOffset: segment.baseOffset, buffer: segment.buffer };
}

/** The last segment whose base offset is <= `offset` (segments are in offset order). */
export function findSegment(segments: readonly Segment[], offset: number): Segment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  let found: Segment | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = segments[mid]!;
    if (s.baseOffset <= offset) {
      found = s;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The first segment with an ordinal above `ordinal` (segments are in ordinal order). */
export function findSegmentAfter(segments: readonly Segment[], ordinal: number): Segment | undefined {
  for (let i = segments.length - 1; i >= 0; i--) {
    if (segments[i]!.ordinal <= ordinal) return segments[i + 1];
  }
  return segments[0];
}

/** Position of the first filler byte or batch start at or after p (skips up to 7 filler bytes). */
export function skipFiller(b: Uint8Array, p: number): number {
  for (let i = 0; i < MAX_FILLER_BYTES && b[p] === BATCH_FILLER; i++) p++;
  return p;
}

/**
 * Where the segment ends once records at or above `offset` are gone, rewriting the header of a batch
 * cut in the middle. Walks from the index entry before the one for `offset`, so that a batch cut at
 * its start is never the first one walked and its preceding filler goes with it.
 */
function cutPosition(segment: Segment, offset: number): number {
  const b = segment.bytes;
  const entry = segment.lookup(offset) - 1;
  let p = segment.entryPosition(entry < 0 ? -1 : entry);
  let previousEnd = p;
  while (p < segment.writePos) {
    const q = skipFiller(b, p);
    const base = readInt64BE(b, q + BATCH_BASE_OFFSET);
    const count = readInt32BE(b, q + BATCH_RECORDS_COUNT);
    if (base >= offset) return previousEnd;
    if (base + count > offset) return rewriteBatchPrefix(b, q, offset - base);
    previousEnd = q + BATCH_LOG_OVERHEAD + readInt32BE(b, q + BATCH_LENGTH);
    p = previousEnd;
  }
  return previousEnd;
}

/** Keeps the first `keep` records of the sealed batch at q; returns the position after them. */
function rewriteBatchPrefix(b: Uint8Array, q: number, keep: number): number {
  const r = new VarintReader(b, q + BATCH_HEADER_BYTES);
  const baseTimestamp = readInt64BE(b, q + BATCH_BASE_TIMESTAMP);
  let maxTimestamp = -1;
  for (let i = 0; i < keep; i++) {
    const length = r.varint();
    const end = r.pos + length;
    r.pos++;
    const timestamp = baseTimestamp + r.varlong();
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    r.pos = end;
  }
  const end = r.pos;
  const attributes = readInt16BE(b, q + BATCH_ATTRIBUTES);
  writeInt32BE(b, q + BATCH_LENGTH, end - q - BATCH_LOG_OVERHEAD);
  writeInt32BE(b, q + BATCH_LAST_OFFSET_DELTA, keep - 1);
  if ((attributes & ATTR_TIMESTAMP_TYPE_LOG_APPEND) === 0) writeInt64BE(b, q + BATCH_MAX_TIMESTAMP, maxTimestamp);
  writeInt32BE(b, q + BATCH_RECORDS_COUNT, keep);
  if ((attributes & ATTR_CRC_ABSENT) === 0) writeUint32BE(b, q + BATCH_CRC, crc32c(b, q + BATCH_CRC_START, end));
  return end;
}

/** Largest maxTimestamp of the batches stored in a segment. */
function largestTimestamp(segment: Segment): number {
  const b = segment.bytes;
  let largest = -1;
  let p = segment.dataStart;
  while (p < segment.writePos) {
    const q = skipFiller(b, p);
    const t = readInt64BE(b, q + BATCH_MAX_TIMESTAMP);
    if (t > largest) largest = t;
    p = q + BATCH_LOG_OVERHEAD + readInt32BE(b, q + BATCH_LENGTH);
  }
  return largest;
}
