/**
 * Test fixture (port-transport.test.ts): a worker thread that reaches the main thread's AMQP host
 * through the port `host.share()` gave it and runs one job with the amqplib-shaped client. It posts
 * `{ event: 'ready' }` when a job that waits on the main thread is set up, and `{ event: 'done', ... }`
 * with what it saw (or `{ event: 'failed', error }`).
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { attachAmqpHost, connect, type Channel, type ConfirmChannel, type Connection, type ConsumeMessage } from './index.js';

export type PortJob =
  | { readonly job: 'produce'; readonly queue: string; readonly count: number }
  | { readonly job: 'consume'; readonly queue: string; readonly count: number; readonly prefetch: number }
  | { readonly job: 'confirm'; readonly queue: string; readonly count: number }
  | { readonly job: 'channel-error'; readonly queue: string }
  | { readonly job: 'hold-unacked'; readonly queue: string; readonly prefetch: number; readonly ack: number; readonly then: 'close-channel' | 'wait' }
  | { readonly job: 'get-return-hard-error'; readonly queue: string }
  | { readonly job: 'await-host-close' }
  | { readonly job: 'idle-exit' };

/** What a job reports. */
export interface PortReport {
  readonly event: 'done';
  readonly bodies?: string[];
  readonly falses?: number;
  readonly drains?: number;
  readonly confirmed?: number;
  readonly error?: { code: unknown; type: unknown; classId: unknown; methodId: unknown; message: string };
  readonly channelEvents?: string[];
  readonly otherChannelWorks?: boolean;
  readonly connectionClosed?: boolean;
  readonly closeCode?: unknown;
  readonly errorCodes?: unknown[];
  readonly reconnectCode?: unknown;
  readonly tags?: number[];
  readonly got?: { body: string; deliveryTag: number; messageCount: number; contentType: unknown } | false;
  readonly empty?: boolean;
  readonly returned?: { replyCode: number; replyText: string; routingKey: string; body: string };
  readonly connectionError?: { code: unknown; type: unknown; classId: unknown; methodId: unknown; message: string };
}

/** The i-th test body: sizes vary across amqplib's copy threshold (2048 B), and some are empty. */
export function bodyOf(i: number): Buffer {
  const size = i % 7 === 0 ? 0 : i % 11 === 0 ? 3000 + (i % 5) : 16 + (i % 40);
  const body = Buffer.alloc(size, i % 251);
  if (size >= 8) body.writeUInt32LE(i, 0);
  return body;
}

/** What a receiver records of body i: its index and length, checked against bodyOf. */
export function describeBody(content: Buffer): string {
  return content.length >= 8 ? `${content.readUInt32LE(0)}:${content.length}` : `?:${content.length}`;
}

function post(message: unknown): void {
  parentPort!.postMessage(message);
}

async function produce(conn: Connection, queue: string, count: number): Promise<PortReport> {
  const ch = await conn.createChannel();
  let falses = 0;
  let drains = 0;
  for (let i = 0; i < count; i++) {
    if (!ch.sendToQueue(queue, bodyOf(i))) {
      falses++;
      await new Promise<void>((resolve) => ch.once('drain', resolve));
      drains++;
    }
  }
  await ch.close();
  return { event: 'done', falses, drains };
}

async function consume(conn: Connection, queue: string, count: number, prefetch: number): Promise<PortReport> {
  const ch = await conn.createChannel();
  await ch.prefetch(prefetch);
  const seen: ConsumeMessage[] = [];
  await new Promise<void>((resolve) => {
    void ch.consume(queue, (m) => {
      if (m === null) return;
      // Kept past the callback: the content must stay valid (a view of its batch's buffer).
      seen.push(m);
      ch.ack(m);
      if (seen.length === count) resolve();
    });
  });
  await ch.close();
  return { event: 'done', bodies: seen.map((m) => describeBody(m.content)) };
}

async function confirm(conn: Connection, queue: string, count: number): Promise<PortReport> {
  const ch: ConfirmChannel = await conn.createConfirmChannel();
  let confirmed = 0;
  for (let i = 0; i < count; i++) {
    ch.sendToQueue(queue, bodyOf(i), {}, (err) => {
      if (err === null) confirmed++;
    });
  }
  await ch.waitForConfirms();
  await ch.close();
  return { event: 'done', confirmed };
}

async function channelError(conn: Connection, queue: string): Promise<PortReport> {
  const ch = await conn.createChannel();
  const other = await conn.createChannel();
  const channelEvents: string[] = [];
  ch.on('error', () => channelEvents.push('error'));
  ch.on('close', () => channelEvents.push('close'));
  let connectionClosed = false;
  conn.on('close', () => (connectionClosed = true));
  let error: PortReport['error'];
  try {
    await ch.checkQueue(queue);
  } catch (e) {
    const x = e as { code: unknown; type: unknown; classId: unknown; methodId: unknown; message: string };
    error = { code: x.code, type: x.type, classId: x.classId, methodId: x.methodId, message: x.message };
  }
  await new Promise((resolve) => setImmediate(resolve));
  const otherChannelWorks = (await other.assertQueue('', { exclusive: true })).queue.startsWith('amq.gen-');
  await other.close();
  return { event: 'done', ...(error === undefined ? {} : { error }), channelEvents, otherChannelWorks, connectionClosed };
}

