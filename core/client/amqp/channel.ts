/**
 * amqplib's promise-API Channel: the same methods, options, replies, events ('error', 'close',
 * 'return', 'drain') and errors, over an {@link AmqpTransportConnection}.
 *
 * Invariants, as amqplib keeps them:
 * - RPC replies resolve in call order; a consumer's callback is registered when its consume-ok
 *   arrives, before any delivery to it.
 * - When the broker closes the channel (a soft error), the RPC awaiting a reply rejects with the
 *   close (`code` = reply code), 'error' and then 'close' are emitted, later RPCs reject and
 *   fire-and-forget methods throw {@link IllegalOperationError} "Channel closed".
 * - After close() starts, deliveries and returns are dropped.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { AmqpError, AmqpMethodName } from '../../errors/index.js';
import { channelClosedError, channelEndedError, IllegalOperationError, rpcClosedError } from './errors.js';
import { brokerPublishOptions, consumeMessage, getMessage, publishedBody, returnMessage } from './message.js';
import { kCancelled, kConfirm, kConnectionClosed, kDeliver, kDrain, kOpen, kRelease, kReply, kReplyError, kReturned, kServerClosed } from './symbols.js';
import type { AmqpReply, AmqpRequest, AmqpRpcMethods, AmqpRpcName, AmqpTransportConnection, TransportMessage } from './transport.js';
import type {
  AssertExchangeOptions,
  AssertExchangeReply,
  AssertQueueOptions,
  AssertQueueReply,
  ConsumeOptions,
  ConsumeReply,
  Deliverable,
  DeleteExchangeOptions,
  DeleteQueueOptions,
  EmptyReply,
  GetMessage,
  GetOptions,
  MessageCountReply,
  OnMessage,
  PublishOptions,
} from './types.js';
import type { FieldTable } from '../../routing/index.js';

/** The AMQP method of each RPC, for amqplib's "Operation failed: QueueDeclare; ..." text. */
const RPC_METHOD: { readonly [M in AmqpRpcName]: AmqpMethodName | null } = {
  openChannel: 'channel.open',
  closeChannel: null,
  confirmSelect: 'confirm.select',
  assertExchange: 'exchange.declare',
  checkExchange: 'exchange.declare',
  deleteExchange: 'exchange.delete',
  bindExchange: 'exchange.bind',
  unbindExchange: 'exchange.unbind',
  assertQueue: 'queue.declare',
  checkQueue: 'queue.declare',
  deleteQueue: 'queue.delete',
  purgeQueue: 'queue.purge',
  bindQueue: 'queue.bind',
  unbindQueue: 'queue.unbind',
  consume: 'basic.consume',
  cancel: 'basic.cancel',
  get: 'basic.get',
  qos: 'basic.qos',
  recover: 'basic.recover',
};

interface PendingRpc {
  readonly method: AmqpMethodName | null;
  /** The client's own channel.close: settled by close-ok, or by the connection closing. */
  readonly close: boolean;
  readonly resolve: (reply: AmqpReply) => void;
  readonly reject: (error: Error) => void;
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

/** What a channel needs of its connection. */
export interface ChannelOwner {
  [kRelease](channel: number): void;
}

export class Channel extends EventEmitter {
  /** The channel number, as amqplib's `ch`. */
  readonly ch: number;
  readonly #owner: ChannelOwner;
  readonly #transport: AmqpTransportConnection;
  readonly #pending: PendingRpc[] = [];
  readonly #consumers = new Map<string, OnMessage>();
  /** The consumer the last delivery went to (null: none); cleared whenever #consumers changes. */
  #lastTag: string | null = null;
  #lastOnMessage: OnMessage | undefined;
  #state = OPEN;
  #stateMessage = 'Channel closed';

  /** @internal Channels come from `connection.createChannel()`. */
  constructor(owner: ChannelOwner, transport: AmqpTransportConnection, ch: number) {
    super();
    this.#owner = owner;
    this.#transport = transport;
    this.ch = ch;
  }

  /** @internal channel.open, and confirm.select for a confirm channel. */
  async [kOpen](confirm: boolean): Promise<void> {
    await this.#rpc('openChannel', []);
    if (confirm) await this.#rpc('confirmSelect', []);
  }

  // -------------------------------------------------------------------------------------------
  // Exchanges and queues

  assertExchange(exchange: string, type: string, options?: AssertExchangeOptions): Promise<AssertExchangeReply> {
    return this.#rpc('assertExchange', [exchange, type, options]).then(() => ({ exchange }));
  }

  checkExchange(exchange: string): Promise<EmptyReply> {
    return this.#rpc('checkExchange', [exchange]);
  }

  deleteExchange(exchange: string, options?: DeleteExchangeOptions): Promise<EmptyReply> {
    return this.#rpc('deleteExchange', [exchange, options]);
  }

