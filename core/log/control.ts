/**
 * The control block: what a log's owner publishes to readers in other threads (the high watermark,
 * the log start offset, a truncation counter, the newest segment's ordinal) and the doorbell readers
 * park on. Layout table in layout.ts.
 *
 * Protocol:
 * - Publication is a seqlock with one writer (the owner): seq becomes odd, the fields are stored,
 *   seq becomes even. A reader retries while seq is odd or changes under it, a bounded number of
 *   times, and otherwise keeps its previous snapshot (stale but consistent).
 * - Everything the owner wrote before a publication (records, seals, rolls) is visible to a reader
 *   that has loaded that publication: all accesses here are Atomics (sequentially consistent).
 * - The owner publishes once per batch of work, never per record: each publication is five atomic
 *   stores and one atomic add, and it notifies only when a reader has flagged itself asleep.
 * - Reader pins: the owner claims a slot for each reader it describes itself to; the reader then
 *   stores in it the oldest segment ordinal it (or any of its cursors) may still touch. A pin only
 *   moves up, and only after the reader dropped every reference below it, so a segment whose ordinal
 *   is below every pin can be reused.
 */
import { waitAsyncHeld } from '../memory/doorbell.js';
import { invalidArgument } from './errors.js';
import {
  CONTROL_BYTES,
  CONTROL_MAGIC,
  CTL_WORD_DATA_SIGNAL,
  CTL_WORD_GENERATION,
  CTL_WORD_HW_HI,
  CTL_WORD_HW_LO,
  CTL_WORD_LEO_HI,
  CTL_WORD_LEO_LO,
  CTL_WORD_LOG_START_HI,
  CTL_WORD_LOG_START_LO,
  CTL_WORD_MAGIC,
  CTL_WORD_READER_PINS,
  CTL_WORD_SEQ,
  CTL_WORD_SLEEPERS,
  CTL_WORD_TRUNCATIONS,
  FREE_READER_SLOT,
  READER_SLOTS,
  TWO_POW_32,
} from './layout.js';

/** Retries of a torn seqlock read before keeping the previous snapshot. */
const MAX_SEQLOCK_RETRIES = 64;

export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

export class ControlBlock {
  readonly buffer: SharedArrayBuffer;
  /** Snapshot from the last successful `read()` (reader side). */
  highWatermark = 0;
  logStartOffset = 0;
  truncations = 0;

