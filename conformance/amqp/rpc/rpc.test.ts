/** X01–X04: request/reply over a reply queue, direct reply-to and its errors. */
import type { Channel, ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { amqpSession, expectClosedWith, expectCode, Inbox, sleep, withTimeout } from '../../support/amqp.js';

const REPLY_TO = 'amq.rabbitmq.reply-to';

/** Tutorial six's server: replies to reply_to with the correlation id, then acks. */
async function serve(ch: Channel, queue: string, log: string[]): Promise<void> {
  await ch.prefetch(1);
  await ch.consume(queue, (msg) => {
    if (msg === null) return;
    const n = Number(msg.content.toString());
    ch.sendToQueue(msg.properties.replyTo as string, Buffer.from(String(n * 2)), { correlationId: msg.properties.correlationId as string });
    log.push('replied');
    ch.ack(msg);
    log.push('acked');
  });
}

describe('RPC', () => {
  it('X01 the server replies to reply_to with the same correlation_id and acks after replying; unknown ids are ignored', async (ctx) => {
    const s = amqpSession(ctx);
    const server = await s.channel();
    const rpc = await s.queue(server.ch, 'rpc');
    const log: string[] = [];
    await serve(server.ch, rpc, log);
    const client = await s.channel();
    const replyQueue = await s.serverQueue(client.ch);
    const answers = new Map<string, string>();
    const ignored: string[] = [];
    const inbox = new Inbox();
    await client.ch.consume(replyQueue, (m: ConsumeMessage | null) => {
      inbox.onMessage(m);
      if (m === null) return;
      const id = m.properties.correlationId as string;
      if (id === 'c1' || id === 'c2') answers.set(id, m.content.toString());
      else ignored.push(id);
    }, { noAck: true });
    client.ch.sendToQueue(replyQueue, Buffer.from('stray'), { correlationId: 'unknown' });
    client.ch.sendToQueue(rpc, Buffer.from('21'), { correlationId: 'c1', replyTo: replyQueue });
    client.ch.sendToQueue(rpc, Buffer.from('5'), { correlationId: 'c2', replyTo: replyQueue });
    await inbox.until(3);
    expect(Object.fromEntries(answers)).toEqual({ c1: '42', c2: '10' });
    expect(ignored).toEqual(['unknown']);
    expect(log).toEqual(['replied', 'acked', 'replied', 'acked']);
  });

  it('X02 direct reply-to: the responder sees amq.rabbitmq.reply-to.<opaque>; a reply via "" reaches the requester', async (ctx) => {
    const s = amqpSession(ctx);
    const requester = await s.channel();
    const responder = await s.channel();
    const rpc = await s.queue(responder.ch, 'drt');
    const inbox = new Inbox();
    await requester.ch.consume(REPLY_TO, inbox.onMessage, { noAck: true });
    requester.ch.sendToQueue(rpc, Buffer.from('ping'), { replyTo: REPLY_TO, correlationId: 'x' });
    const request = await withTimeout((async () => {
      for (;;) {
        const got = await responder.ch.get(rpc, { noAck: true });
        if (got !== false) return got;
        await sleep(10);
      }
    })(), 5000, 'request');
    const replyTo = String(request.properties.replyTo);
    expect(replyTo.startsWith(`${REPLY_TO}.`)).toBe(true);
    expect(replyTo.length).toBeGreaterThan(REPLY_TO.length + 1);
    responder.ch.publish('', replyTo, Buffer.from('pong'), { correlationId: 'x' });
    const [reply] = await inbox.until(1);
    expect(reply?.content.toString()).toBe('pong');
    expect(reply?.fields.routingKey).toBe(replyTo);
  });

  it('X02 (3.10) a mandatory reply through direct reply-to is delivered and also returned', async (ctx) => {
    const s = amqpSession(ctx);
    const requester = await s.channel();
    const responder = await s.channel();
    const rpc = await s.queue(responder.ch, 'drt');
    const inbox = new Inbox();
    await requester.ch.consume(REPLY_TO, inbox.onMessage, { noAck: true });
    requester.ch.sendToQueue(rpc, Buffer.from('ping'), { replyTo: REPLY_TO });
    await sleep(s.quietMs);
    const got = await responder.ch.get(rpc, { noAck: true });
    if (got === false) throw new Error('no request');
    const returned: number[] = [];
    responder.ch.on('return', (m: { fields: { replyCode: number } }) => returned.push(m.fields.replyCode));
    responder.ch.publish('', String(got.properties.replyTo), Buffer.from('pong'), { mandatory: true });
    await inbox.until(1);
    await sleep(s.quietMs);
    expect(returned).toEqual([312]);
  });

  it('X03 reply consumer in ack mode, a second reply consumer, and publishing without one are 406', async (ctx) => {
    const s = amqpSession(ctx);
    const a = await s.channel();
    expect((await expectCode(a.ch.consume(REPLY_TO, () => undefined, { noAck: false }), 406)).message).toContain('reply consumer cannot acknowledge');
    const b = await s.channel();
    await b.ch.consume(REPLY_TO, () => undefined, { noAck: true });
    expect((await expectCode(b.ch.consume(REPLY_TO, () => undefined, { noAck: true }), 406)).message).toContain('reply consumer already set');
    const c = await s.channel();
    const q = await s.serverQueue(c.ch);
    c.ch.sendToQueue(q, Buffer.from('x'), { replyTo: REPLY_TO });
    expect((await expectClosedWith(c.closed, 406)).message).toContain('fast reply consumer does not exist');
  });

  it('X03 (3.10) binding to the pseudo-queue is 404 on 3.10 (403 in later releases)', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    await expectCode(ch.bindQueue(REPLY_TO, 'amq.direct', 'k'), 404);
  });

  it('X03 a reply to a requester that is gone is dropped; mandatory, it is returned', async (ctx) => {
    const s = amqpSession(ctx);
    const responder = await s.confirmChannel();
    const requesterConn = await s.connect();
    const requester = await s.channel(requesterConn.conn);
    const rpc = await s.queue(responder.ch, 'gone');
    await requester.ch.consume(REPLY_TO, () => undefined, { noAck: true });
    requester.ch.sendToQueue(rpc, Buffer.from('ping'), { replyTo: REPLY_TO });
    await sleep(s.quietMs);
    const got = await responder.ch.get(rpc, { noAck: true });
    if (got === false) throw new Error('no request');
    await requesterConn.conn.close();
    const returned: string[] = [];
    responder.ch.on('return', (m: ConsumeMessage) => returned.push(m.content.toString()));
    const replyTo = String(got.properties.replyTo);
    responder.ch.publish('', replyTo, Buffer.from('late'));
    responder.ch.publish('', replyTo, Buffer.from('late-mandatory'), { mandatory: true });
    await responder.ch.waitForConfirms();
    expect(returned).toEqual(['late-mandatory']);
  });

  it('X04 RPC over an exclusive server-named reply queue works, and the queue goes when the client disconnects', async (ctx) => {
    const s = amqpSession(ctx);
    const server = await s.channel();
    const rpc = await s.queue(server.ch, 'old-rpc');
    await serve(server.ch, rpc, []);
    const clientConn = await s.connect();
    const client = await s.channel(clientConn.conn);
    const { queue } = await client.ch.assertQueue('', { exclusive: true });
    expect(queue).toMatch(/^amq\.gen-/);
    const inbox = new Inbox();
    await client.ch.consume(queue, inbox.onMessage, { noAck: true });
    client.ch.sendToQueue(rpc, Buffer.from('4'), { correlationId: 'k', replyTo: queue });
    const [answer] = await inbox.until(1);
    expect([answer?.content.toString(), answer?.properties.correlationId]).toEqual(['8', 'k']);
    await clientConn.conn.close();
    const probe = await s.channel();
    await expectCode(probe.ch.checkQueue(queue), 404);
  });
});
