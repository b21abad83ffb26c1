/**
 * A channel's unacknowledged deliveries, ordered by delivery tag, in parallel arrays (no object per
 * delivery). Tags are appended in increasing order, so the log is sorted: a single ack finds its
 * record at the head in O(1) in the usual in-order case and by binary search otherwise; a
 * multiple-ack walks from the head to the tag.
 *
 *   head            tail
 *    v               v
 *   [5 6 x 8 9 x 11] .  .     tags; x = settled (msg slot undefined), skipped and compacted away
 *
 * Invariants: tags[head..tail) increase; a slot is live exactly when its message is set; the head
 * slot is live whenever `size > 0`; settled slots never outnumber live ones for long (compaction
 * keeps memory proportional to what is outstanding, even when one old delivery is never acked).
 */
import type { Consumer } from './consumer.js';
import type { Message } from './message.js';
import type { Queue } from './queue.js';

const INITIAL_CAPACITY = 16;

export class UnackedLog {
  tags: Float64Array;
  msgs: (Message | undefined)[];
  queues: (Queue | undefined)[];
  /** The consumer a delivery went to, or null for basic.get. */
  consumers: (Consumer | null)[];
  seqs: Float64Array;
  expiries: Float64Array;
  head = 0;
  tail = 0;
  private live = 0;

  constructor() {
    this.tags = new Float64Array(INITIAL_CAPACITY);
    this.msgs = new Array<Message | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.queues = new Array<Queue | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.consumers = new Array<Consumer | null>(INITIAL_CAPACITY).fill(null);
    this.seqs = new Float64Array(INITIAL_CAPACITY);
    this.expiries = new Float64Array(INITIAL_CAPACITY);
  }

  /** Outstanding deliveries. */
  get size(): number {
    return this.live;
  }

  push(tag: number, msg: Message, queue: Queue, consumer: Consumer | null, seq: number, expiresAt: number): void {
    if (this.tail === this.tags.length) this.makeRoom();
    const at = this.tail++;
    this.tags[at] = tag;
    this.msgs[at] = msg;
    this.queues[at] = queue;
    this.consumers[at] = consumer;
    this.seqs[at] = seq;
    this.expiries[at] = expiresAt;
    this.live++;
  }

  /** The slot of an outstanding tag, or -1. */
  indexOf(tag: number): number {
    if (this.live === 0) return -1;
    if (this.tags[this.head] === tag) return this.head;
    let lo = this.head;
    let hi = this.tail - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.tags[mid]!;
      if (t === tag) return this.msgs[mid] === undefined ? -1 : mid;
      if (t < tag) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** True when the slot holds an outstanding delivery. */
  isLive(slot: number): boolean {
    return this.msgs[slot] !== undefined;
  }

  /**
   * Marks a slot settled. Callers settling several slots in a walk call {@link compact} after it;
   * the head and the arrays stay put until then.
   */
  settle(slot: number): void {
    this.msgs[slot] = undefined;
    this.queues[slot] = undefined;
    this.consumers[slot] = null;
    this.live--;
  }

  /** Advances the head past settled slots and compacts when settled slots dominate. */
  compact(): void {
    if (this.live === 0) {
      this.head = 0;
      this.tail = 0;
      return;
    }
    while (this.msgs[this.head] === undefined) this.head++;
    const span = this.tail - this.head;
    if (span > 64 && span > this.live * 2) this.squeeze();
  }

  /** Takes every record out, in tag order, and empties the log (channel close, recover). */
  drain(): {
    tags: number[];
    msgs: Message[];
    queues: Queue[];
    consumers: (Consumer | null)[];
    seqs: number[];
    expiries: number[];
  } {
    const out = {
      tags: [] as number[],
      msgs: [] as Message[],
      queues: [] as Queue[],
      consumers: [] as (Consumer | null)[],
      seqs: [] as number[],
      expiries: [] as number[],
    };
    for (let i = this.head; i < this.tail; i++) {
      const msg = this.msgs[i];
      if (msg === undefined) continue;
      out.tags.push(this.tags[i]!);
      out.msgs.push(msg);
      out.queues.push(this.queues[i]!);
      out.consumers.push(this.consumers[i]!);
      out.seqs.push(this.seqs[i]!);
      out.expiries.push(this.expiries[i]!);
      this.settle(i);
    }
    this.compact();
    return out;
  }

  /** Puts records back in tag order (tx.rollback returns acks taken inside the transaction). */
  restore(tag: number, msg: Message, queue: Queue, consumer: Consumer | null, seq: number, expiresAt: number): void {
    if (this.live === 0 || tag > this.tags[this.tail - 1]!) {
      this.push(tag, msg, queue, consumer, seq, expiresAt);
      return;
    }
    // Rare path: rebuild with the record in place.
    this.squeeze();
    if (this.tail === this.tags.length) this.makeRoom();
    let at = this.tail;
    while (at > 0 && this.tags[at - 1]! > tag) {
      this.moveSlot(at - 1, at);
      at--;
    }
    this.tags[at] = tag;
    this.msgs[at] = msg;
    this.queues[at] = queue;
    this.consumers[at] = consumer;
    this.seqs[at] = seq;
    this.expiries[at] = expiresAt;
    this.tail++;
    this.live++;
  }

  private moveSlot(from: number, to: number): void {
    this.tags[to] = this.tags[from]!;
    this.msgs[to] = this.msgs[from];
    this.queues[to] = this.queues[from];
    this.consumers[to] = this.consumers[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.expiries[to] = this.expiries[from]!;
  }

  /** Moves live slots to the front. */
  private squeeze(): void {
    let to = 0;
    for (let from = this.head; from < this.tail; from++) {
      if (this.msgs[from] === undefined) continue;
      if (from !== to) this.moveSlot(from, to);
      to++;
    }
    for (let i = to; i < this.tail; i++) {
      this.msgs[i] = undefined;
      this.queues[i] = undefined;
      this.consumers[i] = null;
    }
    this.head = 0;
    this.tail = to;
  }

  private makeRoom(): void {
    if (this.head > 0 || this.live < this.tail) this.squeeze();
    // Keep at least half the capacity free after a squeeze, so squeezes stay amortised O(1).
    if (this.tail * 2 <= this.tags.length) return;
    const size = this.tags.length * 2;
    const tags = new Float64Array(size);
    tags.set(this.tags);
    const seqs = new Float64Array(size);
    seqs.set(this.seqs);
    const expiries = new Float64Array(size);
    expiries.set(this.expiries);
    this.tags = tags;
    this.seqs = seqs;
    this.expiries = expiries;
    const grow = this.tags.length - this.msgs.length;
    for (let i = 0; i < grow; i++) {
      this.msgs.push(undefined);
      this.queues.push(undefined);
      this.consumers.push(null);
    }
  }
}
