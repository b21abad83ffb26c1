/**
 * AMQP-model macro scenarios through amqplib's API: the same code runs against mqlab (`mqlab/amqp`,
 * an in-process host) and against the real RabbitMQ on this machine (amqplib over TCP), so the
 * peer is measured by the very scenario it is compared with. 200-byte bodies.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import amqplib from 'amqplib';
import { connect as mqlabConnect, createAmqpHost } from '../../core/client/amqp/index.js';
import type { Measurement, MicroOptions } from '../micro/types.js';
import { PAYLOAD_BYTES } from '../micro/types.js';

export const RABBITMQ_URL = process.env.MQLAB_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** The slice of amqplib's API these scenarios use; both clients provide it. */
interface AmqpMessage {
  readonly content: Buffer;
  readonly properties: { readonly correlationId?: string; readonly replyTo?: string };
}
interface AmqpChannel {
  assertQueue(queue: string, options?: Record<string, unknown>): Promise<{ queue: string }>;
  assertExchange(exchange: string, type: string, options?: Record<string, unknown>): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  deleteQueue(queue: string): Promise<unknown>;
  deleteExchange(exchange: string): Promise<unknown>;
  prefetch(count: number): Promise<unknown>;
  consume(queue: string, onMessage: (msg: AmqpMessage | null) => void, options?: Record<string, unknown>): Promise<{ consumerTag: string }>;
  publish(exchange: string, routingKey: string, content: Buffer, options?: Record<string, unknown>): boolean;
  sendToQueue(queue: string, content: Buffer, options?: Record<string, unknown>): boolean;
  ack(message: AmqpMessage): void;
  close(): Promise<void>;
  on(event: 'drain', listener: () => void): unknown;
  once(event: string, listener: () => void): unknown;
}
interface AmqpConnection {
  createChannel(): Promise<AmqpChannel>;
  close(): Promise<void>;
}

export interface AmqpDriver {
  readonly name: 'mqlab' | 'rabbitmq';
  connect(): Promise<AmqpConnection>;
  close(): Promise<void>;
}

export function mqlabDriver(): AmqpDriver {
  const host = createAmqpHost();
  return {
    name: 'mqlab',
    connect: async () => (await mqlabConnect({ host })) as unknown as AmqpConnection,
    close: () => Promise.resolve(host.close()),
  };
}

export function rabbitmqDriver(url = RABBITMQ_URL): AmqpDriver {
  return {
    name: 'rabbitmq',
    connect: async () => await amqplib.connect(url),
    close: () => Promise.resolve(),
  };
}

/** True when the RabbitMQ at RABBITMQ_URL accepts a connection within a second. */
export async function rabbitmqReachable(url = RABBITMQ_URL): Promise<boolean> {
  try {
    const conn = await Promise.race([amqplib.connect(url), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))]);
    await conn.close();
    return true;
  } catch {
    return false;
  }
}

const body = (): Buffer => Buffer.alloc(PAYLOAD_BYTES, 7);
const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Publishes `n` messages with `publish`, yielding now and then and honouring 'drain'. */
async function publishN(ch: AmqpChannel, n: number, publish: () => boolean): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (!publish()) await new Promise<void>((resolve) => ch.once('drain', resolve));
    if ((i & 1023) === 1023) await tick();
  }
}

/** Work queue: one publisher, `consumers` competing consumers with prefetch and manual acks. */
export async function amqpWork(driver: AmqpDriver, messages: number, consumers: number, prefetch: number): Promise<{ messages: number; elapsedNs: number }> {
  const conn = await driver.connect();
  try {
    const pub = await conn.createChannel();
    const queue = unique('mqlab-bench-work');
    await pub.assertQueue(queue, { durable: false });
    let consumed = 0;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const channels: AmqpChannel[] = [];
    for (let i = 0; i < consumers; i++) {
      const ch = await conn.createChannel();
      await ch.prefetch(prefetch);
      await ch.consume(queue, (m) => {
        if (m === null) return;
        ch.ack(m);
        if (++consumed === messages) finish();
      });
      channels.push(ch);
    }
    const content = body();
    const start = process.hrtime.bigint();
    await publishN(pub, messages, () => pub.sendToQueue(queue, content));
    await done;
    const elapsedNs = Number(process.hrtime.bigint() - start);
    await pub.deleteQueue(queue);
    return { messages: consumed, elapsedNs };
  } finally {
    await conn.close();
  }
}

/** Simple mode: one producer, one auto-ack consumer. */
export async function amqpSimple(driver: AmqpDriver, messages: number): Promise<{ messages: number; elapsedNs: number }> {
  const conn = await driver.connect();
  try {
    const ch = await conn.createChannel();
    const queue = unique('mqlab-bench-simple');
    await ch.assertQueue(queue, { durable: false });
    let consumed = 0;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const sub = await conn.createChannel();
    await sub.consume(queue, () => {
      if (++consumed === messages) finish();
    }, { noAck: true });
    const content = body();
    const start = process.hrtime.bigint();
    await publishN(ch, messages, () => ch.sendToQueue(queue, content));
    await done;
    const elapsedNs = Number(process.hrtime.bigint() - start);
    await ch.deleteQueue(queue);
    return { messages, elapsedNs };
  } finally {
    await conn.close();
  }
}

