/**
 * PartitionLogReader: a partition log seen from another thread. It attaches once to the owner's
 * segments and control block (a LogDescriptor) and reads with RecordCursors up to the published high
 * watermark, copying nothing.
 *
 * Following the log:
 * - The owner announces each new segment once (a SegmentDescriptor, posted before any record in it is
 *   published) and bumps `generation` in the control block. When a refresh sees a generation newer
 *   than the segments it holds, or a cursor needs the segment after its current one, the reader pulls
 *   pending announcements through `pullSegment` (e.g. receiveMessageOnPort, see segment-port.ts) or
 *   takes them from `addSegment`.
 * - Segments wholly below the published log start offset (retention) are dropped from its list; the
 *   memory goes once no cursor still holds it.
 * - A segment announced after a truncation replaces the ones at or above its base offset.
 * - On each refresh the reader pins (control block) the oldest segment it or its cursors may still
 *   read, so the owner never reuses a buffer under it. `close()` frees the pin.
 */
import { ControlBlock, type WaitResult } from './control.js';
import type { LogDescriptor, SegmentDescriptor } from './descriptor.js';
import { corruptMessage, invalidArgument, offsetOutOfRange } from './errors.js';
import { BATCH_BASE_OFFSET, BATCH_LENGTH, BATCH_LOG_OVERHEAD, BATCH_MAGIC, BATCH_RECORDS_COUNT, MAGIC_V2 } from './layout.js';
import { findSegment, findSegmentAfter, skipFiller } from './partition-log.js';
import { readInt32BE, readInt64BE } from './record-batch.js';
import { CursorSet, RecordCursor, type LogSource, type RecordCursorOptions } from './record-cursor.js';
import { Segment } from './segment.js';

/** Receives one whole batch copied by `fetchBatches`: bytes [start, start + length) of `bytes`. */
export type BatchSink = (bytes: Uint8Array, start: number, length: number) => void;

export interface PartitionLogReaderOptions {
  /** Returns the next segment announcement waiting for this reader, or undefined if there is none. */
  readonly pullSegment?: () => SegmentDescriptor | undefined;
}

class ReaderState implements LogSource {
  readonly segments: Segment[] = [];
  visibleEnd = 0;
  logStartOffset = 0;
  truncations = 0;
  readonly control: ControlBlock;
  readonly cursors = new CursorSet();
  private readonly pullSegment: (() => SegmentDescriptor | undefined) | undefined;
  private readonly slot: number;
  private pinned = -1;

  constructor(control: ControlBlock, slot: number, pullSegment: (() => SegmentDescriptor | undefined) | undefined) {
    this.control = control;
    this.slot = slot;
    this.pullSegment = pullSegment;
  }

  track(cursor: RecordCursor): void {
    this.cursors.add(cursor);
  }

  currentTruncations(): number {
    return this.control.currentTruncations();
  }

  /** Moves this reader's pin up to the oldest segment it or its cursors still hold. */
  updatePin(): void {
    const oldest = this.segments[0]?.ordinal ?? Infinity;
    const pin = Math.min(oldest, this.cursors.lowestOrdinal());
    if (pin !== this.pinned && pin !== Infinity) {
      this.pinned = pin;
      this.control.pin(this.slot, pin);
    }
  }

  release(): void {
    this.control.releaseReaderSlot(this.slot);
  }

  refresh(): number {
    const c = this.control;
    c.read();
    const newest = this.segments[this.segments.length - 1];
    if (newest === undefined || c.generation() > newest.ordinal) this.pullAll();
    if (c.logStartOffset !== this.logStartOffset) {
      this.logStartOffset = c.logStartOffset;
      this.prune();
    }
    this.truncations = c.truncations;
    this.visibleEnd = c.highWatermark;
    this.updatePin();
    return this.visibleEnd;
  }

  segmentFor(offset: number): Segment | undefined {
    return findSegment(this.segments, offset);
  }

  segmentAfter(segment: Segment): Segment | undefined {
    const next = findSegmentAfter(this.segments, segment.ordinal);
    if (next !== undefined) return next;
    this.pullAll();
    return findSegmentAfter(this.segments, segment.ordinal);
  }

  add(descriptor: SegmentDescriptor): void {
    const segments = this.segments;
    if (segments.some((s) => s.ordinal === descriptor.ordinal)) return;
    const segment = Segment.attach(descriptor.buffer);
    if (segment.ordinal !== descriptor.ordinal || segment.baseOffset !== descriptor.baseOffset) {
      throw invalidArgument(
        `segment descriptor (ordinal ${descriptor.ordinal}, base ${descriptor.baseOffset}) does not match its buffer (ordinal ${segment.ordinal}, base ${segment.baseOffset})`,
      );
    }
    // Older segments at or above the new base were truncated away.
    for (let i = segments.length - 1; i >= 0; i--) {
      const s = segments[i]!;
      if (s.ordinal < segment.ordinal && s.baseOffset >= segment.baseOffset) segments.splice(i, 1);
    }
    let at = segments.length;
    while (at > 0 && segments[at - 1]!.ordinal > segment.ordinal) at--;
    segments.splice(at, 0, segment);
  }

