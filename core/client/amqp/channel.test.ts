/**
 * mqlab/amqp's channels and connections behave as amqplib's do against RabbitMQ: message shapes,
 * errors (reply codes and amqplib's texts), event order, confirms and returns, basic.get, prefetch
 * and requeue order. Each test has its own host. The texts and orders asserted here were taken from
 * amqplib 2.3 against RabbitMQ 3.10.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  connect,
  createAmqpHost,
  IllegalOperationError,
  type AmqpHost,
  type Channel,
  type ConsumeMessage,
  type Connection,
} from './index.js';

async function setup(): Promise<{ host: AmqpHost; connection: Connection; channel: () => Promise<Channel> }> {
  const host = createAmqpHost();
  onTestFinished(() => host.close());
  const connection = await connect('amqp://ignored', { host });
  connection.on('error', () => undefined);
  return {
    host,
    connection,
    channel: async () => {
      const ch = await connection.createChannel();
      ch.on('error', () => undefined);
      return ch;
    },
  };
}

/** Collects what `consume` delivers; `next(n)` resolves once n messages in total have arrived. */
function collector(): {
  onMessage: (msg: ConsumeMessage | null) => void;
  messages: (ConsumeMessage | null)[];
  next: (count: number) => Promise<(ConsumeMessage | null)[]>;
} {
  const messages: (ConsumeMessage | null)[] = [];
  const waiters: { count: number; resolve: (m: (ConsumeMessage | null)[]) => void }[] = [];
  return {
    messages,
    onMessage: (msg) => {
      messages.push(msg);
      for (const w of waiters.splice(0)) {
        if (messages.length >= w.count) w.resolve(messages);
        else waiters.push(w);
      }
    },
    next: (count) => {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const text = (messages: readonly (ConsumeMessage | null)[]): (string | null)[] => messages.map((m) => (m === null ? null : m.content.toString()));

describe('messages', () => {
  it('a delivered message has amqplib\'s fields, every property key and a Buffer content', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const c = collector();
    const { consumerTag } = await ch.consume(queue, c.onMessage, { noAck: true });
    ch.sendToQueue(queue, Buffer.from('plain'));
    ch.sendToQueue(queue, Buffer.from('full'), {
      contentType: 'text/plain',
      contentEncoding: 'utf8',
      headers: { a: 1 },
      persistent: true,
      priority: 3,
      correlationId: 'c1',
      replyTo: 'r1',
      expiration: 60_000,
      messageId: 'm1',
      timestamp: 1700000000,
      type: 't1',
      userId: 'guest',
      appId: 'app',
    });
    const [plain, full] = await c.next(2);
    expect(plain).toStrictEqual({
      fields: { consumerTag, deliveryTag: 1, redelivered: false, exchange: '', routingKey: queue },
      properties: {
        contentType: undefined,
        contentEncoding: undefined,
        headers: {},
        deliveryMode: undefined,
        priority: undefined,
        correlationId: undefined,
        replyTo: undefined,
        expiration: undefined,
        messageId: undefined,
        timestamp: undefined,
        type: undefined,
        userId: undefined,
        appId: undefined,
        clusterId: undefined,
      },
      content: Buffer.from('plain'),
    });
    expect(Buffer.isBuffer(plain?.content)).toBe(true);
    expect(full?.properties).toStrictEqual({
      contentType: 'text/plain',
      contentEncoding: 'utf8',
      headers: { a: 1 },
      deliveryMode: 2,
      priority: 3,
      correlationId: 'c1',
      replyTo: 'r1',
      expiration: '60000',
      messageId: 'm1',
      timestamp: 1700000000,
      type: 't1',
      userId: 'guest',
      appId: 'app',
      clusterId: undefined,
    });
  });

  it('get answers with messageCount of the ready messages left, then false when the queue is empty', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (const body of ['a', 'b', 'c']) ch.sendToQueue(queue, Buffer.from(body));
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const msg = await ch.get(queue, { noAck: true });
      if (msg === false) throw new Error('expected a message');
      expect(msg.fields).toStrictEqual({ deliveryTag: i + 1, redelivered: false, exchange: '', routingKey: queue, messageCount: 2 - i });
      counts.push(msg.fields.messageCount);
    }
    expect(counts).toEqual([2, 1, 0]);
    expect(await ch.get(queue)).toBe(false);
  });

  it('the publisher may reuse its buffer once publish returns', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const buffer = Buffer.from('first');
    ch.sendToQueue(queue, buffer);
    buffer.write('XXXXX');
    const msg = await ch.get(queue);
    expect(msg !== false && msg.content.toString()).toBe('first');
  });

  it('deliveries come after publish returns, and after the consume promise has resolved', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('waiting'));
    const events: string[] = [];
    const c = collector();
    const consumed = ch.consume(queue, (msg) => {
      events.push('delivery');
      c.onMessage(msg);
    });
    await consumed;
    events.push('consume-ok');
    ch.sendToQueue(queue, Buffer.from('later'));
    events.push('published');
    await c.next(2);
    expect(events).toEqual(['consume-ok', 'published', 'delivery', 'delivery']);
  });
});

