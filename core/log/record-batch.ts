/**
 * The record batch codec: Kafka's record batch v2 (magic 2), byte for byte, so that a batch a
 * producer encodes is what the log stores and what a Kafka client could decode.
 *
 * Invariants:
 * - The encoder allocates nothing per record: it writes straight into the caller's Uint8Array (an
 *   ordinary buffer or a SharedArrayBuffer region) and only the batch header is rewritten at the end.
 * - The CRC covers [attributes, end), so the log can write baseOffset and partitionLeaderEpoch into a
 *   stored batch without invalidating it (as Kafka brokers do).
 * - Values of 64 bytes or more are placed at the same address mod 8 as their source, by writing a
 *   preceding varint in more bytes than it needs (a valid encoding; see varint.ts). Copying into shared
 *   memory is 5-7x faster when source and destination line up; this costs 3.5 bytes per record on
 *   average. `alignValues: false` turns it off and gives Kafka's minimal encoding.
 */
import { Buffer } from 'node:buffer';
import { coarseNow } from './clock.js';
import { crc32c } from './crc32c.js';
import { corruptMessage, invalidArgument, invalidTimestamp, messageTooLarge } from './errors.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CRC_ABSENT,
  BATCH_ATTRIBUTES,
  BATCH_BASE_OFFSET,
  BATCH_BASE_SEQUENCE,
  BATCH_BASE_TIMESTAMP,
  BATCH_CRC,
  BATCH_CRC_START,
  BATCH_HEADER_BYTES,
  BATCH_LAST_OFFSET_DELTA,
  BATCH_LENGTH,
  BATCH_LOG_OVERHEAD,
  BATCH_MAGIC,
  BATCH_MAX_TIMESTAMP,
  BATCH_PARTITION_LEADER_EPOCH,
  BATCH_PRODUCER_EPOCH,
  BATCH_PRODUCER_ID,
  BATCH_RECORDS_COUNT,
  MAGIC_V2,
  MAX_VARINT_BYTES,
  MAX_VARLONG_BYTES,
  MIN_RECORD_BYTES,
  OPEN_BATCH_COUNT,
  TWO_POW_32,
} from './layout.js';
import {
  VarintReader,
  sizeOfUnsignedVarint,
  sizeOfUnsignedVarlong,
  writeUnsignedVarint,
  writeUnsignedVarlong,
  zigzag,
} from './varint.js';

/** A record header as Kafka has it: a string key and a nullable value. */
export interface RecordHeader {
  readonly key: string;
  readonly value: Uint8Array | null;
}

/** Header fields a producer may set; everything else the encoder computes. */
export interface BatchFields {
  /** Written by the log on append; producers leave 0. */
  readonly baseOffset?: number;
  readonly partitionLeaderEpoch?: number;
  /** Transactional / control bits. Compression bits must be 0 (no codec is supported). */
  readonly attributes?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
}

export interface RecordBatchBuilderOptions {
  /** Place values of 64+ bytes at their source's address mod 8 (default true). */
  readonly alignValues?: boolean;
  /** Clock for records appended without a timestamp (default coarseNow: Date.now, read once per stride of a tight loop; see clock.ts). */
  readonly now?: () => number;
}

