/**
 * The shared-memory layout of a ByteRing and the doorbell (wait/notify) protocol that uses it. Every
 * byte offset the memory layer touches is named here; no other file does offset arithmetic on the
 * header.
 *
 * One SharedArrayBuffer holds a header of five 128-byte slots, then the data area. A slot is two
 * 64-byte cache lines, so a word one thread writes never shares a line (nor the adjacent line the L2
 * prefetcher pulls in with it) with a word the other thread writes.
 *
 * ```
 *  byte 0     128        256        384          512          640                  640 + capacity
 *  +----------+----------+----------+------------+------------+--------------------+
 *  | meta     | write    | read     | data bell  | space bell | data area          |
 *  | (create) | index    | index    | (consumer  | (producer  | (frames)           |
 *  |          | producer | consumer |  sleeps)   |  sleeps)   |                    |
 *  +----------+----------+----------+------------+------------+--------------------+
 *
 *  data area (offset = position & (capacity - 1); positions only grow, mod 2^32):
 *  0                                                                          capacity
 *  +-----+---------+-----+-----------------+-----+---------+------------+----------+
 *  | len | payload | len | payload         | len | payload |    free    | -1 (pad) |
 *  +-----+---------+-----+-----------------+-----+---------+------------+----------+
 *  ^ read index: released up to here       ^ write index:  \_ reserved, /
 *                                            committed up     not committed
 *                                            to here
 * ```
 *
 * | field           | byte offset | size | meaning                                            |
 * |-----------------|-------------|------|----------------------------------------------------|
 * | magic           | 0           | 4    | `MQRB` (0x4252514d), marks a ByteRing buffer       |
 * | version         | 4           | 4    | layout version, {@link LAYOUT_VERSION}             |
 * | capacity        | 8           | 4    | bytes in the data area, a power of two             |
 * | max frame       | 12          | 4    | largest payload a frame may carry, in bytes        |
 * | producer state  | 16          | 4    | {@link PeerState}: open, closed (orderly) or dead  |
 * | consumer state  | 20          | 4    | {@link PeerState} of the consumer                  |
 * | write index     | 128         | 4    | position after the last committed frame (producer) |
 * | read index      | 256         | 4    | position after the last released frame (consumer)  |
 * | data: sleeping  | 384         | 4    | 1 while the consumer is (about to be) parked       |
 * | data: sequence  | 388         | 4    | bumped by each ring of the data doorbell           |
 * | space: sleeping | 512         | 4    | 1 while the producer is (about to be) parked       |
 * | space: sequence | 516         | 4    | bumped by each ring of the space doorbell          |
 * | data area       | 640         | cap. | frames                                             |
 *
 * Positions are byte counts modulo 2^32, stored as int32: `(write - read) | 0` is the number of bytes
 * in use, which never exceeds the capacity (at most 2^30).
 *
 * Frame: an int32 length word, an int32 left unspecified, then the payload, padded to 8 bytes. A
 * length word of {@link PADDING_MARKER} means "the rest of this lap is empty, go to offset 0": a frame
 * never wraps, and since every frame and every offset is 8-aligned, the tail before the end of the
 * data area always has room for that marker.
 *
 * Invariants:
 * - The consumer never sees a frame, or a padding marker, before the producer's single store of the
 *   write index that commits it; a reserved but uncommitted frame is invisible.
 * - The producer never writes into bytes between the read index and the write index.
 * - Each index has one writer: the write index the producer, the read index the consumer.
 *
 * Doorbell protocol (one doorbell per direction: "data" wakes the consumer, "space" wakes the
 * producer). Waiting for a condition C (data to read, room to write):
 *   1. spin, re-checking C, for a bounded time (spinMicros);
 *   2. store sleeping = 1, then load the sequence word (s);
 *   3. re-check C: if it now holds, store sleeping = 0 and return;
 *   4. Atomics.wait / Atomics.waitAsync on the sequence word while it still equals s, for at most the
 *      poll interval (a fallback poll), then go back to 2.
 * The other side makes C true with a store to its index, then loads sleeping; only if it reads 1 and
 * wins compareExchange(sleeping, 1 -> 0) does it bump the sequence and Atomics.notify. All of these
 * are sequentially consistent, so either the waiter's re-check (3) sees the new index, or the
 * notifier sees sleeping = 1; and since the waiter waits on the sequence value it read before the
 * re-check, a bump that lands before the wait makes the wait return at once. No wake-up is lost, and
 * a side that is not asleep costs the other one load per batch, never an Atomics.notify (~40 ns).
 * A state change (close, dead) bumps and notifies unconditionally, after storing the state word; the
 * waiter reads the state word after step 2, so it cannot miss it either.
 */