describe('channel errors', () => {
  it('acking a delivery twice closes the channel with 406 unknown delivery tag: error, then close', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('x'));
    const msg = await ch.get(queue);
    if (msg === false) throw new Error('expected a message');
    const events: string[] = [];
    const errors: Error[] = [];
    ch.on('error', (err: Error) => {
      events.push('error');
      errors.push(err);
    });
    ch.on('close', () => events.push('close'));

    ch.ack(msg);
    ch.ack(msg);
    const pending = ch.checkQueue(queue);

    await expect(pending).rejects.toMatchObject({
      code: 406,
      message: 'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - unknown delivery tag 1"',
    });
    expect(events).toEqual(['error', 'close']);
    expect(errors[0]).toMatchObject({
      code: 406,
      classId: 60,
      methodId: 80,
      message: 'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - unknown delivery tag 1"',
    });
    expect(() => ch.publish('', queue, Buffer.from('y'))).toThrow(IllegalOperationError);
    expect(() => ch.ack(msg)).toThrow('Channel closed');
    await expect(ch.assertQueue('q')).rejects.toThrow(IllegalOperationError);
    await expect(ch.close()).rejects.toThrow('Channel closed');
  });

  it('the RPC that failed rejects with amqplib\'s "Operation failed" text and the reply code', async () => {
    const { channel } = await setup();
    const ch = await channel();
    await expect(ch.checkQueue('no-such-queue')).rejects.toMatchObject({
      code: 404,
      classId: 50,
      methodId: 10,
      message: 'Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'no-such-queue\' in vhost \'/\'"',
    });
  });

  it('other channels of the connection keep working after one channel fails', async () => {
    const { channel } = await setup();
    const failing = await channel();
    const healthy = await channel();
    await expect(failing.checkExchange('no-such-exchange')).rejects.toMatchObject({ code: 404 });
    const { queue } = await healthy.assertQueue('', { exclusive: true });
    healthy.sendToQueue(queue, Buffer.from('still fine'));
    const msg = await healthy.get(queue);
    expect(msg !== false && msg.content.toString()).toBe('still fine');
  });

  it('a closed channel\'s number is reused and its unacked deliveries are requeued', async () => {
    const { channel } = await setup();
    const first = await channel();
    const { queue } = await first.assertQueue('', { exclusive: true });
    first.sendToQueue(queue, Buffer.from('x'));
    expect(await first.get(queue)).not.toBe(false);
    const number = first.ch;
    await first.close();
    const second = await channel();
    expect(second.ch).toBe(number);
    const again = await second.get(queue);
    expect(again !== false && again.fields.redelivered).toBe(true);
  });
});