/** appendShort's limits: offsetDelta and valueLength take at most 2 bytes and timestampDelta 1. */
const SHORT_MAX_COUNT = 0x2000;
const SHORT_MAX_DELTA = 0x40;
/** The record's length varint (body of up to 8 + value + 7 padding bytes, zigzag) stays under 2^14. */
const SHORT_MAX_VALUE_BYTES = 0x2000 - 16;
/** Zigzag values below 2^7 take one varint byte: lengths and counts below this (2^6). */
const ONE_BYTE_LIMIT = 0x40;
/** Values shorter than this are not aligned: the copy penalty is small and padding would cost space. */
const ALIGN_MIN_VALUE_BYTES = 64;
/** Alignment is mod 8, so at most 7 padding bytes. */
const MAX_PAD = 7;
const NO_TIMESTAMP = -1;

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------------
// Byte grammar (Kafka record batch v2). Fixed-width integers are big-endian; varint/varlong are zigzag
// (varint.ts). Offsets of the header fields are in layout.ts.
//
//   RecordBatch =>
//     baseOffset int64, batchLength int32, partitionLeaderEpoch int32, magic int8 (= 2),
//     crc uint32 (CRC32C of attributes..end), attributes int16, lastOffsetDelta int32,
//     baseTimestamp int64, maxTimestamp int64, producerId int64, producerEpoch int16,
//     baseSequence int32, recordsCount int32, Record{recordsCount}
//   Record =>
//     length varint            bytes after this field
//     attributes int8          0 (unused by Kafka)
//     timestampDelta varlong   timestamp - baseTimestamp
//     offsetDelta varint       offset - baseOffset (0, 1, 2, ... in this log)
//     keyLength varint         -1 for a null key
//     key byte[keyLength]
//     valueLength varint       -1 for a null value
//     value byte[valueLength]
//     headerCount varint
//     Header{headerCount} => headerKeyLength varint, headerKey utf8[headerKeyLength],
//                            headerValueLength varint (-1 null), headerValue byte[headerValueLength]
//
// A 200-byte value with a null key and no headers takes 9-10 bytes of framing (+0..7 alignment).
// ---------------------------------------------------------------------------------------------------

/**
 * Encodes one record batch into a caller-given region, record by record.
 *
 *   builder.begin(buffer, start, end);
 *   while (builder.append(key, value, undefined, ts)) { ... }   // false: the record does not fit
 *   const length = builder.finish();                            // bytes [start, start + length)
 *
 * The builder is reusable: `begin` starts the next batch. It allocates nothing per record.
 */
export class RecordBatchBuilder {
  /** The region being written. */
  bytes: Uint8Array = EMPTY;
  /** Position of the batch header in `bytes`. */
  start = 0;
  /** Records appended since `begin`. */
  count = 0;
  firstTimestamp = NO_TIMESTAMP;
  maxTimestamp = NO_TIMESTAMP;
  /** Encoded size of the last record appended or refused (for the caller's size checks). */
  lastRecordBytes = 0;
  /** Position where the next record goes. */
  pos = 0;

  private softEnd = 0;
  private hardEnd = 0;
  private maxRecords = OPEN_BATCH_COUNT;
  private address = 0;
  private attributes = 0;
  private readonly alignValues: boolean;
  private readonly now: () => number;

  constructor(options: RecordBatchBuilderOptions = {}) {
    this.alignValues = options.alignValues ?? true;
    this.now = options.now ?? coarseNow;
  }

  /** Bytes written so far, header included. */
  get size(): number {
    return this.pos - this.start;
  }

  /**
   * Starts a batch at `start` that must end by `end`. Writes every header field known now;
   * recordsCount says OPEN_BATCH_COUNT until `finish`.
   */
  begin(target: Uint8Array, start = 0, end = target.length, fields: BatchFields = {}): void {
    if (start < 0 || end > target.length || end - start < BATCH_HEADER_BYTES + MIN_RECORD_BYTES) {
      throw invalidArgument(`batch region [${start}, ${end}) of a ${target.length}-byte buffer cannot hold a record`);
    }
    const attributes = fields.attributes ?? 0;
    if ((attributes & (ATTR_COMPRESSION_MASK | ATTR_CRC_ABSENT)) !== 0) {
      throw invalidArgument(`batch attributes 0x${attributes.toString(16)}: compression is not supported`);
    }
    this.bytes = target;
    this.address = target.byteOffset;
    this.start = start;
    this.pos = start + BATCH_HEADER_BYTES;
    this.softEnd = end;
    this.hardEnd = end;
    this.maxRecords = OPEN_BATCH_COUNT;
    this.count = 0;
    this.firstTimestamp = NO_TIMESTAMP;
    this.maxTimestamp = NO_TIMESTAMP;
    this.attributes = attributes;
    const b = target;
    writeInt64BE(b, start + BATCH_BASE_OFFSET, fields.baseOffset ?? 0);
    writeInt32BE(b, start + BATCH_LENGTH, 0);
    writeInt32BE(b, start + BATCH_PARTITION_LEADER_EPOCH, fields.partitionLeaderEpoch ?? -1);
    b[start + BATCH_MAGIC] = MAGIC_V2;
    writeInt32BE(b, start + BATCH_CRC, 0);
    writeInt16BE(b, start + BATCH_ATTRIBUTES, attributes);
    writeInt32BE(b, start + BATCH_LAST_OFFSET_DELTA, -1);
    writeInt64BE(b, start + BATCH_BASE_TIMESTAMP, NO_TIMESTAMP);
    writeInt64BE(b, start + BATCH_MAX_TIMESTAMP, NO_TIMESTAMP);
    writeInt64BE(b, start + BATCH_PRODUCER_ID, fields.producerId ?? -1);
    writeInt16BE(b, start + BATCH_PRODUCER_EPOCH, fields.producerEpoch ?? -1);
    writeInt32BE(b, start + BATCH_BASE_SEQUENCE, fields.baseSequence ?? -1);
    writeInt32BE(b, start + BATCH_RECORDS_COUNT, OPEN_BATCH_COUNT);
  }

