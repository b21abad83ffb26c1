/**
 * ByteRing: a single-producer, single-consumer ring of variable-length frames over one
 * SharedArrayBuffer (layout and wait/notify protocol in layout.ts).
 *
 * One thread calls `ByteRing.create`, hands `ring.buffer` to the other once (workerData or
 * postMessage), and the other calls `ByteRing.attach`. From then on one thread only produces and the
 * other only consumes; the owner of a worker may also mark that worker's side dead.
 *
 * Invariants:
 * - The consumer never sees a frame before its length word is published by the producer's one store
 *   of the write index (`commit`); a frame reserved but not committed is never visible.
 * - A frame never wraps: when the tail of the data area is too short, a padding marker skips it.
 * - The producer never overwrites bytes the consumer has not released: a full ring fails or waits.
 * - Each side publishes its index once per batch and reads the other's only when its cached copy
 *   says it must; it calls Atomics.notify only when the other side flagged itself asleep.
 * - The hot path (reserve, commit, read) allocates nothing and creates no closures.
 */
import { MqlabInternalError } from '../errors/index.js';
import {
  byteRingDefaults,
  resolveMaxFrameBytes,
  resolveWaitOptions,
  validateCapacity,
  type ByteRingAttachOptions,
  type ByteRingOptions,
} from './byte-ring-options.js';
import { armDoorbell, disarmDoorbell, parkOnDoorbell, parkOnDoorbellAsync, ringAlways, ringIfAsleep } from './doorbell.js';
import {
  CACHE_LINE_BYTES,
  CAPACITY_WORD,
  CONSUMER_STATE_WORD,
  DATA_DOORBELL_WORD,
  DATA_OFFSET,
  FRAME_ALIGN_MASK,
  FRAME_HEADER_BYTES,
  FRAME_LENGTH_WORD,
  HEADER_WORDS,
  LAYOUT_VERSION,
  MAGIC_WORD,
  MAX_FRAME_WORD,
  PADDING_MARKER,
  PeerState,
  PRODUCER_STATE_WORD,
  READ_INDEX_WORD,
  RING_MAGIC,
  ringBufferBytes,
  SPACE_DOORBELL_WORD,
  VERSION_WORD,
  WRITE_INDEX_WORD,
  type PeerStateValue,
} from './layout.js';

/** Called once per frame with the ring's own bytes: the payload is `bytes[offset, offset + length)`. */
export type FrameHandler = (bytes: Uint8Array, offset: number, length: number) => void;

/** What `reserve` returns when the frame does not fit now. */
export const NO_SPACE = -1;
/** What `read` returns once the producer closed and every committed frame was read. */
export const RING_END = -1;

export type PeerStatus = 'open' | 'closed' | 'dead';

/**
 * How far ahead of its cursor the consumer touches every cache line of committed frames. Where a
 * frame starts depends on the previous frame's length word, so a reader that only followed the
 * lengths would wait out one cross-core miss per frame; these independent loads overlap the misses
 * (on the 2-core bench machine: 5-7 -> 20+ M frames/s at 200 B).
 */
const PREFETCH_BYTES = 2048;
/** Keeps the prefetch loads alive: a load whose value nobody uses may be compiled away. */
const prefetchSink = { value: 0 };
/** The spin reads the clock once per this many + 1 checks (performance.now() costs ~50 ns). */
const SPIN_CLOCK_MASK = 63;
/** What an asynchronous wait that never had to park returns: no promise allocated per wait. */
const READY: Promise<boolean> = Promise.resolve(true);
/** Byte offset to int32 word index. */
const WORD_SHIFT = 2;

/** Which condition a waiter waits for. */
const WAIT_DATA = 0;
const WAIT_SPACE = 1;
type WaitFor = typeof WAIT_DATA | typeof WAIT_SPACE;

function peerStatus(state: number): PeerStatus {
  const value = state as PeerStateValue;
  switch (value) {
    case PeerState.OPEN:
      return 'open';
    case PeerState.CLOSED:
      return 'closed';
    case PeerState.DEAD:
      return 'dead';
    default: {
      const unknown: never = value;
      throw new MqlabInternalError('INTERNAL', `corrupt ring header: peer state ${String(unknown)}`);
    }
  }
}