  private readonly words: Int32Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
  }

  static create(): ControlBlock {
    const control = new ControlBlock(new SharedArrayBuffer(CONTROL_BYTES));
    control.words[CTL_WORD_MAGIC] = CONTROL_MAGIC;
    control.words.fill(FREE_READER_SLOT, CTL_WORD_READER_PINS, CTL_WORD_READER_PINS + READER_SLOTS);
    return control;
  }

  static attach(buffer: SharedArrayBuffer): ControlBlock {
    const control = new ControlBlock(buffer);
    if (buffer.byteLength < CONTROL_BYTES || Atomics.load(control.words, CTL_WORD_MAGIC) !== CONTROL_MAGIC) {
      throw invalidArgument(`buffer of ${buffer.byteLength} bytes is not an mqlab log control block`);
    }
    control.read();
    return control;
  }

  /** Owner: publishes a consistent snapshot and rings the doorbell. */
  publish(highWatermark: number, logStartOffset: number, truncations: number): void {
    const w = this.words;
    const seq = Atomics.load(w, CTL_WORD_SEQ);
    Atomics.store(w, CTL_WORD_SEQ, (seq + 1) | 0);
    Atomics.store(w, CTL_WORD_HW_LO, highWatermark >>> 0);
    Atomics.store(w, CTL_WORD_HW_HI, Math.floor(highWatermark / TWO_POW_32));
    Atomics.store(w, CTL_WORD_LOG_START_LO, logStartOffset >>> 0);
    Atomics.store(w, CTL_WORD_LOG_START_HI, Math.floor(logStartOffset / TWO_POW_32));
    Atomics.store(w, CTL_WORD_TRUNCATIONS, truncations);
    Atomics.store(w, CTL_WORD_SEQ, (seq + 2) | 0);
    Atomics.add(w, CTL_WORD_DATA_SIGNAL, 1);
    if (Atomics.load(w, CTL_WORD_SLEEPERS) > 0) Atomics.notify(w, CTL_WORD_DATA_SIGNAL);
  }

  /**
   * Owner: publishes the log end offset of sealed batches, for followers copying the log. Same
   * seqlock as `publish`, but no reader is woken: consumers wait for the high watermark only.
   */
  publishLogEnd(logEndOffset: number): void {
    const w = this.words;
    const seq = Atomics.load(w, CTL_WORD_SEQ);
    Atomics.store(w, CTL_WORD_SEQ, (seq + 1) | 0);
    Atomics.store(w, CTL_WORD_LEO_LO, logEndOffset >>> 0);
    Atomics.store(w, CTL_WORD_LEO_HI, Math.floor(logEndOffset / TWO_POW_32));
    Atomics.store(w, CTL_WORD_SEQ, (seq + 2) | 0);
  }

  /** Reader: the published log end offset of sealed batches (-1 if the owner kept writing). */
  readLogEnd(): number {
    const w = this.words;
    for (let i = 0; i < MAX_SEQLOCK_RETRIES; i++) {
      const seq = Atomics.load(w, CTL_WORD_SEQ);
      if ((seq & 1) !== 0) continue;
      const lo = Atomics.load(w, CTL_WORD_LEO_LO);
      const hi = Atomics.load(w, CTL_WORD_LEO_HI);
      if (Atomics.load(w, CTL_WORD_SEQ) === seq) return hi * TWO_POW_32 + (lo >>> 0);
    }
    return -1;
  }

  /** Owner: announces the ordinal of the newest segment. */
  setGeneration(ordinal: number): void {
    Atomics.store(this.words, CTL_WORD_GENERATION, ordinal);
  }

  /** Ordinal of the newest segment the owner has created. */
  generation(): number {
    return Atomics.load(this.words, CTL_WORD_GENERATION);
  }

  /** Owner: claims a reader slot pinned at `ordinal`; -1 when all are taken. */
  claimReaderSlot(ordinal: number): number {
    for (let i = 0; i < READER_SLOTS; i++) {
      if (Atomics.compareExchange(this.words, CTL_WORD_READER_PINS + i, FREE_READER_SLOT, ordinal) === FREE_READER_SLOT) return i;
    }
    return -1;
  }

  /** Frees a reader slot (the reader closed, or its thread is gone). */
  releaseReaderSlot(slot: number): void {
    if (slot >= 0 && slot < READER_SLOTS) Atomics.store(this.words, CTL_WORD_READER_PINS + slot, FREE_READER_SLOT);
  }

  /** Reader: moves its pin to `ordinal`. */
  pin(slot: number, ordinal: number): void {
    if (slot >= 0 && slot < READER_SLOTS) Atomics.store(this.words, CTL_WORD_READER_PINS + slot, ordinal);
  }

  /** Owner: the lowest pin of all readers (Infinity when no reader holds a slot). */
  lowestPin(): number {
    let lowest = Infinity;
    for (let i = 0; i < READER_SLOTS; i++) {
      const pin = Atomics.load(this.words, CTL_WORD_READER_PINS + i);
      if (pin !== FREE_READER_SLOT && pin < lowest) lowest = pin;
    }
    return lowest;
  }

  /** Reader: refreshes the snapshot fields. Returns false (keeping the old snapshot) if the owner kept writing. */
  read(): boolean {
    const w = this.words;
    for (let i = 0; i < MAX_SEQLOCK_RETRIES; i++) {
      const seq = Atomics.load(w, CTL_WORD_SEQ);
      if ((seq & 1) !== 0) continue;
      const hwLo = Atomics.load(w, CTL_WORD_HW_LO);
      const hwHi = Atomics.load(w, CTL_WORD_HW_HI);
      const startLo = Atomics.load(w, CTL_WORD_LOG_START_LO);
      const startHi = Atomics.load(w, CTL_WORD_LOG_START_HI);
      const truncations = Atomics.load(w, CTL_WORD_TRUNCATIONS);
      if (Atomics.load(w, CTL_WORD_SEQ) !== seq) continue;
      this.highWatermark = hwHi * TWO_POW_32 + (hwLo >>> 0);
      this.logStartOffset = startHi * TWO_POW_32 + (startLo >>> 0);
      this.truncations = truncations;
      return true;
    }
    return false;
  }

  /** The truncation counter as published now (one atomic load, outside the seqlock). */
  currentTruncations(): number {
    return Atomics.load(this.words, CTL_WORD_TRUNCATIONS);
  }

  /** The doorbell's current value: pass it to `wait` after draining. */
  signal(): number {
    return Atomics.load(this.words, CTL_WORD_DATA_SIGNAL);
  }

  /**
   * Blocks (worker threads) until the owner publishes after `signal` was read, or `timeoutMs` passes.
   * Returns at once with 'not-equal' if it already has.
   */
  wait(signal: number, timeoutMs: number): WaitResult {
    const w = this.words;
    Atomics.add(w, CTL_WORD_SLEEPERS, 1);
    try {
      return Atomics.wait(w, CTL_WORD_DATA_SIGNAL, signal, timeoutMs);
    } finally {
      Atomics.sub(w, CTL_WORD_SLEEPERS, 1);
    }
  }

  /** As `wait`, without blocking the event loop (slower to wake: spin or poll first where latency matters). */
  async waitAsync(signal: number, timeoutMs: number): Promise<WaitResult> {
    const w = this.words;
    Atomics.add(w, CTL_WORD_SLEEPERS, 1);
    try {
      return await waitAsyncHeld(w, CTL_WORD_DATA_SIGNAL, signal, timeoutMs);
    } finally {
      Atomics.sub(w, CTL_WORD_SLEEPERS, 1);
    }
  }
}