describe('connection errors', () => {
  it('a 540 closes the connection: connection error then close, channels close without error, RPCs reject', async () => {
    const { host } = await setup();
    const connection = await connect({ host });
    const ch = await connection.createChannel();
    const other = await connection.createChannel();
    const events: string[] = [];
    connection.on('error', (err: Error & { code?: number }) => events.push(`connection error ${err.code}: ${err.message}`));
    connection.on('close', (err?: Error) => events.push(`connection close ${err?.message}`));
    ch.on('error', () => events.push('channel error'));
    ch.on('close', () => events.push('channel close'));
    other.on('close', () => events.push('other close'));

    ch.publish('', 'anything', Buffer.from('x'), { immediate: true });
    const pending = other.assertQueue('');

    await expect(pending).rejects.toThrow('Channel ended, no reply will be forthcoming');
    const text540 = 'Connection closed: 540 (NOT-IMPLEMENTED) with message "NOT_IMPLEMENTED - immediate=true"';
    expect(events).toEqual([`connection error 540: ${text540}`, 'channel close', 'other close', `connection close ${text540}`]);
    expect(() => other.sendToQueue('q', Buffer.from('x'))).toThrow(IllegalOperationError);
    await expect(connection.createChannel()).rejects.toThrow(IllegalOperationError);
    await expect(connection.close()).rejects.toThrow(IllegalOperationError);
  });

  it('close() emits close without error and drops the connection\'s exclusive queues', async () => {
    const { host, channel } = await setup();
    const connection = await connect({ host });
    const ch = await connection.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const events: string[] = [];
    connection.on('error', () => events.push('error'));
    connection.on('close', (err?: Error) => events.push(`close ${String(err)}`));
    ch.on('close', () => events.push('channel close'));
    await connection.close();
    expect(events).toEqual(['channel close', 'close undefined']);
    const observer = await channel();
    await expect(observer.checkQueue(queue)).rejects.toMatchObject({ code: 404 });
  });

  it('closing the host closes its connections with 320, which amqplib does not report as an error', async () => {
    const { host, connection } = await setup();
    const events: string[] = [];
    connection.removeAllListeners('error');
    connection.on('error', () => events.push('error'));
    const closed = new Promise<(Error & { code?: number }) | undefined>((resolve) => connection.on('close', resolve));
    host.close();
    const err = await closed;
    expect(err?.code).toBe(320);
    expect(events).toEqual([]);
  });
});

