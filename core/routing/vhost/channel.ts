/**
 * An AMQP channel: the methods a client calls (named as amqplib names them, with the current time
 * first), its delivery tags, unacked deliveries, consumers, prefetch, and confirm or tx mode.
 *
 * Invariants:
 * - Delivery tags start at 1 and increase by one per delivery (consumer, basic.get, direct reply).
 * - Each unacked delivery is settled exactly once: ack, nack/reject (requeue or dead-letter), or
 *   requeue when the channel closes. Requeued messages return to their original queue position
 *   with redelivered = true.
 * - In confirm mode publishes are numbered from 1 and each is acked or nacked exactly once, after
 *   any basic.return: during the publish, unless it reached a queue with a store (a quorum queue),
 *   whose confirm waits for the store (queue-store.ts). Confirms go out in publish order.
 * - A refused method changes nothing. A channel error (soft, e.g. 404, 406) closes this channel:
 *   its unacked deliveries are requeued and the sink hears channel.close. A connection error (hard,
 *   e.g. 530, 540) closes the whole connection. A FRAME_ERROR from an over-long name is the
 *   client's encoding failure (names.ts) and closes nothing. The error is also thrown to the caller.
 */
import { AmqpError, MqlabInternalError, type AmqpMethodName } from '../../errors/index.js';
import { assertShortstr, type FieldTable } from '../index.js';
import { parseExpiration } from './args.js';
import type { Connection } from './connection.js';
import { Consumer } from './consumer.js';
import {
  consumerTagReused,
  exclusiveConsumerUse,
  internalExchangePublish,
  messageTooLarge,
  noExchange,
  noPreviousQueue,
  noQueue,
  notImplemented,
  preconditionFailed,
  unknownDeliveryTag,
} from './errors.js';
import type { Exchange } from './exchange.js';
import { extraRoutingKeys, Message, messagePropertiesOf, type MessageProperties, type PublishOptions } from './message.js';
import { MAX_MESSAGE_SIZE_CAP } from './options.js';
import type { Queue } from './queue.js';
import { PendingConfirm } from './queue-store.js';
import { DIRECT_REPLY_PREFIX, DIRECT_REPLY_TO } from './route.js';
import {
  bindExchange,
  bindQueue,
  checkExchange,
  checkExclusiveAccess,
  checkQueue,
  declareExchange,
  declareQueue,
  deleteExchange,
  deleteQueue,
  purgeQueue,
  removeQueue,
  unbindExchange,
  unbindQueue,
  type AssertExchangeOptions,
  type AssertQueueOptions,
  type DeleteExchangeOptions,
  type DeleteQueueOptions,
  type QueueDeclareOk,
} from './topology.js';
import type { TraceContext } from './trace.js';
import { UnackedLog } from './unacked.js';
import type { VirtualHost } from './vhost.js';

/** basic.consume options, as amqplib's consume takes them. */
export interface ConsumeOptions {
  readonly consumerTag?: string;
  readonly noLocal?: boolean;
  readonly noAck?: boolean;
  readonly exclusive?: boolean;
  /** Consumer priority (x-priority); stored, not yet acted on. */
  readonly priority?: number;
  readonly arguments?: FieldTable;
}

/** basic.get's answer, shaped like amqplib's GetMessage (plus the shared Message). */
export interface GetMessage {
  readonly fields: {
    readonly deliveryTag: number;
    readonly redelivered: boolean;
    readonly exchange: string;
    readonly routingKey: string;
    /** Ready messages left in the queue. */
    readonly messageCount: number;
  };
  readonly properties: MessageProperties;
  readonly content: Uint8Array;
  readonly message: Message;
}

export type ChannelMode = 'none' | 'confirm' | 'tx';

type Outcome = 'ack' | 'requeue' | 'reject';

/** An ack/nack/reject taken inside a transaction, applied at tx.commit. */
interface PendingSettle {
  readonly tag: number;
  readonly msg: Message;
  readonly queue: Queue;
  readonly consumer: Consumer | null;
  readonly seq: number;
  readonly expiresAt: number;
  readonly outcome: Outcome;
}