  /**
   * Lowers the point at which the batch counts as full: once it holds a record, a record that would
   * end past `softEnd` or make more than `maxRecords` is refused. The first record may use the whole
   * region given to `begin`, so a record larger than `softEnd` still gets a batch of its own.
   */
  limit(softEnd: number, maxRecords: number): void {
    this.softEnd = Math.min(softEnd, this.hardEnd);
    this.maxRecords = maxRecords;
  }

  /**
   * Appends a record. Returns false, writing nothing, when it does not fit (see `limit`). Keys and
   * values are copied once; null means a null key or value (Kafka's -1 length).
   */
  append(key: Uint8Array | null, value: Uint8Array | null, headers?: readonly RecordHeader[], timestamp?: number): boolean {
    const ts = timestamp ?? this.now();
    const count = this.count;
    const delta = ts - this.firstTimestamp;
    if (
      key === null &&
      value !== null &&
      headers === undefined &&
      count !== 0 &&
      count < SHORT_MAX_COUNT &&
      (delta >>> 0) === delta && // an integer >= 0 (so ts is valid: the first one was checked)
      delta < SHORT_MAX_DELTA &&
      value.length <= SHORT_MAX_VALUE_BYTES
    ) {
      return this.appendShort(value, ts, delta);
    }
    return this.appendGeneral(key, value, headers, ts);
  }

  /**
   * append() for a record after the first of its batch, with a null key, no headers, a value of at
   * most SHORT_MAX_VALUE_BYTES and a timestamp 0..63 ms after the batch's first: every varint but the
   * padded ones then has a known width of 1 or 2 bytes. Writes exactly the bytes appendGeneral would:
   * the padding goes to valueLength first, then keyLength, and at most
   * 7 bytes always fit in those two, so offsetDelta and timestampDelta stay minimal.
   */
  private appendShort(value: Uint8Array, ts: number, delta: number): boolean {
    const count = this.count;
    const valueLength = value.length;
    const odS = count < ONE_BYTE_LIMIT ? 1 : 2;
    const vlS = valueLength < ONE_BYTE_LIMIT ? 1 : 2;
    // attributes, timestampDelta (1), offsetDelta, keyLength (1), valueLength, value, headerCount (1).
    const body0 = 4 + odS + vlS + valueLength;
    const lenS = body0 + MAX_PAD < ONE_BYTE_LIMIT ? 1 : 2;
    let p = this.pos;
    const pad = this.alignmentPad(value, p + lenS + body0 - valueLength - 1);
    const body = body0 + pad;
    const recordBytes = lenS + body;
    this.lastRecordBytes = recordBytes;
    if (p + recordBytes > this.softEnd || count >= this.maxRecords) return false;
    const b = this.bytes;
    // A Uint8Array keeps the low 8 bits of what is stored: `z | 0x80` is z's low 7 bits, continued.
    const lengthZ = body * 2;
    if (lenS === 1) {
      b[p++] = lengthZ;
    } else {
      b[p++] = lengthZ | 0x80;
      b[p++] = lengthZ >>> 7;
    }
    b[p++] = 0;
    b[p++] = delta * 2;
    const offsetZ = count * 2;
    if (odS === 1) {
      b[p++] = offsetZ;
    } else {
      b[p++] = offsetZ | 0x80;
      b[p++] = offsetZ >>> 7;
    }
    const vlPad = Math.min(pad, MAX_VARINT_BYTES - vlS);
    p = writeUnsignedVarint(b, p, 1, 1 + pad - vlPad);
    p = writeUnsignedVarint(b, p, valueLength * 2, vlS + vlPad);
    b.set(value, p);
    p += valueLength;
    b[p++] = 0;
    this.pos = p;
    this.count = count + 1;
    if (ts > this.maxTimestamp) this.maxTimestamp = ts;
    return true;
  }

