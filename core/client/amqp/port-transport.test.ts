/**
 * The AMQP port transport with real worker threads (port-transport.fixture.ts): a worker reaches the
 * main thread's host through `host.share()` and `attachAmqpHost`, and the amqplib-shaped client
 * behaves there as in the host's thread: work queues in both directions, confirms, typed channel
 * errors, requeue on channel close and on thread death, 320 on host close, and flow control.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bodyOf, describeBody, type PortJob, type PortReport } from './port-transport.fixture.js';
import { connect, createAmqpHost, type AmqpHost, type ConsumeMessage } from './index.js';

interface Running {
  readonly worker: Worker;
  /** The fixture's first 'ready' message. */
  readonly ready: Promise<{ event: 'ready'; bodies?: string[] }>;
  /** The fixture's report; rejects when it failed or its thread ended without one. */
  readonly report: Promise<PortReport>;
  readonly exited: Promise<number>;
}

function start(host: AmqpHost, job: PortJob): Running {
  const port = host.share();
  const worker = new Worker(new URL('./port-transport.fixture.js', import.meta.url), { workerData: { port, job }, transferList: [port] });
  onTestFinished(() => worker.terminate().then(() => undefined));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const ready = new Promise<{ event: 'ready' }>((resolve) => {
    worker.on('message', (m: { event: string }) => {
      if (m.event === 'ready') resolve(m as { event: 'ready' });
    });
  });
  const report = new Promise<PortReport>((resolve, reject) => {
    worker.on('message', (m: { event: string; error?: string }) => {
      if (m.event === 'done') resolve(m as PortReport);
      if (m.event === 'failed') reject(new Error(`worker failed: ${m.error}`));
    });
    worker.once('error', reject);
    void exited.then((code) => reject(new Error(`worker exited with code ${code} before reporting`)));
  });
  // A job the test ends by terminating the thread never reports: that rejection is expected.
  report.catch(() => undefined);
  return { worker, ready, report, exited };
}

function newHost(): AmqpHost {
  const host = createAmqpHost({ cluster: null });
  onTestFinished(() => host.close());
  return host;
}

async function declare(host: AmqpHost, queue: string): Promise<void> {
  const conn = await connect({ host });
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: false });
  await conn.close();
}

