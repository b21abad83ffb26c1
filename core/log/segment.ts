/**
 * A segment: one SharedArrayBuffer holding a run of record batches and their sparse offset index
 * (diagram and header table in layout.ts). Both the owner and readers in other threads wrap the same
 * buffer in a Segment; only the owner writes.
 *
 * Invariants:
 * - The header words that never change (ordinal, base offset, sizes) are written before the buffer is
 *   shared. indexCount and closedEnd change later and are written with Atomics.store after the bytes
 *   they describe, so a reader that Atomics.loads them sees those bytes.
 * - Index entries are (offset - baseOffset, position of a batch start), in increasing order.
 */
import { invalidArgument } from './errors.js';
import {
  INDEX_ENTRY_BYTES,
  INDEX_ENTRY_WORDS,
  MIN_INDEX_SPACING,
  SEGMENT_HEADER_BYTES,
  SEGMENT_LAYOUT_VERSION,
  SEGMENT_MAGIC,
  SEG_WORD_BASE_HI,
  SEG_WORD_BASE_LO,
  SEG_WORD_CLOSED_END,
  SEG_WORD_DATA_START,
  SEG_WORD_INDEX_CAPACITY,
  SEG_WORD_INDEX_COUNT,
  SEG_WORD_INDEX_START,
  SEG_WORD_MAGIC,
  SEG_WORD_ORDINAL,
  SEG_WORD_SEGMENT_BYTES,
  SEG_WORD_VERSION,
  TWO_POW_32,
} from './layout.js';
import { indexCapacity } from './options.js';

const ACTIVE = -1;

export class Segment {
  readonly buffer: SharedArrayBuffer;
  /** The whole segment; batches live in [dataStart, end). */
  readonly bytes: Uint8Array;
  readonly ordinal: number;
  readonly baseOffset: number;
  readonly dataStart: number;
  readonly end: number;
  readonly indexCapacity: number;

  // Owner-only bookkeeping (a reader's copies stay at their initial values).
  /** Where the next batch goes. */
  writePos: number;
  /** Largest record timestamp stored, for retention by age (-1: none). */
  maxTimestamp = -1;
  /** Position of the batch the last index entry points at (dataStart: the implied first entry). */
  lastIndexedPos: number;

