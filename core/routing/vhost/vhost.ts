/**
 * A RabbitMQ virtual host as a pure, single-threaded state machine: exchanges, queues, bindings,
 * connections and their channels. No timers, no I/O: every method takes the current time, and
 * {@link VirtualHost.tick} expires messages and queues and says when it next needs to run. Outputs
 * go to the {@link ConnectionSink} each connection was opened with.
 *
 * Invariants:
 * - Every operation either fails before changing anything, or completes; deliveries it makes
 *   possible happen before it returns (the dispatch list is flushed at the end of each method).
 * - A published message is one {@link Message} whichever number of queues it reaches.
 * - A quorum queue with a store (queue-store.ts) delivers an entry only once the store committed
 *   it, and a publish it took is confirmed only then; the store's answers come back through
 *   {@link VirtualHost.storeCommitted} and {@link VirtualHost.storeFailed}.
 * - The predeclared exchanges (the default exchange, amq.direct, amq.fanout, amq.topic,
 *   amq.headers, amq.match, amq.rabbitmq.trace) exist for the vhost's lifetime.
 */
import { deadLetteredMessage, isDeadLetterCycle } from './dead-letter.js';
import type { Channel } from './channel.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { Exchange } from './exchange.js';
import { MessageStats, type Message } from './message.js';
import { resolveVirtualHostOptions, type ResolvedVirtualHostOptions, type VirtualHostOptions } from './options.js';
import type { DeathReason, Queue, QueueHost } from './queue.js';
import { PendingConfirm, type RestoredEntry } from './queue-store.js';
import type { FieldTable } from '../index.js';
import { DIRECT_REPLY_PREFIX, MessageRouter, type RouteScope } from './route.js';
import type { ConnectionSink } from './sink.js';
import { removeQueue, restoreQueue } from './topology.js';
import { TRACE_EXCHANGE, traceDeliver, tracePublish } from './trace.js';

/** basic.return's reply for an unroutable mandatory message. */
export const NO_ROUTE = { code: 312, text: 'NO_ROUTE' } as const;

/** A queue's state, as the management API would show it. */
export interface QueueInfo {
  readonly name: string;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly type: 'classic' | 'quorum';
  readonly messages: number;
  readonly messagesReady: number;
  readonly messagesUnacknowledged: number;
  readonly messageBytesReady: number;
  readonly consumers: number;
}

export class VirtualHost implements QueueHost, RouteScope {
  readonly options: ResolvedVirtualHostOptions;
  readonly name: string;
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  readonly connections = new Set<Connection>();
  /** Direct reply-to targets by the opaque suffix of `amq.rabbitmq.reply-to.<suffix>`. */
  readonly replyTargets = new Map<string, Channel>();
  /** Messages held by queues and unacked deliveries, and their body bytes. */
  readonly stats = new MessageStats();
  /** Firehose tracing (rabbitmqctl trace_on / trace_off). */
  tracing: boolean;
  /** Live queues whose arguments read the time (Queue.readsClock); kept by topology.ts. */
  clockQueues = 0;
  private readonly router = new MessageRouter();
  /**
   * The queue the default exchange last routed to: publishing to one queue over and over (the
   * work-queue pattern) skips the name lookup. Valid while not deleted (a queue deleted and
   * declared again is a new Queue).
   */
  private defaultTarget: Queue | undefined;
  private readonly timed = new Set<Queue>();
  private readonly pending: Queue[] = [];
  /** Channels with held confirms a store answer completed: released together, so acks coalesce. */
  private readonly confirmsDue = new Set<Channel>();
  private flushing = false;
  private nextConnectionId = 1;

  constructor(options?: VirtualHostOptions) {
    this.options = resolveVirtualHostOptions(options);
    this.name = this.options.name;
    this.tracing = this.options.tracing;
    const types = this.options.exchangeTypes;
    const predeclare = (name: string, type: string, internal = false): void => {
      this.exchanges.set(name, new Exchange(name, types.lookup(type), true, false, internal, undefined));
    };
    predeclare('', 'direct');
    predeclare('amq.direct', 'direct');
    predeclare('amq.fanout', 'fanout');
    predeclare('amq.topic', 'topic');
    predeclare('amq.headers', 'headers');
    predeclare('amq.match', 'headers');
    predeclare(TRACE_EXCHANGE, 'topic', true);
  }

  /** Opens a connection whose outputs go to `sink`. */
  connect(sink: ConnectionSink, options: ConnectionOptions = {}): Connection {
    const id = this.nextConnectionId++;
    const connection = new Connection(this, id, sink, options.name ?? `connection-${id}`, options.user ?? 'guest');
    this.connections.add(connection);
    return connection;
  }

  /** Turns the firehose on or off (rabbitmqctl trace_on / trace_off). */
  setTracing(enabled: boolean): void {
    this.tracing = enabled;
  }