interface PendingPublish {
  readonly exchange: Exchange;
  readonly msg: Message;
  readonly mandatory: boolean;
}

interface ReplyConsumer {
  readonly tag: string;
  readonly suffix: string;
}

export class Channel {
  readonly vhost: VirtualHost;
  readonly unacked = new UnackedLog();
  readonly consumers = new Map<string, Consumer>();
  readonly traceContext: TraceContext;
  nextDeliveryTag = 1;
  /** basic.qos global=false: the prefetch of consumers created from now on (0: unlimited). */
  prefetchCount = 0;
  /** basic.qos global=true: the limit over all manual-ack consumers of the channel (0: unlimited). */
  prefetchGlobal = 0;
  /** Unacked deliveries to this channel's consumers (basic.get ones excluded). */
  consumerUnacked = 0;
  mode: ChannelMode = 'none';
  /** The queue the last queue.declare named, for "" in later methods. */
  lastQueue: string | undefined;
  replyConsumer: ReplyConsumer | undefined;
  closed = false;
  private nextPublishSeq = 1;
  /** The exchange the last publish went to, so that a run of publishes to one exchange skips the lookup. */
  private lastExchange: Exchange | undefined;
  private txPublishes: PendingPublish[] = [];
  private txSettles: PendingSettle[] = [];
  /**
   * Confirms not yet sent, in publish order, from the first one waiting on a store; empty in the
   * usual case, when every confirm goes out during its publish.
   */
  private heldConfirms: PendingConfirm[] = [];