  /** exchange.bind: messages flow from `source` to `destination`. */
  bindExchange(destination: string, source: string, pattern: string, args?: FieldTable): Promise<EmptyReply> {
    return this.#rpc('bindExchange', [destination, source, pattern, args]);
  }

  unbindExchange(destination: string, source: string, pattern: string, args?: FieldTable): Promise<EmptyReply> {
    return this.#rpc('unbindExchange', [destination, source, pattern, args]);
  }

  /** queue.declare; '' (or no name) asks the broker for a server-named queue. */
  assertQueue(queue?: string, options?: AssertQueueOptions): Promise<AssertQueueReply> {
    return this.#rpc('assertQueue', [queue ?? '', options]);
  }

  checkQueue(queue: string): Promise<AssertQueueReply> {
    return this.#rpc('checkQueue', [queue]);
  }

  deleteQueue(queue: string, options?: DeleteQueueOptions): Promise<MessageCountReply> {
    return this.#rpc('deleteQueue', [queue, options]);
  }

  purgeQueue(queue: string): Promise<MessageCountReply> {
    return this.#rpc('purgeQueue', [queue]);
  }

  bindQueue(queue: string, source: string, pattern: string, args?: FieldTable): Promise<EmptyReply> {
    return this.#rpc('bindQueue', [queue, source, pattern, args]);
  }

  unbindQueue(queue: string, source: string, pattern: string, args?: FieldTable): Promise<EmptyReply> {
    return this.#rpc('unbindQueue', [queue, source, pattern, args]);
  }

  // -------------------------------------------------------------------------------------------
  // Publishing

  /**
   * basic.publish. Returns false, as amqplib does when its write buffer is full, when the transport
   * holds too much (the message is still sent): wait for 'drain' before publishing more. The
   * in-process transport has no buffer and always returns true. Throws IllegalOperationError once
   * the channel is closed.
   */
  publish(exchange: string, routingKey: string, content: Buffer, options?: PublishOptions): boolean {
    if (this.#state !== OPEN) throw new IllegalOperationError(this.#stateMessage);
    if (!Buffer.isBuffer(content)) throw new TypeError('content is not a buffer');
    return this.#transport.publish(this.ch, exchange, routingKey, publishedBody(content), options === undefined ? undefined : brokerPublishOptions(options));
  }

  sendToQueue(queue: string, content: Buffer, options?: PublishOptions): boolean {
    return this.publish('', queue, content, options);
  }

  // -------------------------------------------------------------------------------------------
  // Consuming

  /** basic.consume. `onMessage` gets each delivery, and null if the broker cancels the consumer. */
  consume(queue: string, onMessage: OnMessage, options?: ConsumeOptions): Promise<ConsumeReply> {
    return new Promise<ConsumeReply>((resolve, reject) => {
      this.#call('consume', [queue, options], (reply) => {
        this.#consumers.set(reply.consumerTag, onMessage);
        this.#lastTag = null;
        resolve({ consumerTag: reply.consumerTag });
      }, reject);
    });
  }

