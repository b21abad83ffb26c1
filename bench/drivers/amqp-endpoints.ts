/**
 * Producer and consumer endpoints over amqplib's promise API. The same code drives mqlab's
 * amqplib-shaped client (in-process) and amqplib itself against RabbitMQ, so a peer is measured by
 * exactly the code it is compared with.
 */
import { OFF_PRODUCER, OFF_SEQUENCE, OFF_TARGET } from '../runner/payload.js';
import type { AmqpWorkload } from '../workload.js';
import type { ConsumerEndpoint, MessageSink, ProducerEndpoint, RpcClientEndpoints } from './types.js';

/** The slice of amqplib's API used here; both clients provide it. */
export interface AmqpMessageLike {
  readonly content: Buffer;
  readonly properties: { readonly correlationId?: string | undefined; readonly replyTo?: string | undefined };
}
export interface AmqpPublishOptionsLike {
  readonly correlationId?: string;
  readonly replyTo?: string;
}
export interface AmqpChannelLike {
  assertQueue(queue: string, options?: Record<string, unknown>): Promise<{ queue: string }>;
  assertExchange(exchange: string, type: string, options?: Record<string, unknown>): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  deleteQueue(queue: string): Promise<unknown>;
  deleteExchange(exchange: string): Promise<unknown>;
  prefetch(count: number): Promise<unknown>;
  consume(queue: string, onMessage: (msg: AmqpMessageLike | null) => void, options?: Record<string, unknown>): Promise<unknown>;
  publish(exchange: string, routingKey: string, content: Buffer, options?: AmqpPublishOptionsLike): boolean;
  ack(message: AmqpMessageLike): void;
  close(): Promise<void>;
  once(event: 'drain', listener: () => void): unknown;
}
export interface AmqpConnectionLike {
  createChannel(): Promise<AmqpChannelLike>;
  close(): Promise<void>;
}

/** The broker-side names of one run: suffixed, so runs against a shared RabbitMQ never collide. */
export interface AmqpNames {
  readonly exchanges: readonly { readonly name: string; readonly type: string }[];
  readonly queues: readonly string[];
  readonly bindings: readonly { readonly exchange: string; readonly queue: string; readonly key: string }[];
  /** Per target: the exchange and routing key a publish uses. */
  readonly routes: readonly { readonly exchange: string; readonly routingKey: string }[];
}

export function amqpNames(w: AmqpWorkload, runId: string): AmqpNames {
  const name = (n: string): string => `bench-${runId}-${n}`;
  const exchanges = w.exchanges.map((e) => ({ name: name(e.name), type: e.type }));
  const queues = w.queues.map((q) => name(q.name));
  const bindings = w.bindings.map((b) => ({ exchange: name(b.exchange), queue: name(b.queue), key: b.key }));
  const routes = w.publish.routingKeys.map((key) =>
    w.publish.exchange === '' ? { exchange: '', routingKey: w.queues.some((q) => q.name === key) ? name(key) : key } : { exchange: name(w.publish.exchange), routingKey: key },
  );
  return { exchanges, queues, bindings, routes };
}

export async function declareTopology(conn: AmqpConnectionLike, names: AmqpNames): Promise<void> {
  const ch = await conn.createChannel();
  for (const e of names.exchanges) await ch.assertExchange(e.name, e.type, { durable: false, autoDelete: false });
  for (const q of names.queues) await ch.assertQueue(q, { durable: false });
  for (const b of names.bindings) await ch.bindQueue(b.queue, b.exchange, b.key);
  await ch.close();
}

export async function deleteTopology(conn: AmqpConnectionLike, names: AmqpNames): Promise<void> {
  const ch = await conn.createChannel();
  for (const q of names.queues) await ch.deleteQueue(q);
  for (const e of names.exchanges) await ch.deleteExchange(e.name);
  await ch.close();
}

class AmqpProducer implements ProducerEndpoint {
  #drained: Promise<void> | undefined;

  constructor(
    readonly conn: AmqpConnectionLike,
    readonly ch: AmqpChannelLike,
    readonly routes: AmqpNames['routes'],
  ) {}