  constructor(
    readonly connection: Connection,
    readonly number: number,
  ) {
    this.vhost = connection.vhost;
    this.traceContext = {
      vhost: this.vhost.name,
      node: this.vhost.options.node,
      connection: connection.name,
      channel: number,
      user: connection.user,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Exchanges and queues

  assertExchange(nowMs: number, exchange: string, type: string, options?: AssertExchangeOptions): { exchange: string } {
    this.ensureOpen();
    try {
      return declareExchange(this.vhost, exchange, type, options);
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  checkExchange(nowMs: number, exchange: string): { exchange: string } {
    this.ensureOpen();
    try {
      checkExchange(this.vhost, exchange);
      return { exchange };
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  deleteExchange(nowMs: number, exchange: string, options?: DeleteExchangeOptions): Record<string, never> {
    this.ensureOpen();
    try {
      deleteExchange(this.vhost, exchange, options);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /** exchange.bind, in amqplib's argument order: messages flow from `source` to `destination`. */
  bindExchange(nowMs: number, destination: string, source: string, pattern: string, args?: FieldTable): Record<string, never> {
    this.ensureOpen();
    try {
      bindExchange(this.vhost, destination, source, pattern, args);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  unbindExchange(nowMs: number, destination: string, source: string, pattern: string, args?: FieldTable): Record<string, never> {
    this.ensureOpen();
    try {
      unbindExchange(this.vhost, destination, source, pattern, args);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  assertQueue(nowMs: number, queue: string, options?: AssertQueueOptions): QueueDeclareOk {
    this.ensureOpen();
    try {
      const ok = declareQueue(this.vhost, this, nowMs, queue, options);
      this.vhost.flush(nowMs);
      return ok;
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  checkQueue(nowMs: number, queue: string): QueueDeclareOk {
    this.ensureOpen();
    try {
      const ok = checkQueue(this.vhost, this, nowMs, queue);
      this.vhost.flush(nowMs);
      return ok;
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  deleteQueue(nowMs: number, queue: string, options?: DeleteQueueOptions): { messageCount: number } {
    this.ensureOpen();
    try {
      const ok = deleteQueue(this.vhost, this, nowMs, queue, options);
      this.vhost.flush(nowMs);
      return ok;
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  purgeQueue(nowMs: number, queue: string): { messageCount: number } {
    this.ensureOpen();
    try {
      const ok = purgeQueue(this.vhost, this, nowMs, queue);
      this.vhost.flush(nowMs);
      return ok;
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  bindQueue(nowMs: number, queue: string, source: string, pattern: string, args?: FieldTable): Record<string, never> {
    this.ensureOpen();
    try {
      bindQueue(this.vhost, this, queue, source, pattern, args);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  unbindQueue(nowMs: number, queue: string, source: string, pattern: string, args?: FieldTable): Record<string, never> {
    this.ensureOpen();
    try {
      unbindQueue(this.vhost, this, queue, source, pattern, args);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Publishing

  /**
   * basic.publish. Returns the publish sequence number in confirm mode (the tag its basic.ack or
   * basic.nack will carry), else 0. The body is kept by reference, not copied: do not reuse it.
   */
  publish(nowMs: number, exchange: string, routingKey: string, content: Uint8Array, options?: PublishOptions): number {
    this.ensureOpen();
    try {
      assertShortstr('exchange', exchange);
      assertShortstr('routingKey', routingKey);
      if (options?.immediate === true) throw notImplemented('immediate=true', 'basic.publish');
      const vhost = this.vhost;
      const max = vhost.options.maxMessageSize;
      if (content.length > max) throw messageTooLarge(content.length, max, MAX_MESSAGE_SIZE_CAP);
      let target = this.lastExchange;
      if (target === undefined || target.name !== exchange || target.deleted) {
        target = vhost.exchanges.get(exchange);
        if (target === undefined) throw noExchange(exchange, vhost.name, 'basic.publish');
        this.lastExchange = target;
      }
      if (target.internal) throw internalExchangePublish(exchange, vhost.name);
      const ttl = options?.expiration === undefined ? -1 : parseExpiration(options.expiration);
      let replyTo: string | undefined;
      if (options?.replyTo === DIRECT_REPLY_TO) {
        if (this.replyConsumer === undefined) throw preconditionFailed('fast reply consumer does not exist', 'basic.publish');
        replyTo = DIRECT_REPLY_PREFIX + this.replyConsumer.suffix;
      }
      const extra = extraRoutingKeys(options);
      const properties = messagePropertiesOf(options, replyTo);
      const msg = new Message(vhost.stats, exchange, routingKey, extra?.keys ?? null, extra?.ccCount ?? 0, properties, content, ttl);
      const mandatory = options?.mandatory === true;
      if (this.mode === 'tx') {
        this.txPublishes.push({ exchange: target, msg, mandatory });
        return 0;
      }
      const seq = this.mode === 'confirm' ? this.nextPublishSeq++ : 0;
      vhost.publishMessage(this, target, msg, mandatory, seq, nowMs);
      vhost.flush(nowMs);
      return seq;
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /** basic.publish to the default exchange, routing key = queue name (amqplib's sendToQueue). */
  sendToQueue(nowMs: number, queue: string, content: Uint8Array, options?: PublishOptions): number {
    return this.publish(nowMs, '', queue, content, options);
  }

  // -------------------------------------------------------------------------------------------
  // Consuming

  consume(nowMs: number, queue: string, options: ConsumeOptions = {}): { consumerTag: string } {
    this.ensureOpen();
    try {
      const method = 'basic.consume';
      const vhost = this.vhost;
      const requestedTag = options.consumerTag ?? '';
      assertShortstr('queue', queue);
      assertShortstr('consumerTag', requestedTag);
      if (requestedTag !== '' && (this.consumers.has(requestedTag) || this.replyConsumer?.tag === requestedTag)) {
        throw consumerTagReused(requestedTag);
      }
      const noAck = options.noAck === true;
      if (queue === DIRECT_REPLY_TO) {
        if (!noAck) throw preconditionFailed('reply consumer cannot acknowledge', method);
        if (this.replyConsumer !== undefined) throw preconditionFailed('reply consumer already set', method);
        const tag = requestedTag === '' ? `amq.ctag-${vhost.options.randomId()}` : requestedTag;
        const suffix = vhost.options.randomId();
        this.replyConsumer = { tag, suffix };
        vhost.replyTargets.set(suffix, this);
        return { consumerTag: tag };
      }
      const name = this.resolveQueueName(queue, method);
      const target = vhost.queues.get(name);
      if (target === undefined) throw noQueue(name, vhost.name, method);
      checkExclusiveAccess(vhost, target, this.connection, method);
      const exclusive = options.exclusive === true;
      if (target.hasExclusiveConsumer() || (exclusive && target.consumerCount > 0)) throw exclusiveConsumerUse(name, vhost.name);
      const tag = requestedTag === '' ? `amq.ctag-${vhost.options.randomId()}` : requestedTag;
      let args = options.arguments;
      if (options.priority !== undefined) args = { ...args, 'x-priority': options.priority };
      const consumer = new Consumer(tag, this, target, noAck, exclusive, this.prefetchCount, args);
      this.consumers.set(tag, consumer);
      target.addConsumer(consumer, nowMs);
      vhost.flush(nowMs);
      return { consumerTag: tag };
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /**
   * basic.cancel: deliveries already sent stay unacked (and can still be acked). An auto-delete
   * queue goes when its last consumer does. An unknown tag is not an error.
   */
  cancel(nowMs: number, consumerTag: string): { consumerTag: string } {
    this.ensureOpen();
    try {
      if (this.replyConsumer?.tag === consumerTag) {
        this.vhost.replyTargets.delete(this.replyConsumer.suffix);
        this.replyConsumer = undefined;
        return { consumerTag };
      }
      const consumer = this.consumers.get(consumerTag);
      if (consumer === undefined) return { consumerTag };
      this.consumers.delete(consumerTag);
      this.dropConsumer(consumer, nowMs);
      this.scheduleConsumerQueues();
      this.vhost.flush(nowMs);
      return { consumerTag };
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /** basic.get: ignores prefetch. False when the queue has no ready message. */
  get(nowMs: number, queue: string, options: { noAck?: boolean } = {}): GetMessage | false {
    this.ensureOpen();
    try {
      const method = 'basic.get';
      const vhost = this.vhost;
      assertShortstr('queue', queue);
      const name = this.resolveQueueName(queue, method);
      const source = vhost.queues.get(name);
      if (source === undefined) throw noQueue(name, vhost.name, method);
      checkExclusiveAccess(vhost, source, this.connection, method);
      source.lastUsedMs = nowMs;
      const msg = source.take(nowMs);
      if (msg === undefined) {
        vhost.flush(nowMs);
        return false;
      }
      const { seq, expiresAt, redelivered } = source.taken;
      const tag = this.nextDeliveryTag++;
      const noAck = options.noAck === true;
      if (!noAck) {
        this.unacked.push(tag, msg, source, null, seq, expiresAt);
        source.unacked++;
      }
      vhost.traceDelivery(this, source, msg, redelivered, nowMs);
      const result: GetMessage = {
        fields: { deliveryTag: tag, redelivered, exchange: msg.exchange, routingKey: msg.routingKey, messageCount: source.messageCount },
        properties: msg.properties,
        content: msg.body,
        message: msg,
      };
      if (noAck) {
        msg.release();
        source.settled(seq);
      }
      vhost.flush(nowMs);
      return result;
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /** Sends a delivery from `queue` to one of this channel's consumers (called by the queue). */
  deliverToConsumer(consumer: Consumer, queue: Queue, msg: Message, seq: number, expiresAt: number, redelivered: boolean, nowMs: number): void {
    const tag = this.nextDeliveryTag++;
    if (!consumer.noAck) {
      this.unacked.push(tag, msg, queue, consumer, seq, expiresAt);
      consumer.unacked++;
      this.consumerUnacked++;
      queue.unacked++;
    }
    this.connection.sink.deliver(this.number, consumer.tag, tag, redelivered, msg);
    if (consumer.noAck) {
      msg.release();
      if (queue.store !== null) queue.store.settle(seq);
    }
    if (this.vhost.tracing) this.vhost.traceDelivery(this, queue, msg, redelivered, nowMs);
  }

  /** Delivers a direct reply-to reply to this channel's reply consumer. */
  deliverReply(msg: Message): void {
    const reply = this.replyConsumer;
    if (reply === undefined) return;
    this.connection.sink.deliver(this.number, reply.tag, this.nextDeliveryTag++, false, msg);
  }

  /** True while the channel's global prefetch leaves room for another delivery. */
  hasGlobalCredit(): boolean {
    return this.prefetchGlobal === 0 || this.consumerUnacked < this.prefetchGlobal;
  }

  // -------------------------------------------------------------------------------------------
  // Acknowledgements

  /** basic.ack; `allUpTo` is AMQP's multiple flag. ack(0, true) acks everything outstanding. */
  ack(nowMs: number, deliveryTag: number, allUpTo = false): void {
    this.settleMethod(nowMs, deliveryTag, allUpTo, 'ack', 'basic.ack');
  }

  ackAll(nowMs: number): void {
    this.settleMethod(nowMs, 0, true, 'ack', 'basic.ack');
  }

  /** basic.nack: requeue (default) or dead-letter/discard. */
  nack(nowMs: number, deliveryTag: number, allUpTo = false, requeue = true): void {
    this.settleMethod(nowMs, deliveryTag, allUpTo, requeue ? 'requeue' : 'reject', 'basic.nack');
  }

  nackAll(nowMs: number, requeue = true): void {
    this.settleMethod(nowMs, 0, true, requeue ? 'requeue' : 'reject', 'basic.nack');
  }

  /** basic.reject: one delivery, requeued (default) or dead-lettered/discarded. */
  reject(nowMs: number, deliveryTag: number, requeue = true): void {
    this.settleMethod(nowMs, deliveryTag, false, requeue ? 'requeue' : 'reject', 'basic.reject');
  }

  /** basic.recover: requeues every unacked delivery. requeue=false is 540 in RabbitMQ. */
  recover(nowMs: number, requeue = true): Record<string, never> {
    this.ensureOpen();
    try {
      if (!requeue) throw notImplemented('requeue=false', 'basic.recover');
      this.requeueAllUnacked();
      this.scheduleConsumerQueues();
      this.vhost.flush(nowMs);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  private settleMethod(nowMs: number, deliveryTag: number, allUpTo: boolean, outcome: Outcome, method: AmqpMethodName): void {
    this.ensureOpen();
    try {
      const log = this.unacked;
      let last: number;
      if (allUpTo && deliveryTag === 0) {
        last = log.tail - 1;
      } else {
        last = log.indexOf(deliveryTag);
        if (last < 0) throw unknownDeliveryTag(deliveryTag, method);
      }
      const first = allUpTo ? log.head : last;
      for (let slot = first; slot <= last; slot++) {
        if (!log.isLive(slot)) continue;
        if (this.mode === 'tx') this.deferSettle(slot, outcome);
        else this.settleSlot(slot, outcome, nowMs);
      }
      log.compact();
      if (this.mode !== 'tx') {
        if (this.prefetchGlobal > 0) this.scheduleConsumerQueues();
        this.vhost.flush(nowMs);
      }
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /** Applies an outcome to one unacked delivery and frees its credit. */
  private settleSlot(slot: number, outcome: Outcome, nowMs: number): void {
    const log = this.unacked;
    const msg = log.msgs[slot]!;
    const queue = log.queues[slot]!;
    const consumer = log.consumers[slot]!;
    const seq = log.seqs[slot]!;
    const expiresAt = log.expiries[slot]!;
    log.settle(slot);
    this.applyOutcome(msg, queue, consumer, seq, expiresAt, outcome, nowMs);
  }

  private applyOutcome(msg: Message, queue: Queue, consumer: Consumer | null, seq: number, expiresAt: number, outcome: Outcome, nowMs: number): void {
    queue.unacked--;
    if (consumer !== null) {
      consumer.unacked--;
      this.consumerUnacked--;
      if (consumer.active) this.vhost.scheduleDispatch(queue);
    }
    switch (outcome) {
      case 'ack':
        msg.release();
        if (queue.store !== null) queue.store.settle(seq);
        return;
      case 'requeue':
        if (queue.deleted) msg.release();
        else queue.requeue(msg, seq, expiresAt);
        return;
      case 'reject':
        if (!queue.deleted) this.vhost.deadLetter(queue, msg, 'rejected', nowMs);
        msg.release();
        queue.settled(seq);
        return;
      default: {
        const never: never = outcome;
        throw new MqlabInternalError('INTERNAL', `unknown outcome ${String(never)}`);
      }
    }
  }

  private deferSettle(slot: number, outcome: Outcome): void {
    const log = this.unacked;
    this.txSettles.push({
      tag: log.tags[slot]!,
      msg: log.msgs[slot]!,
      queue: log.queues[slot]!,
      consumer: log.consumers[slot]!,
      seq: log.seqs[slot]!,
      expiresAt: log.expiries[slot]!,
      outcome,
    });
    log.settle(slot);
  }

  private requeueAllUnacked(): void {
    const drained = this.unacked.drain();
    for (let i = 0; i < drained.msgs.length; i++) {
      const queue = drained.queues[i]!;
      const msg = drained.msgs[i]!;
      const consumer = drained.consumers[i]!;
      queue.unacked--;
      if (consumer !== null) consumer.unacked--;
      if (queue.deleted) msg.release();
      else queue.requeue(msg, drained.seqs[i]!, drained.expiries[i]!);
    }
    this.consumerUnacked = 0;
  }

  // -------------------------------------------------------------------------------------------
  // QoS, confirms, transactions

  /** The confirm of a publish that waits on no store: now, unless earlier confirms are still held. */
  confirmPublish(seq: number, ack: boolean): void {
    if (this.heldConfirms.length === 0) {
      this.connection.sink.confirm(this.number, seq, false, ack);
      return;
    }
    const confirm = new PendingConfirm(this, seq);
    confirm.ack = ack;
    this.heldConfirms.push(confirm);
  }

  /** Holds the confirm of a publish that waits on stores (it is sent by {@link releaseConfirms}). */
  holdConfirm(confirm: PendingConfirm): void {
    this.heldConfirms.push(confirm);
  }

  /**
   * Sends the held confirms that are decided, in publish order, up to the first still waiting. A run
   * of acks goes out as one basic.ack with multiple set: every earlier publish is confirmed by then.
   */
  releaseConfirms(): void {
    const held = this.heldConfirms;
    if (this.closed) {
      held.length = 0;
      return;
    }
    const sink = this.connection.sink;
    let n = 0;
    let ackRun = 0;
    while (n < held.length && held[n]!.waiting === 0) {
      const confirm = held[n]!;
      if (confirm.ack) {
        ackRun = confirm.seq;
      } else {
        if (ackRun > 0) sink.confirm(this.number, ackRun, true, true);
        ackRun = 0;
        sink.confirm(this.number, confirm.seq, false, false);
      }
      n++;
    }
    if (ackRun > 0) sink.confirm(this.number, ackRun, true, true);
    if (n > 0) this.heldConfirms = held.slice(n);
  }

  /** basic.qos. global=false sets the prefetch of consumers created afterwards; global=true limits the channel. */
  qos(nowMs: number, prefetchCount: number, global = false, prefetchSize = 0): Record<string, never> {
    this.ensureOpen();
    try {
      if (prefetchSize !== 0) throw notImplemented(`prefetch_size!=0 (${prefetchSize})`, 'basic.qos');
      if (global && this.vhost.options.globalQos) {
        this.prefetchGlobal = prefetchCount;
        this.scheduleConsumerQueues();
      } else {
        this.prefetchCount = prefetchCount;
      }
      this.vhost.flush(nowMs);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /** amqplib's name for basic.qos. */
  prefetch(nowMs: number, prefetchCount: number, global = false): Record<string, never> {
    return this.qos(nowMs, prefetchCount, global);
  }

  confirmSelect(nowMs: number): Record<string, never> {
    this.ensureOpen();
    try {
      if (this.mode === 'tx') throw preconditionFailed('cannot switch from tx to confirm mode', 'confirm.select');
      this.mode = 'confirm';
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  txSelect(nowMs: number): Record<string, never> {
    this.ensureOpen();
    try {
      if (this.mode === 'confirm') throw preconditionFailed('cannot switch from confirm to tx mode', 'tx.select');
      this.mode = 'tx';
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /** tx.commit: the transaction's publishes are routed and its acks applied, in order. */
  txCommit(nowMs: number): Record<string, never> {
    this.ensureOpen();
    try {
      if (this.mode !== 'tx') throw preconditionFailed('channel is not transactional', 'tx.commit');
      const publishes = this.txPublishes;
      const settles = this.txSettles;
      this.txPublishes = [];
      this.txSettles = [];
      for (const p of publishes) {
        if (!p.exchange.deleted) this.vhost.publishMessage(this, p.exchange, p.msg, p.mandatory, 0, nowMs);
      }
      for (const s of settles) this.applyOutcome(s.msg, s.queue, s.consumer, s.seq, s.expiresAt, s.outcome, nowMs);
      if (this.prefetchGlobal > 0) this.scheduleConsumerQueues();
      this.vhost.flush(nowMs);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  /** tx.rollback: the transaction's publishes are dropped and its acks undone (still unacked). */
  txRollback(nowMs: number): Record<string, never> {
    this.ensureOpen();
    try {
      if (this.mode !== 'tx') throw preconditionFailed('channel is not transactional', 'tx.rollback');
      const settles = this.txSettles;
      this.txPublishes = [];
      this.txSettles = [];
      for (const s of settles) this.unacked.restore(s.tag, s.msg, s.queue, s.consumer, s.seq, s.expiresAt);
      return {};
    } catch (error) {
      throw this.fail(error, nowMs);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lifetime

  /** channel.close from the client: unacked deliveries are requeued, consumers cancelled. */
  close(nowMs: number): void {
    if (this.closed) return;
    this.teardown(nowMs);
    this.connection.channels.delete(this.number);
    this.vhost.flush(nowMs);
  }

  /** Closes the channel for a channel error; the sink hears channel.close. */
  closeWithError(error: AmqpError, nowMs: number): void {
    if (this.closed) return;
    this.teardown(nowMs);
    this.connection.channels.delete(this.number);
    this.connection.sink.channelClosed(this.number, error);
    this.vhost.flush(nowMs);
  }

  /** Releases everything the channel holds (no sink calls, no flush). */
  teardown(nowMs: number): void {
    this.closed = true;
    if (this.replyConsumer !== undefined) {
      this.vhost.replyTargets.delete(this.replyConsumer.suffix);
      this.replyConsumer = undefined;
    }
    const emptied: Queue[] = [];
    for (const consumer of this.consumers.values()) {
      consumer.active = false;
      if (consumer.queue.removeConsumer(consumer, nowMs)) emptied.push(consumer.queue);
    }
    this.consumers.clear();
    // Undo acks taken inside an open transaction: they were never committed.
    for (const s of this.txSettles) this.unacked.restore(s.tag, s.msg, s.queue, s.consumer, s.seq, s.expiresAt);
    this.txSettles = [];
    this.txPublishes = [];
    // Confirms still held are never sent: the client counts them lost with the channel.
    this.heldConfirms = [];
    this.requeueAllUnacked();
    for (const queue of emptied) {
      if (queue.autoDelete && queue.consumerCount === 0) removeQueue(this.vhost, queue, false);
    }
  }

  /** "" names the queue this channel declared last (404 when there is none). */
  resolveQueueName(name: string, method: AmqpMethodName): string {
    if (name !== '') return name;
    if (this.lastQueue === undefined) throw noPreviousQueue(method);
    return this.lastQueue;
  }

  private dropConsumer(consumer: Consumer, nowMs: number): void {
    consumer.active = false;
    const queue = consumer.queue;
    if (queue.removeConsumer(consumer, nowMs) && queue.autoDelete) removeQueue(this.vhost, queue, false);
  }

  /** Global credit may have changed: every queue this channel consumes from may deliver again. */
  private scheduleConsumerQueues(): void {
    for (const consumer of this.consumers.values()) this.vhost.scheduleDispatch(consumer.queue);
  }

  private ensureOpen(): void {
    if (this.closed) throw new MqlabInternalError('CLOSED', `channel ${this.number} is closed`);
  }

  /** Closes what the error's scope says and returns the error to throw. */
  private fail(error: unknown, nowMs: number): AmqpError {
    const amqp =
      error instanceof AmqpError
        ? error
        : new AmqpError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error));
    if (amqp.type === 'FRAME_ERROR') return amqp;
    if (amqp.scope === 'channel') this.closeWithError(amqp, nowMs);
    else this.connection.closeWithError(amqp, nowMs);
    return amqp;
  }
}
