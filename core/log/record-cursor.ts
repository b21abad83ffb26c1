/**
 * RecordCursor: walks a partition's records in shared memory from an offset up to a readable limit
 * (the high watermark, or the log end for the owner), with no copy and no object per record.
 *
 *   const cursor = log.cursor(fromOffset);
 *   while (cursor.next()) total += cursor.valueLength;      // cursor.bytes[valueOffset..] is the value
 *
 * The cursor is a flyweight: `next()` rewrites its fields (offset, key/value offsets and lengths into
 * `bytes`) for each record; `timestamp`, `headerCount` and the headers (firstHeader/nextHeader) are
 * decoded only when read, and `key()`/`value()` make a view only when asked (a view costs ~25-50 ns
 * and ~96 bytes here). Cursors are single-threaded, like the log or reader that made them.
 *
 * Invariants and how readers stay safe while the owner writes:
 * - It reads a record only if its offset is below the limit it has loaded; the owner publishes the
 *   limit (Atomics) after writing the record, so the record's bytes are complete.
 * - A batch's recordsCount is trusted only when baseOffset + count <= the end it can see (the high
 *   watermark; the log end offset in the owner's thread). Otherwise, and for the open batch
 *   (OPEN_BATCH_COUNT), the batch is read record by record up to the limit and its count is read
 *   again at the next refresh. This is safe even if the seal races the read: every byte of
 *   OPEN_BATCH_COUNT is >= the byte of any real count, so a torn read is never below the real count,
 *   and a count below the limit was written before the publication the reader loaded.
 * - Every length read is bounds-checked against its batch: malformed records throw CORRUPT_MESSAGE,
 *   they never send the cursor outside the batch or into a loop.
 * - next() has a fast path for the shape RecordBatchBuilder writes: a record length and offsetDelta
 *   of 1-2 bytes, a null key or a key under 64 bytes, a non-null value under 8 KiB, its length
 *   possibly padded to 5 bytes (see record-batch.ts). Anything else, and anything its checks do not
 *   accept, goes through the general decoder, which makes the same checks as before and throws.
 * - Below the log start offset (retention) it throws OFFSET_OUT_OF_RANGE, as a Kafka fetch does; after
 *   a truncation it repositions itself, or throws OFFSET_OUT_OF_RANGE if its offset is gone.
 */
import { Buffer } from 'node:buffer';
import { crc32c } from './crc32c.js';
import { corruptMessage, offsetOutOfRange } from './errors.js';
import {
  ATTR_CRC_ABSENT,
  ATTR_TIMESTAMP_TYPE_LOG_APPEND,
  BATCH_ATTRIBUTES,
  BATCH_BASE_OFFSET,
  BATCH_BASE_TIMESTAMP,
  BATCH_CRC,
  BATCH_CRC_START,
  BATCH_FILLER,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH,
  BATCH_LOG_OVERHEAD,
  BATCH_MAGIC,
  BATCH_MAX_TIMESTAMP,
  BATCH_RECORDS_COUNT,
  MAGIC_V2,
  MAX_FILLER_BYTES,
  MAX_VARINT_BYTES,
  OPEN_BATCH_COUNT,
} from './layout.js';
import { readInt16BE, readInt32BE, readInt64BE, readUint32BE, type DecodedHeader } from './record-batch.js';
import type { Segment } from './segment.js';

/** What a cursor reads through: the owner's log, or a reader attached in another thread. */
export interface LogSource {
  /**
   * Reloads what other threads change and returns the cursor's limit: the log end offset when
   * `toLogEnd` (owner only), else the high watermark. Also updates the fields below.
   */
  refresh(toLogEnd: boolean): number;
  /** The highest offset whose bytes this thread may read (owner: log end; reader: high watermark). */
  readonly visibleEnd: number;
  readonly logStartOffset: number;
  readonly truncations: number;
  /** The truncation counter as of now (cheap: checked at every batch a cursor enters). */
  currentTruncations(): number;
  /** The segment holding `offset` (the last one whose base offset is <= it). */
  segmentFor(offset: number): Segment | undefined;
  /** The segment after `segment`, or undefined if this thread does not have it (yet). */
  segmentAfter(segment: Segment): Segment | undefined;
  /** Remembers a cursor, so that segments it may still read are not reused under it. */
  track(cursor: RecordCursor): void;
}

