/**
 * The seam between the amqplib-shaped client and a broker: the client calls an
 * {@link AmqpTransportConnection} and hears back through an {@link AmqpTransportListener}, as an
 * AMQP client writes frames to a socket and reads frames from it. The in-process transport
 * (in-process-transport.ts) calls the VirtualHost directly; a worker-thread transport can replace it
 * without touching the channel code.
 *
 * Contract, as on the wire:
 * - Requests (RPCs) and the fire-and-forget methods (publish, ack, nack, reject) of one channel
 *   reach the broker in call order.
 * - Everything the listener hears for one connection comes in broker order, and asynchronously
 *   (never inside the call that caused it). An RPC's reply comes before the outputs the method
 *   caused (consume-ok before the first delivery).
 * - A refused method gets no reply: the listener hears `channelClosed` (a soft error) or
 *   `connectionClosed` (a hard error) instead. Requests for a channel the broker has already closed
 *   are dropped; the close the listener is about to hear answers them.
 * - A client-side encoding failure (an over-long shortstr, FRAME_ERROR) closes nothing: an RPC gets
 *   it through `replyError`, a publish throws it.
 * - Back-pressure, as a socket's write buffer gives it: `publish` returns false once the transport
 *   holds more than it should (the message is still taken), and the listener hears `drain` for
 *   that channel when there is room again. A transport with no buffer always returns true.
 */
import type { AmqpError } from '../../errors/index.js';
import type { FieldTable, MessageProperties as ModelProperties, PublishOptions as ModelPublishOptions } from '../../routing/index.js';
import type {
  AssertExchangeOptions,
  AssertExchangeReply,
  AssertQueueOptions,
  AssertQueueReply,
  ConsumeOptions,
  ConsumeReply,
  DeleteExchangeOptions,
  DeleteQueueOptions,
  EmptyReply,
  GetOptions,
  MessageCountReply,
} from './types.js';

/** A message as the broker hands it out: shared, read-only. */
export interface TransportMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: ModelProperties;
  readonly body: Uint8Array;
}

/** basic.get-ok: its fields and the message. */
export interface TransportGetOk {
  readonly fields: {
    readonly deliveryTag: number;
    readonly redelivered: boolean;
    readonly exchange: string;
    readonly routingKey: string;
    readonly messageCount: number;
  };
  readonly message: TransportMessage;
}

/** Each RPC by amqplib's method name: its arguments (as amqplib's call takes them) and its reply. */
export interface AmqpRpcMethods {
  openChannel: { args: readonly []; reply: EmptyReply };
  closeChannel: { args: readonly []; reply: EmptyReply };
  confirmSelect: { args: readonly []; reply: EmptyReply };
  assertExchange: { args: readonly [exchange: string, type: string, options: AssertExchangeOptions | undefined]; reply: AssertExchangeReply };
  checkExchange: { args: readonly [exchange: string]; reply: EmptyReply };
  deleteExchange: { args: readonly [exchange: string, options: DeleteExchangeOptions | undefined]; reply: EmptyReply };
  bindExchange: { args: readonly [destination: string, source: string, pattern: string, args: FieldTable | undefined]; reply: EmptyReply };
  unbindExchange: { args: readonly [destination: string, source: string, pattern: string, args: FieldTable | undefined]; reply: EmptyReply };
  assertQueue: { args: readonly [queue: string, options: AssertQueueOptions | undefined]; reply: AssertQueueReply };
  checkQueue: { args: readonly [queue: string]; reply: AssertQueueReply };
  deleteQueue: { args: readonly [queue: string, options: DeleteQueueOptions | undefined]; reply: MessageCountReply };
  purgeQueue: { args: readonly [queue: string]; reply: MessageCountReply };
  bindQueue: { args: readonly [queue: string, source: string, pattern: string, args: FieldTable | undefined]; reply: EmptyReply };
  unbindQueue: { args: readonly [queue: string, source: string, pattern: string, args: FieldTable | undefined]; reply: EmptyReply };
  consume: { args: readonly [queue: string, options: ConsumeOptions | undefined]; reply: ConsumeReply };
  cancel: { args: readonly [consumerTag: string]; reply: ConsumeReply };
  get: { args: readonly [queue: string, options: GetOptions | undefined]; reply: TransportGetOk | false };
  qos: { args: readonly [count: number, global: boolean]; reply: EmptyReply };
  recover: { args: readonly []; reply: EmptyReply };
}

export type AmqpRpcName = keyof AmqpRpcMethods;

export type AmqpRequest = { [M in AmqpRpcName]: { readonly method: M; readonly args: AmqpRpcMethods[M]['args'] } }[AmqpRpcName];

export type AmqpReply = AmqpRpcMethods[AmqpRpcName]['reply'];

/** What a client connection hears, in broker order, for every channel of the connection. */
export interface AmqpTransportListener {
  /** The reply to the oldest unanswered request of `channel`. */
  reply(channel: number, reply: AmqpReply): void;
  /** The oldest unanswered request of `channel` failed before reaching the broker (FRAME_ERROR). */
  replyError(channel: number, error: AmqpError): void;
  deliver(channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, message: TransportMessage): void;
  returned(channel: number, replyCode: number, replyText: string, message: TransportMessage): void;
  confirm(channel: number, deliveryTag: number, multiple: boolean, ack: boolean): void;
  consumerCancelled(channel: number, consumerTag: string): void;
  /** channel.close from the broker (a soft error): the channel is gone. */
  channelClosed(channel: number, error: AmqpError): void;
  /** connection.close from the broker (error), or close-ok after the client's close (null). */
  connectionClosed(error: AmqpError | null): void;
  /** A publish on `channel` returned false, and the transport has room again. */
  drain(channel: number): void;
}

/** The client's half of one connection. */
export interface AmqpTransportConnection {
  request(channel: number, request: AmqpRequest): void;
  /**
   * basic.publish. The broker keeps `content` by reference: the caller hands it over. Returns false
   * when the transport's buffer is full: the message is taken, and `drain` follows.
   */
  publish(channel: number, exchange: string, routingKey: string, content: Uint8Array, options: ModelPublishOptions | undefined): boolean;
  ack(channel: number, deliveryTag: number, multiple: boolean): void;
  nack(channel: number, deliveryTag: number, multiple: boolean, requeue: boolean): void;
  reject(channel: number, deliveryTag: number, requeue: boolean): void;
  /** connection.close: the listener hears `connectionClosed(null)` once the broker is done. */
  close(): void;
}

export interface AmqpTransportOpenOptions {
  /** The connection's name, as firehose traces show it. */
  readonly name?: string;
}

/** Opens connections to one broker. */
export interface AmqpTransport {
  open(listener: AmqpTransportListener, options?: AmqpTransportOpenOptions): Promise<AmqpTransportConnection>;
}

/**
 * What `connect({ host })` takes: a broker in this thread ({@link AmqpHost}) or one another thread
 * shares (`attachAmqpHost(port)`).
 */
export interface AmqpEndpoint {
  readonly transport: AmqpTransport;
  /** Resolves once the broker takes connections. */
  ready(): Promise<void>;
}