  cancel(consumerTag: string): Promise<ConsumeReply> {
    return new Promise<ConsumeReply>((resolve, reject) => {
      this.#call('cancel', [consumerTag], (reply) => {
        this.#consumers.delete(consumerTag);
        this.#lastTag = null;
        resolve(reply);
      }, reject);
    });
  }

  /** basic.get: a message, or false when the queue has none ready. */
  get(queue: string, options?: GetOptions): Promise<GetMessage | false> {
    return this.#rpc('get', [queue, options]).then((ok) => (ok === false ? false : getMessage(ok)));
  }

  ack(message: Deliverable, allUpTo?: boolean): void {
    if (this.#state !== OPEN) throw new IllegalOperationError(this.#stateMessage);
    this.#transport.ack(this.ch, message.fields.deliveryTag, allUpTo === true);
  }

  ackAll(): void {
    if (this.#state !== OPEN) throw new IllegalOperationError(this.#stateMessage);
    this.#transport.ack(this.ch, 0, true);
  }

  /** basic.nack; requeue defaults to true. */
  nack(message: Deliverable, allUpTo?: boolean, requeue?: boolean): void {
    if (this.#state !== OPEN) throw new IllegalOperationError(this.#stateMessage);
    this.#transport.nack(this.ch, message.fields.deliveryTag, allUpTo === true, requeue ?? true);
  }

  nackAll(requeue?: boolean): void {
    if (this.#state !== OPEN) throw new IllegalOperationError(this.#stateMessage);
    this.#transport.nack(this.ch, 0, true, requeue ?? true);
  }

  /** basic.reject; requeue defaults to true. */
  reject(message: Deliverable, requeue?: boolean): void {
    if (this.#state !== OPEN) throw new IllegalOperationError(this.#stateMessage);
    this.#transport.reject(this.ch, message.fields.deliveryTag, requeue ?? true);
  }

  /** basic.qos: per consumer (consumers created afterwards), or for the channel with `global`. */
  prefetch(count: number, global?: boolean): Promise<EmptyReply> {
    return this.#rpc('qos', [count || 0, global === true]);
  }

  qos(count: number, global?: boolean): Promise<EmptyReply> {
    return this.prefetch(count, global);
  }

  /** basic.recover: every unacked delivery of the channel is requeued. */
  recover(): Promise<EmptyReply> {
    return this.#rpc('recover', []);
  }

  /** channel.close: resolves once the broker has closed it; unacked deliveries are requeued. */
  close(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#state !== OPEN) {
        reject(new IllegalOperationError(this.#stateMessage));
        return;
      }
      this.#state = CLOSING;
      this.#stateMessage = 'Channel closing';
      this.#pending.push({ method: null, close: true, resolve: () => resolve(), reject });
      this.#transport.request(this.ch, { method: 'closeChannel', args: [] });
    });
  }

  // -------------------------------------------------------------------------------------------
  // From the broker (called by the connection)

  /** @internal */
  [kReply](reply: AmqpReply): void {
    const pending = this.#pending.shift();
    if (pending === undefined) return;
    if (pending.close) this.#toClosed();
    pending.resolve(reply);
  }

  /** @internal */
  [kReplyError](error: AmqpError): void {
    this.#pending.shift()?.reject(error);
  }

  /** @internal */
  [kDeliver](consumerTag: string, deliveryTag: number, redelivered: boolean, msg: TransportMessage): void {
    if (this.#state !== OPEN) return;
    let onMessage: OnMessage | undefined;
    if (consumerTag === this.#lastTag) {
      onMessage = this.#lastOnMessage;
    } else {
      onMessage = this.#consumers.get(consumerTag);
      this.#lastTag = consumerTag;
      this.#lastOnMessage = onMessage;
    }
    if (onMessage !== undefined) onMessage(consumeMessage(consumerTag, deliveryTag, redelivered, msg));
  }

  /** @internal */
  [kReturned](replyCode: number, replyText: string, msg: TransportMessage): void {
    if (this.#state !== OPEN) return;
    this.emit('return', returnMessage(replyCode, replyText, msg));
  }

  /** @internal Confirms matter only to a ConfirmChannel. */
  [kConfirm](_deliveryTag: number, _multiple: boolean, _ack: boolean): void {}

  /** @internal basic.cancel from the broker: the callback hears null, as amqplib's does. */
  [kCancelled](consumerTag: string): void {
    const onMessage = this.#consumers.get(consumerTag);
    this.#consumers.delete(consumerTag);
    this.#lastTag = null;
    if (onMessage !== undefined && this.#state === OPEN) onMessage(null);
  }

  /** @internal channel.close from the broker: a soft error. */
  [kServerClosed](error: AmqpError): void {
    if (this.#state === CLOSED) return;
    if (this.#state === CLOSING) {
      // Both sides closed at once: only our close's close-ok is still to come.
      const pending = this.#pending;
      while (pending.length > 1) pending.shift()!.reject(channelEndedError());
      return;
    }
    const first = this.#pending.shift();
    if (first !== undefined) first.reject(first.method === null ? channelClosedError(error) : rpcClosedError(first.method, error));
    this.#state = CLOSED;
    this.#stateMessage = 'Channel closed';
    try {
      this.emit('error', channelClosedError(error));
    } finally {
      this.#toClosed();
    }
  }

  /** @internal The transport has room again after a publish returned false. */
  [kDrain](): void {
    if (this.#state === OPEN) this.emit('drain');
  }

  /** @internal The connection closed: no 'error' on the channel, only 'close'. */
  [kConnectionClosed](): void {
    if (this.#state === CLOSED && this.#pending.length === 0) return;
    this.#toClosed();
  }

  // -------------------------------------------------------------------------------------------

  #toClosed(): void {
    this.#state = CLOSED;
    this.#stateMessage = 'Channel closed';
    const pending = this.#pending.splice(0);
    for (const p of pending) {
      if (p.close) p.resolve({});
      else p.reject(channelEndedError());
    }
    this.#consumers.clear();
    this.#lastTag = null;
    this.#owner[kRelease](this.ch);
    this.emit('close');
  }

  #rpc<M extends AmqpRpcName>(method: M, args: AmqpRpcMethods[M]['args']): Promise<AmqpRpcMethods[M]['reply']> {
    return new Promise((resolve, reject) => this.#call(method, args, resolve, reject));
  }

  #call<M extends AmqpRpcName>(
    method: M,
    args: AmqpRpcMethods[M]['args'],
    resolve: (reply: AmqpRpcMethods[M]['reply']) => void,
    reject: (error: Error) => void,
  ): void {
    if (this.#state !== OPEN) {
      reject(new IllegalOperationError(this.#stateMessage));
      return;
    }
    // The reply is the one M's request gets: the transport answers requests in order.
    this.#pending.push({ method: RPC_METHOD[method], close: false, resolve, reject });
    this.#transport.request(this.ch, { method, args } as AmqpRequest);
  }
}