async function holdUnacked(conn: Connection, job: Extract<PortJob, { job: 'hold-unacked' }>): Promise<PortReport> {
  const ch: Channel = await conn.createChannel();
  await ch.prefetch(job.prefetch);
  const held: ConsumeMessage[] = [];
  await new Promise<void>((resolve) => {
    void ch.consume(job.queue, (m) => {
      if (m === null) return;
      held.push(m);
      if (held.length === job.prefetch) resolve();
    });
  });
  for (let i = 0; i < job.ack; i++) ch.ack(held[i]!);
  const tags = held.map((m) => m.fields.deliveryTag);
  if (job.then === 'close-channel') {
    await ch.close();
    return { event: 'done', tags, bodies: held.map((m) => describeBody(m.content)) };
  }
  // Acks leave with the next batch; the main thread ends this thread once it has seen them.
  post({ event: 'ready', bodies: held.map((m) => describeBody(m.content)) });
  return new Promise<PortReport>(() => undefined);
}

/**
 * basic.get with a message and without, a mandatory publish that no queue takes (basic.return), then
 * a hard error: publish with immediate=true closes the connection with 540 NOT_IMPLEMENTED.
 */
async function getReturnHardError(conn: Connection, queue: string): Promise<PortReport> {
  const ch = await conn.createChannel();
  const m = await ch.get(queue, { noAck: true });
  const got = m === false ? false : { body: describeBody(m.content), deliveryTag: m.fields.deliveryTag, messageCount: m.fields.messageCount, contentType: m.properties.contentType };
  const empty = (await ch.get(queue, { noAck: true })) === false;
  const returned = await new Promise<PortReport['returned']>((resolve) => {
    ch.once('return', (r: ConsumeMessage & { fields: { replyCode: number; replyText: string; routingKey: string } }) =>
      resolve({ replyCode: r.fields.replyCode, replyText: r.fields.replyText, routingKey: r.fields.routingKey, body: describeBody(r.content) }),
    );
    ch.publish('amq.direct', 'nobody-binds-this', bodyOf(8), { mandatory: true });
  });
  const connectionError = await new Promise<PortReport['connectionError']>((resolve) => {
    conn.once('error', (e: { code: unknown; type: unknown; classId: unknown; methodId: unknown; message: string }) =>
      resolve({ code: e.code, type: e.type, classId: e.classId, methodId: e.methodId, message: e.message }),
    );
    ch.publish('', queue, bodyOf(9), { immediate: true });
  });
  return { event: 'done', got, empty, ...(returned === undefined ? {} : { returned }), ...(connectionError === undefined ? {} : { connectionError }) };
}

async function awaitHostClose(conn: Connection): Promise<PortReport> {
  await conn.createChannel();
  const errorCodes: unknown[] = [];
  conn.on('error', (e: { code: unknown }) => errorCodes.push(e.code));
  const closed = new Promise<unknown>((resolve) => conn.once('close', (e?: { code: unknown }) => resolve(e?.code)));
  post({ event: 'ready' });
  const closeCode = await closed;
  return { event: 'done', closeCode, errorCodes };
}

/** The worker's entry: runs the job in workerData and posts its report. */
async function run({ port, job }: { readonly port: MessagePort; readonly job: PortJob }): Promise<void> {
  const host = attachAmqpHost(port);
  try {
    if (job.job === 'idle-exit') {
      // Opens and closes a connection, then leaves the event loop empty: the port must not keep
      // this thread alive, so it exits without being told to.
      const conn = await connect({ host });
      await (await conn.createChannel()).assertQueue('', { exclusive: true });
      await conn.close();
      post({ event: 'done' });
    } else {
      const conn = await connect({ host }, { clientProperties: { connection_name: `fixture-${job.job}` } });
      let report: PortReport;
      switch (job.job) {
        case 'produce':
          report = await produce(conn, job.queue, job.count);
          break;
        case 'consume':
          report = await consume(conn, job.queue, job.count, job.prefetch);
          break;
        case 'confirm':
          report = await confirm(conn, job.queue, job.count);
          break;
        case 'channel-error':
          report = await channelError(conn, job.queue);
          break;
        case 'hold-unacked':
          report = await holdUnacked(conn, job);
          break;
        case 'get-return-hard-error':
          report = await getReturnHardError(conn, job.queue);
          break;
        case 'await-host-close': {
          report = await awaitHostClose(conn);
          // The port is still attached, and the closed host refuses a new connection.
          const refused = await connect({ host }).then(
            () => 'connected',
            (e: { code: unknown }) => e.code,
          );
          report = { ...report, reconnectCode: refused };
          break;
        }
        default: {
          const never: never = job;
          throw new Error(`unknown job ${JSON.stringify(never)}`);
        }
      }
      // These two end with the connection closed by the broker.
      if (job.job !== 'await-host-close' && job.job !== 'get-return-hard-error') await conn.close();
      post(report);
    }
  } catch (error) {
    post({ event: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  } finally {
    if (job.job !== 'idle-exit') host.close();
  }
}

// The test imports this file for bodyOf; only a worker runs a job.
if (!isMainThread) await run(workerData as { port: MessagePort; job: PortJob });
