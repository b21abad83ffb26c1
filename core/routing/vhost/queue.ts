/**
 * A classic queue: ready messages in publication order, its consumers in round-robin order, and
 * its arguments (TTL, expiry, length limits, dead-lettering).
 *
 * Invariants:
 * - Ready messages keep publication order, by a per-queue sequence number; a requeued message goes
 *   back to its original position with redelivered = true and its original expiry.
 * - An expired message is never delivered: the head is checked before every delivery and every
 *   basic.get, and expired heads are dead-lettered (reason `expired`) or dropped. As in RabbitMQ,
 *   only the head expires: a message behind a longer-lived head waits until it reaches the head.
 * - A message that finds the ready list empty and a consumer with credit goes straight to the
 *   consumer, without an expiry check: so TTL 0 delivers when a consumer is ready, else expires.
 * - Length limits count ready messages only (not unacked), and body bytes only.
 * - With x-max-priority, higher priorities go first (see PriorityReadyList); the head is the head
 *   of the highest non-empty priority, for delivery, expiry and drop-head alike.
 * - With a {@link QueueStore} (a quorum queue on a cluster, queue-store.ts), every entry is handed
 *   to the store as it enters and settled with it as it leaves; an entry is delivered only once
 *   the store committed it (seq <= storedThrough), and a requeued entry carries x-delivery-count.
 *   Without one (classic queues) none of this runs.
 */
import type { FieldTable } from '../index.js';
import type { QueueArguments } from './args.js';
import type { Binding } from './exchange.js';
import type { Connection } from './connection.js';
import type { Consumer } from './consumer.js';
import { withHeader, type Message } from './message.js';
import type { PendingConfirm, QueueStore, RestoredEntry } from './queue-store.js';
import { PriorityReadyList } from './priority-ready.js';
import { ReadyList, type ReadyMessages } from './ready-list.js';

export type DeathReason = 'rejected' | 'expired' | 'maxlen';

/** What a queue needs from its virtual host. */
export interface QueueHost {
  /** Dead-letters a message leaving `queue` (the caller then releases its reference). */
  deadLetter(queue: Queue, msg: Message, reason: DeathReason, nowMs: number): void;
  /** Asks for {@link Queue.dispatch} at the end of the current operation. */
  scheduleDispatch(queue: Queue): void;
  /** Tells the host this queue now has a deadline (message expiry or queue expiry) to watch. */
  watchTimers(queue: Queue): void;
  /** A store answered for a publish waiting on this queue: `ack` false when it failed the entry. */
  storeAnswered(confirm: PendingConfirm, ack: boolean): void;
}

/** RabbitMQ's quorum-queue header: how many times the message went back to the queue. */
export const DELIVERY_COUNT_HEADER = 'x-delivery-count';

export class Queue {
  readonly kind = 'queue';
  /** Ready messages: one list, or one per priority level for x-max-priority queues. */
  readonly ready: ReadyMessages;
  readonly consumers: Consumer[] = [];
  /** Bindings with this queue as destination (the default exchange's implicit one excluded). */
  readonly incoming = new Set<Binding>();
  /** Deliveries of this queue not yet acknowledged, on any channel. */
  unacked = 0;
  deleted = false;
  /** Set when a consumer ever subscribed: auto-delete applies only after that. */
  hadConsumers = false;
  /** Last use for x-expires: declare, basic.get, consume, or the last consumer leaving. */
  lastUsedMs: number;
  /** Routing pass stamp (see MessageRouter). */
  routeStamp = 0;
  /** True while waiting in the host's dispatch list. */
  dispatchScheduled = false;
  /**
   * True when the queue's arguments make a publish or an ack read the time: a message TTL, a
   * dead-letter exchange (x-death records the time) or x-expires (see VirtualHost.needsClock).
   */
  readonly readsClock: boolean;
  /** Where entries are replicated (see queue-store.ts); null keeps them in memory only. */
  store: QueueStore | null = null;
  /** With a store: every entry up to this sequence number is decided (committed, or failed and gone). */
  storedThrough = 0;
  /** With a store: confirm-mode publishes waiting on an undecided entry, by its sequence number. */
  private readonly awaiting = new Map<number, PendingConfirm>();
  private nextSeq = 1;
  private rr = 0;
  /** Set while ready messages may carry an expiry (cleared when the queue empties). */
  private timedMessages = false;

