/**
 * Producer and consumer endpoints over amqplib's promise API. The same code drives mqlab's
 * amqplib-shaped client (in-process) and amqplib itself against RabbitMQ, so a peer is measured by
 * exactly the code it is compared with.
 */
import type { AmqpWorkload } from '../workload.js';
import type { ConsumerEndpoint, MessageSink, ProducerEndpoint } from './types.js';

/** The slice of amqplib's API used here; both clients provide it. */
export interface AmqpMessageLike {
  readonly content: Buffer;
}
export interface AmqpChannelLike {
  assertQueue(queue: string, options?: Record<string, unknown>): Promise<unknown>;
  assertExchange(exchange: string, type: string, options?: Record<string, unknown>): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  deleteQueue(queue: string): Promise<unknown>;
  deleteExchange(exchange: string): Promise<unknown>;
  prefetch(count: number): Promise<unknown>;
  consume(queue: string, onMessage: (msg: AmqpMessageLike | null) => void, options?: Record<string, unknown>): Promise<unknown>;
  publish(exchange: string, routingKey: string, content: Buffer): boolean;
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
    if (!this.ch.publish(r.exchange, r.routingKey, Buffer.from(message))) {
      this.#drained = new Promise<void>((resolve) => this.ch.once('drain', resolve)).then(() => {
        this.#drained = undefined;
      });
    }
    return true;
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