export interface RecordCursorOptions {
  /** Check each sealed batch's CRC on entering it; throws CORRUPT_MESSAGE on a mismatch (default false). */
  readonly verifyCrc?: boolean;
}

/** The CRC state of the cursor's current batch. */
export type BatchCrcStatus = 'valid' | 'invalid' | 'absent' | 'open';

const EMPTY = new Uint8Array(0);
/** What field() returns for a malformed varint: below every valid length, count or delta. */
const INVALID_FIELD = -0x8000_0000;

export class RecordCursor {
  // The flyweight: rewritten by next(), valid while it returns true. Treat as read-only.
  /** The current segment's bytes: keys, values and headers are ranges of it. */
  bytes: Uint8Array = EMPTY;
  /** Offset of the current record (before the first next(): the offset before the start). */
  offset = -1;
  /** Position of the key in `bytes`; keyLength is -1 for a null key. */
  keyOffset = 0;
  keyLength = -1;
  /** Position of the value in `bytes`; valueLength is -1 for a null value. */
  valueOffset = 0;
  valueLength = -1;
  // Header iteration (firstHeader / nextHeader).
  headerKeyOffset = 0;
  headerKeyLength = 0;
  headerValueOffset = 0;
  headerValueLength = -1;
  // The current batch.
  batchBaseOffset = -1;
  /** Position of the current batch's header in `bytes` (-1 before the first batch). */
  batchPosition = -1;
  batchAttributes = 0;

  /** min(limit, batchEnd): next() leaves its fast path only when it reaches it. */
  private stop = -Infinity;
  private batchEnd = 0;
  private batchEndPos = 0;
  private batchFirstTimestamp = 0;
  private batchMaxTimestamp = -1;
  private logAppendTime = false;
  private segment: Segment | undefined = undefined;
  /** Position of the next record (or of the next batch, at a batch end). */
  private pos = 0;
  private rp = 0;
  private timestampPos = 0;
  private limit = 0;
  private visibleEnd = 0;
  private truncations = 0;
  private headerPos = 0;
  private headersLeft = 0;
  private readonly source: LogSource;
  private readonly toLogEnd: boolean;
  private readonly verifyCrc: boolean;

  /** Use PartitionLog.cursor or PartitionLogReader.cursor. */
  constructor(source: LogSource, fromOffset: number, toLogEnd: boolean, options: RecordCursorOptions = {}) {
    this.source = source;
    this.toLogEnd = toLogEnd;
    this.verifyCrc = options.verifyCrc ?? false;
    this.seek(fromOffset);
    source.track(this);
  }

  /** Offset of the record the next `next()` returns. */
  get position(): number {
    return this.offset + 1;
  }

  /** Ordinal of the segment the cursor reads (segments below it may be reused). */
  get segmentOrdinal(): number {
    return this.segment === undefined ? Infinity : this.segment.ordinal;
  }

  /** Number of headers of the current record (decoded on demand). */
  get headerCount(): number {
    this.rp = this.valueOffset + Math.max(this.valueLength, 0);
    return this.varint();
  }

  /** Position of the current record's first header in `bytes` (decoded on demand). */
  get headersOffset(): number {
    this.rp = this.valueOffset + Math.max(this.valueLength, 0);
    this.varint();
    return this.rp;
  }

