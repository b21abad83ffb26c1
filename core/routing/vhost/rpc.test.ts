import { describe, expect, it } from 'vitest';
import { DIRECT_REPLY_PREFIX, DIRECT_REPLY_TO } from './route.js';
import { body, harness, text, thrown, type Delivery } from './testing.js';

const T = 1_000;

describe('RPC', () => {
  it('X01 the server replies to reply_to with the same correlation_id and acks after replying; the client ignores unknown ids', () => {
    const h = harness();
    const server = h.client();
    server.ch.assertQueue(T, 'rpc_queue', { durable: false });
    server.ch.qos(T, 1);
    server.ch.consume(T, 'rpc_queue', { consumerTag: 'server' });

    const { queue: callback } = h.ch.assertQueue(T, '', { exclusive: true });
    h.ch.consume(T, callback, { noAck: true, consumerTag: 'client' });
    h.ch.sendToQueue(T, callback, body('stray'), { correlationId: 'unknown' });
    h.ch.sendToQueue(T, 'rpc_queue', body('30'), { correlationId: 'abc', replyTo: callback });

    const request = server.sink.deliveries('server')[0]!;
    expect(request.message.properties).toMatchObject({ correlationId: 'abc', replyTo: callback });
    server.ch.sendToQueue(T, request.message.properties.replyTo!, body('832040'), { correlationId: request.message.properties.correlationId });
    server.ch.ack(T, request.deliveryTag);

    const answers = h.sink.deliveries('client').filter((d) => d.message.properties.correlationId === 'abc');
    expect(answers.map((d) => text(d.message))).toEqual(['832040']);
    expect(h.vhost.queueInfo('rpc_queue')).toMatchObject({ messages: 0 });
  });

  it('X02 direct reply-to: the responder sees amq.rabbitmq.reply-to.<opaque> and a reply via "" reaches the requester', () => {
    const h = harness();
    const responder = h.client();
    responder.ch.assertQueue(T, 'rpc');
    responder.ch.consume(T, 'rpc', { noAck: true, consumerTag: 'srv' });

    const { consumerTag } = h.ch.consume(T, DIRECT_REPLY_TO, { noAck: true });
    expect(h.ch.checkQueue(T, DIRECT_REPLY_TO)).toEqual({ queue: DIRECT_REPLY_TO, messageCount: 0, consumerCount: 1 });
    h.ch.confirmSelect(T);
    h.ch.sendToQueue(T, 'rpc', body('ping'), { replyTo: DIRECT_REPLY_TO, correlationId: 'c1' });

    const request = responder.sink.deliveries('srv')[0]!;
    const replyTo = request.message.properties.replyTo!;
    expect(replyTo.startsWith(DIRECT_REPLY_PREFIX)).toBe(true);
    expect(replyTo.length).toBeGreaterThan(DIRECT_REPLY_PREFIX.length);
    expect(responder.ch.checkQueue(T, replyTo)).toMatchObject({ consumerCount: 1 });

    responder.ch.confirmSelect(T);
    responder.ch.publish(T, '', replyTo, body('pong'), { correlationId: 'c1', mandatory: true });
    const replies = h.sink.events.filter((e): e is Delivery => e.kind === 'deliver');
    expect(replies.map((d) => [d.consumerTag, d.deliveryTag, text(d.message), d.message.routingKey])).toEqual([[consumerTag, 1, 'pong', replyTo]]);
    expect(responder.sink.events.filter((e) => e.kind !== 'deliver')).toEqual([
      { kind: 'confirm', channel: 1, deliveryTag: 1, multiple: false, ack: true },
    ]);
  });

  it('X02 (version flag) RabbitMQ 3.10 also returns a mandatory reply that it delivered', () => {
    const h = harness({ directReplyCountsAsRouted: false });
    h.ch.consume(T, DIRECT_REPLY_TO, { noAck: true });
    h.ch.assertQueue(T, 'rpc');
    h.ch.sendToQueue(T, 'rpc', body('ping'), { replyTo: DIRECT_REPLY_TO });
    const got = h.ch.get(T, 'rpc', { noAck: true });
    const responder = h.client();
    responder.ch.publish(T, '', got === false ? '' : got.message.properties.replyTo!, body('pong'), { mandatory: true });
    expect(h.sink.bodies()).toEqual(['pong']);
    expect(responder.sink.kinds()).toEqual(['return']);
  });

  it('X03 direct reply-to errors: ack mode, a second consumer, publishing without one; bind and get find no queue', () => {
    const h = harness();
    const a = h.client();
    expect(thrown(() => a.ch.consume(T, DIRECT_REPLY_TO, { noAck: false })).message).toBe('PRECONDITION_FAILED - reply consumer cannot acknowledge');
    const b = h.client();
    b.ch.consume(T, DIRECT_REPLY_TO, { noAck: true });
    expect(thrown(() => b.ch.consume(T, DIRECT_REPLY_TO, { noAck: true })).message).toBe('PRECONDITION_FAILED - reply consumer already set');
    const c = h.client();
    expect(thrown(() => c.ch.sendToQueue(T, 'rpc', body('x'), { replyTo: DIRECT_REPLY_TO })).message).toBe(
      'PRECONDITION_FAILED - fast reply consumer does not exist',
    );
    expect(thrown(() => h.client().ch.bindQueue(T, DIRECT_REPLY_TO, 'amq.direct', 'k')).message).toBe(
      "NOT_FOUND - no queue 'amq.rabbitmq.reply-to' in vhost '/'",
    );
    expect(thrown(() => h.client().ch.get(T, DIRECT_REPLY_TO)).code).toBe(404);
  });

  it('X03 a reply to a requester that is gone is dropped; mandatory, it is returned', () => {
    const h = harness();
    const requester = h.client();
    requester.ch.consume(T, DIRECT_REPLY_TO, { noAck: true });
    h.ch.assertQueue(T, 'rpc');
    requester.ch.sendToQueue(T, 'rpc', body('ping'), { replyTo: DIRECT_REPLY_TO });
    const got = h.ch.get(T, 'rpc', { noAck: true });
    const replyTo = got === false ? '' : got.message.properties.replyTo!;
    requester.conn.close(T);
    h.ch.publish(T, '', replyTo, body('late'));
    h.ch.publish(T, '', replyTo, body('late-mandatory'), { mandatory: true });
    expect(h.sink.events).toMatchObject([{ kind: 'return', replyCode: 312, replyText: 'NO_ROUTE' }]);
    expect(thrown(() => h.client().ch.checkQueue(T, replyTo)).message).toBe(`NOT_FOUND - no queue '${replyTo}' in vhost '/'`);
  });

  it('X03 cancelling the reply consumer allows a new one, with a new reply name', () => {
    const h = harness();
    const first = h.ch.consume(T, DIRECT_REPLY_TO, { noAck: true }).consumerTag;
    h.ch.cancel(T, first);
    h.ch.consume(T, DIRECT_REPLY_TO, { noAck: true, consumerTag: 'again' });
    expect(h.ch.replyConsumer?.tag).toBe('again');
  });

  it('X04 RPC over an exclusive server-named reply queue works, and the queue goes when the client disconnects', () => {
    const h = harness();
    const server = h.client();
    server.ch.assertQueue(T, 'rpc_queue');
    server.ch.consume(T, 'rpc_queue', { consumerTag: 'srv' });
    const { queue } = h.ch.assertQueue(T, '', { exclusive: true });
    expect(queue.startsWith('amq.gen-')).toBe(true);
    h.ch.consume(T, queue, { noAck: true, consumerTag: 'cb' });
    h.ch.sendToQueue(T, 'rpc_queue', body('n'), { replyTo: queue, correlationId: 'id-1' });
    const req = server.sink.deliveries('srv')[0]!;
    server.ch.sendToQueue(T, req.message.properties.replyTo!, body('answer'), { correlationId: 'id-1' });
    server.ch.ack(T, req.deliveryTag);
    expect(h.sink.bodies('cb')).toEqual(['answer']);
    h.conn.close(T);
    expect(h.vhost.queues.has(queue)).toBe(false);
    server.ch.sendToQueue(T, queue, body('after'), { mandatory: true });
    expect(server.sink.kinds().slice(-1)).toEqual(['return']);
  });
});
