/**
 * The seam between a queue and storage that replicates it: a quorum queue hands each entry it takes
 * to a {@link QueueStore} and tells it when an entry leaves for good; the store answers later, in
 * the queue's sequence order, through {@link VirtualHost.storeCommitted} or
 * {@link VirtualHost.storeFailed}. The model stays pure: it never waits and does no I/O. A classic
 * queue has no store and none of this runs for it.
 *
 * Invariants the model keeps for a queue with a store:
 * - An entry is delivered (to a consumer or basic.get) only once the store has committed it; entries
 *   commit in sequence order, so the undecided ones are always the ready list's tail.
 * - A publish in confirm mode that reached such a queue is confirmed only when every store it
 *   reached has answered: basic.ack when all committed, basic.nack when one failed (the entry is
 *   then removed from its queue, undelivered).
 * - A channel sends its confirms in publish order: while one waits on a store, later confirms (of
 *   classic queues too) wait behind it, and a run of acks goes out as one multiple ack.
 */
import type { Channel } from './channel.js';
import type { Message } from './message.js';
import type { Queue } from './queue.js';
import type { VirtualHost } from './vhost.js';

/** Where one queue's entries are replicated. Implemented above the model (core/client). */
export interface QueueStore {
  /**
   * Starts storing the entry `seq` (the queue's sequence number, increasing by one per entry). The
   * answer comes later through the vhost, never inside this call.
   */
  append(msg: Message, seq: number): void;
  /** Entry `seq` left the queue for good: acked, dead-lettered, dropped, purged, or sent no-ack. */
  settle(seq: number): void;
  /** The queue is deleted: the store stops answering and may drop what it stored. */
  delete(): void;
}

/** Opens the store of a newly declared queue; registered on the vhost per queue type. */
export interface QueueStoreProvider {
  /** Null keeps the queue in memory only, as a classic queue. */
  open(vhost: VirtualHost, queue: Queue): QueueStore | null;
}

/** An entry a store brings back when a new host restores its queue (a committed, unsettled entry). */
export interface RestoredEntry {
  readonly seq: number;
  readonly msg: Message;
}

/** A confirm-mode publish waiting on stores before its basic.ack or basic.nack goes out. */
export class PendingConfirm {
  /** Stores that still have to answer. */
  waiting = 0;
  /** False once any queue refused it or any store failed it. */
  ack = true;

  constructor(
    readonly channel: Channel,
    /** The publish sequence number, the confirm's delivery tag. */
    readonly seq: number,
  ) {}
}