  /**
   * Moves to the next record, up to the limit. Returns false at the limit (call again later: the
   * cursor picks up records published since) or, in a reader, while the next segment has not arrived.
   */
  next(): boolean {
    // The hot loop: it decodes the common record shape (see the file header) with a few byte reads
    // and hands anything else to decodeRecord(), the general decoder. Keep its bytecode under V8's
    // inlining limit (460 bytes; it is ~390): inlined into the caller's loop it costs ~14 ns per
    // 200-byte record here, not inlined ~17, and the general decoder ~22.
    const o = this.offset + 1;
    if (o >= this.stop && !this.advance()) return false;
    const b = this.bytes;
    let p = this.pos;
    // length: 1-2 bytes. A 3rd byte sets bit 14 of z: `bad` then sends the record to decodeRecord.
    let x = b[p]!;
    let z = x;
    if (x > 0x7f) z = (x & 0x7f) | (b[++p]! << 7);
    const recordEnd = p + 1 + (z >> 1);
    let bad = z & 0x4001;
    // attributes (skipped), then timestampDelta: only its position is kept (see `timestamp`).
    this.timestampPos = p += 2;
    while (b[p++]! > 0x7f);
    // offsetDelta: 1-2 bytes, must be o - baseOffset.
    x = b[p]!;
    z = x;
    if (x > 0x7f) z = (x & 0x7f) | (b[++p]! << 7);
    bad |= (z ^ ((o - this.batchBaseOffset) * 2)) | (z & 0x4000);
    if ((p = this.skipKey(p + 1)) < 0) return this.decodeRecord(o);
    // valueLength: 1-2 bytes, possibly padded up to 5.
    x = b[p]!;
    z = x;
    if (x > 0x7f) {
      x = b[++p]!;
      z = (z & 0x7f) | ((x & 0x7f) << 7);
      if (x > 0x7f && (p = this.paddingEnd(p, 2)) < 0) bad = 1;
    }
    const valueOffset = ++p;
    const valueLength = z >> 1;
    // A null or negative value length (odd z) and every range check fall back to decodeRecord(),
    // which throws CORRUPT_MESSAGE for what is really malformed.
    if ((bad | (z & 1)) !== 0 || recordEnd > this.batchEndPos || valueOffset + valueLength >= recordEnd) return this.decodeRecord(o);
    this.valueOffset = valueOffset;
    this.valueLength = valueLength;
    this.offset = o;
    this.pos = recordEnd;
    return true;
  }

  /** Timestamp of the current record (decoded on demand). */
  get timestamp(): number {
    if (this.logAppendTime) return this.batchMaxTimestamp;
    this.rp = this.timestampPos;
    return this.batchFirstTimestamp + this.varlong();
  }

  /** A view of the current key (no copy), or null. */
  key(): Uint8Array | null {
    return this.keyLength < 0 ? null : this.bytes.subarray(this.keyOffset, this.keyOffset + this.keyLength);
  }

  /** A view of the current value (no copy), or null. */
  value(): Uint8Array | null {
    return this.valueLength < 0 ? null : this.bytes.subarray(this.valueOffset, this.valueOffset + this.valueLength);
  }

  /**
   * Starts iterating the current record's headers: sets headerKeyOffset/Length and
   * headerValueOffset/Length (-1 for a null value) to the first header. False if it has none.
   */
  firstHeader(): boolean {
    this.headersLeft = this.headerCount;
    this.headerPos = this.rp;
    if (this.headersLeft < 0) throw this.corrupt(this.offset, `header count ${this.headersLeft}`);
    return this.nextHeader();
  }

  /** Moves to the next header of the current record. */
  nextHeader(): boolean {
    if (this.headersLeft <= 0) return false;
    this.headersLeft--;
    this.rp = this.headerPos;
    const keyLength = this.varint();
    this.headerKeyOffset = this.rp;
    this.headerKeyLength = keyLength;
    this.rp += Math.max(keyLength, 0);
    const valueLength = this.varint();
    this.headerValueOffset = this.rp;
    this.headerValueLength = valueLength;
    this.rp += Math.max(valueLength, 0);
    if (keyLength < 0 || valueLength < -1 || this.rp > this.pos) {
      throw this.corrupt(this.offset, `header key length ${keyLength}, value length ${valueLength}`);
    }
    this.headerPos = this.rp;
    return true;
  }

  /** The current record's headers as objects (allocates: the friendly path). */
  headers(): DecodedHeader[] {
    const out: DecodedHeader[] = [];
    const b = this.bytes;
    for (let ok = this.firstHeader(); ok; ok = this.nextHeader()) {
      const key = Buffer.from(b.buffer, b.byteOffset + this.headerKeyOffset, this.headerKeyLength).toString('utf8');
      const value = this.headerValueLength < 0 ? null : b.subarray(this.headerValueOffset, this.headerValueOffset + this.headerValueLength);
      out.push({ key, value });
    }
    return out;
  }