  /**
   * Expires what is due at `nowMs`: message TTLs at queue heads (dead-lettered with reason
   * `expired`) and unused queues past x-expires (deleted, messages not dead-lettered). Returns the
   * next time something falls due, or undefined when nothing is pending.
   */
  tick(nowMs: number): number | undefined {
    for (const queue of this.timed) {
      if (queue.deleted) {
        this.timed.delete(queue);
        continue;
      }
      const expires = queue.settings.expires;
      if (expires > 0 && queue.consumerCount === 0 && nowMs >= queue.lastUsedMs + expires) {
        removeQueue(this, queue, false);
        continue;
      }
      queue.dropExpired(nowMs);
    }
    this.flush(nowMs);
    return this.nextDeadline();
  }

  /** The earliest time {@link tick} has work to do, or undefined. Changes after any method. */
  nextDeadline(): number | undefined {
    if (this.timed.size === 0) return undefined;
    let next = Infinity;
    for (const queue of this.timed) {
      if (queue.deleted || !queue.hasTimers()) {
        this.timed.delete(queue);
        continue;
      }
      next = Math.min(next, queue.nextDeadline());
    }
    return next === Infinity ? undefined : next;
  }

  /**
   * Brings back a durable queue its store kept, with its unsettled entries ready in order (a new
   * host over the cluster a quorum queue replicated on). No-op when the queue exists.
   */
  restoreQueue(name: string, args: FieldTable | undefined, entries: readonly RestoredEntry[], nowMs: number): void {
    restoreQueue(this, name, args, entries, nowMs);
    this.flush(nowMs);
  }

  /**
   * False when no basic.publish without an expiration and no basic.ack can read the time it is
   * given: no queue holds an entry that may expire or has x-expires (the timer set is empty), no
   * queue has a message TTL or a dead-letter exchange, and the firehose is off. A host may then
   * pass the last time it read instead of reading the clock (Date.now() costs tens of ns, a
   * noticeable share of a publish). Other methods always need the current time.
   */
  needsClock(): boolean {
    return this.timed.size > 0 || this.clockQueues > 0 || this.tracing;
  }

  /** A queue's counts, or undefined when it does not exist. */
  queueInfo(name: string): QueueInfo | undefined {
    const queue = this.queues.get(name);
    if (queue === undefined) return undefined;
    return {
      name,
      durable: queue.durable,
      exclusive: queue.owner !== null,
      autoDelete: queue.autoDelete,
      type: queue.settings.queueType,
      messages: queue.messageCount + queue.unacked,
      messagesReady: queue.messageCount,
      messagesUnacknowledged: queue.unacked,
      messageBytesReady: queue.ready.bytes,
      consumers: queue.consumerCount,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Internal: used by channels and queues of this vhost.

  scheduleDispatch(queue: Queue): void {
    if (queue.dispatchScheduled) return;
    queue.dispatchScheduled = true;
    this.pending.push(queue);
  }

  watchTimers(queue: Queue): void {
    this.timed.add(queue);
  }

  forgetTimers(queue: Queue): void {
    this.timed.delete(queue);
  }

  /** Runs the dispatch of every queue that may deliver (FIFO; dispatch may schedule more). */
  flush(nowMs: number): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const pending = this.pending;
    let i = 0;
    try {
      for (; i < pending.length; i++) {
        const queue = pending[i]!;
        queue.dispatchScheduled = false;
        if (!queue.deleted) queue.dispatch(nowMs);
      }
    } finally {
      for (; i < pending.length; i++) pending[i]!.dispatchScheduled = false;
      while (pending.length > 0) pending.pop();
      this.flushing = false;
    }
  }

  /**
   * Routes a validated message from `exchange` and enqueues it, then answers the publisher:
   * basic.return (312 NO_ROUTE) when mandatory and unroutable, then the confirm (`seq` > 0),
   * nacked when a queue refused it (x-overflow reject-publish).
   */
  publishMessage(channel: Channel, exchange: Exchange, msg: Message, mandatory: boolean, seq: number, nowMs: number): void {
    if (exchange.name === '' && msg.extraKeys === null && !this.tracing) {
      // The default exchange with one routing key naming a queue: the route is that queue alone.
      const queue = this.defaultExchangeTarget(msg.routingKey);
      if (queue !== undefined) {
        const accepted = queue.enqueue(msg, nowMs);
        if (seq === 0) return;
        if (accepted && queue.store !== null) {
          const held = new PendingConfirm(channel, seq);
          queue.awaitStore(held);
          channel.holdConfirm(held);
        } else {
          channel.confirmPublish(seq, accepted);
        }
        return;
      }
    }
    const router = this.router;
    const queues = router.acquire();
    router.route(this, exchange, msg, queues);
    let routed = queues.length > 0;
    const replies = router.replyKeys;
    for (let i = 0; i < replies.length; i++) {
      const target = this.replyTargets.get(replies[i]!.slice(DIRECT_REPLY_PREFIX.length));
      if (target === undefined) continue;
      target.deliverReply(msg);
      if (this.options.directReplyCountsAsRouted) routed = true;
    }
    if (this.tracing && exchange.name !== TRACE_EXCHANGE) {
      this.trace(tracePublish(msg, channel.traceContext, queues.map((q) => q.name)), nowMs);
    }
    let refused = false;
    let held: PendingConfirm | null = null;
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[i]!;
      if (!queue.enqueue(msg, nowMs)) refused = true;
      else if (seq > 0 && queue.store !== null) {
        held ??= new PendingConfirm(channel, seq);
        queue.awaitStore(held);
      }
    }
    router.release(queues);
    if (!routed && mandatory) channel.connection.sink.returned(channel.number, NO_ROUTE.code, NO_ROUTE.text, msg);
    if (seq === 0) return;
    if (held === null) {
      channel.confirmPublish(seq, !refused);
    } else {
      if (refused) held.ack = false;
      channel.holdConfirm(held);
    }
  }

