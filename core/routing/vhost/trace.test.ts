import { describe, expect, it } from 'vitest';
import { TRACE_EXCHANGE } from './trace.js';
import { body, harness, text, thrown } from './testing.js';

const T = 1_000;

describe('firehose tracing', () => {
  it('R20 publishes trace to publish.<exchange> and deliveries to deliver.<queue> with the documented headers', () => {
    const h = harness({ node: 'rabbit@test' });
    const tracer = h.client();
    tracer.ch.assertQueue(T, 'firehose');
    tracer.ch.bindQueue(T, 'firehose', TRACE_EXCHANGE, '#');
    tracer.ch.consume(T, 'firehose', { noAck: true, consumerTag: 'trace' });

    h.ch.assertQueue(T, 'work');
    h.ch.sendToQueue(T, 'work', body('before'));
    expect(tracer.sink.deliveries()).toEqual([]);

    h.vhost.setTracing(true);
    h.ch.publish(T, '', 'work', body('m'), { CC: ['cc'], BCC: ['bcc'], contentType: 'text/plain', deliveryMode: 2 });
    const stored = h.vhost.queues.get('work')!.ready.messageAt(1);
    h.ch.publish(T, 'amq.direct', 'k', body('x'));
    h.ch.get(T, 'work'); // "before"
    h.ch.nack(T, 1, false, true);
    h.ch.get(T, 'work', { noAck: true });

    const traced = tracer.sink.deliveries('trace');
    expect(traced.map((d) => d.message.routingKey)).toEqual(['publish.', 'publish.amq.direct', 'deliver.work', 'deliver.work']);
    const publish = traced[0]!.message;
    expect(publish.exchange).toBe(TRACE_EXCHANGE);
    expect(text(publish)).toBe('m');
    expect(publish.body).toBe(stored.body);
    expect(publish.properties.headers).toMatchObject({
      exchange_name: '',
      routing_keys: ['work', 'cc', 'bcc'],
      properties: { content_type: 'text/plain', delivery_mode: 2, headers: { CC: ['cc'] } },
      node: 'rabbit@test',
      routed_queues: ['work'],
      vhost: '/',
      channel: 1,
      user: 'guest',
    });
    expect(traced[2]!.message.properties.headers).toMatchObject({ redelivered: 0, exchange_name: '', routing_keys: ['work'] });
    expect(traced[3]!.message.properties.headers).toMatchObject({ redelivered: 1 });
  });

  it('R20 the trace exchange itself is not traced: trace deliveries do not feed the firehose', () => {
    const h = harness({ tracing: true });
    h.ch.assertQueue(T, 'firehose');
    h.ch.bindQueue(T, 'firehose', TRACE_EXCHANGE, 'publish.#');
    h.ch.assertQueue(T, 'deliveries');
    h.ch.bindQueue(T, 'deliveries', TRACE_EXCHANGE, 'deliver.#');
    h.ch.consume(T, 'firehose', { noAck: true, consumerTag: 'f' });
    h.ch.sendToQueue(T, 'none', body('1'));
    expect(h.sink.deliveries('f').length).toBe(1);
    expect(h.vhost.queueInfo('deliveries')!.messages).toBe(0);
    expect(thrown(() => h.client().ch.publish(T, TRACE_EXCHANGE, 'x', body('x'))).code).toBe(403);
    expect(thrown(() => h.client().ch.deleteExchange(T, TRACE_EXCHANGE)).code).toBe(403);
  });
});