  /**
   * Positions the cursor so that `next()` returns the record at `offset`. Seeking to the log end is
   * allowed (the cursor then waits there). Throws OFFSET_OUT_OF_RANGE outside [log start, end], where
   * end is the log end offset for the owner and the high watermark for a reader.
   */
  seek(offset: number): void {
    const source = this.source;
    this.limit = source.refresh(this.toLogEnd);
    this.visibleEnd = source.visibleEnd;
    this.truncations = source.truncations;
    const start = source.logStartOffset;
    const end = this.visibleEnd;
    if (!Number.isInteger(offset) || offset < start || offset > end) throw offsetOutOfRange('seek', offset, start, end);
    const segment = source.segmentFor(offset);
    if (segment === undefined) throw offsetOutOfRange('seek', offset, start, end);
    const entry = segment.lookup(offset);
    this.segment = segment;
    this.bytes = segment.bytes;
    this.pos = segment.entryPosition(entry);
    this.offset = segment.entryOffset(entry) - 1;
    this.batchEnd = this.offset + 1;
    this.batchPosition = -1;
    this.stop = -Infinity;
    while (this.offset + 1 < offset) {
      if (this.offset + 1 >= this.batchEnd) {
        if (!this.enterBatch()) throw offsetOutOfRange('seek', offset, start, end);
        if (this.batchEnd <= offset) {
          this.pos = this.batchEndPos;
          this.offset = this.batchEnd - 1;
          continue;
        }
      }
      this.skipRecord();
    }
  }

  /** The CRC state of the current batch: 'open' while its count cannot be trusted yet. */
  checkBatchCrc(): BatchCrcStatus {
    if (this.batchPosition < 0 || this.batchEnd === Infinity) return 'open';
    if ((this.batchAttributes & ATTR_CRC_ABSENT) !== 0) return 'absent';
    const b = this.bytes;
    const stored = readUint32BE(b, this.batchPosition + BATCH_CRC);
    return crc32c(b, this.batchPosition + BATCH_CRC_START, this.batchEndPos) === stored ? 'valid' : 'invalid';
  }

  /** next()'s slow path: refreshes the limit and enters batches until a record is ready. */
  private advance(): boolean {
    for (;;) {
      const o = this.offset + 1;
      if (o >= this.limit) {
        if (!this.refresh()) return false;
      } else if (o >= this.batchEnd) {
        if (!this.enterBatch()) return false;
      } else {
        this.stop = Math.min(this.limit, this.batchEnd);
        return true;
      }
    }
  }

  private refresh(): boolean {
    const source = this.source;
    const limit = source.refresh(this.toLogEnd);
    if (source.truncations !== this.truncations) return this.afterTruncation();
    this.limit = limit;
    this.visibleEnd = source.visibleEnd;
    if (this.batchEnd === Infinity) this.trustCount(readInt32BE(this.bytes, this.batchPosition + BATCH_RECORDS_COUNT));
    return this.offset + 1 < limit;
  }

  /** The log was truncated since the cursor last looked: reposition, or throw if its position is gone. */
  private afterTruncation(): boolean {
    const o = this.offset + 1;
    const end = this.source.visibleEnd;
    if (o > end) throw offsetOutOfRange('read', o, this.source.logStartOffset, end);
    this.seek(o);
    return o < this.limit;
  }