export class ByteRing {
  /** The SharedArrayBuffer to hand to the other thread. */
  readonly buffer: SharedArrayBuffer;
  /** The data area. Producers write payloads at the offsets `reserve` returns; handlers read it. */
  readonly data: Uint8Array;
  /** The data area as int32 words: payload offsets are 8-aligned, so `dataWords[offset >> 2]` works. */
  readonly dataWords: Int32Array;
  /** Bytes in the data area (a power of two). */
  readonly capacity: number;
  /** Largest payload one frame may carry. */
  readonly maxFrameBytes: number;

  private readonly header: Int32Array;
  private readonly mask: number;
  private readonly spinMs: number;
  private readonly peerWakeMs: number;
  private readonly pollIntervalMs: number;
  private readonly writeTimeoutMs: number;

  // Producer side: the next free position, the last published one, and the read index last seen.
  private reservePosition: number;
  private publishedPosition: number;
  private cachedReadIndex: number;
  private producerClosedHere = false;
  /** performance.now() when this side last woke a parked peer. */
  private wokePeerAt = -Infinity;
  // Consumer side: the next frame's position and the write index last seen.
  private readPosition: number;
  private cachedWriteIndex: number;

  private constructor(buffer: SharedArrayBuffer, options: ByteRingAttachOptions) {
    const wait = resolveWaitOptions(options);
    this.buffer = buffer;
    this.header = new Int32Array(buffer, 0, HEADER_WORDS);
    this.capacity = this.header[CAPACITY_WORD] ?? 0;
    this.maxFrameBytes = this.header[MAX_FRAME_WORD] ?? 0;
    this.mask = this.capacity - 1;
    this.data = new Uint8Array(buffer, DATA_OFFSET, this.capacity);
    this.dataWords = new Int32Array(buffer, DATA_OFFSET, this.capacity >> WORD_SHIFT);
    this.spinMs = wait.spinMicros / 1000;
    this.peerWakeMs = wait.peerWakeMicros / 1000;
    this.pollIntervalMs = wait.pollIntervalMs;
    this.writeTimeoutMs = wait.writeTimeoutMs;
    const write = Atomics.load(this.header, WRITE_INDEX_WORD);
    const read = Atomics.load(this.header, READ_INDEX_WORD);
    this.reservePosition = write;
    this.publishedPosition = write;
    this.cachedReadIndex = read;
    this.readPosition = read;
    this.cachedWriteIndex = write;
  }

  /** Allocates a ring whose data area holds `capacity` bytes (a power of two, 64 B to 1 GiB). */
  static create(capacity: number, options: ByteRingOptions = {}): ByteRing {
    validateCapacity(capacity);
    const maxFrameBytes = resolveMaxFrameBytes(capacity, options.maxFrameBytes ?? byteRingDefaults.maxFrameBytes);
    const buffer = new SharedArrayBuffer(ringBufferBytes(capacity));
    const header = new Int32Array(buffer, 0, HEADER_WORDS);
    header[MAGIC_WORD] = RING_MAGIC;
    header[VERSION_WORD] = LAYOUT_VERSION;
    header[CAPACITY_WORD] = capacity;
    header[MAX_FRAME_WORD] = maxFrameBytes;
    return new ByteRing(buffer, options);
  }

