/**
 * Messages between amqplib's shapes and the broker's: publish options in, delivered messages out.
 *
 * What amqplib users can rely on, and what this keeps:
 * - `content` may be reused by the publisher once publish returns: bodies under amqplib's
 *   single-chunk threshold are copied, as amqplib copies them into its frame; larger ones are kept
 *   by reference, as amqplib's socket write keeps them.
 * - Delivered `properties` have all fourteen keys, undefined when absent, and `headers` is `{}`
 *   when the publisher set none (amqplib always sends a headers table).
 * - A delivered message's `content` and `headers` are shared by every queue the message reached:
 *   treat them as read-only.
 */
import { Buffer } from 'node:buffer';
import type { MessageProperties as ModelProperties, PublishOptions as ModelPublishOptions } from '../../routing/index.js';
import type { TransportGetOk, TransportMessage } from './transport.js';
import type { ConsumeMessage, GetMessage, MessageProperties, PublishOptions, ReturnMessage } from './types.js';

/** amqplib sends a message up to this size (frames included) as one buffer it copies into. */
export const SINGLE_CHUNK_THRESHOLD = 2048;

/** The body the broker keeps: a copy of a small publish, the caller's buffer for a large one. */
export function publishedBody(content: Buffer): Buffer {
  if (content.length >= SINGLE_CHUNK_THRESHOLD) return content;
  // allocUnsafe takes small buffers from Node's pool; set() copies without Buffer.from's type checks.
  const copy = Buffer.allocUnsafe(content.length);
  copy.set(content);
  return copy;
}

/**
 * amqplib's publish options as the broker takes them: a numeric expiration becomes its string, a
 * boolean deliveryMode becomes 2 (true) or nothing, and headers are copied so the publisher may
 * reuse its options object. Options that need none of this pass through unchanged.
 */
export function brokerPublishOptions(options: PublishOptions): ModelPublishOptions {
  const { expiration, deliveryMode, headers } = options;
  if (typeof expiration !== 'number' && typeof deliveryMode !== 'boolean' && headers === undefined) {
    return options as ModelPublishOptions;
  }
  return {
    ...options,
    expiration: expiration === undefined ? undefined : String(expiration),
    deliveryMode: typeof deliveryMode === 'boolean' ? (deliveryMode ? 2 : undefined) : deliveryMode,
    headers: headers === undefined ? undefined : { ...headers },
  };
}

export function contentOf(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

export function propertiesOf(p: ModelProperties): MessageProperties {
  return {
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    headers: p.headers ?? {},
    deliveryMode: p.deliveryMode,
    priority: p.priority,
    correlationId: p.correlationId,
    replyTo: p.replyTo,
    expiration: p.expiration,
    messageId: p.messageId,
    timestamp: p.timestamp,
    type: p.type,
    userId: p.userId,
    appId: p.appId,
    clusterId: p.clusterId,
  };
}

export function consumeMessage(consumerTag: string, deliveryTag: number, redelivered: boolean, msg: TransportMessage): ConsumeMessage {
  return {
    fields: { consumerTag, deliveryTag, redelivered, exchange: msg.exchange, routingKey: msg.routingKey },
    properties: propertiesOf(msg.properties),
    content: contentOf(msg.body),
  };
}

export function getMessage(ok: TransportGetOk): GetMessage {
  const f = ok.fields;
  return {
    fields: { deliveryTag: f.deliveryTag, redelivered: f.redelivered, exchange: f.exchange, routingKey: f.routingKey, messageCount: f.messageCount },
    properties: propertiesOf(ok.message.properties),
    content: contentOf(ok.message.body),
  };
}

export function returnMessage(replyCode: number, replyText: string, msg: TransportMessage): ReturnMessage {
  return {
    fields: { replyCode, replyText, exchange: msg.exchange, routingKey: msg.routingKey },
    properties: propertiesOf(msg.properties),
    content: contentOf(msg.body),
  };
}