  /** The queue the default exchange routes `key` to, or undefined (no such queue, or a direct reply-to key). */
  private defaultExchangeTarget(key: string): Queue | undefined {
    const cached = this.defaultTarget;
    if (cached !== undefined && cached.name === key && !cached.deleted) return cached;
    if (key.startsWith(DIRECT_REPLY_PREFIX)) return undefined;
    const queue = this.queues.get(key);
    this.defaultTarget = queue;
    return queue;
  }

  /**
   * A queue's store committed every entry up to `throughSeq` (in order): they become deliverable and
   * the publishes waiting on them may be confirmed. Called by the store's host, between methods.
   */
  storeCommitted(queue: Queue, throughSeq: number, nowMs: number): void {
    if (queue.deleted) return;
    queue.storeDecided(throughSeq, true);
    this.releaseConfirms();
    this.flush(nowMs);
  }

  /**
   * A queue's store gave up on every undecided entry up to `throughSeq`: they leave the queue
   * undelivered, and the publishes waiting on them are nacked (as RabbitMQ nacks what a quorum
   * queue could not commit).
   */
  storeFailed(queue: Queue, throughSeq: number, nowMs: number): void {
    if (queue.deleted) return;
    queue.storeDecided(throughSeq, false);
    this.releaseConfirms();
    this.flush(nowMs);
  }

  storeAnswered(confirm: PendingConfirm, ack: boolean): void {
    if (!ack) confirm.ack = false;
    if (--confirm.waiting === 0) this.confirmsDue.add(confirm.channel);
  }

  /** Sends the confirms store answers have completed (see Channel.releaseConfirms). */
  releaseConfirms(): void {
    if (this.confirmsDue.size === 0) return;
    for (const channel of this.confirmsDue) channel.releaseConfirms();
    this.confirmsDue.clear();
  }

  /** Dead-letters a message leaving `queue`, if the queue has a dead-letter exchange that exists. */
  deadLetter(queue: Queue, msg: Message, reason: DeathReason, nowMs: number): void {
    const exchangeName = queue.settings.deadLetterExchange;
    if (exchangeName === undefined) return;
    const exchange = this.exchanges.get(exchangeName);
    if (exchange === undefined) return;
    const dead = deadLetteredMessage(
      msg,
      reason,
      queue.name,
      { exchange: exchangeName, routingKey: queue.settings.deadLetterRoutingKey, lastDeathHeaders: this.options.lastDeathHeaders },
      nowMs,
    );
    const router = this.router;
    const queues = router.acquire();
    router.route(this, exchange, dead, queues);
    const replies = router.replyKeys;
    for (let i = 0; i < replies.length; i++) this.replyTargets.get(replies[i]!.slice(DIRECT_REPLY_PREFIX.length))?.deliverReply(dead);
    for (let i = 0; i < queues.length; i++) {
      const target = queues[i]!;
      if (!isDeadLetterCycle(dead, reason, target.name)) target.enqueue(dead, nowMs);
    }
    router.release(queues);
  }

  /** The firehose copy of a delivery (consumer or basic.get), when tracing is on. */
  traceDelivery(channel: Channel, queue: Queue, msg: Message, redelivered: boolean, nowMs: number): void {
    if (!this.tracing || msg.exchange === TRACE_EXCHANGE) return;
    this.trace(traceDeliver(msg, queue.name, redelivered, channel.traceContext), nowMs);
  }

  private trace(msg: Message, nowMs: number): void {
    const exchange = this.exchanges.get(TRACE_EXCHANGE);
    if (exchange === undefined) return;
    const router = this.router;
    const queues = router.acquire();
    router.route(this, exchange, msg, queues);
    for (let i = 0; i < queues.length; i++) queues[i]!.enqueue(msg, nowMs);
    router.release(queues);
  }
}