  private readonly words: Int32Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.bytes = new Uint8Array(buffer);
    const head = new Int32Array(buffer, 0, SEGMENT_HEADER_BYTES / 4);
    if (head[SEG_WORD_MAGIC] !== SEGMENT_MAGIC || head[SEG_WORD_VERSION] !== SEGMENT_LAYOUT_VERSION) {
      throw invalidArgument(`buffer of ${buffer.byteLength} bytes is not an mqlab log segment (layout ${SEGMENT_LAYOUT_VERSION})`);
    }
    this.ordinal = head[SEG_WORD_ORDINAL]!;
    this.baseOffset = head[SEG_WORD_BASE_HI]! * TWO_POW_32 + (head[SEG_WORD_BASE_LO]! >>> 0);
    this.indexCapacity = head[SEG_WORD_INDEX_CAPACITY]!;
    this.dataStart = head[SEG_WORD_DATA_START]!;
    this.end = head[SEG_WORD_SEGMENT_BYTES]!;
    this.words = new Int32Array(buffer, 0, this.dataStart / 4);
    this.writePos = this.dataStart;
    this.lastIndexedPos = this.dataStart;
  }

  /**
   * A new, empty, active segment, in `reuse` if given (a deleted segment's buffer that no reader can
   * still touch: its old bytes past the new writePos are never read) or else in fresh memory.
   */
  static create(ordinal: number, baseOffset: number, segmentBytes: number, indexIntervalBytes: number, reuse?: SharedArrayBuffer): Segment {
    const buffer = reuse !== undefined && reuse.byteLength === segmentBytes ? reuse : new SharedArrayBuffer(segmentBytes);
    const capacity = indexCapacity(segmentBytes, indexIntervalBytes);
    const head = new Int32Array(buffer, 0, SEGMENT_HEADER_BYTES / 4);
    head[SEG_WORD_MAGIC] = SEGMENT_MAGIC;
    head[SEG_WORD_VERSION] = SEGMENT_LAYOUT_VERSION;
    head[SEG_WORD_ORDINAL] = ordinal;
    head[SEG_WORD_BASE_LO] = baseOffset >>> 0;
    head[SEG_WORD_BASE_HI] = Math.floor(baseOffset / TWO_POW_32);
    head[SEG_WORD_INDEX_CAPACITY] = capacity;
    head[SEG_WORD_DATA_START] = SEGMENT_HEADER_BYTES + capacity * INDEX_ENTRY_BYTES;
    head[SEG_WORD_SEGMENT_BYTES] = segmentBytes;
    head[SEG_WORD_INDEX_COUNT] = 0;
    head[SEG_WORD_CLOSED_END] = ACTIVE;
    return new Segment(buffer);
  }

  /** Wraps a segment buffer another thread created. */
  static attach(buffer: SharedArrayBuffer): Segment {
    return new Segment(buffer);
  }

  /** -1 while the segment is active; once rolled, the position after its last batch. */
  closedEnd(): number {
    return Atomics.load(this.words, SEG_WORD_CLOSED_END);
  }

  /** Owner: no batch will be written after `end` (published before any offset past this segment). */
  close(end: number): void {
    Atomics.store(this.words, SEG_WORD_CLOSED_END, end);
  }

  /** Owner: makes a rolled segment active again (truncation back into it). */
  reopen(): void {
    Atomics.store(this.words, SEG_WORD_CLOSED_END, ACTIVE);
  }

  indexCount(): number {
    return Atomics.load(this.words, SEG_WORD_INDEX_COUNT);
  }

  /** Owner: adds an index entry for the batch of `offset` that starts at `position`. */
  addIndexEntry(offset: number, position: number): void {
    const n = Atomics.load(this.words, SEG_WORD_INDEX_COUNT);
    if (n >= this.indexCapacity) return;
    const w = SEG_WORD_INDEX_START + n * INDEX_ENTRY_WORDS;
    this.words[w] = offset - this.baseOffset;
    this.words[w + 1] = position;
    Atomics.store(this.words, SEG_WORD_INDEX_COUNT, n + 1);
    this.lastIndexedPos = position;
  }

  /** Owner: whether a batch starting at `position` is due an index entry. */
  wantsIndexEntry(position: number, indexIntervalBytes: number): boolean {
    return position - this.lastIndexedPos >= Math.max(indexIntervalBytes, MIN_INDEX_SPACING);
  }

  /** Owner: drops the entries of batches at or after `position`. */
  truncateIndex(position: number): void {
    let n = this.indexCount();
    while (n > 0 && this.entryPosition(n - 1) >= position) n--;
    Atomics.store(this.words, SEG_WORD_INDEX_COUNT, n);
    this.lastIndexedPos = n > 0 ? this.entryPosition(n - 1) : this.dataStart;
  }

  /** The last index entry whose offset is <= `offset`, or -1 when the implied first entry is it. */
  lookup(offset: number): number {
    const relative = offset - this.baseOffset;
    let lo = 0;
    let hi = this.indexCount() - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[SEG_WORD_INDEX_START + mid * INDEX_ENTRY_WORDS]! <= relative) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Offset of the batch that index entry `i` points at (-1: the segment's first batch). */
  entryOffset(i: number): number {
    return i < 0 ? this.baseOffset : this.baseOffset + this.words[SEG_WORD_INDEX_START + i * INDEX_ENTRY_WORDS]!;
  }

  /** Position of the batch that index entry `i` points at (-1: dataStart). */
  entryPosition(i: number): number {
    return i < 0 ? this.dataStart : this.words[SEG_WORD_INDEX_START + i * INDEX_ENTRY_WORDS + 1]!;
  }

  /** Owner: bytes of batches (and filler) stored. */
  get size(): number {
    return this.writePos - this.dataStart;
  }
}