  private pullAll(): void {
    if (this.pullSegment === undefined) return;
    for (let d = this.pullSegment(); d !== undefined; d = this.pullSegment()) this.add(d);
  }

  private prune(): void {
    const segments = this.segments;
    let drop = 0;
    while (segments.length - drop > 1 && segments[drop + 1]!.baseOffset <= this.logStartOffset) drop++;
    if (drop > 0) segments.splice(0, drop);
  }
}

export class PartitionLogReader {
  private readonly state: ReaderState;

  private constructor(state: ReaderState) {
    this.state = state;
  }

  /** Attaches to a log that another thread owns. */
  static attach(descriptor: LogDescriptor, options: PartitionLogReaderOptions = {}): PartitionLogReader {
    const state = new ReaderState(ControlBlock.attach(descriptor.control), descriptor.readerSlot, options.pullSegment);
    for (const d of descriptor.segments) state.add(d);
    state.refresh();
    return new PartitionLogReader(state);
  }

  /** Takes a segment the owner announced (the push alternative to `pullSegment`). */
  addSegment(descriptor: SegmentDescriptor): void {
    this.state.add(descriptor);
  }

  /** The published high watermark (reloaded on each call). */
  get highWatermark(): number {
    return this.state.refresh();
  }

  /** The published log start offset (reloaded on each call). */
  get logStartOffset(): number {
    this.state.refresh();
    return this.state.logStartOffset;
  }

  get segmentCount(): number {
    return this.state.segments.length;
  }

  /** A cursor positioned at `fromOffset` (default: the log start offset), reading up to the high watermark. */
  cursor(fromOffset?: number, options: RecordCursorOptions = {}): RecordCursor {
    return new RecordCursor(this.state, fromOffset ?? this.logStartOffset, false, options);
  }

  /**
   * The owner's published log end offset (sealed batches), beyond the high watermark: what a
   * follower may copy.
   */
  get logEndOffset(): number {
    return this.state.control.readLogEnd();
  }

  /**
   * A follower's fetch: hands whole batches from offset `from` up to the published log end offset to
   * `sink`, in order, until about `maxBytes` went by. `from` must be a batch boundary of this log (a
   * follower's log end offset is one). Returns the offset after the last batch handed over.
   * Throws OFFSET_OUT_OF_RANGE below the log start, and CORRUPT_MESSAGE where the bytes are not the
   * batch expected (the owner truncated under a follower that has not been told yet).
   */
  fetchBatches(from: number, maxBytes: number, sink: BatchSink): number {
    const end = this.state.control.readLogEnd();
    if (from >= end) return from;
    const state = this.state;
    state.refresh();
    let segment = state.segmentFor(from);
    if (segment === undefined || from < state.logStartOffset) throw offsetOutOfRange('fetch', from, state.logStartOffset, end);
    let p = segment.entryPosition(segment.lookup(from));
    let copied = 0;
    while (from < end && copied < maxBytes) {
      const closed = segment.closedEnd();
      const b = segment.bytes;
      const q = closed >= 0 && p >= closed ? closed : skipFiller(b, p);
      if (closed >= 0 && q >= closed) {
        const next = state.segmentAfter(segment);
        if (next === undefined) break;
        segment = next;
        p = segment.dataStart;
        continue;
      }
      if (q + BATCH_LOG_OVERHEAD > segment.end || b[q + BATCH_MAGIC] !== MAGIC_V2) throw corruptAt(from, q);
      const base = readInt64BE(b, q + BATCH_BASE_OFFSET);
      const count = readInt32BE(b, q + BATCH_RECORDS_COUNT);
      const length = BATCH_LOG_OVERHEAD + readInt32BE(b, q + BATCH_LENGTH);
      if (length <= BATCH_LOG_OVERHEAD || q + length > segment.end || count < 1) throw corruptAt(from, q);
      p = q + length;
      if (base + count <= from) continue;
      if (base !== from) throw corruptAt(from, q);
      sink(b, q, length);
      from = base + count;
      copied += length;
    }
    return from;
  }

  /** Frees this reader's pin slot: the owner may then reuse any segment. Use no cursor after it. */
  close(): void {
    this.state.release();
  }

  /** The doorbell's value; read it before draining, then `wait` on it. */
  signal(): number {
    return this.state.control.signal();
  }

  /** Blocks (worker threads) until the owner publishes after `signal`, or `timeoutMs` passes. */
  wait(signal: number, timeoutMs: number): WaitResult {
    return this.state.control.wait(signal, timeoutMs);
  }

  /** As `wait`, without blocking the event loop. */
  waitAsync(signal: number, timeoutMs: number): Promise<WaitResult> {
    return this.state.control.waitAsync(signal, timeoutMs);
  }
}

function corruptAt(offset: number, position: number): Error {
  return corruptMessage(`no batch at offset ${offset} (position ${position}): the log changed under this reader`);
}