/** The bodies bodyOf(from) .. bodyOf(to - 1), as describeBody records them. */
function expectedBodies(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, k) => describeBody(bodyOf(from + k)));
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const by = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > by) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Consumes `count` messages in this thread with manual acks; returns them in arrival order. */
async function consumeHere(host: AmqpHost, queue: string, count: number): Promise<ConsumeMessage[]> {
  const conn = await connect({ host });
  onTestFinished(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  await ch.prefetch(50);
  const seen: ConsumeMessage[] = [];
  await new Promise<void>((resolve) => {
    void ch.consume(queue, (m) => {
      if (m === null) return;
      seen.push(m);
      ch.ack(m);
      if (seen.length === count) resolve();
    });
  });
  await conn.close();
  return seen;
}

describe('AMQP over a MessagePort', () => {
  it('a worker publishes a work queue that a consumer in the main thread receives once and in order, with manual acks', async () => {
    const host = newHost();
    const queue = `port-${randomUUID()}`;
    await declare(host, queue);
    const count = 20_000;
    const consumed = consumeHere(host, queue, count);
    const report = await start(host, { job: 'produce', queue, count }).report;
    const seen = await consumed;
    expect(seen.map((m) => describeBody(m.content))).toEqual(expectedBodies(0, count));
    expect(seen.every((m) => !m.fields.redelivered)).toBe(true);
    // 20,000 publishes of up to 3 KiB overrun the 4 MiB window: publish said false, and drain came.
    expect(report.falses).toBeGreaterThan(0);
    expect(report.drains).toBe(report.falses);
    expect(host.vhost.queueInfo(queue)).toMatchObject({ messages: 0, consumers: 0 });
  });

  it('a consumer in a worker receives a work queue published in the main thread once and in order, and its contents stay valid', async () => {
    const host = newHost();
    const queue = `port-${randomUUID()}`;
    await declare(host, queue);
    const count = 10_000;
    const running = start(host, { job: 'consume', queue, count, prefetch: 100 });
    const conn = await connect({ host });
    onTestFinished(() => conn.close().catch(() => undefined));
    const ch = await conn.createChannel();
    for (let i = 0; i < count; i++) ch.sendToQueue(queue, bodyOf(i));
    const report = await running.report;
    expect(report.bodies).toEqual(expectedBodies(0, count));
    await waitFor(() => host.vhost.queueInfo(queue)?.messages === 0, 'every ack');
  });

  it('publisher confirms from a worker: every publish is acked and waitForConfirms resolves', async () => {
    const host = newHost();
    const queue = `port-${randomUUID()}`;
    await declare(host, queue);
    const report = await start(host, { job: 'confirm', queue, count: 3_000 }).report;
    expect(report.confirmed).toBe(3_000);
    expect(host.vhost.queueInfo(queue)?.messagesReady).toBe(3_000);
  });

  it('checkQueue on a missing queue in a worker rejects with 404 NOT_FOUND and closes only that channel', async () => {
    const host = newHost();
    const queue = `port-missing-${randomUUID()}`;
    const report = await start(host, { job: 'channel-error', queue }).report;
    expect(report.error).toMatchObject({ code: 404, type: 'NOT_FOUND', classId: 50, methodId: 10 });
    expect(report.error?.message).toBe(`Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue '${queue}' in vhost '/'"`);
    expect(report.channelEvents).toEqual(['error', 'close']);
    expect(report.otherChannelWorks).toBe(true);
    expect(report.connectionClosed).toBe(false);
  });

  it('basic.get, basic.return and a connection error reach a worker with their fields, bodies and codes', async () => {
    const host = newHost();
    const queue = `port-${randomUUID()}`;
    await declare(host, queue);
    const conn = await connect({ host });
    onTestFinished(() => conn.close().catch(() => undefined));
    const ch = await conn.createChannel();
    ch.sendToQueue(queue, bodyOf(5), { contentType: 'application/x-test' });
    const report = await start(host, { job: 'get-return-hard-error', queue }).report;
    expect(report.got).toEqual({ body: describeBody(bodyOf(5)), deliveryTag: 1, messageCount: 0, contentType: 'application/x-test' });
    expect(report.empty).toBe(true);
    expect(report.returned).toEqual({ replyCode: 312, replyText: 'NO_ROUTE', routingKey: 'nobody-binds-this', body: describeBody(bodyOf(8)) });
    expect(report.connectionError).toMatchObject({ code: 540, type: 'NOT_IMPLEMENTED', classId: 60, methodId: 40 });
    expect(report.connectionError?.message).toMatch(/^Connection closed: 540 \(NOT-IMPLEMENTED\)/);
    // The broker closed that connection; the message published with immediate was not taken.
    expect(host.vhost.queueInfo(queue)?.messages).toBe(0);
  });

  it("a worker consumer's channel closing requeues its unacked messages in the host, in their original positions", async () => {
    const host = newHost();
    const queue = `port-${randomUUID()}`;
    await declare(host, queue);
    const conn = await connect({ host });
    onTestFinished(() => conn.close().catch(() => undefined));
    const ch = await conn.createChannel();
    for (let i = 0; i < 30; i++) ch.sendToQueue(queue, bodyOf(i));
    const report = await start(host, { job: 'hold-unacked', queue, prefetch: 10, ack: 3, then: 'close-channel' }).report;
    expect(report.bodies).toEqual(expectedBodies(0, 10));
    expect(host.vhost.queueInfo(queue)).toMatchObject({ messagesReady: 27, messagesUnacknowledged: 0 });
    const seen = await consumeHere(host, queue, 27);
    expect(seen.map((m) => describeBody(m.content))).toEqual(expectedBodies(3, 30));
    // The three acks freed prefetch for messages 10-12 before the close: ten were unacked.
    expect(seen.map((m) => m.fields.redelivered)).toEqual([...Array<boolean>(10).fill(true), ...Array<boolean>(17).fill(false)]);
  });

  it('a worker that ends mid-consume leaves its unacked messages requeued', async () => {
    const host = newHost();
    const queue = `port-${randomUUID()}`;
    await declare(host, queue);
    const conn = await connect({ host });
    onTestFinished(() => conn.close().catch(() => undefined));
    const ch = await conn.createChannel();
    for (let i = 0; i < 20; i++) ch.sendToQueue(queue, bodyOf(i));
    const running = start(host, { job: 'hold-unacked', queue, prefetch: 8, ack: 2, then: 'wait' });
    const ready = await running.ready;
    expect(ready.bodies).toEqual(expectedBodies(0, 8));
    // Its two acks arrive and free prefetch for two more: eight deliveries stay unacked while the thread lives.
    await waitFor(() => host.vhost.queueInfo(queue)?.messages === 18, 'the two acks');
    expect(host.vhost.queueInfo(queue)).toMatchObject({ messagesReady: 10, messagesUnacknowledged: 8, consumers: 1 });
    await running.worker.terminate();
    await waitFor(() => host.vhost.queueInfo(queue)?.messagesReady === 18, 'the requeue');
    expect(host.vhost.queueInfo(queue)).toMatchObject({ messagesUnacknowledged: 0, consumers: 0 });
    const seen = await consumeHere(host, queue, 18);
    expect(seen.map((m) => describeBody(m.content))).toEqual(expectedBodies(2, 20));
    expect(seen.map((m) => m.fields.redelivered)).toEqual([...Array<boolean>(8).fill(true), ...Array<boolean>(10).fill(false)]);
  });

  it("host.close() closes a worker's connection with 320 CONNECTION_FORCED and refuses new ones", async () => {
    const host = newHost();
    const running = start(host, { job: 'await-host-close' });
    await running.ready;
    host.close();
    const report = await running.report;
    expect(report.closeCode).toBe(320);
    // As amqplib: 320 is reported on 'close' only, not on 'error'.
    expect(report.errorCodes).toEqual([]);
    expect(report.reconnectCode).toBe(320);
  });

  it('a worker whose connections have closed exits on its own: an idle port holds no thread open', async () => {
    const host = newHost();
    const running = start(host, { job: 'idle-exit' });
    await running.report;
    await expect(running.exited).resolves.toBe(0);
  });
});