  /** Enters the batch that holds the next offset (below the limit), moving to the next segment if needed. */
  private enterBatch(): boolean {
    // A cursor whose limit predates a truncation must not walk into batches written after it.
    if (this.source.currentTruncations() !== this.truncations) {
      this.source.refresh(this.toLogEnd);
      return this.afterTruncation();
    }
    const o = this.offset + 1;
    let p = this.pos;
    if (this.batchPosition >= 0 && p !== this.batchEndPos) return this.mismatch(`records end at ${p}, batchLength says ${this.batchEndPos}`);
    let segment = this.segment!;
    const closedEnd = segment.closedEnd();
    if (closedEnd >= 0 && p >= closedEnd) {
      const next = this.source.segmentAfter(segment);
      if (next === undefined) return false;
      segment = next;
      this.segment = next;
      this.bytes = next.bytes;
      p = next.dataStart;
    }
    const b = this.bytes;
    for (let i = 0; i < MAX_FILLER_BYTES && b[p] === BATCH_FILLER; i++) p++;
    if (o < this.source.logStartOffset) throw offsetOutOfRange('read', o, this.source.logStartOffset, this.visibleEnd);
    const base = readInt64BE(b, p + BATCH_BASE_OFFSET);
    if (base !== o || b[p + BATCH_MAGIC] !== MAGIC_V2) {
      return this.mismatch(`expected a batch of offset ${o} at position ${p} of segment ${segment.ordinal}, found base ${base}`);
    }
    this.batchPosition = p;
    this.batchBaseOffset = base;
    this.batchAttributes = readInt16BE(b, p + BATCH_ATTRIBUTES);
    this.batchFirstTimestamp = readInt64BE(b, p + BATCH_BASE_TIMESTAMP);
    this.logAppendTime = (this.batchAttributes & ATTR_TIMESTAMP_TYPE_LOG_APPEND) !== 0;
    this.pos = p + BATCH_HEADER_BYTES;
    this.trustCount(readInt32BE(b, p + BATCH_RECORDS_COUNT));
    return true;
  }

  /**
   * The bytes are not what the cursor expected: either the log was truncated under it (reposition),
   * or the batch is malformed (CORRUPT_MESSAGE).
   */
  private mismatch(what: string): boolean {
    this.source.refresh(this.toLogEnd);
    if (this.source.truncations !== this.truncations) return this.afterTruncation();
    throw corruptMessage(what);
  }

  /** Sets the batch end from its count if the count can be trusted (see the file header), else reads record by record. */
  private trustCount(count: number): void {
    const base = this.batchBaseOffset;
    if (count !== OPEN_BATCH_COUNT && count > 0 && base + count <= this.visibleEnd) {
      const p = this.batchPosition;
      const b = this.bytes;
      this.batchEnd = base + count;
      this.batchEndPos = p + BATCH_LOG_OVERHEAD + readInt32BE(b, p + BATCH_LENGTH);
      this.batchMaxTimestamp = readInt64BE(b, p + BATCH_MAX_TIMESTAMP);
      if (this.batchEndPos > b.length || this.batchEndPos < this.pos) throw this.corrupt(this.offset + 1, `batch length ${this.batchEndPos - p}`);
      if (this.verifyCrc && this.checkBatchCrc() === 'invalid') throw this.corrupt(this.offset + 1, 'CRC mismatch');
    } else {
      this.batchEnd = Infinity;
      this.batchEndPos = this.segment!.end;
    }
  }

  /** next() for any record shape: decodes record `o` at pos with the general varint decoder. */
  private decodeRecord(o: number): boolean {
    this.rp = this.pos;
    const length = this.field();
    const recordEnd = this.rp + length;
    const b = this.bytes;
    let p = this.rp + 1;
    this.timestampPos = p;
    while (b[p++]! > 0x7f);
    this.rp = p;
    const offsetDelta = this.field();
    const keyLength = this.field();
    const keyOffset = this.rp;
    if (keyLength > 0) this.rp = keyOffset + keyLength;
    const valueLength = this.field();
    const valueOffset = this.rp;
    if (
      length <= 0 ||
      recordEnd > this.batchEndPos ||
      valueOffset + (valueLength > 0 ? valueLength : 0) >= recordEnd ||
      keyLength < -1 ||
      valueLength < -1 ||
      this.batchBaseOffset + offsetDelta !== o
    ) {
      throw this.recordError(o, length, offsetDelta, keyLength, valueLength);
    }
    this.keyOffset = keyOffset;
    this.keyLength = keyLength;
    this.valueOffset = valueOffset;
    this.valueLength = valueLength;
    this.offset = o;
    this.pos = recordEnd;
    return true;
  }

  /**
   * next()'s keyLength varint and key at p, in the shapes next() decodes: null (0x01, or padded
   * 0x81 0x80.. 0x00) or a 1-byte length. Sets keyOffset and keyLength and returns the position
   * after the key, or -1 for any other shape (next() then falls back to decodeRecord()).
   */
  private skipKey(p: number): number {
    const x = this.bytes[p]!;
    let keyLength = -1;
    if ((x & 0x81) === 0) keyLength = x >> 1;
    else if (x !== 1 && (x !== 0x81 || (p = this.paddingEnd(p, 1)) < 0)) return -1;
    this.keyOffset = ++p;
    this.keyLength = keyLength;
    return keyLength > 0 ? p + keyLength : p;
  }