  /** Opens, in another thread, a ring that `create` made. */
  static attach(buffer: SharedArrayBuffer, options: ByteRingAttachOptions = {}): ByteRing {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < ringBufferBytes(0)) {
      throw new MqlabInternalError('INVALID_ARGUMENT', `ByteRing.attach needs the SharedArrayBuffer of a ring, got ${describe(buffer)}`);
    }
    const header = new Int32Array(buffer, 0, HEADER_WORDS);
    const magic = header[MAGIC_WORD] ?? 0;
    const version = header[VERSION_WORD] ?? 0;
    const capacity = header[CAPACITY_WORD] ?? 0;
    if (magic !== RING_MAGIC || version !== LAYOUT_VERSION || buffer.byteLength !== ringBufferBytes(capacity)) {
      throw new MqlabInternalError(
        'INVALID_ARGUMENT',
        `not a ByteRing buffer (layout ${LAYOUT_VERSION}): magic 0x${(magic >>> 0).toString(16)}, version ${version}, capacity ${capacity}, ${buffer.byteLength} bytes`,
      );
    }
    return new ByteRing(buffer, options);
  }

  // ---------------------------------------------------------------- producer

  // Frame grammar (little-endian, offsets from the frame start, which is 8-aligned):
  //   frame   = length:int32 unspecified:int32 payload:byte[length] pad:byte[0..7]   (to 8-aligned)
  //   padding = -1:int32 ...   (rest of the lap; the next frame starts at offset 0)
  /**
   * Reserves a frame for `length` payload bytes and returns the offset in `data` where the caller
   * writes them, or NO_SPACE when the ring is full now. Nothing is visible until `commit`.
   * Throws FRAME_TOO_LARGE above `maxFrameBytes`, and PEER_DEAD / CLOSED when the ring is full and
   * the consumer is gone.
   */
  reserve(length: number): number {
    if (length > this.maxFrameBytes || length >>> 0 !== length) throw this.badLength(length);
    const bytes = (length + FRAME_HEADER_BYTES + FRAME_ALIGN_MASK) & ~FRAME_ALIGN_MASK;
    let position = this.reservePosition;
    let offset = position & this.mask;
    const tail = this.capacity - offset;
    const needed = bytes <= tail ? bytes : tail + bytes;
    if (((position - this.cachedReadIndex) | 0) + needed > this.capacity && !this.refreshReadIndex(needed)) return this.noSpace(length);
    if (needed !== bytes) {
      this.dataWords[(offset >> WORD_SHIFT) + FRAME_LENGTH_WORD] = PADDING_MARKER;
      position = (position + tail) | 0;
      offset = 0;
    }
    this.dataWords[(offset >> WORD_SHIFT) + FRAME_LENGTH_WORD] = length;
    this.reservePosition = (position + bytes) | 0;
    return offset + FRAME_HEADER_BYTES;
  }

  /** Publishes every frame reserved since the last commit, with one store of the write index. */
  commit(): void {
    const position = this.reservePosition;
    if (position === this.publishedPosition) return;
    if (this.producerClosedHere) throw new MqlabInternalError('CLOSED', 'commit after closeProducer(): the ring is closed for writing');
    this.publishedPosition = position;
    Atomics.store(this.header, WRITE_INDEX_WORD, position);
    if (ringIfAsleep(this.header, DATA_DOORBELL_WORD)) this.wokePeerAt = performance.now();
  }

  /** Copies `bytes` into one frame and commits it; false when the ring is full now. */
  tryWrite(bytes: Uint8Array): boolean {
    const offset = this.reserve(bytes.length);
    if (offset === NO_SPACE) return false;
    this.data.set(bytes, offset);
    this.commit();
    return true;
  }

  /**
   * Like tryWrite, but a full ring makes it wait (blocking: worker threads only) up to `timeoutMs`,
   * then throw RING_FULL. Never overwrites.
   */
  write(bytes: Uint8Array, timeoutMs: number = this.writeTimeoutMs): void {
    if (this.tryWrite(bytes)) return;
    if (!this.waitForSpace(bytes.length, timeoutMs) || !this.tryWrite(bytes)) throw this.ringFull(bytes.length, timeoutMs);
  }

  /**
   * Commits what is reserved, then blocks (Atomics.wait, after a bounded spin) until a frame of
   * `length` payload bytes fits: true, or false after `timeoutMs`. Throws PEER_DEAD / CLOSED when the
   * consumer is gone.
   */
  waitForSpace(length: number, timeoutMs = Infinity): boolean {
    if (length > this.maxFrameBytes || length >>> 0 !== length) throw this.badLength(length);
    this.commit();
    return this.waitSync(WAIT_SPACE, length, timeoutMs);
  }

  /** waitForSpace for producers on an event-loop thread (Atomics.waitAsync). */
  waitForSpaceAsync(length: number, timeoutMs = Infinity): Promise<boolean> {
    if (length > this.maxFrameBytes || length >>> 0 !== length) return Promise.reject(this.badLength(length));
    this.commit();
    return this.waitAsync(WAIT_SPACE, length, timeoutMs);
  }

  /** Orderly end of writing: commits what is reserved; the consumer reads it all, then RING_END. */
  closeProducer(): void {
    this.commit();
    this.producerClosedHere = true;
    Atomics.compareExchange(this.header, PRODUCER_STATE_WORD, PeerState.OPEN, PeerState.CLOSED);
    ringAlways(this.header, DATA_DOORBELL_WORD);
  }

  /**
   * For the producer's owner, from any thread, once the producer's thread has exited: the consumer
   * drains what was committed, then gets PEER_DEAD. A producer that closed first stays closed.
   */
  markProducerDead(): void {
    Atomics.compareExchange(this.header, PRODUCER_STATE_WORD, PeerState.OPEN, PeerState.DEAD);
    ringAlways(this.header, DATA_DOORBELL_WORD);
  }

  // ---------------------------------------------------------------- consumer

  /**
   * Calls `handler` for up to `maxFrames` committed frames, in order, with the ring's own bytes (no
   * view or copy per frame), then releases them with one store of the read index. The payload is
   * valid only during the call. Returns the number of frames, 0 when none is committed, or RING_END
   * once the producer closed and all was read. Throws PEER_DEAD once a dead producer's frames are all
   * read. A frame whose handler throws counts as read.
   */
  read(handler: FrameHandler, maxFrames = Infinity): number {
    let position = this.readPosition;
    let end = this.cachedWriteIndex;
    if (position === end) {
      end = this.refreshWriteIndex();
      if (position === end) {
        const outcome = this.endOfData();
        end = this.cachedWriteIndex;
        if (position === end) return outcome;
      }
    }
    const words = this.dataWords;
    const data = this.data;
    const mask = this.mask;
    let frames = 0;
    let touched = position;
    let sink = 0;
    try {
      while (frames < maxFrames && position !== end) {
        const ahead = (position + PREFETCH_BYTES) | 0;
        while (((ahead - touched) | 0) > 0 && ((end - touched) | 0) > 0) {
          sink ^= words[(touched & mask) >> WORD_SHIFT]!;
          touched = (touched + CACHE_LINE_BYTES) | 0;
        }
        const offset = position & mask;
        const length = words[(offset >> WORD_SHIFT) + FRAME_LENGTH_WORD]!;
        if (length === PADDING_MARKER) {
          position = (position + this.capacity - offset) | 0;
          continue;
        }
        position = (position + ((length + FRAME_HEADER_BYTES + FRAME_ALIGN_MASK) & ~FRAME_ALIGN_MASK)) | 0;
        frames++;
        handler(data, offset + FRAME_HEADER_BYTES, length);
      }
    } finally {
      prefetchSink.value = sink;
      this.release(position);
    }
    return frames;
  }

  /**
   * Blocks (Atomics.wait, after a bounded spin; worker threads only) until `read` has something to
   * return: true for frames or RING_END, false after `timeoutMs`. Throws PEER_DEAD once a dead
   * producer's frames are all read.
   */
  waitForData(timeoutMs = Infinity): boolean {
    return this.waitSync(WAIT_DATA, 0, timeoutMs);
  }

  /** waitForData for event-loop threads: a bounded spin, then Atomics.waitAsync. */
  waitForDataAsync(timeoutMs = Infinity): Promise<boolean> {
    return this.waitAsync(WAIT_DATA, 0, timeoutMs);
  }

  /** `read` after waiting (asynchronously) up to `timeoutMs` for data; 0 on timeout. */
  async readAsync(handler: FrameHandler, maxFrames = Infinity, timeoutMs = Infinity): Promise<number> {
    const frames = this.read(handler, maxFrames);
    if (frames !== 0) return frames;
    if (!(await this.waitForDataAsync(timeoutMs))) return 0;
    return this.read(handler, maxFrames);
  }

  /** Orderly end of reading: a producer waiting for room, or finding the ring full, gets CLOSED. */
  closeConsumer(): void {
    Atomics.compareExchange(this.header, CONSUMER_STATE_WORD, PeerState.OPEN, PeerState.CLOSED);
    ringAlways(this.header, SPACE_DOORBELL_WORD);
  }

  /** For the consumer's owner once the consumer's thread exited: the producer gets PEER_DEAD when full. */
  markConsumerDead(): void {
    Atomics.compareExchange(this.header, CONSUMER_STATE_WORD, PeerState.OPEN, PeerState.DEAD);
    ringAlways(this.header, SPACE_DOORBELL_WORD);
  }

  // ---------------------------------------------------------------- either side

  get producerStatus(): PeerStatus {
    return peerStatus(Atomics.load(this.header, PRODUCER_STATE_WORD));
  }

  get consumerStatus(): PeerStatus {
    return peerStatus(Atomics.load(this.header, CONSUMER_STATE_WORD));
  }

  /**
   * Producer side: shrinks the frame `reserve` returned last, not yet committed, to `length` payload
   * bytes, giving the rest back. Lets a producer reserve an upper bound, encode in place, then keep
   * only what it wrote.
   */
  shrinkLast(offset: number, length: number): void {
    const lengthWord = ((offset - FRAME_HEADER_BYTES) >> WORD_SHIFT) + FRAME_LENGTH_WORD;
    const reserved = this.dataWords[lengthWord] ?? -1;
    const oldBytes = (reserved + FRAME_HEADER_BYTES + FRAME_ALIGN_MASK) & ~FRAME_ALIGN_MASK;
    const start = (this.reservePosition - oldBytes) | 0;
    if (reserved < 0 || length >>> 0 !== length || length > reserved || (start & this.mask) !== offset - FRAME_HEADER_BYTES || ((start - this.publishedPosition) | 0) < 0) {
      throw new MqlabInternalError('INVALID_ARGUMENT', `shrinkLast(${offset}, ${length}): not the last uncommitted frame, or longer than its ${reserved} reserved bytes`);
    }
    const newBytes = (length + FRAME_HEADER_BYTES + FRAME_ALIGN_MASK) & ~FRAME_ALIGN_MASK;
    this.dataWords[lengthWord] = length;
    this.reservePosition = (start + newBytes) | 0;
  }

  /** Consumer side: true when a committed frame waits to be read (one load of the write index). */
  hasData(): boolean {
    return this.refreshWriteIndex() !== this.readPosition;
  }

  /** Bytes committed and not yet released, padding included (a snapshot). */
  get usedBytes(): number {
    const read = Atomics.load(this.header, READ_INDEX_WORD);
    return (Atomics.load(this.header, WRITE_INDEX_WORD) - read) | 0;
  }

  // ---------------------------------------------------------------- internals

  private refreshReadIndex(needed: number): boolean {
    const read = Atomics.load(this.header, READ_INDEX_WORD);
    this.cachedReadIndex = read;
    return ((this.reservePosition - read) | 0) + needed <= this.capacity;
  }

  private refreshWriteIndex(): number {
    const write = Atomics.load(this.header, WRITE_INDEX_WORD);
    this.cachedWriteIndex = write;
    return write;
  }

  private release(position: number): void {
    if (position === this.readPosition) return;
    this.readPosition = position;
    Atomics.store(this.header, READ_INDEX_WORD, position);
    if (ringIfAsleep(this.header, SPACE_DOORBELL_WORD)) this.wokePeerAt = performance.now();
  }

  /** Nothing committed is unread: RING_END after an orderly close, PEER_DEAD after a death, else 0. */
  private endOfData(): number {
    // The state word first, then the write index: a producer stores them in the other order.
    const state = Atomics.load(this.header, PRODUCER_STATE_WORD);
    if (state === PeerState.OPEN || this.refreshWriteIndex() !== this.readPosition) return 0;
    if (state === PeerState.DEAD) throw this.producerDead();
    return RING_END;
  }

  /** True when the consumer can read a frame or RING_END; throws PEER_DEAD at the end of a dead producer. */
  private dataReady(): boolean {
    if (this.refreshWriteIndex() !== this.readPosition) return true;
    const state = Atomics.load(this.header, PRODUCER_STATE_WORD);
    if (state === PeerState.OPEN) return false;
    if (this.refreshWriteIndex() !== this.readPosition) return true;
    if (state === PeerState.DEAD) throw this.producerDead();
    return true;
  }

  /** True when a frame of `length` payload bytes fits; throws when the consumer is gone. */
  private spaceReady(length: number): boolean {
    const bytes = (length + FRAME_HEADER_BYTES + FRAME_ALIGN_MASK) & ~FRAME_ALIGN_MASK;
    const tail = this.capacity - (this.reservePosition & this.mask);
    return this.refreshReadIndex(bytes <= tail ? bytes : tail + bytes) || this.noSpace(length) !== NO_SPACE;
  }

  /** The ring is full: NO_SPACE while the consumer may still read, else the reason it never will. */
  private noSpace(length: number): typeof NO_SPACE {
    const state = Atomics.load(this.header, CONSUMER_STATE_WORD);
    if (state === PeerState.OPEN) return NO_SPACE;
    const unread = `${this.usedBytes} of ${this.capacity} bytes unread`;
    if (state === PeerState.DEAD) throw new MqlabInternalError('PEER_DEAD', `the ring's consumer is dead; a ${length}-byte frame would never be read (${unread})`);
    throw new MqlabInternalError('CLOSED', `the ring's consumer closed; a ${length}-byte frame would never be read (${unread})`);
  }

  private ready(waitFor: WaitFor, length: number): boolean {
    return waitFor === WAIT_DATA ? this.dataReady() : this.spaceReady(length);
  }

  /**
   * Step 1 of the protocol: re-checks for spinMicros, or longer, up to peerWakeMicros after this side
   * last woke the other one: a peer that is only getting back on a core is met spinning, and the
   * two sides do not fall into taking turns to sleep. Never past the timeout (NaN: no spin); reads
   * the clock only now and then.
   */
  private spinUntilReady(waitFor: WaitFor, length: number, timeoutMs: number): boolean {
    if (this.ready(waitFor, length)) return true;
    const now = performance.now();
    const until = Math.min(Math.max(now + this.spinMs, this.wokePeerAt + this.peerWakeMs), now + timeoutMs);
    if (!(until > now)) return false;
    for (let spin = 1; ; spin++) {
      if (this.ready(waitFor, length)) return true;
      if ((spin & SPIN_CLOCK_MASK) === 0 && performance.now() >= until) return false;
    }
  }

  private waitSync(waitFor: WaitFor, length: number, timeoutMs: number): boolean {
    if (this.spinUntilReady(waitFor, length, timeoutMs)) return true;
    const bell = waitFor === WAIT_DATA ? DATA_DOORBELL_WORD : SPACE_DOORBELL_WORD;
    // NaN or a negative timeout means: do not park at all.
    const deadline = performance.now() + (timeoutMs > 0 ? timeoutMs : 0);
    try {
      for (;;) {
        const sequence = armDoorbell(this.header, bell);
        if (this.ready(waitFor, length)) return true;
        const remaining = deadline - performance.now();
        if (remaining <= 0) return false;
        parkOnDoorbell(this.header, bell, sequence, Math.min(remaining, this.pollIntervalMs));
      }
    } finally {
      disarmDoorbell(this.header, bell);
    }
  }

  /** The spin runs synchronously and, when it succeeds, answers with a shared settled promise. */
  private waitAsync(waitFor: WaitFor, length: number, timeoutMs: number): Promise<boolean> {
    try {
      if (this.spinUntilReady(waitFor, length, timeoutMs)) return READY;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.parkAsync(waitFor, length, timeoutMs);
  }

  private async parkAsync(waitFor: WaitFor, length: number, timeoutMs: number): Promise<boolean> {
    const bell = waitFor === WAIT_DATA ? DATA_DOORBELL_WORD : SPACE_DOORBELL_WORD;
    // NaN or a negative timeout means: do not park at all.
    const deadline = performance.now() + (timeoutMs > 0 ? timeoutMs : 0);
    try {
      for (;;) {
        const sequence = armDoorbell(this.header, bell);
        if (this.ready(waitFor, length)) return true;
        const remaining = deadline - performance.now();
        if (remaining <= 0) return false;
        await parkOnDoorbellAsync(this.header, bell, sequence, Math.min(remaining, this.pollIntervalMs));
      }
    } finally {
      disarmDoorbell(this.header, bell);
    }
  }

  private badLength(length: number): MqlabInternalError {
    if (length >>> 0 !== length) {
      return new MqlabInternalError('INVALID_ARGUMENT', `frame length ${length} is not a non-negative integer`);
    }
    return new MqlabInternalError(
      'FRAME_TOO_LARGE',
      `frame of ${length} bytes exceeds the ring's max frame size of ${this.maxFrameBytes} bytes (capacity ${this.capacity} bytes)`,
    );
  }

  private ringFull(length: number, timeoutMs: number): MqlabInternalError {
    return new MqlabInternalError(
      'RING_FULL',
      `ring full: no room for a ${length}-byte frame within ${timeoutMs} ms (${this.usedBytes} of ${this.capacity} bytes unread)`,
      true,
    );
  }

  private producerDead(): MqlabInternalError {
    return new MqlabInternalError('PEER_DEAD', `the ring's producer died; every frame it committed has been read (${this.capacity}-byte ring)`);
  }
}

function describe(value: unknown): string {
  if (value instanceof ArrayBuffer) return `an ArrayBuffer of ${value.byteLength} bytes`;
  if (value instanceof SharedArrayBuffer) return `a SharedArrayBuffer of ${value.byteLength} bytes`;
  return typeof value;
}
