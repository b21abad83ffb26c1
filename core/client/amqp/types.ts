/**
 * The public types of `mqlab/amqp`, spelled as amqplib spells them (its `Options.*`, `Replies.*`
 * and message types), so code typed against amqplib keeps compiling when its import changes.
 *
 * Messages are plain data: `fields` as the broker sent them, `properties` with every AMQP basic
 * property present (undefined when absent), `content` a Buffer.
 */
import type { FieldTable } from '../../routing/index.js';

/** A message's headers table: strings, numbers, booleans, arrays and nested tables. */
export type MessagePropertyHeaders = Record<string, unknown>;

/** AMQP basic properties as amqplib decodes them: every key present, undefined when absent. */
export interface MessageProperties {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  headers: MessagePropertyHeaders | undefined;
  deliveryMode: number | undefined;
  priority: number | undefined;
  correlationId: string | undefined;
  replyTo: string | undefined;
  expiration: string | undefined;
  messageId: string | undefined;
  /** Seconds since the epoch, as the publisher gave it. */
  timestamp: number | undefined;
  type: string | undefined;
  userId: string | undefined;
  appId: string | undefined;
  clusterId: string | undefined;
}

export interface CommonMessageFields {
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
}

/** basic.deliver's fields. */
export interface ConsumeMessageFields extends CommonMessageFields {
  consumerTag: string;
}

/** basic.get-ok's fields: `messageCount` is the number of ready messages left in the queue. */
export interface GetMessageFields extends CommonMessageFields {
  messageCount: number;
}

/** basic.return's fields. */
export interface ReturnMessageFields {
  replyCode: number;
  replyText: string;
  exchange: string;
  routingKey: string;
}

export interface Message {
  content: Buffer;
  fields: CommonMessageFields;
  properties: MessageProperties;
}

export interface ConsumeMessage extends Message {
  fields: ConsumeMessageFields;
}

export interface GetMessage extends Message {
  fields: GetMessageFields;
}

export interface ReturnMessage {
  content: Buffer;
  fields: ReturnMessageFields;
  properties: MessageProperties;
}

/** What ack, nack and reject need of a message: its delivery tag. */
export interface Deliverable {
  readonly fields: { readonly deliveryTag: number };
}

// ---------------------------------------------------------------------------------------------
// Options (amqplib's Options.*)

export interface AssertQueueOptions {
  exclusive?: boolean;
  /** Default true, as in amqplib. */
  durable?: boolean;
  autoDelete?: boolean;
  arguments?: FieldTable;
  /** x-message-ttl */
  messageTtl?: number;
  /** x-expires */
  expires?: number;
  /** x-dead-letter-exchange */
  deadLetterExchange?: string;
  /** x-dead-letter-routing-key */
  deadLetterRoutingKey?: string;
  /** x-max-length */
  maxLength?: number;
  /** x-max-priority */
  maxPriority?: number;
  /** x-overflow */
  overflow?: string;
  /** x-queue-mode */
  queueMode?: string;
}

export interface AssertExchangeOptions {
  /** Default true, as in amqplib. */
  durable?: boolean;
  internal?: boolean;
  autoDelete?: boolean;
  alternateExchange?: string;
  arguments?: FieldTable;
}

export interface DeleteQueueOptions {
  ifUnused?: boolean;
  ifEmpty?: boolean;
}

export interface DeleteExchangeOptions {
  ifUnused?: boolean;
}

export interface PublishOptions {
  /** Per-message TTL in ms; a number is sent as its decimal string, as amqplib does. */
  expiration?: string | number;
  userId?: string;
  CC?: string | string[];
  BCC?: string | string[];
  mandatory?: boolean;
  /** Sets deliveryMode 2 (true) or 1 (false); wins over deliveryMode. */
  persistent?: boolean;
  /** A number, or truthy for 2, as amqplib accepts. */
  deliveryMode?: boolean | number;
  contentType?: string;
  contentEncoding?: string;
  headers?: MessagePropertyHeaders;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  messageId?: string;
  timestamp?: number;
  type?: string;
  appId?: string;
  /**
   * Not in amqplib (which always sends false): true reaches the broker, which closes the connection
   * with 540 NOT_IMPLEMENTED as RabbitMQ does.
   */
  immediate?: boolean;
}

export interface ConsumeOptions {
  consumerTag?: string;
  noLocal?: boolean;
  noAck?: boolean;
  exclusive?: boolean;
  /** x-priority */
  priority?: number;
  arguments?: FieldTable;
}

export interface GetOptions {
  noAck?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Replies (amqplib's Replies.*)

export type EmptyReply = Record<string, never>;

export interface AssertQueueReply {
  queue: string;
  messageCount: number;
  consumerCount: number;
}

export interface MessageCountReply {
  messageCount: number;
}

export interface AssertExchangeReply {
  exchange: string;
}

export interface ConsumeReply {
  consumerTag: string;
}

/** A consume callback: a message, or null when the server cancelled the consumer (queue deleted). */
export type OnMessage = (message: ConsumeMessage | null) => void;

/** A confirm callback: null on basic.ack, an Error('message nacked') on basic.nack. */
export type ConfirmCallback = (err: Error | null, ok?: unknown) => void;
