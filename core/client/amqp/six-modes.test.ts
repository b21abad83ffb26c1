/**
 * RabbitMQ's six tutorials (the seed's six working modes), written once against amqplib's API and
 * run on two targets: mqlab (`connect` from mqlab/amqp, an isolated host) and the real RabbitMQ
 * through the real amqplib. Only the connect line differs. RabbitMQ must be reachable on
 * 127.0.0.1:5672 (CI starts it): when it is not, the rabbitmq cases fail, they do not skip.
 *
 * Names carry a random suffix and everything a test creates is deleted after it.
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connect, createAmqpHost, type AmqpHost, type ConsumeMessage } from './index.js';

const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** The part of amqplib's API the tutorials use; both targets' connections have this shape. */
interface TutorialChannel {
  assertQueue(queue: string, options?: { durable?: boolean; exclusive?: boolean }): Promise<{ queue: string; messageCount: number; consumerCount: number }>;
  assertExchange(exchange: string, type: string, options?: { durable?: boolean }): Promise<{ exchange: string }>;
  bindQueue(queue: string, source: string, pattern: string): Promise<unknown>;
  publish(exchange: string, routingKey: string, content: Buffer, options?: { persistent?: boolean }): boolean;
  sendToQueue(queue: string, content: Buffer, options?: { persistent?: boolean; correlationId?: string; replyTo?: string }): boolean;
  consume(queue: string, onMessage: (msg: ConsumeMessage | null) => void, options?: { noAck?: boolean }): Promise<{ consumerTag: string }>;
  ack(message: ConsumeMessage): void;
  prefetch(count: number): Promise<unknown>;
  checkQueue(queue: string): Promise<{ messageCount: number; consumerCount: number }>;
  deleteQueue(queue: string): Promise<{ messageCount: number }>;
  deleteExchange(exchange: string): Promise<unknown>;
  close(): Promise<void>;
}

interface TutorialConnection {
  createChannel(): Promise<TutorialChannel>;
  close(): Promise<void>;
}

interface Target {
  readonly name: string;
  connect(): Promise<TutorialConnection>;
}

/** The test's own mqlab broker, shared by every connection the test opens and closed after it. */
let testHost: AmqpHost | undefined;
function hostOfTest(): AmqpHost {
  if (testHost === undefined) {
    const host = createAmqpHost();
    testHost = host;
    onTestFinished(() => {
      host.close();
      testHost = undefined;
    });
  }
  return testHost;
}

const mqlab: Target = {
  name: 'mqlab',
  connect: () => connect({ host: hostOfTest() }),
};

const rabbitmq: Target = {
  name: 'rabbitmq',
  connect: () => amqplib.connect(RABBITMQ_URL),
};

/** A test's connections and the queues and exchanges it declared, all removed when it ends. */
async function tutorial(target: Target): Promise<{
  open: () => Promise<TutorialChannel>;
  name: (label: string) => string;
  queue: (name: string) => string;
  exchange: (name: string) => string;
}> {
  const connections: TutorialConnection[] = [];
  const queues: string[] = [];
  const exchanges: string[] = [];
  const suffix = randomUUID().slice(0, 8);
  const first = await target.connect();
  connections.push(first);
  onTestFinished(async () => {
    const ch = await first.createChannel();
    for (const q of queues) await ch.deleteQueue(q);
    for (const e of exchanges) await ch.deleteExchange(e);
    for (const c of connections) await c.close();
  });
  return {
    open: async () => {
      const c = await target.connect();
      connections.push(c);
      return c.createChannel();
    },
    name: (label) => `${label}-${suffix}`,
    queue: (name) => {
      queues.push(name);
      return name;
    },
    exchange: (name) => {
      exchanges.push(name);
      return name;
    },
  };
}

/** Resolves with the bodies of the first `count` messages `consume` delivers to `onEach`'s caller. */
function receiver(count: number): { onMessage: (msg: ConsumeMessage | null) => void; received: Promise<ConsumeMessage[]> } {
  const messages: ConsumeMessage[] = [];
  let done: (messages: ConsumeMessage[]) => void = () => undefined;
  const received = new Promise<ConsumeMessage[]>((resolve) => {
    done = resolve;
  });
  return {
    onMessage: (msg) => {
      if (msg === null) return;
      messages.push(msg);
      if (messages.length === count) done(messages);
    },
    received,
  };
}

