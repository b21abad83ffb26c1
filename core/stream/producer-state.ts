/**
 * The idempotent producer's state on a partition replica, as Kafka keeps it per producer id: the
 * producer epoch and the last few batches' sequence ranges with their offsets. The leader checks
 * each batch before appending it; followers record the batches they copy, so a new leader dedups
 * retries of batches its predecessor stored.
 *
 * Rules (Kafka's ProducerStateManager and ProducerAppendInfo):
 * - A batch whose sequence range equals one of the last 5 of its producer is a duplicate: nothing is
 *   appended and the answer carries the original base offset.
 * - Otherwise its first sequence must follow the last one (Int32 max wraps to 0), else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER (45). A new producer, or a new epoch, starts at sequence 0.
 * - An epoch below the producer's current one is fenced: INVALID_PRODUCER_EPOCH (47).
 */
import { KafkaProtocolError } from '../errors/index.js';

/** Batches remembered per producer: Kafka's limit, tied to max.in.flight.requests <= 5. */
export const PRODUCER_BATCHES_KEPT = 5;
const SEQUENCE_SPAN = 0x8000_0000;

interface BatchRange {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly baseOffset: number;
  readonly count: number;
}

interface ProducerEntry {
  epoch: number;
  /** Oldest first; empty when truncation removed them all (the next sequence is then unknown). */
  readonly batches: BatchRange[];
}

/** The last sequence of a batch of `count` records starting at `firstSeq` (wrapping at Int32 max). */
export function lastSequence(firstSeq: number, count: number): number {
  return (firstSeq + count - 1) % SEQUENCE_SPAN;
}

export class ProducerStateTable {
  readonly #producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.#producers.size;
  }

  /**
   * Leader, before appending: -1 when the batch is to be appended, else the base offset of the batch
   * it duplicates. Throws the Kafka error for a batch that must be refused.
   */
  check(producerId: number, epoch: number, firstSeq: number, count: number): number {
    if (producerId < 0) return -1;
    const entry = this.#producers.get(producerId);
    if (entry === undefined || epoch > entry.epoch) {
      if (firstSeq !== 0) throw outOfOrder(producerId, firstSeq, 0);
      return -1;
    }
    if (epoch < entry.epoch) {
      throw new KafkaProtocolError('INVALID_PRODUCER_EPOCH', `Producer ${producerId} attempted to produce with an old epoch ${epoch}; the current epoch is ${entry.epoch}`);
    }
    const last = lastSequence(firstSeq, count);
    for (const b of entry.batches) if (b.firstSeq === firstSeq && b.lastSeq === last) return b.baseOffset;
    const newest = entry.batches[entry.batches.length - 1];
    if (newest === undefined) return -1;
    const expected = (newest.lastSeq + 1) % SEQUENCE_SPAN;
    if (firstSeq !== expected) throw outOfOrder(producerId, firstSeq, expected);
    return -1;
  }

  /** Leader after an append, follower after a copy: remembers the batch. */
  record(producerId: number, epoch: number, firstSeq: number, count: number, baseOffset: number): void {
    if (producerId < 0) return;
    let entry = this.#producers.get(producerId);
    if (entry === undefined || epoch > entry.epoch) {
      entry = { epoch, batches: [] };
      this.#producers.set(producerId, entry);
    }
    entry.batches.push({ firstSeq, lastSeq: lastSequence(firstSeq, count), baseOffset, count });
    if (entry.batches.length > PRODUCER_BATCHES_KEPT) entry.batches.shift();
  }

  /** The log was truncated to `offset`: batches at or above it are gone. */
  truncateTo(offset: number): void {
    for (const entry of this.#producers.values()) {
      let keep = entry.batches.length;
      while (keep > 0 && entry.batches[keep - 1]!.baseOffset >= offset) keep--;
      entry.batches.length = keep;
    }
  }
}

function outOfOrder(producerId: number, firstSeq: number, expected: number): KafkaProtocolError {
  return new KafkaProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', `The broker received an out of order sequence number: producer ${producerId} sent sequence ${firstSeq}, expected ${expected}`);
}