  constructor(
    private readonly host: QueueHost,
    readonly name: string,
    readonly durable: boolean,
    readonly autoDelete: boolean,
    /** The owning connection of an exclusive queue, else null. */
    readonly owner: Connection | null,
    readonly args: FieldTable | undefined,
    readonly settings: QueueArguments,
    nowMs: number,
  ) {
    this.lastUsedMs = nowMs;
    this.readsClock = settings.messageTtl >= 0 || settings.expires > 0 || settings.deadLetterExchange !== undefined;
    this.ready = settings.maxPriority > 0 ? new PriorityReadyList(settings.maxPriority) : new ReadyList();
    if (settings.expires > 0) host.watchTimers(this);
  }

  get messageCount(): number {
    return this.ready.length;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  /** The expiry time of a message entering now, from the queue's and the message's TTL. */
  private expiryFor(msg: Message, nowMs: number): number {
    const queueTtl = this.settings.messageTtl;
    const ttl = msg.ttl < 0 ? queueTtl : queueTtl < 0 ? msg.ttl : Math.min(queueTtl, msg.ttl);
    return ttl < 0 ? Infinity : nowMs + ttl;
  }

  private wouldOverflow(size: number): boolean {
    const { maxLength, maxLengthBytes } = this.settings;
    return (maxLength >= 0 && this.ready.length + 1 > maxLength) || (maxLengthBytes >= 0 && this.ready.bytes + size > maxLengthBytes);
  }

  private overLimit(): boolean {
    const { maxLength, maxLengthBytes } = this.settings;
    return (maxLength >= 0 && this.ready.length > maxLength) || (maxLengthBytes >= 0 && this.ready.bytes > maxLengthBytes);
  }

  /**
   * Accepts a routed message. False when x-overflow reject-publish(-dlx) refused it (the publisher
   * gets a basic.nack); the message is then not held by this queue.
   */
  enqueue(msg: Message, nowMs: number): boolean {
    const { overflow, maxLength, maxLengthBytes } = this.settings;
    const limited = maxLength >= 0 || maxLengthBytes >= 0;
    if (limited && overflow !== 'drop-head' && this.wouldOverflow(msg.size)) {
      if (overflow === 'reject-publish-dlx') this.host.deadLetter(this, msg, 'maxlen', nowMs);
      return false;
    }
    const seq = this.nextSeq++;
    const expiresAt = this.expiryFor(msg, nowMs);
    msg.retain();
    const wasEmpty = this.ready.length === 0;
    if (wasEmpty && this.consumers.length > 0 && this.store === null) {
      const consumer = this.pickConsumer();
      if (consumer !== undefined) {
        consumer.channel.deliverToConsumer(consumer, this, msg, seq, expiresAt, false, nowMs);
        return true;
      }
    }
    this.ready.push(msg, seq, expiresAt, false);
    if (this.store !== null) this.store.append(msg, seq);
    if (expiresAt !== Infinity) this.watchExpiry();
    if (limited) {
      while (this.overLimit()) this.dropHead('maxlen', nowMs);
    }
    // Without timed messages every ready entry's expiry is Infinity: nothing can have expired.
    if (this.timedMessages) this.dropExpired(nowMs);
    // Ready messages left behind by a dispatch mean no consumer had credit, and every event that
    // gives credit back schedules a dispatch: so only a list that was empty needs one here.
    if ((wasEmpty || this.store !== null) && this.consumers.length > 0 && this.ready.length > 0) this.host.scheduleDispatch(this);
    return true;
  }

  /**
   * The entry {@link enqueue} just took waits on the store before `confirm` may go out. Call right
   * after an enqueue that returned true, on a queue with a store.
   */
  awaitStore(confirm: PendingConfirm): void {
    this.awaiting.set(this.nextSeq - 1, confirm);
    confirm.waiting++;
  }

  /**
   * The store decided every entry up to `throughSeq`, in order: committed (now deliverable), or
   * failed (removed undelivered, and settled so a replay of the store never brings them back).
   */
  storeDecided(throughSeq: number, committed: boolean): void {
    const store = this.store;
    if (store === null || throughSeq <= this.storedThrough) return;
    const from = this.storedThrough + 1;
    this.storedThrough = throughSeq;
    if (!committed) {
      for (let seq = from; seq <= throughSeq; seq++) {
        const msg = this.ready.removeSeq(seq);
        if (msg === undefined) continue;
        msg.release();
        store.settle(seq);
      }
    }
    // Map iteration follows insertion, which is sequence order.
    for (const [seq, confirm] of this.awaiting) {
      if (seq > throughSeq) break;
      this.awaiting.delete(seq);
      this.host.storeAnswered(confirm, committed);
    }
    if (this.consumers.length > 0 && this.ready.length > 0) this.host.scheduleDispatch(this);
  }

  /**
   * Fills a new queue with the entries its store kept (in sequence order), as committed ready
   * entries; new entries are numbered after them. Call before any other use of the queue.
   */
  restore(entries: readonly RestoredEntry[], nowMs: number): void {
    for (const { msg, seq } of entries) {
      const expiresAt = this.expiryFor(msg, nowMs);
      msg.retain();
      this.ready.push(msg, seq, expiresAt, false);
      if (expiresAt !== Infinity) this.watchExpiry();
      this.nextSeq = seq + 1;
      this.storedThrough = seq;
    }
  }

  /** The queue is being deleted: its store goes, and publishes still waiting on it are acked (it took them). */
  closeStore(): void {
    const store = this.store;
    if (store === null) return;
    this.store = null;
    store.delete();
    for (const confirm of this.awaiting.values()) this.host.storeAnswered(confirm, true);
    this.awaiting.clear();
  }

  /** Entry `seq` left the queue for good (ack, reject, no-ack delivery): the store forgets it. */
  settled(seq: number): void {
    if (this.store !== null) this.store.settle(seq);
  }

  /** Puts an unacked message back at its original position, marked redelivered. */
  requeue(msg: Message, seq: number, expiresAt: number): void {
    const entry = this.store === null ? msg : countDelivery(msg);
    this.ready.insertBySeq(entry, seq, expiresAt, true);
    if (expiresAt !== Infinity) this.watchExpiry();
    this.host.scheduleDispatch(this);
  }

  private watchExpiry(): void {
    this.timedMessages = true;
    this.host.watchTimers(this);
  }

  private dropHead(reason: DeathReason, nowMs: number): void {
    const seq = this.ready.headSeq();
    const msg = this.ready.shift();
    this.host.deadLetter(this, msg, reason, nowMs);
    msg.release();
    if (this.store !== null) this.store.settle(seq);
  }

  /** Dead-letters (or drops) expired messages at the head. */
  dropExpired(nowMs: number): void {
    while (this.ready.length > 0 && this.ready.headExpiresAt() <= nowMs) this.dropHead('expired', nowMs);
  }

  /** Delivers ready messages to consumers with credit, round-robin. */
  dispatch(nowMs: number): void {
    const ready = this.ready;
    const gated = this.store !== null;
    while (ready.length > 0) {
      const expiresAt = ready.headExpiresAt();
      if (expiresAt <= nowMs) {
        this.dropHead('expired', nowMs);
        continue;
      }
      if (gated && ready.headSeq() > this.storedThrough) return;
      const consumer = this.pickConsumer();
      if (consumer === undefined) return;
      const seq = ready.headSeq();
      const redelivered = ready.headRedelivered();
      const msg = ready.shift();
      consumer.channel.deliverToConsumer(consumer, this, msg, seq, expiresAt, redelivered, nowMs);
    }
  }

  /** The next consumer in round-robin order that has credit. */
  private pickConsumer(): Consumer | undefined {
    const consumers = this.consumers;
    const n = consumers.length;
    for (let i = 0; i < n; i++) {
      let at = this.rr + i;
      if (at >= n) at -= n;
      const consumer = consumers[at]!;
      if (consumer.canReceive()) {
        this.rr = at + 1 >= n ? 0 : at + 1;
        return consumer;
      }
    }
    return undefined;
  }

  /**
   * Takes the head for basic.get (expired heads are dropped first). Returns undefined when empty;
   * otherwise the caller reads {@link taken} for the entry's fields.
   */
  take(nowMs: number): Message | undefined {
    this.dropExpired(nowMs);
    if (this.ready.length === 0) return undefined;
    if (this.store !== null && this.ready.headSeq() > this.storedThrough) return undefined;
    this.taken.seq = this.ready.headSeq();
    this.taken.expiresAt = this.ready.headExpiresAt();
    this.taken.redelivered = this.ready.headRedelivered();
    return this.ready.shift();
  }

  /** The fields of the entry {@link take} returned last. */
  readonly taken = { seq: 0, expiresAt: Infinity, redelivered: false };

  addConsumer(consumer: Consumer, nowMs: number): void {
    this.consumers.push(consumer);
    this.hadConsumers = true;
    this.lastUsedMs = nowMs;
    if (this.ready.length > 0) this.host.scheduleDispatch(this);
  }

  /** Removes a consumer; true when it was the last one. */
  removeConsumer(consumer: Consumer, nowMs: number): boolean {
    const at = this.consumers.indexOf(consumer);
    if (at < 0) return false;
    this.consumers.splice(at, 1);
    if (at < this.rr) this.rr--;
    if (this.rr >= this.consumers.length) this.rr = 0;
    if (this.consumers.length > 0) return false;
    this.lastUsedMs = nowMs;
    if (this.settings.expires > 0) this.host.watchTimers(this);
    return true;
  }

  /** True when a consumer holds exclusive access. */
  hasExclusiveConsumer(): boolean {
    for (const consumer of this.consumers) if (consumer.exclusive) return true;
    return false;
  }

  /** Drops every ready message (queue.purge, queue.delete); returns how many. */
  purge(): number {
    const count = this.ready.length;
    const store = this.store;
    while (this.ready.length > 0) {
      if (store !== null) store.settle(this.ready.headSeq());
      this.ready.shift().release();
    }
    return count;
  }

  /**
   * When this queue needs attention next: its head's expiry, or its x-expires deadline while
   * unused. Infinity when neither applies.
   */
  nextDeadline(): number {
    let deadline = this.ready.length > 0 ? this.ready.headExpiresAt() : Infinity;
    if (this.settings.expires > 0 && this.consumers.length === 0) {
      deadline = Math.min(deadline, this.lastUsedMs + this.settings.expires);
    }
    return deadline;
  }

  /** True when the queue still has a reason to be watched by the host's timers. */
  hasTimers(): boolean {
    if (this.ready.length === 0) this.timedMessages = false;
    return this.settings.expires > 0 || this.timedMessages;
  }
}

/**
 * A requeued quorum-queue entry: the same message with x-delivery-count one higher (RabbitMQ's
 * quorum queues count returns this way). The copy shares the body; it takes over the reference.
 */
function countDelivery(msg: Message): Message {
  const previous = msg.properties.headers?.[DELIVERY_COUNT_HEADER];
  const count = typeof previous === 'number' ? previous + 1 : 1;
  const copy = withHeader(msg, DELIVERY_COUNT_HEADER, count);
  copy.retain();
  msg.release();
  return copy;
}
