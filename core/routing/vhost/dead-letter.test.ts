import { describe, expect, it } from 'vitest';
import type { FieldTable } from '../index.js';
import { body, drain, harness, text } from './testing.js';

const T = 1_700_000_000_000;

function headersOf(got: false | { message: { properties: { headers?: FieldTable } } }): FieldTable {
  if (got === false) throw new Error('queue was empty');
  return got.message.properties.headers ?? {};
}

describe('max-length, dead-lettering and TTL', () => {
  it('A12 x-max-length=1 drop-head: publishing 3 leaves [msg3]; the DLQ gets msg1, msg2 with reason maxlen', () => {
    const { ch } = harness();
    ch.assertQueue(T, 'dlq');
    ch.assertQueue(T, 'q', { maxLength: 1, deadLetterExchange: '', deadLetterRoutingKey: 'dlq' });
    for (const m of ['msg1', 'msg2', 'msg3']) ch.sendToQueue(T, 'q', body(m));
    expect(drain(ch, T, 'q')).toEqual(['msg3']);
    const first = ch.get(T, 'dlq', { noAck: true });
    expect(headersOf(first)['x-first-death-reason']).toBe('maxlen');
    expect(first && text(first.message)).toBe('msg1');
    expect(drain(ch, T, 'dlq')).toEqual(['msg2']);
  });

  it('A13 reject-publish discards the newest and nacks it; only ready messages count; bytes count bodies only', () => {
    const { ch, sink } = harness();
    ch.confirmSelect(T);
    ch.assertQueue(T, 'q', { maxLength: 2, overflow: 'reject-publish' });
    ch.sendToQueue(T, 'q', body('1'));
    ch.sendToQueue(T, 'q', body('2'));
    ch.sendToQueue(T, 'q', body('3'), { headers: { big: 'x'.repeat(1000) } });
    expect(sink.events.map((e) => e.kind === 'confirm' && e.ack)).toEqual([true, true, false]);
    ch.get(T, 'q'); // unacked now: no longer counts
    ch.sendToQueue(T, 'q', body('4'));
    expect(sink.events[3]).toMatchObject({ kind: 'confirm', deliveryTag: 4, ack: true });

    ch.assertQueue(T, 'bytes', { arguments: { 'x-max-length-bytes': 5, 'x-overflow': 'reject-publish' } });
    ch.sendToQueue(T, 'bytes', body('12345'), { headers: { large: 'headers do not count'.repeat(10) } });
    ch.sendToQueue(T, 'bytes', body('6'));
    expect(sink.events.slice(4).map((e) => e.kind === 'confirm' && e.ack)).toEqual([true, false]);
  });

  it('A13 reject-publish-dlx also dead-letters the refused message', () => {
    const { ch } = harness();
    ch.assertQueue(T, 'dlq');
    ch.assertQueue(T, 'q', { maxLength: 1, overflow: 'reject-publish-dlx', deadLetterExchange: '', deadLetterRoutingKey: 'dlq' });
    ch.sendToQueue(T, 'q', body('kept'));
    ch.sendToQueue(T, 'q', body('refused'));
    expect(drain(ch, T, 'q')).toEqual(['kept']);
    expect(drain(ch, T, 'dlq')).toEqual(['refused']);
  });

  it('A14 x-death records queue, reason, count, exchange, routing-keys and time; first-death fixed, last-death updated', () => {
    const { ch } = harness();
    ch.assertExchange(T, 'dlx', 'fanout');
    ch.assertQueue(T, 'work', { deadLetterExchange: 'dlx' });
    ch.assertQueue(T, 'retry', { deadLetterExchange: 'amq.direct', messageTtl: 10 });
    ch.bindQueue(T, 'retry', 'dlx', '');
    ch.bindQueue(T, 'work', 'amq.direct', 'job');
    ch.publish(T, 'amq.direct', 'job', body('j'), { CC: ['cc-key'], expiration: '60000' });
    ch.get(T, 'work');
    ch.reject(T, 1, false);
    const afterReject = ch.get(T, 'retry');
    expect(afterReject && afterReject.fields).toMatchObject({ exchange: 'dlx', routingKey: 'job' });
    expect(afterReject && afterReject.message.properties.expiration).toBeUndefined();
    expect(headersOf(afterReject)).toEqual({
      CC: ['cc-key'],
      'x-death': [
        {
          count: 1,
          reason: 'rejected',
          queue: 'work',
          time: { '!': 'timestamp', value: T / 1000 },
          exchange: 'amq.direct',
          'routing-keys': ['job', 'cc-key'],
          'original-expiration': '60000',
        },
      ],
      'x-first-death-exchange': 'amq.direct',
      'x-first-death-queue': 'work',
      'x-first-death-reason': 'rejected',
      'x-last-death-exchange': 'amq.direct',
      'x-last-death-queue': 'work',
      'x-last-death-reason': 'rejected',
    });
  });

  it('A14 repeated deaths merge by (queue, reason) and move to the front', () => {
    const h = harness();
    const { ch } = h;
    ch.assertExchange(T, 'dlx', 'fanout');
    ch.assertQueue(T, 'work', { deadLetterExchange: 'dlx' });
    ch.assertQueue(T, 'retry', { deadLetterExchange: 'amq.direct', messageTtl: 10 });
    ch.bindQueue(T, 'retry', 'dlx', '');
    ch.bindQueue(T, 'work', 'amq.direct', 'job');
    ch.publish(T, 'amq.direct', 'job', body('j'));
    let tag = 0;
    for (let round = 0; round < 2; round++) {
      const now = T + round * 100;
      const got = ch.get(now, 'work');
      expect(got).not.toBe(false);
      tag = got === false ? tag : got.fields.deliveryTag;
      ch.reject(now, tag, false);
      h.vhost.tick(now + 10);
    }
    const final = ch.get(T + 200, 'work', { noAck: true });
    const headers = headersOf(final);
    const deaths = headers['x-death'] as FieldTable[];
    expect(deaths.map((d) => [d.queue, d.reason, d.count])).toEqual([
      ['retry', 'expired', 2],
      ['work', 'rejected', 2],
    ]);
    expect([headers['x-first-death-queue'], headers['x-first-death-reason']]).toEqual(['work', 'rejected']);
    expect([headers['x-last-death-queue'], headers['x-last-death-reason']]).toEqual(['retry', 'expired']);
  });

  it('A14 a dead-letter routing key replaces the keys and drops CC; BCC never reaches a delivery', () => {
    const { ch } = harness();
    ch.assertQueue(T, 'dlq');
    ch.assertQueue(T, 'cc');
    ch.bindQueue(T, 'cc', 'amq.direct', 'cc');
    ch.assertQueue(T, 'q', { deadLetterExchange: 'amq.direct', deadLetterRoutingKey: 'dlq' });
    ch.bindQueue(T, 'dlq', 'amq.direct', 'dlq');
    ch.bindQueue(T, 'q', 'amq.direct', 'src');
    ch.publish(T, 'amq.direct', 'src', body('x'), { CC: 'cc', BCC: 'bcc' });
    expect(drain(ch, T, 'cc')).toEqual(['x']);
    const src = ch.get(T, 'q');
    ch.reject(T, src === false ? 0 : src.fields.deliveryTag, false);
    const got = ch.get(T, 'dlq', { noAck: true });
    expect(got && got.fields.routingKey).toBe('dlq');
    const headers = headersOf(got);
    expect(headers.CC).toBeUndefined();
    expect(headers.BCC).toBeUndefined();
    expect((headers['x-death'] as FieldTable[])[0]!['routing-keys']).toEqual(['src', 'cc']);
    expect(drain(ch, T, 'cc')).toEqual([]);
  });

  it('A14 (version flag) without x-last-death headers, as RabbitMQ 3.10 dead-letters', () => {
    const { ch } = harness({ lastDeathHeaders: false });
    ch.assertQueue(T, 'dlq');
    ch.assertQueue(T, 'q', { deadLetterExchange: '', deadLetterRoutingKey: 'dlq' });
    ch.sendToQueue(T, 'q', body('x'));
    ch.get(T, 'q');
    ch.reject(T, 1, false);
    expect(Object.keys(headersOf(ch.get(T, 'dlq'))).sort()).toEqual([
      'x-death',
      'x-first-death-exchange',
      'x-first-death-queue',
      'x-first-death-reason',
    ]);
  });

  it('A15 a maxlen or expired self-cycle is dropped; a reject self-cycle is republished; a missing DLX drops silently', () => {
    const h = harness();
    const { ch } = h;
    ch.assertQueue(T, 'self', { maxLength: 1, deadLetterExchange: '', deadLetterRoutingKey: 'self' });
    ch.sendToQueue(T, 'self', body('1'));
    ch.sendToQueue(T, 'self', body('2'));
    expect(drain(ch, T, 'self')).toEqual(['2']);

    ch.assertQueue(T, 'ttl-self', { messageTtl: 5, deadLetterExchange: '', deadLetterRoutingKey: 'ttl-self' });
    ch.sendToQueue(T, 'ttl-self', body('t'));
    h.vhost.tick(T + 5);
    expect(ch.checkQueue(T + 5, 'ttl-self').messageCount).toBe(0);

    ch.assertQueue(T, 'rej-self', { deadLetterExchange: '', deadLetterRoutingKey: 'rej-self' });
    ch.sendToQueue(T, 'rej-self', body('r'));
    const got = ch.get(T, 'rej-self');
    ch.reject(T, got === false ? 0 : got.fields.deliveryTag, false);
    const again = ch.get(T, 'rej-self', { noAck: true });
    expect(again && [text(again.message), again.fields.redelivered]).toEqual(['r', false]);

    ch.assertQueue(T, 'orphan', { deadLetterExchange: 'no-such-exchange' });
    ch.sendToQueue(T, 'orphan', body('o'));
    ch.get(T, 'orphan');
    ch.reject(T, 4, false);
    expect(ch.closed).toBe(false);
    expect(h.vhost.stats.messages).toBe(0);
  });

  it('A16 the effective TTL is the lower of queue and message TTL; expired messages are never delivered', () => {
    const h = harness();
    const { ch } = h;
    ch.assertQueue(T, 'q', { messageTtl: 100 });
    ch.sendToQueue(T, 'q', body('queue-ttl'));
    ch.sendToQueue(T, 'q', body('short'), { expiration: '50' });
    ch.sendToQueue(T, 'q', body('long'), { expiration: '500' });
    expect(h.vhost.nextDeadline()).toBe(T + 100);
    expect(ch.get(T + 99, 'q', { noAck: true })).toMatchObject({ fields: { messageCount: 2 } });
    expect(drain(ch, T + 100, 'q')).toEqual([]);
    ch.sendToQueue(T + 200, 'q', body('fresh'));
    ch.consume(T + 300, 'q', { consumerTag: 'late' });
    expect(h.sink.bodies('late')).toEqual([]);
  });

  it('A16 TTL 0 delivers to a waiting consumer, else expires at once', () => {
    const h = harness();
    const { ch } = h;
    ch.assertQueue(T, 'zero', { messageTtl: 0 });
    ch.sendToQueue(T, 'zero', body('lost'));
    expect(ch.checkQueue(T, 'zero').messageCount).toBe(0);
    ch.consume(T, 'zero', { consumerTag: 'c', noAck: true });
    ch.sendToQueue(T, 'zero', body('a'));
    ch.sendToQueue(T, 'zero', body('b'), { expiration: '0' });
    expect(h.sink.bodies('c')).toEqual(['a', 'b']);
  });

  it('A16 a requeued message keeps its original expiry; expiry dead-letters with reason expired and original-expiration', () => {
    const h = harness();
    const { ch } = h;
    ch.assertQueue(T, 'dlq');
    ch.assertQueue(T, 'q', { deadLetterExchange: '', deadLetterRoutingKey: 'dlq' });
    ch.sendToQueue(T, 'q', body('m'), { expiration: '1000' });
    ch.get(T + 900, 'q');
    ch.nack(T + 900, 1, false, true);
    expect(h.vhost.nextDeadline()).toBe(T + 1000);
    expect(h.vhost.tick(T + 999)).toBe(T + 1000);
    expect(h.vhost.tick(T + 1000)).toBeUndefined();
    const dead = ch.get(T + 1000, 'dlq');
    expect(dead && dead.message.properties.expiration).toBeUndefined();
    const death = (headersOf(dead)['x-death'] as FieldTable[])[0]!;
    expect(death).toMatchObject({ reason: 'expired', queue: 'q', 'original-expiration': '1000', count: 1 });
  });

  it('A16 only the head expires: a short-lived message behind a long-lived one waits, but is never delivered', () => {
    const h = harness();
    const { ch } = h;
    ch.assertQueue(T, 'q');
    ch.sendToQueue(T, 'q', body('long'), { expiration: '1000' });
    ch.sendToQueue(T, 'q', body('short'), { expiration: '10' });
    expect(h.vhost.tick(T + 100)).toBe(T + 1000);
    expect(ch.checkQueue(T + 100, 'q').messageCount).toBe(2);
    expect(drain(ch, T + 100, 'q')).toEqual(['long']);
  });
});
