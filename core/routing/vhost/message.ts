/**
 * A published message, stored once. Queues, unacked records and deliveries hold references to the
 * same {@link Message}: a fanout to a hundred queues copies no body and no properties. A reference
 * count says how many queue entries and unacked records hold it, so a later shared-memory store can
 * free the body when the last one lets go; {@link MessageStats} sums what is held.
 *
 * Invariants: a Message never changes after publish (dead-lettering and tracing make new Messages
 * that share the body); `refs` is the number of ready entries plus unacked records that hold it.
 * The properties use amqplib's names; headers are amqplib's field-table representation.
 */
import { AmqpError } from '../../errors/index.js';
import { amqpFieldType, type FieldTable, type RoutingProperties } from '../index.js';

/** AMQP basic properties, in amqplib's spelling. */
export interface MessageProperties extends RoutingProperties {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly headers?: FieldTable;
  readonly deliveryMode?: number;
  readonly priority?: number;
  readonly correlationId?: string;
  readonly replyTo?: string;
  readonly expiration?: string;
  readonly messageId?: string;
  /** Seconds since the epoch. */
  readonly timestamp?: number;
  readonly type?: string;
  readonly userId?: string;
  readonly appId?: string;
  readonly clusterId?: string;
}

/** basic.publish flags and message properties, as amqplib's publish options carry them. */
export interface PublishOptions extends MessageProperties {
  readonly mandatory?: boolean;
  /** RabbitMQ does not implement it: true closes the connection with 540. */
  readonly immediate?: boolean;
  /** amqplib's `persistent` sets deliveryMode 2 (true) or 1 (false). */
  readonly persistent?: boolean;
  /** Sender-selected distribution: extra routing keys, kept in the delivered headers. */
  readonly CC?: string | readonly string[];
  /** Sender-selected distribution: extra routing keys, removed from the delivered headers. */
  readonly BCC?: string | readonly string[];
}

/** What the store holds: messages with at least one reference, and their body bytes. */
export class MessageStats {
  messages = 0;
  bodyBytes = 0;
}

export class Message {
  /** Ready entries plus unacked records that hold this message. */
  refs = 0;
  /**
   * The body's length, read once: a typed array's byteLength getter is not inlined by the V8 of
   * Node 20 and costs ~15 ns, and the hot path needs the size five times per message.
   */
  readonly size: number;

  constructor(
    readonly stats: MessageStats,
    /** The exchange it was published (or dead-lettered) to. */
    readonly exchange: string,
    readonly routingKey: string,
    /** CC keys, then BCC keys; null when there are none (the common case allocates nothing). */
    readonly extraKeys: readonly string[] | null,
    /** How many of {@link extraKeys} are CC keys (the rest are BCC). */
    readonly ccCount: number,
    readonly properties: MessageProperties,
    readonly body: Uint8Array,
    /** Per-message TTL in ms from the expiration property, or -1. */
    readonly ttl: number,
  ) {
    this.size = body.length;
  }

  /** Every routing key: the routing key, then CC, then BCC. */
  get routingKeys(): string[] {
    return this.extraKeys === null ? [this.routingKey] : [this.routingKey, ...this.extraKeys];
  }

  /** The routing key and CC keys, as x-death's routing-keys lists them (BCC stays secret). */
  get visibleRoutingKeys(): string[] {
    return this.extraKeys === null ? [this.routingKey] : [this.routingKey, ...this.extraKeys.slice(0, this.ccCount)];
  }

  retain(): void {
    if (this.refs++ === 0) {
      this.stats.messages++;
      this.stats.bodyBytes += this.size;
    }
  }

  release(): void {
    if (--this.refs === 0) {
      this.stats.messages--;
      this.stats.bodyBytes -= this.size;
    }
  }
}

/** A copy of `msg` with one header set; the body and every other field are shared, not copied. */
export function withHeader(msg: Message, key: string, value: unknown): Message {
  const properties: MessageProperties = { ...msg.properties, headers: { ...msg.properties.headers, [key]: value } };
  return new Message(msg.stats, msg.exchange, msg.routingKey, msg.extraKeys, msg.ccCount, properties, msg.body, msg.ttl);
}

/** The routes of a CC or BCC header: an array of strings, or RabbitMQ's "invalid message" error. */
function headerRoutes(headers: FieldTable, key: 'CC' | 'BCC'): readonly string[] {
  const value = headers[key];
  if (value === undefined) return [];
  if (Array.isArray(value)) {
    const routes: string[] = [];
    for (const item of value as unknown[]) if (typeof item === 'string') routes.push(item);
    return routes;
  }
  throw new AmqpError(
    'PRECONDITION_FAILED',
    `invalid message: {unacceptable_type_in_header,"${key}",${amqpFieldType(value)}}`,
    { method: 'basic.publish' },
  );
}

function asArray(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

/** The properties a message keeps from publish options (amqplib's Args.publish, without BCC). */
const NO_PROPERTIES: MessageProperties = Object.freeze({});

export function messagePropertiesOf(options: PublishOptions | undefined, replyTo: string | undefined): MessageProperties {
  if (options === undefined) return replyTo === undefined ? NO_PROPERTIES : { replyTo };
  let headers = options.headers;
  if (options.CC !== undefined || (headers !== undefined && headers.BCC !== undefined)) {
    const copy: Record<string, unknown> = { ...headers };
    if (options.CC !== undefined) copy.CC = asArray(options.CC);
    delete copy.BCC;
    headers = copy;
  }
  let deliveryMode = options.deliveryMode;
  if (options.persistent !== undefined) deliveryMode = options.persistent ? 2 : 1;
  const props: {
    -readonly [K in keyof MessageProperties]: MessageProperties[K];
  } = {};
  if (options.contentType !== undefined) props.contentType = options.contentType;
  if (options.contentEncoding !== undefined) props.contentEncoding = options.contentEncoding;
  if (headers !== undefined) props.headers = headers;
  if (deliveryMode !== undefined) props.deliveryMode = deliveryMode;
  if (options.priority !== undefined) props.priority = options.priority;
  if (options.correlationId !== undefined) props.correlationId = options.correlationId;
  const reply = replyTo ?? options.replyTo;
  if (reply !== undefined) props.replyTo = reply;
  if (options.expiration !== undefined) props.expiration = options.expiration;
  if (options.messageId !== undefined) props.messageId = options.messageId;
  if (options.timestamp !== undefined) props.timestamp = options.timestamp;
  if (options.type !== undefined) props.type = options.type;
  if (options.userId !== undefined) props.userId = options.userId;
  if (options.appId !== undefined) props.appId = options.appId;
  if (options.clusterId !== undefined) props.clusterId = options.clusterId;
  return props;
}

/**
 * The CC and BCC keys of a publish (validated), or null. Reads the options' CC/BCC and the headers'
 * CC/BCC, as amqplib moves the options into the headers.
 */
export function extraRoutingKeys(options: PublishOptions | undefined): { keys: readonly string[]; ccCount: number } | null {
  if (options === undefined) return null;
  const headers = options.headers;
  const cc = options.CC !== undefined ? asArray(options.CC) : headers !== undefined ? headerRoutes(headers, 'CC') : [];
  const bcc = options.BCC !== undefined ? asArray(options.BCC) : headers !== undefined ? headerRoutes(headers, 'BCC') : [];
  if (cc.length === 0 && bcc.length === 0) return null;
  return { keys: [...cc, ...bcc], ccCount: cc.length };
}