/** Bytes in a cache line on the machines mqlab targets. */
export const CACHE_LINE_BYTES = 64;
/** Header slot: two cache lines, so the adjacent-line prefetcher never couples two writers. */
export const HEADER_SLOT_BYTES = 2 * CACHE_LINE_BYTES;

/** `MQRB` in little-endian ASCII. */
export const RING_MAGIC = 0x4252514d;
export const LAYOUT_VERSION = 1;

export const MAGIC_OFFSET = 0;
export const VERSION_OFFSET = 4;
export const CAPACITY_OFFSET = 8;
export const MAX_FRAME_OFFSET = 12;
export const PRODUCER_STATE_OFFSET = 16;
export const CONSUMER_STATE_OFFSET = 20;
export const WRITE_INDEX_OFFSET = 1 * HEADER_SLOT_BYTES;
export const READ_INDEX_OFFSET = 2 * HEADER_SLOT_BYTES;
export const DATA_DOORBELL_OFFSET = 3 * HEADER_SLOT_BYTES;
export const SPACE_DOORBELL_OFFSET = 4 * HEADER_SLOT_BYTES;
export const HEADER_BYTES = 5 * HEADER_SLOT_BYTES;
export const DATA_OFFSET = HEADER_BYTES;

/** A doorbell is two adjacent int32 words: sleeping flag, then sequence. */
export const DOORBELL_SLEEPING_WORD = 0;
export const DOORBELL_SEQUENCE_WORD = 1;

const WORD_BYTES = Int32Array.BYTES_PER_ELEMENT;
/** Word indices into an Int32Array over the header. */
export const MAGIC_WORD = MAGIC_OFFSET / WORD_BYTES;
export const VERSION_WORD = VERSION_OFFSET / WORD_BYTES;
export const CAPACITY_WORD = CAPACITY_OFFSET / WORD_BYTES;
export const MAX_FRAME_WORD = MAX_FRAME_OFFSET / WORD_BYTES;
export const PRODUCER_STATE_WORD = PRODUCER_STATE_OFFSET / WORD_BYTES;
export const CONSUMER_STATE_WORD = CONSUMER_STATE_OFFSET / WORD_BYTES;
export const WRITE_INDEX_WORD = WRITE_INDEX_OFFSET / WORD_BYTES;
export const READ_INDEX_WORD = READ_INDEX_OFFSET / WORD_BYTES;
export const DATA_DOORBELL_WORD = DATA_DOORBELL_OFFSET / WORD_BYTES;
export const SPACE_DOORBELL_WORD = SPACE_DOORBELL_OFFSET / WORD_BYTES;
export const HEADER_WORDS = HEADER_BYTES / WORD_BYTES;

/** Frame header: int32 payload length, then an int32 the ring leaves unspecified. */
export const FRAME_HEADER_BYTES = 8;
export const FRAME_LENGTH_WORD = 0;
/** Frames start and end on 8-byte boundaries, so payloads are 8-aligned too. */
export const FRAME_ALIGN_BYTES = 8;
export const FRAME_ALIGN_MASK = FRAME_ALIGN_BYTES - 1;
/** Length word of the skip marker that ends a lap early. */
export const PADDING_MARKER = -1;

export const MIN_CAPACITY = 64;
/** Positions wrap at 2^32; a capacity of at most 2^30 keeps `(write - read) | 0` unambiguous. */
export const MAX_CAPACITY = 2 ** 30;

/** The value of a producer- or consumer-state word. */
export const PeerState = {
  OPEN: 0,
  /** The peer said it is done; everything it committed stays readable. */
  CLOSED: 1,
  /** The peer's thread ended without closing; its owner marked it. */
  DEAD: 2,
} as const;
export type PeerStateValue = (typeof PeerState)[keyof typeof PeerState];

/** Bytes a frame with `payloadBytes` of payload occupies in the data area. */
export function frameBytes(payloadBytes: number): number {
  return (payloadBytes + FRAME_HEADER_BYTES + FRAME_ALIGN_MASK) & ~FRAME_ALIGN_MASK;
}

/** Total SharedArrayBuffer size for a ring whose data area holds `capacity` bytes. */
export function ringBufferBytes(capacity: number): number {
  return HEADER_BYTES + capacity;
}