  /**
   * Seals the batch: writes recordsCount, lastOffsetDelta, maxTimestamp, batchLength and the CRC.
   * With `computeCrc` false the CRC is left 0 and ATTR_CRC_ABSENT is set (see layout.ts).
   * Returns the batch's length in bytes.
   */
  finish(computeCrc = true): number {
    const count = this.count;
    if (count === 0) throw invalidArgument('cannot finish a record batch that holds no record');
    const b = this.bytes;
    const s = this.start;
    const length = this.pos - s;
    writeInt32BE(b, s + BATCH_LENGTH, length - BATCH_LOG_OVERHEAD);
    writeInt32BE(b, s + BATCH_LAST_OFFSET_DELTA, count - 1);
    writeInt64BE(b, s + BATCH_MAX_TIMESTAMP, this.maxTimestamp);
    writeInt32BE(b, s + BATCH_RECORDS_COUNT, count);
    if (computeCrc) {
      writeUint32BE(b, s + BATCH_CRC, crc32c(b, s + BATCH_CRC_START, this.pos));
    } else {
      writeInt16BE(b, s + BATCH_ATTRIBUTES, this.attributes | ATTR_CRC_ABSENT);
    }
    this.count = 0;
    return length;
  }

  /** Padding that puts a value written at `valueAt` at its source's address mod 8 (0 if not aligning). */
  private alignmentPad(value: Uint8Array, valueAt: number): number {
    if (!this.alignValues || value.length < ALIGN_MIN_VALUE_BYTES) return 0;
    return (value.byteOffset - (this.address + valueAt)) & MAX_PAD;
  }

  private startTimestamps(ts: number): void {
    this.firstTimestamp = ts;
    this.maxTimestamp = ts;
    writeInt64BE(this.bytes, this.start + BATCH_BASE_TIMESTAMP, ts);
  }

  /** Every record appendShort does not take: a batch's first, keyed, with headers, other timestamps. */
  private appendGeneral(
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeader[] | undefined,
    ts: number,
  ): boolean {
    if (!Number.isInteger(ts) || ts < NO_TIMESTAMP) throw invalidTimestamp(ts);
    const count = this.count;
    const delta = count === 0 ? 0 : ts - this.firstTimestamp;
    const keyLength = key === null ? -1 : key.length;
    const valueLength = value === null ? -1 : value.length;
    const tsZ = zigzag(delta);
    const odZ = count * 2;
    const klZ = zigzag(keyLength);
    const vlZ = zigzag(valueLength);
    const tsS = sizeOfUnsignedVarlong(tsZ);
    const odS = sizeOfUnsignedVarint(odZ);
    const klS = sizeOfUnsignedVarint(klZ);
    const vlS = sizeOfUnsignedVarint(vlZ);
    const headersBytes = sizeOfHeaders(headers);
    const valueBytes = Math.max(valueLength, 0);
    const body0 = 1 + tsS + odS + klS + Math.max(keyLength, 0) + vlS + valueBytes + headersBytes;
    const lenS = sizeOfUnsignedVarint((body0 + MAX_PAD) * 2);
    let pad = 0;
    if (this.alignValues && value !== null && valueBytes >= ALIGN_MIN_VALUE_BYTES) {
      const valueAt = this.pos + lenS + body0 - valueBytes - headersBytes;
      pad = (value.byteOffset - (this.address + valueAt)) & MAX_PAD;
      const room = 3 * MAX_VARINT_BYTES - vlS - klS - odS + MAX_VARLONG_BYTES - tsS;
      if (room < pad) pad = 0;
    }
    const body = body0 + pad;
    const recordBytes = lenS + body;
    this.lastRecordBytes = recordBytes;
    if (this.pos + recordBytes > (count === 0 ? this.hardEnd : this.softEnd) || count >= this.maxRecords) return false;

    let vlW = vlS;
    let klW = klS;
    let odW = odS;
    let tsW = tsS;
    for (; pad > 0; pad--) {
      if (vlW < MAX_VARINT_BYTES) vlW++;
      else if (klW < MAX_VARINT_BYTES) klW++;
      else if (odW < MAX_VARINT_BYTES) odW++;
      else tsW++;
    }
    const b = this.bytes;
    let p = writeUnsignedVarint(b, this.pos, body * 2, lenS);
    b[p++] = 0;
    p = writeUnsignedVarlong(b, p, tsZ, tsW);
    p = writeUnsignedVarint(b, p, odZ, odW);
    p = writeUnsignedVarint(b, p, klZ, klW);
    if (key !== null) {
      b.set(key, p);
      p += keyLength;
    }
    p = writeUnsignedVarint(b, p, vlZ, vlW);
    if (value !== null) {
      b.set(value, p);
      p += valueLength;
    }
    p = writeHeaders(b, p, headers);
    this.pos = p;
    this.count = count + 1;
    if (count === 0) this.startTimestamps(ts);
    else if (ts > this.maxTimestamp) this.maxTimestamp = ts;
    return true;
  }
}