  append(target: number, message: Uint8Array): boolean {
    if (this.#drained !== undefined) return false;
    const r = this.routes[target]!;
    // A fresh Buffer per message, as an application would publish: the caller reuses `message`.
    if (!this.ch.publish(r.exchange, r.routingKey, Buffer.from(message), this.publishOptions(message))) {
      this.#drained = new Promise<void>((resolve) => this.ch.once('drain', resolve)).then(() => {
        this.#drained = undefined;
      });
    }
    return true;
  }

  /** Per-message publish options; none for plain producers. */
  protected publishOptions(_message: Uint8Array): AmqpPublishOptionsLike | undefined {
    return undefined;
  }

  async ready(): Promise<void> {
    if (this.#drained !== undefined) await this.#drained;
  }

  send(): void {}

  async flush(): Promise<void> {
    await this.ready();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.ch.close().catch(() => undefined);
    await this.conn.close().catch(() => undefined);
  }
}

class AmqpConsumer implements ConsumerEndpoint {
  constructor(readonly conn: AmqpConnectionLike) {}

  poll(): number {
    return 0;
  }

  idle(maxMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.min(maxMs, 5)));
  }

  async close(): Promise<void> {
    await this.conn.close().catch(() => undefined);
  }
}

export async function openAmqpProducer(conn: AmqpConnectionLike, routes: AmqpNames['routes']): Promise<ProducerEndpoint> {
  const ch = await conn.createChannel();
  return new AmqpProducer(conn, ch, routes);
}

export async function openAmqpConsumer(conn: AmqpConnectionLike, queue: string, prefetch: number, ack: 'manual' | 'auto', sink: MessageSink): Promise<ConsumerEndpoint> {
  const ch = await conn.createChannel();
  await ch.prefetch(prefetch);
  const manual = ack === 'manual';
  await ch.consume(
    queue,
    (m) => {
      if (m === null) return;
      sink(m.content, 0, m.content.length);
      if (manual) ch.ack(m);
    },
    { noAck: !manual },
  );
  return new AmqpConsumer(conn);
}

/** RabbitMQ's direct reply-to pseudo-queue. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** The correlation id of a benchmark request: its stream and sequence, read from the payload header. */
function correlationIdOf(message: Uint8Array): string {
  const dv = new DataView(message.buffer, message.byteOffset, message.byteLength);
  return `${dv.getUint32(OFF_PRODUCER, true)}.${dv.getUint32(OFF_TARGET, true)}.${dv.getUint32(OFF_SEQUENCE, true)}`;
}

/** An RPC client's requests: each publish carries reply_to and a correlation id, as an application's would. */
class AmqpRpcRequests extends AmqpProducer {
  constructor(
    conn: AmqpConnectionLike,
    ch: AmqpChannelLike,
    routes: AmqpNames['routes'],
    readonly replyTo: string,
  ) {
    super(conn, ch, routes);
  }

  protected override publishOptions(message: Uint8Array): AmqpPublishOptionsLike {
    return { replyTo: this.replyTo, correlationId: correlationIdOf(message) };
  }

  /** The connection closes with the reply consumer, once every reply is in. */
  override async close(): Promise<void> {
    await this.flush();
  }
}

/**
 * An RPC client (seed mode 6): requests go to `routes`, replies come back to direct reply-to or to
 * an exclusive server-named callback queue, on the same channel. A reply reaches the sink only when
 * its correlation id names the request its body echoes; one that does not is dropped, so the
 * delivery check reports its request lost.
 */
export async function openAmqpRpcClient(conn: AmqpConnectionLike, routes: AmqpNames['routes'], replyTo: 'direct' | 'queue', sink: MessageSink): Promise<RpcClientEndpoints> {
  const ch = await conn.createChannel();
  const queue = replyTo === 'direct' ? DIRECT_REPLY_TO : (await ch.assertQueue('', { exclusive: true, autoDelete: true })).queue;
  await ch.consume(
    queue,
    (m) => {
      if (m !== null && m.properties.correlationId === correlationIdOf(m.content)) sink(m.content, 0, m.content.length);
    },
    { noAck: true },
  );
  return { requests: new AmqpRpcRequests(conn, ch, routes, queue), replies: new AmqpConsumer(conn) };
}

/** An RPC server: answers each request on `queue` with its body, to its reply_to, then acks it. */
export async function openAmqpRpcServer(conn: AmqpConnectionLike, queue: string, prefetch: number): Promise<ConsumerEndpoint> {
  const ch = await conn.createChannel();
  await ch.prefetch(prefetch);
  await ch.consume(queue, (m) => {
    if (m === null) return;
    const { replyTo, correlationId } = m.properties;
    if (replyTo !== undefined) ch.publish('', replyTo, m.content, correlationId === undefined ? {} : { correlationId });
    ch.ack(m);
  });
  return new AmqpConsumer(conn);
}