  /**
   * The position of the last byte of a varint whose byte at p (its `payloadBytes`-th) continues, if
   * the rest is padding (0x80 bytes, then 0x00) within MAX_VARINT_BYTES; else -1.
   */
  private paddingEnd(p: number, payloadBytes: number): number {
    const b = this.bytes;
    const last = p - payloadBytes + MAX_VARINT_BYTES;
    while (b[++p] === 0x80 && p < last);
    return b[p] === 0 ? p : -1;
  }

  private skipRecord(): void {
    this.rp = this.pos;
    const length = this.varint();
    const recordEnd = this.rp + length;
    if (length <= 0 || recordEnd > this.batchEndPos) throw this.corrupt(this.offset + 1, `record length ${length}`);
    this.pos = recordEnd;
    this.offset++;
  }

  /**
   * The zigzag varint (int32) at rp, advancing rp. A varint that does not end within 5 bytes yields
   * INVALID_FIELD, which every caller's range check rejects. Small on purpose (see next()).
   */
  private field(): number {
    const b = this.bytes;
    let p = this.rp;
    let z = 0;
    let s = 0;
    let x: number;
    do {
      x = b[p++]!;
      z |= (x & 0x7f) << s;
      s += 7;
    } while (x > 0x7f && s < 35);
    this.rp = p;
    return x > 0x7f ? INVALID_FIELD : (z >>> 1) ^ -(z & 1);
  }

  /** As field(), throwing CORRUPT_MESSAGE on an overlong varint (cold paths). */
  private varint(): number {
    const v = this.field();
    if (v === INVALID_FIELD) throw this.corrupt(this.offset, 'varint longer than 5 bytes');
    return v;
  }

  /** The zigzag varlong at rp: int arithmetic up to 4 bytes, float beyond. */
  private varlong(): number {
    const b = this.bytes;
    let p = this.rp;
    let z = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const x = b[p++] ?? 0;
      z |= (x & 0x7f) << shift;
      if (x < 0x80) {
        this.rp = p;
        return (z >>> 1) ^ -(z & 1);
      }
    }
    return this.varlongTail(p, z);
  }

  /** The rest of a varlong whose first 4 bytes (28 bits) are `low28`: float arithmetic; sets rp. */
  private varlongTail(p: number, low28: number): number {
    const b = this.bytes;
    let z = low28 >>> 0;
    let scale = 0x1000_0000;
    for (let i = 4; ; i++) {
      if (i >= 10) throw this.corrupt(this.offset + 1, 'varlong longer than 10 bytes');
      const x = b[p++] ?? 0;
      z += (x & 0x7f) * scale;
      scale *= 0x80;
      if (x < 0x80) break;
    }
    this.rp = p;
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  private recordError(offset: number, length: number, offsetDelta: number, keyLength: number, valueLength: number): Error {
    return this.corrupt(offset, `record of length ${length}: offsetDelta ${offsetDelta}, key length ${keyLength}, value length ${valueLength}`);
  }

  private corrupt(offset: number, what: string): Error {
    return corruptMessage(`${what} at offset ${offset} (batch ${this.batchBaseOffset} at position ${this.batchPosition})`);
  }
}

/** Cursors a source has handed out, weakly held: a forgotten cursor stops pinning once collected. */
export class CursorSet {
  private refs: WeakRef<RecordCursor>[] = [];

  add(cursor: RecordCursor): void {
    this.refs.push(new WeakRef(cursor));
  }

  /** The lowest segment ordinal any live cursor reads (Infinity when none). */
  lowestOrdinal(): number {
    let lowest = Infinity;
    let live = 0;
    for (const ref of this.refs) {
      const cursor = ref.deref();
      if (cursor === undefined) continue;
      this.refs[live++] = ref;
      const ordinal = cursor.segmentOrdinal;
      if (ordinal < lowest) lowest = ordinal;
    }
    this.refs.length = live;
    return lowest;
  }
}