function sizeOfHeaders(headers: readonly RecordHeader[] | undefined): number {
  if (headers === undefined) return 1;
  let size = sizeOfUnsignedVarint(headers.length * 2);
  for (const h of headers) {
    const keyBytes = utf8Length(h.key);
    size += sizeOfUnsignedVarint(keyBytes * 2) + keyBytes;
    size += h.value === null ? 1 : sizeOfUnsignedVarint(h.value.length * 2) + h.value.length;
  }
  return size;
}

function writeHeaders(b: Uint8Array, p: number, headers: readonly RecordHeader[] | undefined): number {
  if (headers === undefined) {
    b[p] = 0;
    return p + 1;
  }
  p = writeUnsignedVarint(b, p, headers.length * 2, sizeOfUnsignedVarint(headers.length * 2));
  for (const h of headers) {
    const keyBytes = utf8Length(h.key);
    p = writeUnsignedVarint(b, p, keyBytes * 2, sizeOfUnsignedVarint(keyBytes * 2));
    p = writeUtf8(b, p, h.key, keyBytes);
    if (h.value === null) {
      b[p++] = 1;
    } else {
      p = writeUnsignedVarint(b, p, h.value.length * 2, sizeOfUnsignedVarint(h.value.length * 2));
      b.set(h.value, p);
      p += h.value.length;
    }
  }
  return p;
}

function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}

function writeUtf8(b: Uint8Array, p: number, s: string, bytes: number): number {
  if (bytes === s.length) {
    for (let i = 0; i < bytes; i++) b[p + i] = s.charCodeAt(i);
  } else {
    Buffer.from(b.buffer, b.byteOffset, b.length).write(s, p, bytes, 'utf8');
  }
  return p + bytes;
}

// ---------------------------------------------------------------------------------------------------
// Big-endian fixed-width fields. Offsets and timestamps are JS numbers, exact below 2^53.
// ---------------------------------------------------------------------------------------------------

export function writeInt16BE(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 8;
  b[p + 1] = v;
}