describe('consumers', () => {
  it('the consume callback gets null when its queue is deleted', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const admin = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const c = collector();
    await ch.consume(queue, c.onMessage, { noAck: true });
    ch.sendToQueue(queue, Buffer.from('before'));
    await c.next(1);
    await admin.deleteQueue(queue);
    expect(text(await c.next(2))).toEqual(['before', null]);
  });

  it('prefetch limits a consumer\'s unacked deliveries; an ack lets the next one through', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.prefetch(2);
    for (let i = 1; i <= 5; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
    const c = collector();
    await ch.consume(queue, c.onMessage);
    await c.next(2);
    await sleep(20);
    expect(text(c.messages)).toEqual(['m1', 'm2']);
    ch.ack(c.messages[0]!);
    await c.next(3);
    await sleep(20);
    expect(text(c.messages)).toEqual(['m1', 'm2', 'm3']);
    expect(await ch.checkQueue(queue)).toMatchObject({ messageCount: 2, consumerCount: 1 });
  });

  it('nacked messages are redelivered with redelivered = true in their original order', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (let i = 1; i <= 4; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
    await ch.prefetch(3);
    const c = collector();
    await ch.consume(queue, c.onMessage);
    const first = await c.next(3);
    ch.nack(first[2]!, true, true);
    const all = await c.next(6);
    expect(all.slice(3).map((m) => [m?.content.toString(), m?.fields.redelivered])).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', true],
    ]);
  });

  it('messages requeued in any order return to their original positions', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (let i = 1; i <= 4; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`));
    const taken = [];
    for (let i = 0; i < 3; i++) {
      const msg = await ch.get(queue);
      if (msg === false) throw new Error('expected a message');
      taken.push(msg);
    }
    ch.reject(taken[2]!, true);
    ch.nack(taken[0]!, false, true);
    ch.reject(taken[1]!);
    const order: [string, boolean][] = [];
    for (let msg = await ch.get(queue, { noAck: true }); msg !== false; msg = await ch.get(queue, { noAck: true })) {
      order.push([msg.content.toString(), msg.fields.redelivered]);
    }
    expect(order).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', true],
      ['m4', false],
    ]);
  });

  it('cancel stops deliveries; messages stay in the queue', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const c = collector();
    const { consumerTag } = await ch.consume(queue, c.onMessage, { noAck: true });
    expect(await ch.cancel(consumerTag)).toEqual({ consumerTag });
    ch.sendToQueue(queue, Buffer.from('kept'));
    await sleep(10);
    expect(c.messages).toEqual([]);
    expect(await ch.checkQueue(queue)).toMatchObject({ messageCount: 1, consumerCount: 0 });
  });

  it('a consumer tag reused after cancel delivers to the new callback', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const first = collector();
    const second = collector();
    await ch.consume(queue, first.onMessage, { noAck: true, consumerTag: 'tag' });
    ch.sendToQueue(queue, Buffer.from('one'));
    await first.next(1);
    await ch.cancel('tag');
    await ch.consume(queue, second.onMessage, { noAck: true, consumerTag: 'tag' });
    ch.sendToQueue(queue, Buffer.from('two'));
    expect(text(await second.next(1))).toEqual(['two']);
    expect(text(first.messages)).toEqual(['one']);
  });

  it('a message published with an expiration is dropped once expired at the head', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('kept'));
    ch.sendToQueue(queue, Buffer.from('short-lived'), { expiration: 20 });
    expect(await ch.checkQueue(queue)).toMatchObject({ messageCount: 2 });
    await sleep(60);
    const got = await ch.get(queue, { noAck: true });
    expect(got !== false && got.content.toString()).toBe('kept');
    expect(await ch.checkQueue(queue)).toMatchObject({ messageCount: 0 });
  });

  it('message TTL expires messages on the host\'s timer', async () => {
    const { channel } = await setup();
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true, messageTtl: 20 });
    ch.sendToQueue(queue, Buffer.from('short-lived'));
    expect(await ch.checkQueue(queue)).toMatchObject({ messageCount: 1 });
    await sleep(60);
    expect(await ch.checkQueue(queue)).toMatchObject({ messageCount: 0 });
  });
});

describe('confirms and returns', () => {
  it('an unroutable mandatory message is returned (312 NO_ROUTE) before its confirm callback', async () => {
    const { connection } = await setup();
    const ch = await connection.createConfirmChannel();
    const events: string[] = [];
    ch.on('return', (msg: { fields: unknown; content: Buffer }) => {
      events.push('return');
      expect(msg.fields).toStrictEqual({ replyCode: 312, replyText: 'NO_ROUTE', exchange: 'amq.direct', routingKey: 'nowhere' });
      expect(msg.content.toString()).toBe('lost');
    });
    ch.publish('amq.direct', 'nowhere', Buffer.from('lost'), { mandatory: true }, (err) => events.push(`confirm ${String(err)}`));
    await ch.waitForConfirms();
    expect(events).toEqual(['return', 'confirm null']);
  });

  it('a nacked publish calls back with "message nacked" and waitForConfirms rejects', async () => {
    const { connection } = await setup();
    const ch = await connection.createConfirmChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, maxLength: 1, overflow: 'reject-publish' });
    const results: string[] = [];
    ch.sendToQueue(queue, Buffer.from('fits'), {}, (err) => results.push(err === null ? 'ack' : err.message));
    ch.sendToQueue(queue, Buffer.from('overflows'), {}, (err) => results.push(err === null ? 'ack' : err.message));
    await expect(ch.waitForConfirms()).rejects.toThrow('message nacked');
    expect(results).toEqual(['ack', 'message nacked']);
  });

  it('waitForConfirms resolves once every publish is confirmed', async () => {
    const { connection } = await setup();
    const ch = await connection.createConfirmChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    let acks = 0;
    for (let i = 0; i < 100; i++) ch.sendToQueue(queue, Buffer.from(String(i)), {}, (err) => (acks += err === null ? 1 : 0));
    await ch.waitForConfirms();
    expect(acks).toBe(100);
    expect(await ch.checkQueue(queue)).toMatchObject({ messageCount: 100 });
  });
});
