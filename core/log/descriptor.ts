/**
 * What crosses threads for a log: plain data and SharedArrayBuffers only (structured clone shares a
 * SharedArrayBuffer rather than copying it). A reader attaches once with a LogDescriptor; after that
 * the owner sends each new segment once, as a SegmentMessage.
 */

export interface SegmentDescriptor {
  /** Segment number in its log: 0, 1, 2... in creation order, never reused. */
  readonly ordinal: number;
  readonly baseOffset: number;
  readonly buffer: SharedArrayBuffer;
}

export interface LogDescriptor {
  /** The control block (layout.ts): high watermark, log start offset, generation, doorbell. */
  readonly control: SharedArrayBuffer;
  /** The live segments, oldest first. */
  readonly segments: readonly SegmentDescriptor[];
  /**
   * The control-block slot where this reader pins the segments it still uses (-1: none was free,
   * and the owner then never reuses segment buffers). One descriptor per reader.
   */
  readonly readerSlot: number;
}

/** Owner -> reader: a segment was created (after a roll, or after a truncation dropped later ones). */
export interface SegmentMessage {
  readonly kind: 'segment';
  readonly segment: SegmentDescriptor;
}