const bodies = (messages: readonly ConsumeMessage[]): string[] => messages.map((m) => m.content.toString());
const keys = (messages: readonly ConsumeMessage[]): string[] => messages.map((m) => m.fields.routingKey);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([mqlab, rabbitmq])('the six RabbitMQ tutorials on $name', (target) => {
  it('1 simple: one producer, one queue, one consumer; a consumed message leaves the queue', async () => {
    const t = await tutorial(target);
    const producer = await t.open();
    const consumer = await t.open();
    const queue = t.queue(t.name('hello'));
    await producer.assertQueue(queue, { durable: false });
    await consumer.assertQueue(queue, { durable: false });

    producer.sendToQueue(queue, Buffer.from('Hello World!'));
    const r = receiver(1);
    await consumer.consume(queue, r.onMessage, { noAck: true });

    const [msg] = await r.received;
    expect(msg?.content.toString()).toBe('Hello World!');
    expect(msg?.fields).toMatchObject({ exchange: '', routingKey: queue, redelivered: false });
    expect(await producer.checkQueue(queue)).toMatchObject({ messageCount: 0, consumerCount: 1 });
  });

  it('2 work queues: with prefetch 1 two competing consumers share the tasks, each task done once', async () => {
    const t = await tutorial(target);
    const queue = t.queue(t.name('task_queue'));
    const producer = await t.open();
    await producer.assertQueue(queue, { durable: true });

    const tasks = Array.from({ length: 10 }, (_, i) => `task ${i}`);
    const done: string[][] = [[], []];
    let finished: () => void = () => undefined;
    const allDone = new Promise<void>((resolve) => {
      finished = resolve;
    });
    for (const worker of [0, 1]) {
      const ch = await t.open();
      await ch.assertQueue(queue, { durable: true });
      await ch.prefetch(1);
      await ch.consume(queue, (msg) => {
        if (msg === null) return;
        // A slow worker: it holds its one unacked task for a while.
        setTimeout(() => {
          done[worker]!.push(msg.content.toString());
          ch.ack(msg);
          if (done[0]!.length + done[1]!.length === tasks.length) finished();
        }, 5);
      });
    }
    for (const task of tasks) producer.sendToQueue(queue, Buffer.from(task), { persistent: true });

    await allDone;
    expect([...done[0]!, ...done[1]!].sort()).toEqual([...tasks].sort());
    expect(done[0]!.length).toBeGreaterThan(0);
    expect(done[1]!.length).toBeGreaterThan(0);
    await sleep(20);
    expect(await producer.checkQueue(queue)).toMatchObject({ messageCount: 0 });
  });

  it('3 publish/subscribe: a fanout exchange copies every message to each server-named exclusive queue', async () => {
    const t = await tutorial(target);
    const exchange = t.exchange(t.name('logs'));
    const publisher = await t.open();
    await publisher.assertExchange(exchange, 'fanout', { durable: false });

    const subscribers = [];
    for (let i = 0; i < 2; i++) {
      const ch = await t.open();
      await ch.assertExchange(exchange, 'fanout', { durable: false });
      const { queue } = await ch.assertQueue('', { exclusive: true });
      expect(queue).toMatch(/^amq\.gen-/);
      await ch.bindQueue(queue, exchange, '');
      const r = receiver(3);
      await ch.consume(queue, r.onMessage, { noAck: true });
      subscribers.push(r.received);
    }
    for (const line of ['log 1', 'log 2', 'log 3']) publisher.publish(exchange, '', Buffer.from(line));

    for (const received of await Promise.all(subscribers)) expect(bodies(received)).toEqual(['log 1', 'log 2', 'log 3']);
  });

  it('4 routing: a direct exchange delivers to the queues whose binding key equals the routing key', async () => {
    const t = await tutorial(target);
    const exchange = t.exchange(t.name('direct_logs'));
    const ch = await t.open();
    await ch.assertExchange(exchange, 'direct', { durable: false });
    const errorsOnly = (await ch.assertQueue('', { exclusive: true })).queue;
    const everything = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(errorsOnly, exchange, 'error');
    for (const severity of ['info', 'warning', 'error']) await ch.bindQueue(everything, exchange, severity);
    // The last message ('error') reaches both queues: once it has arrived, so has everything before it.
    const a = receiver(1);
    const b = receiver(3);
    await ch.consume(errorsOnly, a.onMessage, { noAck: true });
    await ch.consume(everything, b.onMessage, { noAck: true });

    for (const severity of ['debug', 'info', 'warning', 'error']) ch.publish(exchange, severity, Buffer.from(`a ${severity} message`));

    expect(keys(await a.received)).toEqual(['error']);
    expect(keys(await b.received)).toEqual(['info', 'warning', 'error']);
  });

  it('5 topics: * matches exactly one word and # zero or more words', async () => {
    const t = await tutorial(target);
    const exchange = t.exchange(t.name('topic_logs'));
    const ch = await t.open();
    await ch.assertExchange(exchange, 'topic', { durable: false });
    const q1 = (await ch.assertQueue('', { exclusive: true })).queue;
    const q2 = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q1, exchange, '*.orange.*');
    await ch.bindQueue(q2, exchange, '*.*.rabbit');
    await ch.bindQueue(q2, exchange, 'lazy.#');
    const published = [
      'quick.orange.rabbit',
      'lazy.orange.elephant',
      'quick.orange.fox',
      'lazy.brown.fox',
      'lazy.pink.rabbit',
      'quick.brown.fox',
      'orange',
      'quick.orange.male.rabbit',
      'lazy.orange.male.rabbit',
      'lazy',
      // Matches both queues and comes last: once both have it, everything before it has arrived.
      'last.orange.rabbit',
    ];
    const r1 = receiver(4);
    const r2 = receiver(7);
    await ch.consume(q1, r1.onMessage, { noAck: true });
    await ch.consume(q2, r2.onMessage, { noAck: true });

    for (const key of published) ch.publish(exchange, key, Buffer.from(key));

    expect(keys(await r1.received)).toEqual(['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox', 'last.orange.rabbit']);
    expect(keys(await r2.received)).toEqual([
      'quick.orange.rabbit',
      'lazy.orange.elephant',
      'lazy.brown.fox',
      'lazy.pink.rabbit',
      'lazy.orange.male.rabbit',
      'lazy',
      'last.orange.rabbit',
    ]);
  });

  it('6 RPC: replies reach the exclusive callback queue named in replyTo, matched by correlationId', async () => {
    const t = await tutorial(target);
    const rpcQueue = t.queue(t.name('rpc_queue'));
    const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));

    const server = await t.open();
    await server.assertQueue(rpcQueue, { durable: false });
    await server.prefetch(1);
    await server.consume(rpcQueue, (msg) => {
      if (msg === null) return;
      const n = Number(msg.content.toString());
      server.sendToQueue(String(msg.properties.replyTo), Buffer.from(String(fib(n))), { correlationId: String(msg.properties.correlationId) });
      server.ack(msg);
    });

    const client = await t.open();
    const { queue: callbackQueue } = await client.assertQueue('', { exclusive: true });
    const waiting = new Map<string, (answer: number) => void>();
    await client.consume(
      callbackQueue,
      (msg) => {
        if (msg === null) return;
        const correlationId = String(msg.properties.correlationId);
        waiting.get(correlationId)?.(Number(msg.content.toString()));
        waiting.delete(correlationId);
      },
      { noAck: true },
    );
    const call = (n: number): Promise<number> =>
      new Promise((resolve) => {
        const correlationId = randomUUID();
        waiting.set(correlationId, resolve);
        client.sendToQueue(rpcQueue, Buffer.from(String(n)), { correlationId, replyTo: callbackQueue });
      });

    expect(await Promise.all([1, 2, 3, 10, 20].map(call))).toEqual([1, 1, 2, 55, 6765]);
    expect(await call(30)).toBe(832040);
    expect(waiting.size).toBe(0);
  });
});