export function writeInt32BE(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

export const writeUint32BE = writeInt32BE;

export function writeInt64BE(b: Uint8Array, p: number, v: number): void {
  const hi = Math.floor(v / TWO_POW_32);
  writeInt32BE(b, p, hi);
  writeInt32BE(b, p + 4, v - hi * TWO_POW_32);
}

export function readInt16BE(b: Uint8Array, p: number): number {
  return (((b[p]! << 8) | b[p + 1]!) << 16) >> 16;
}

export function readInt32BE(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

export function readUint32BE(b: Uint8Array, p: number): number {
  return readInt32BE(b, p) >>> 0;
}

export function readInt64BE(b: Uint8Array, p: number): number {
  return readInt32BE(b, p) * TWO_POW_32 + readUint32BE(b, p + 4);
}

// ---------------------------------------------------------------------------------------------------
// Whole-batch helpers: validation on append, CRC, and a friendly (allocating) decoder.
// ---------------------------------------------------------------------------------------------------

/** A batch header as plain data (allocates: for tools, tests and the cold paths). */
export interface RecordBatchHeader {
  readonly baseOffset: number;
  readonly batchLength: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordsCount: number;
}

export function readBatchHeader(b: Uint8Array, start = 0): RecordBatchHeader {
  if (start + BATCH_HEADER_BYTES > b.length) throw corruptMessage(`batch header at ${start} runs past ${b.length} bytes`);
  return {
    baseOffset: readInt64BE(b, start + BATCH_BASE_OFFSET),
    batchLength: readInt32BE(b, start + BATCH_LENGTH),
    partitionLeaderEpoch: readInt32BE(b, start + BATCH_PARTITION_LEADER_EPOCH),
    magic: b[start + BATCH_MAGIC]!,
    crc: readUint32BE(b, start + BATCH_CRC),
    attributes: readInt16BE(b, start + BATCH_ATTRIBUTES),
    lastOffsetDelta: readInt32BE(b, start + BATCH_LAST_OFFSET_DELTA),
    baseTimestamp: readInt64BE(b, start + BATCH_BASE_TIMESTAMP),
    maxTimestamp: readInt64BE(b, start + BATCH_MAX_TIMESTAMP),
    producerId: readInt64BE(b, start + BATCH_PRODUCER_ID),
    producerEpoch: readInt16BE(b, start + BATCH_PRODUCER_EPOCH),
    baseSequence: readInt32BE(b, start + BATCH_BASE_SEQUENCE),
    recordsCount: readInt32BE(b, start + BATCH_RECORDS_COUNT),
  };
}

/**
 * The cheap checks appendBatch makes before it copies a batch: sizes, magic, count and
 * lastOffsetDelta agree, no compression, and with `verifyCrc` the CRC (skipped for batches marked
 * ATTR_CRC_ABSENT). Records are not walked. Returns recordsCount. Throws MESSAGE_TOO_LARGE or
 * CORRUPT_MESSAGE naming the problem.
 */
export function validateBatch(b: Uint8Array, start: number, length: number, maxMessageBytes: number, verifyCrc: boolean): number {
  if (length < BATCH_HEADER_BYTES + MIN_RECORD_BYTES) {
    throw corruptMessage(`${length} bytes cannot hold a batch header (${BATCH_HEADER_BYTES} bytes) and one record`);
  }
  if (start < 0 || start + length > b.length) throw corruptMessage(`batch range [${start}, ${start + length}) is outside its ${b.length}-byte buffer`);
  if (length > maxMessageBytes) throw messageTooLarge(length, maxMessageBytes);
  const batchLength = readInt32BE(b, start + BATCH_LENGTH);
  if (batchLength + BATCH_LOG_OVERHEAD !== length) {
    throw corruptMessage(`batchLength ${batchLength} does not match the ${length} bytes given (expected ${length - BATCH_LOG_OVERHEAD})`);
  }
  const magic = b[start + BATCH_MAGIC]!;
  if (magic !== MAGIC_V2) throw corruptMessage(`magic ${magic} is not supported (only ${MAGIC_V2})`);
  const attributes = readInt16BE(b, start + BATCH_ATTRIBUTES);
  if ((attributes & ATTR_COMPRESSION_MASK) !== 0) {
    throw corruptMessage(`compression codec ${attributes & ATTR_COMPRESSION_MASK} is not supported`);
  }
  const count = readInt32BE(b, start + BATCH_RECORDS_COUNT);
  const maxCount = Math.floor((length - BATCH_HEADER_BYTES) / MIN_RECORD_BYTES);
  if (count < 1 || count > maxCount) throw corruptMessage(`recordsCount ${count} is not in [1, ${maxCount}] for ${length} bytes`);
  const lastOffsetDelta = readInt32BE(b, start + BATCH_LAST_OFFSET_DELTA);
  if (lastOffsetDelta !== count - 1) throw corruptMessage(`lastOffsetDelta ${lastOffsetDelta} does not match recordsCount ${count}`);
  if (verifyCrc && (attributes & ATTR_CRC_ABSENT) === 0) {
    const stored = readUint32BE(b, start + BATCH_CRC);
    const computed = crc32c(b, start + BATCH_CRC_START, start + length);
    if (stored !== computed) throw corruptMessage(`CRC 0x${stored.toString(16)} does not match the computed 0x${computed.toString(16)}`);
  }
  return count;
}

/** The CRC32C a sealed batch at `start` should carry (over attributes..end). */
export function computeBatchCrc(b: Uint8Array, start = 0): number {
  const end = start + BATCH_LOG_OVERHEAD + readInt32BE(b, start + BATCH_LENGTH);
  return crc32c(b, start + BATCH_CRC_START, end);
}

/** Computes and stores the CRC of a sealed batch, clearing ATTR_CRC_ABSENT first. */
export function sealBatchCrc(b: Uint8Array, start = 0): void {
  const attributes = readInt16BE(b, start + BATCH_ATTRIBUTES);
  writeInt16BE(b, start + BATCH_ATTRIBUTES, attributes & ~ATTR_CRC_ABSENT);
  writeUint32BE(b, start + BATCH_CRC, computeBatchCrc(b, start));
}

export interface DecodedHeader {
  readonly key: string;
  readonly value: Uint8Array | null;
}

export interface DecodedRecord {
  readonly offset: number;
  readonly timestamp: number;
  /** Views into the decoded bytes (no copy). */
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly DecodedHeader[];
}

export interface DecodedBatch {
  readonly header: RecordBatchHeader;
  readonly records: readonly DecodedRecord[];
  /** Total bytes of the batch (batchLength + 12). */
  readonly length: number;
}

/**
 * Decodes a sealed batch into plain objects: the slow, friendly reader for tools and tests (the
 * RecordCursor is the fast one). Throws CORRUPT_MESSAGE when the records do not tile the batch.
 */
export function decodeRecordBatch(b: Uint8Array, start = 0): DecodedBatch {
  const header = readBatchHeader(b, start);
  const end = start + BATCH_LOG_OVERHEAD + header.batchLength;
  if (header.magic !== MAGIC_V2) throw corruptMessage(`magic ${header.magic} is not supported`);
  if (end > b.length || end < start + BATCH_HEADER_BYTES) throw corruptMessage(`batchLength ${header.batchLength} runs past the buffer`);
  const r = new VarintReader(b, start + BATCH_HEADER_BYTES);
  const records: DecodedRecord[] = [];
  const logAppendTime = (header.attributes & 0x08) !== 0;
  for (let i = 0; i < header.recordsCount; i++) {
    const length = r.varint();
    const recordEnd = r.pos + length;
    if (length < 0 || recordEnd > end) throw corruptMessage(`record ${i} of length ${length} runs past the batch`);
    r.pos++; // attributes
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = readBytes(r, recordEnd);
    const value = readBytes(r, recordEnd);
    const headerCount = r.varint();
    const headers: DecodedHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const keyBytes = readBytes(r, recordEnd);
      if (keyBytes === null) throw corruptMessage(`record ${i} has a null header key`);
      headers.push({ key: Buffer.from(keyBytes.buffer, keyBytes.byteOffset, keyBytes.length).toString('utf8'), value: readBytes(r, recordEnd) });
    }
    if (r.pos !== recordEnd) throw corruptMessage(`record ${i} fields end at ${r.pos}, its length says ${recordEnd}`);
    records.push({
      offset: header.baseOffset + offsetDelta,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  if (r.pos !== end) throw corruptMessage(`records end at ${r.pos - start}, batchLength says ${end - start}`);
  return { header, records, length: end - start };
}

function readBytes(r: VarintReader, limit: number): Uint8Array | null {
  const n = r.varint();
  if (n < -1 || r.pos + n > limit) throw corruptMessage(`field length ${n} at ${r.pos} runs past its record`);
  if (n === -1) return null;
  const view = r.bytes.subarray(r.pos, r.pos + n);
  r.pos += n;
  return view;
}