/** Publish/subscribe: a fanout exchange to `queues` queues, one auto-ack consumer each. */
export async function amqpFanout(driver: AmqpDriver, messages: number, queues: number): Promise<{ messages: number; elapsedNs: number; deliveries: number }> {
  const conn = await driver.connect();
  try {
    const ch = await conn.createChannel();
    const exchange = unique('mqlab-bench-fanout');
    await ch.assertExchange(exchange, 'fanout', { durable: false, autoDelete: false });
    let delivered = 0;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const names: string[] = [];
    for (let i = 0; i < queues; i++) {
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(queue, exchange, '');
      names.push(queue);
      await ch.consume(queue, () => {
        if (++delivered === messages * queues) finish();
      }, { noAck: true });
    }
    const content = body();
    const start = process.hrtime.bigint();
    await publishN(ch, messages, () => ch.publish(exchange, '', content));
    await done;
    const elapsedNs = Number(process.hrtime.bigint() - start);
    await ch.deleteExchange(exchange);
    return { messages, elapsedNs, deliveries: delivered };
  } finally {
    await conn.close();
  }
}

/** RPC: requests with replyTo (an exclusive server-named queue) and correlationId, `window` in flight. */
export async function amqpRpc(driver: AmqpDriver, roundTrips: number, window: number): Promise<{ messages: number; elapsedNs: number }> {
  const conn = await driver.connect();
  try {
    const server = await conn.createChannel();
    const client = await conn.createChannel();
    const rpcQueue = unique('mqlab-bench-rpc');
    await server.assertQueue(rpcQueue, { durable: false });
    await server.consume(rpcQueue, (m) => {
      if (m === null) return;
      server.sendToQueue(m.properties.replyTo!, m.content, { correlationId: m.properties.correlationId });
      server.ack(m);
    });
    const { queue: replyQueue } = await client.assertQueue('', { exclusive: true });
    const pending = new Map<string, () => void>();
    await client.consume(replyQueue, (m) => {
      const id = m?.properties.correlationId;
      if (id === undefined) return;
      const resolve = pending.get(id);
      pending.delete(id);
      resolve?.();
    }, { noAck: true });
    const content = body();
    let next = 0;
    const call = (): Promise<void> =>
      new Promise<void>((resolve) => {
        const id = String(next++);
        pending.set(id, resolve);
        client.sendToQueue(rpcQueue, content, { correlationId: id, replyTo: replyQueue });
      });
    const start = process.hrtime.bigint();
    let completed = 0;
    const worker = async (): Promise<void> => {
      while (completed + pending.size < roundTrips) {
        await call();
        completed++;
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    const elapsedNs = Number(process.hrtime.bigint() - start);
    await server.deleteQueue(rpcQueue);
    return { messages: completed, elapsedNs };
  } finally {
    await conn.close();
  }
}

async function withDriver<T>(driver: AmqpDriver, run: (d: AmqpDriver) => Promise<T>): Promise<T> {
  try {
    return await run(driver);
  } finally {
    await driver.close();
  }
}

const mqlabCount = (o: MicroOptions): number => Math.max(50_000, Math.round((o.durationMs / 1000) * 1_000_000));
const rabbitCount = (o: MicroOptions): number => Math.max(5_000, Math.round((o.durationMs / 1000) * 20_000));

function measurement(id: string, target: string, threads: number, params: Measurement['params'], r: { messages: number; elapsedNs: number }, extra?: Record<string, number>): Measurement {
  return { id, target, params, messages: r.messages, payloadBytes: r.messages * PAYLOAD_BYTES, elapsedNs: r.elapsedNs, threads, ...(extra === undefined ? {} : { extra }) };
}

export async function runAmqpScenarios(options: MicroOptions, includeRabbitmq: boolean): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const work = { consumers: 4, prefetch: 100, ack: 'manual', payload_bytes: PAYLOAD_BYTES };
  out.push(measurement('amqp.simple.200B', 'mqlab', 1, { transport: 'in-process', payload_bytes: PAYLOAD_BYTES }, await withDriver(mqlabDriver(), (d) => amqpSimple(d, mqlabCount(options)))));
  out.push(measurement('amqp.work.200B', 'mqlab', 1, { transport: 'in-process', ...work }, await withDriver(mqlabDriver(), (d) => amqpWork(d, mqlabCount(options), 4, 100))));
  const fanout = await withDriver(mqlabDriver(), (d) => amqpFanout(d, Math.round(mqlabCount(options) / 5), 10));
  out.push(measurement('amqp.fanout.200B.q10', 'mqlab', 1, { transport: 'in-process', queues: 10, payload_bytes: PAYLOAD_BYTES }, fanout, { deliveries_per_s: fanout.deliveries / (fanout.elapsedNs / 1e9) }));
  out.push(measurement('amqp.rpc.200B', 'mqlab', 1, { transport: 'in-process', window: 32, payload_bytes: PAYLOAD_BYTES }, await withDriver(mqlabDriver(), (d) => amqpRpc(d, Math.round(mqlabCount(options) / 5), 32))));
  if (includeRabbitmq) {
    out.push(measurement('peer.rabbitmq.work.200B', 'rabbitmq', 1, { transport: 'tcp', server: RABBITMQ_URL.replace(/\/\/[^@]*@/, '//'), ...work }, await withDriver(rabbitmqDriver(), (d) => amqpWork(d, rabbitCount(options), 4, 100))));
  }
  return out;
}


