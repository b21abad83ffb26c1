/**
 * The producing and consuming loops the ByteRing tests run, on the test's thread or in a worker
 * (the worker entries only dispatch here). Frame i carries a length and bytes that are a pure
 * function of i, so a consumer checks order, length and every byte without a side channel.
 */
import { ByteRing, NO_SPACE, RING_END } from '../index.js';
import type { SequenceReport } from './ring-messages.js';

const WAIT_TIMEOUT_MS = 10_000;

/** Payload length of frame `index`: spread over 0..maxLength so laps end at varying offsets. */
export function sequenceLength(index: number, maxLength: number): number {
  return (Math.imul(index, 0x9e3779b1) >>> 0) % (maxLength + 1);
}

/** Byte `at` of frame `index`. */
export function sequenceByte(index: number, at: number): number {
  return (Math.imul(index, 131) + at * 7 + 1) & 0xff;
}

export function fillSequenceFrame(bytes: Uint8Array, offset: number, index: number, length: number): void {
  for (let at = 0; at < length; at++) bytes[offset + at] = sequenceByte(index, at);
}

/** Checks frames against the sequence as they arrive; counts frames and payload bytes. */
export class SequenceVerifier {
  frames = 0;
  bytes = 0;
  errors = 0;
  firstError = '';
  /** Largest end offset of a payload seen: a frame that wrapped would exceed the capacity. */
  maxEnd = 0;

  constructor(private readonly maxLength: number) {}

  readonly onFrame = (bytes: Uint8Array, offset: number, length: number): void => {
    const index = this.frames;
    this.frames++;
    this.bytes += length;
    if (offset + length > this.maxEnd) this.maxEnd = offset + length;
    const expected = sequenceLength(index, this.maxLength);
    if (length !== expected) return this.fail(`frame ${index}: length ${length}, expected ${expected}`);
    for (let at = 0; at < length; at++) {
      if (bytes[offset + at] !== sequenceByte(index, at)) return this.fail(`frame ${index}: byte ${at} is ${bytes[offset + at]}`);
    }
  };

  report(ended: boolean): SequenceReport {
    return { frames: this.frames, bytes: this.bytes, errors: this.errors, firstError: this.firstError, ended };
  }

  private fail(message: string): void {
    this.errors++;
    if (this.firstError === '') this.firstError = message;
  }
}

/** Reserves frame `index`, waiting (blocking) for room; returns the payload offset. */
function reserveBlocking(ring: ByteRing, length: number): number {
  let offset = ring.reserve(length);
  while (offset === NO_SPACE) {
    if (!ring.waitForSpace(length, WAIT_TIMEOUT_MS)) throw new Error(`no room for ${length} bytes in ${WAIT_TIMEOUT_MS} ms`);
    offset = ring.reserve(length);
  }
  return offset;
}

/** Writes `frames` sequence frames, committing every `batch`, blocking when full; then closes. */
export function produceSequence(ring: ByteRing, frames: number, maxLength: number, batch: number): void {
  for (let index = 0; index < frames; index++) {
    const length = sequenceLength(index, maxLength);
    fillSequenceFrame(ring.data, reserveBlocking(ring, length), index, length);
    if ((index + 1) % batch === 0) ring.commit();
  }
  ring.closeProducer();
}

/** produceSequence for an event-loop thread: waits with waitForSpaceAsync. */
export async function produceSequenceAsync(ring: ByteRing, frames: number, maxLength: number, batch: number): Promise<void> {
  for (let index = 0; index < frames; index++) {
    const length = sequenceLength(index, maxLength);
    let offset = ring.reserve(length);
    while (offset === NO_SPACE) {
      if (!(await ring.waitForSpaceAsync(length, WAIT_TIMEOUT_MS))) throw new Error(`no room for ${length} bytes in ${WAIT_TIMEOUT_MS} ms`);
      offset = ring.reserve(length);
    }
    fillSequenceFrame(ring.data, offset, index, length);
    if ((index + 1) % batch === 0) ring.commit();
  }
  ring.closeProducer();
}

/** Commits `frames` sequence frames, then reserves one more and writes half of it, uncommitted. */
export function produceThenStopMidFrame(ring: ByteRing, frames: number, maxLength: number): void {
  for (let index = 0; index < frames; index++) {
    const length = sequenceLength(index, maxLength);
    fillSequenceFrame(ring.data, reserveBlocking(ring, length), index, length);
    ring.commit();
  }
  const offset = reserveBlocking(ring, maxLength);
  fillSequenceFrame(ring.data, offset, frames, maxLength >> 1);
}

/** Reads with blocking waits until RING_END. */
export function consumeSequence(ring: ByteRing, verifier: SequenceVerifier): SequenceReport {
  for (;;) {
    const frames = ring.read(verifier.onFrame, 4096);
    if (frames === RING_END) return verifier.report(true);
    if (frames === 0 && !ring.waitForData(WAIT_TIMEOUT_MS)) return verifier.report(false);
  }
}

/** Reads with readAsync until RING_END (or a wait times out). */
export async function consumeSequenceAsync(ring: ByteRing, verifier: SequenceVerifier): Promise<SequenceReport> {
  for (;;) {
    const frames = await ring.readAsync(verifier.onFrame, 4096, WAIT_TIMEOUT_MS);
    if (frames === RING_END) return verifier.report(true);
    if (frames === 0) return verifier.report(false);
  }
}
