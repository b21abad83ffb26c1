/**
 * The firehose (docs/firehose.md, rabbit_trace): while tracing is on, every publish is copied to
 * the topic exchange `amq.rabbitmq.trace` with routing key `publish.<exchange>` (`publish.` for the
 * default exchange), and every delivery (to a consumer or basic.get) with `deliver.<queue>`.
 *
 * A trace message shares the original body. Its headers: exchange_name, routing_keys (the key, CC
 * and BCC), properties (the basic properties as a table with AMQP's snake_case names), node, and as
 * RabbitMQ 3.10 adds them: vhost, connection, channel, user; routed_queues on publish; redelivered
 * (1 or 0) on deliver. Messages published to the trace exchange itself are never traced, so tracing
 * cannot feed itself.
 */
import type { FieldTable } from '../index.js';
import { Message, type MessageProperties } from './message.js';

export const TRACE_EXCHANGE = 'amq.rabbitmq.trace';

export interface TraceContext {
  readonly vhost: string;
  readonly node: string;
  readonly connection: string;
  readonly channel: number;
  readonly user: string;
}

/** The basic properties as rabbit_trace tabulates them. */
function propertiesTable(p: MessageProperties): FieldTable {
  const table: Record<string, unknown> = {};
  if (p.contentType !== undefined) table.content_type = p.contentType;
  if (p.contentEncoding !== undefined) table.content_encoding = p.contentEncoding;
  if (p.headers !== undefined) table.headers = p.headers;
  if (p.deliveryMode !== undefined) table.delivery_mode = p.deliveryMode;
  if (p.priority !== undefined) table.priority = p.priority;
  if (p.correlationId !== undefined) table.correlation_id = p.correlationId;
  if (p.replyTo !== undefined) table.reply_to = p.replyTo;
  if (p.expiration !== undefined) table.expiration = p.expiration;
  if (p.messageId !== undefined) table.message_id = p.messageId;
  if (p.timestamp !== undefined) table.timestamp = p.timestamp;
  if (p.type !== undefined) table.type = p.type;
  if (p.userId !== undefined) table.user_id = p.userId;
  if (p.appId !== undefined) table.app_id = p.appId;
  if (p.clusterId !== undefined) table.cluster_id = p.clusterId;
  return table;
}

function traceMessage(msg: Message, routingKey: string, headers: FieldTable): Message {
  return new Message(msg.stats, TRACE_EXCHANGE, routingKey, null, 0, { headers }, msg.body, -1);
}

export function tracePublish(msg: Message, context: TraceContext, routedQueues: readonly string[]): Message {
  return traceMessage(msg, `publish.${msg.exchange}`, {
    exchange_name: msg.exchange,
    routing_keys: msg.routingKeys,
    properties: propertiesTable(msg.properties),
    node: context.node,
    vhost: context.vhost,
    connection: context.connection,
    channel: context.channel,
    user: context.user,
    routed_queues: routedQueues,
  });
}

export function traceDeliver(msg: Message, queueName: string, redelivered: boolean, context: TraceContext): Message {
  return traceMessage(msg, `deliver.${queueName}`, {
    redelivered: redelivered ? 1 : 0,
    exchange_name: msg.exchange,
    routing_keys: msg.routingKeys,
    properties: propertiesTable(msg.properties),
    node: context.node,
    vhost: context.vhost,
    connection: context.connection,
    channel: context.channel,
    user: context.user,
  });
}
