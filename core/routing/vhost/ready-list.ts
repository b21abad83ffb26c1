/**
 * A queue's ready messages: a ring deque of message references in publication order, with each
 * entry's queue sequence number, expiry time and redelivered flag in parallel typed arrays (no
 * object per entry).
 *
 *   head                     head + length - 1
 *    v                              v
 *   [m7 m8 m9 . . . . . . . . m4 m5 m6]   msgs / seqs / expiries / redelivered, capacity 2^k
 *
 * Invariant: sequence numbers increase from head to tail. A requeued message goes back to its
 * original position by its sequence number ({@link insertBySeq}); the usual requeue (older than
 * everything ready) is an O(1) push at the head.
 */
import type { Message } from './message.js';

const INITIAL_CAPACITY = 16;

/** A queue's ready messages, as the queue uses them (a plain list, or one per priority). */
export interface ReadyMessages {
  readonly length: number;
  /** Sum of the ready bodies' sizes. */
  readonly bytes: number;
  push(msg: Message, seq: number, expiresAt: number, redelivered: boolean): void;
  insertBySeq(msg: Message, seq: number, expiresAt: number, redelivered: boolean): void;
  headMessage(): Message;
  headSeq(): number;
  headExpiresAt(): number;
  headRedelivered(): boolean;
  shift(): Message;
  messageAt(index: number): Message;
  /** Removes the entry with sequence number `seq` (rare: a store failed it); undefined when absent. */
  removeSeq(seq: number): Message | undefined;
}

export class ReadyList implements ReadyMessages {
  private msgs: (Message | undefined)[];
  private seqs: Float64Array;
  private expiries: Float64Array;
  private redelivered: Uint8Array;
  private head = 0;
  private count = 0;
  private mask: number;
  /** Sum of the body sizes of the ready messages (x-max-length-bytes counts bodies only). */
  bytes = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    let size = INITIAL_CAPACITY;
    while (size < capacity) size *= 2;
    this.msgs = new Array<Message | undefined>(size).fill(undefined);
    this.seqs = new Float64Array(size);
    this.expiries = new Float64Array(size);
    this.redelivered = new Uint8Array(size);
    this.mask = size - 1;
  }

  get length(): number {
    return this.count;
  }

  /** Appends a message at the tail (its sequence number must be the highest). */
  push(msg: Message, seq: number, expiresAt: number, redelivered: boolean): void {
    if (this.count === this.msgs.length) this.grow();
    const at = (this.head + this.count) & this.mask;
    this.set(at, msg, seq, expiresAt, redelivered);
    this.count++;
  }

  /** Puts a message back where its sequence number belongs. */
  insertBySeq(msg: Message, seq: number, expiresAt: number, redelivered: boolean): void {
    if (this.count === this.msgs.length) this.grow();
    if (this.count === 0 || seq > this.seqs[(this.head + this.count - 1) & this.mask]!) {
      this.push(msg, seq, expiresAt, redelivered);
      return;
    }
    if (seq < this.seqs[this.head]!) {
      this.head = (this.head - 1) & this.mask;
      this.set(this.head, msg, seq, expiresAt, redelivered);
      this.count++;
      return;
    }
    // First logical index whose sequence number is greater than seq.
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[(this.head + mid) & this.mask]! > seq) hi = mid;
      else lo = mid + 1;
    }
    for (let i = this.count; i > lo; i--) {
      const to = (this.head + i) & this.mask;
      const from = (this.head + i - 1) & this.mask;
      this.msgs[to] = this.msgs[from];
      this.seqs[to] = this.seqs[from]!;
      this.expiries[to] = this.expiries[from]!;
      this.redelivered[to] = this.redelivered[from]!;
    }
    this.set((this.head + lo) & this.mask, msg, seq, expiresAt, redelivered);
    this.count++;
  }

  /** The head message; only valid when length > 0. */
  headMessage(): Message {
    return this.msgs[this.head]!;
  }

  headSeq(): number {
    return this.seqs[this.head]!;
  }

  headExpiresAt(): number {
    return this.expiries[this.head]!;
  }

  headRedelivered(): boolean {
    return this.redelivered[this.head] === 1;
  }

  /** Removes the head and returns its message (read the head's other fields first). */
  shift(): Message {
    const at = this.head;
    const msg = this.msgs[at]!;
    this.msgs[at] = undefined;
    this.bytes -= msg.size;
    this.head = (at + 1) & this.mask;
    this.count--;
    return msg;
  }

  /** The message at a logical index (0 is the head). */
  messageAt(index: number): Message {
    return this.msgs[(this.head + index) & this.mask]!;
  }

  removeSeq(seq: number): Message | undefined {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[(this.head + mid) & this.mask]! < seq) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.count) return undefined;
    const at = (this.head + lo) & this.mask;
    if (this.seqs[at] !== seq) return undefined;
    const msg = this.msgs[at]!;
    for (let i = lo; i < this.count - 1; i++) {
      const to = (this.head + i) & this.mask;
      const from = (this.head + i + 1) & this.mask;
      this.msgs[to] = this.msgs[from];
      this.seqs[to] = this.seqs[from]!;
      this.expiries[to] = this.expiries[from]!;
      this.redelivered[to] = this.redelivered[from]!;
    }
    this.msgs[(this.head + this.count - 1) & this.mask] = undefined;
    this.count--;
    this.bytes -= msg.size;
    return msg;
  }

  private set(at: number, msg: Message, seq: number, expiresAt: number, redelivered: boolean): void {
    this.msgs[at] = msg;
    this.seqs[at] = seq;
    this.expiries[at] = expiresAt;
    this.redelivered[at] = redelivered ? 1 : 0;
    this.bytes += msg.size;
  }

  private grow(): void {
    const size = this.msgs.length * 2;
    const msgs = new Array<Message | undefined>(size).fill(undefined);
    const seqs = new Float64Array(size);
    const expiries = new Float64Array(size);
    const redelivered = new Uint8Array(size);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & this.mask;
      msgs[i] = this.msgs[from];
      seqs[i] = this.seqs[from]!;
      expiries[i] = this.expiries[from]!;
      redelivered[i] = this.redelivered[from]!;
    }
    this.msgs = msgs;
    this.seqs = seqs;
    this.expiries = expiries;
    this.redelivered = redelivered;
    this.head = 0;
    this.mask = size - 1;
  }
}
