import { describe, expect, it } from 'vitest';
import { body, drain, harness, text, thrown } from './testing.js';

const T = 1_000;

function publishAll(ch: ReturnType<typeof harness>['ch'], queue: string, bodies: readonly string[]): void {
  for (const b of bodies) ch.sendToQueue(T, queue, body(b));
}

describe('consumers, acknowledgements and prefetch', () => {
  it('A01 delivery tags start at 1 per channel; ack(8, multiple) acks 5..8, ack(8) alone leaves 5..7, ack(0, multiple) acks all', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2', '3', '4', '5', '6', '7', '8']);
    const other = h.client();
    for (let i = 0; i < 4; i++) other.ch.get(T, 'q', { noAck: true });
    other.ch.consume(T, 'q', { consumerTag: 'c' });
    expect(other.sink.deliveries().map((d) => d.deliveryTag)).toEqual([5, 6, 7, 8]);

    other.ch.ack(T, 8);
    expect(h.vhost.queueInfo('q')!.messagesUnacknowledged).toBe(3);
    other.ch.ack(T, 7, true);
    expect(h.vhost.queueInfo('q')!.messagesUnacknowledged).toBe(0);

    publishAll(h.ch, 'q', ['a', 'b', 'c', 'd']);
    expect(other.sink.deliveries().map((d) => d.deliveryTag)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    other.ch.ack(T, 12, true);
    expect(h.vhost.queueInfo('q')!.messagesUnacknowledged).toBe(0);
    publishAll(h.ch, 'q', ['e', 'f']);
    other.ch.ack(T, 0, true);
    expect(h.vhost.queueInfo('q')!.messagesUnacknowledged).toBe(0);
    other.ch.ack(T, 0, true); // nothing outstanding: still fine
    expect(other.ch.closed).toBe(false);
  });

  it('A02 a double ack is 406 "unknown delivery tag 1": the channel closes and its unacked messages are requeued', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2']);
    const c = h.client();
    c.ch.get(T, 'q');
    c.ch.get(T, 'q');
    c.ch.ack(T, 1);
    const error = thrown(() => c.ch.ack(T, 1));
    expect(error.message).toBe('PRECONDITION_FAILED - unknown delivery tag 1');
    expect([error.classId, error.methodId]).toEqual([60, 80]);
    expect(c.sink.events).toMatchObject([{ kind: 'channelClosed', channel: 1, error: { code: 406 } }]);
    expect(h.ch.get(T, 'q')).toMatchObject({ fields: { redelivered: true, messageCount: 0 } });
  });

  it('A02 unknown tags, tag 0 without multiple, a tag from another channel and a multiple-ack whose own tag is settled are 406', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2', '3', '4']);
    const unknown = h.client();
    expect(thrown(() => unknown.ch.ack(T, 5)).message).toBe('PRECONDITION_FAILED - unknown delivery tag 5');
    const zero = h.client();
    expect(thrown(() => zero.ch.ack(T, 0)).message).toBe('PRECONDITION_FAILED - unknown delivery tag 0');
    const nack = h.client();
    expect(thrown(() => nack.ch.nack(T, 3, false, true)).message).toBe('PRECONDITION_FAILED - unknown delivery tag 3');
    const reject = h.client();
    expect(thrown(() => reject.ch.reject(T, 3)).message).toBe('PRECONDITION_FAILED - unknown delivery tag 3');

    const owner = h.client();
    owner.ch.get(T, 'q');
    const stranger = owner.conn.openChannel(2);
    expect(thrown(() => stranger.ack(T, 1)).message).toBe('PRECONDITION_FAILED - unknown delivery tag 1');
    expect(owner.ch.closed).toBe(false);

    const multi = h.client();
    multi.ch.get(T, 'q');
    multi.ch.get(T, 'q');
    multi.ch.ack(T, 2);
    expect(thrown(() => multi.ch.ack(T, 2, true)).message).toBe('PRECONDITION_FAILED - unknown delivery tag 2');
    expect(h.ch.checkQueue(T, 'q').messageCount).toBe(2); // "4", and "2" (tag 1) requeued; "3" (tag 2) was acked
  });

  it('A03 nack(3, multiple, requeue) redelivers 1,2,3 in order; ack(last, multiple) clears all four', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    const c = h.client();
    c.ch.qos(T, 3);
    c.ch.consume(T, 'q', { consumerTag: 'c' });
    publishAll(h.ch, 'q', ['1', '2', '3', '4']);
    expect(c.sink.bodies()).toEqual(['1', '2', '3']);
    c.sink.clear();
    c.ch.nack(T, 3, true, true);
    expect(c.sink.deliveries().map((d) => [text(d.message), d.deliveryTag, d.redelivered])).toEqual([
      ['1', 4, true],
      ['2', 5, true],
      ['3', 6, true],
    ]);
    c.ch.ack(T, 6, true);
    expect(c.sink.deliveries().map((d) => text(d.message))).toEqual(['1', '2', '3', '4']);
    c.ch.ack(T, 7, true);
    expect(h.vhost.queueInfo('q')).toMatchObject({ messages: 0 });
  });

  it('A04 requeued messages return to their original position with redelivered = true', () => {
    const { ch } = harness();
    ch.assertQueue(T, 'q');
    publishAll(ch, 'q', ['1', '2', '3', '4', '5']);
    const g1 = ch.get(T, 'q');
    const g2 = ch.get(T, 'q');
    ch.get(T, 'q');
    expect(g1 && g1.fields.redelivered).toBe(false);
    ch.nack(T, 2, false, true);
    ch.nack(T, 1, false, true);
    const order: string[] = [];
    for (;;) {
      const got = ch.get(T, 'q', { noAck: true });
      if (got === false) break;
      order.push(text(got.message) + (got.fields.redelivered ? 'r' : ''));
    }
    expect(order).toEqual(['1r', '2r', '4', '5']);
    expect(g2 && g2.fields.deliveryTag).toBe(2);
  });

  it('A04 a channel close requeues in publication order, redelivered', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2', '3']);
    const c = h.client();
    c.ch.consume(T, 'q');
    c.ch.close(T);
    expect(drain(h.ch, T, 'q')).toEqual(['1', '2', '3']);
  });

  it('A05 round-robin: C1 gets 1,3 and C2 gets 2,4; closing C1\'s channel sends 1 then 3 to C2', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    const c1 = h.client();
    const c2 = h.client();
    c1.ch.consume(T, 'q', { consumerTag: 'c1' });
    c2.ch.consume(T, 'q', { consumerTag: 'c2' });
    publishAll(h.ch, 'q', ['1', '2', '3', '4']);
    expect(c1.sink.bodies()).toEqual(['1', '3']);
    expect(c2.sink.bodies()).toEqual(['2', '4']);
    c2.ch.ack(T, 2, true);
    c1.ch.close(T);
    expect(c2.sink.deliveries().slice(2).map((d) => [text(d.message), d.redelivered])).toEqual([
      ['1', true],
      ['3', true],
    ]);
  });

  it('A06 channel close requeues manual-ack deliveries, auto-ack ones are gone', () => {
    const h = harness();
    h.ch.assertQueue(T, 'manual');
    h.ch.assertQueue(T, 'auto');
    publishAll(h.ch, 'manual', ['m1', 'm2']);
    publishAll(h.ch, 'auto', ['a1', 'a2']);
    const c = h.client();
    c.ch.consume(T, 'manual');
    c.ch.consume(T, 'auto', { noAck: true });
    expect(c.sink.bodies()).toEqual(['m1', 'm2', 'a1', 'a2']);
    c.ch.close(T);
    expect(h.ch.checkQueue(T, 'manual').messageCount).toBe(2);
    expect(h.ch.checkQueue(T, 'auto').messageCount).toBe(0);
  });

  it('A06 basic.cancel does not requeue in-flight deliveries, which can still be acked', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2']);
    const c = h.client();
    c.ch.consume(T, 'q', { consumerTag: 'c' });
    expect(c.ch.cancel(T, 'c')).toEqual({ consumerTag: 'c' });
    expect(h.vhost.queueInfo('q')).toMatchObject({ messagesReady: 0, messagesUnacknowledged: 2, consumers: 0 });
    c.ch.ack(T, 2, true);
    expect(h.vhost.queueInfo('q')).toMatchObject({ messages: 0 });
    expect(c.ch.cancel(T, 'unknown-tag')).toEqual({ consumerTag: 'unknown-tag' });
  });

  it('A07 reject/nack with requeue=false dead-letters when the queue has a DLX, else discards', () => {
    const { ch, vhost } = harness();
    ch.assertQueue(T, 'dlq');
    ch.assertQueue(T, 'with', { deadLetterExchange: '', deadLetterRoutingKey: 'dlq' });
    ch.assertQueue(T, 'without');
    publishAll(ch, 'with', ['r1', 'r2']);
    publishAll(ch, 'without', ['d1']);
    ch.get(T, 'with');
    ch.get(T, 'with');
    ch.get(T, 'without');
    ch.reject(T, 1, false);
    ch.nack(T, 2, false, false);
    ch.nack(T, 3, false, false);
    expect(drain(ch, T, 'dlq')).toEqual(['r1', 'r2']);
    expect(vhost.queueInfo('without')).toMatchObject({ messages: 0 });
    expect(vhost.stats.messages).toBe(0);
  });

  it('A08 qos(N, false) keeps at most N unacked per consumer; one ack releases one; 0 is unlimited', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2', '3', '4', '5']);
    const c = h.client();
    c.ch.qos(T, 2);
    c.ch.consume(T, 'q', { consumerTag: 'limited' });
    expect(c.sink.bodies()).toEqual(['1', '2']);
    c.ch.ack(T, 1);
    expect(c.sink.bodies()).toEqual(['1', '2', '3']);
    c.ch.qos(T, 0);
    c.ch.consume(T, 'q', { consumerTag: 'unlimited' });
    expect(c.sink.bodies('unlimited')).toEqual(['4', '5']);
  });

  it('A08 qos(10, false) + qos(15, true): at most 10 per consumer and 15 over the channel', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', Array.from({ length: 40 }, (_, i) => String(i)));
    const c = h.client();
    c.ch.qos(T, 10, false);
    c.ch.qos(T, 15, true);
    c.ch.consume(T, 'q', { consumerTag: 'a' });
    c.ch.consume(T, 'q', { consumerTag: 'b' });
    expect(c.sink.deliveries('a').length).toBe(10);
    expect(c.sink.deliveries('b').length).toBe(5);
    const consumerA = c.ch.consumers.get('a')!;
    const consumerB = c.ch.consumers.get('b')!;
    c.ch.ack(T, c.sink.deliveries('a')[0]!.deliveryTag);
    expect(h.vhost.queueInfo('q')!.messagesUnacknowledged).toBe(15);
    expect(c.sink.deliveries().length).toBe(16);
    c.ch.qos(T, 20, true);
    expect([consumerA.unacked, consumerB.unacked]).toEqual([10, 10]);
  });

  it('A09 L09 prefetch_size != 0 is 540 NOT_IMPLEMENTED (connection error); basic.get ignores prefetch', () => {
    const h = harness();
    const bad = h.client();
    const error = thrown(() => bad.ch.qos(T, 0, false, 1));
    expect(error.message).toBe('NOT_IMPLEMENTED - prefetch_size!=0 (1)');
    expect(bad.sink.kinds()).toEqual(['connectionClosed']);
    expect(bad.conn.closed).toBe(true);

    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2', '3']);
    h.ch.qos(T, 1, false);
    h.ch.qos(T, 1, true);
    h.ch.consume(T, 'q', { consumerTag: 'c' });
    expect(h.sink.bodies()).toEqual(['1']);
    const got = h.ch.get(T, 'q');
    expect(got && [text(got.message), got.fields.deliveryTag, got.fields.messageCount]).toEqual(['2', 2, 1]);
  });

  it('A09 (version flag) with global QoS denied (RabbitMQ 4.x option), global=true acts per consumer', () => {
    const h = harness({ globalQos: false });
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2', '3', '4']);
    h.ch.qos(T, 1, true);
    h.ch.consume(T, 'q', { consumerTag: 'a' });
    h.ch.consume(T, 'q', { consumerTag: 'b' });
    expect(h.sink.deliveries().length).toBe(2);
  });

  it('A10 an exclusive consumer excludes others, and cannot join a queue that has consumers (403)', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    h.ch.assertQueue(T, 'busy');
    h.ch.consume(T, 'q', { exclusive: true });
    h.ch.consume(T, 'busy');
    const second = h.client();
    const error = thrown(() => second.ch.consume(T, 'q'));
    expect(error.message).toBe("ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use");
    expect(error.code).toBe(403);
    expect(thrown(() => h.client().ch.consume(T, 'busy', { exclusive: true })).message).toBe(
      "ACCESS_REFUSED - queue 'busy' in vhost '/' in exclusive use",
    );
  });

  it('consumer tags: server-generated amq.ctag-…; reusing a tag on the channel is 530 NOT_ALLOWED (connection error)', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    expect(h.ch.consume(T, 'q').consumerTag).toBe('amq.ctag-id1');
    h.ch.consume(T, 'q', { consumerTag: 't1' });
    const error = thrown(() => h.ch.consume(T, 'q', { consumerTag: 't1' }));
    expect(error.message).toBe("NOT_ALLOWED - attempt to reuse consumer tag 't1'");
    expect(h.sink.kinds()).toEqual(['connectionClosed']);
  });

  it('basic.recover requeues every unacked delivery (redelivered); requeue=false is 540', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    publishAll(h.ch, 'q', ['1', '2']);
    h.ch.consume(T, 'q', { consumerTag: 'c' });
    h.ch.recover(T);
    expect(h.sink.deliveries().map((d) => [text(d.message), d.deliveryTag, d.redelivered])).toEqual([
      ['1', 1, false],
      ['2', 2, false],
      ['1', 3, true],
      ['2', 4, true],
    ]);
    expect(thrown(() => h.ch.recover(T, false)).message).toBe('NOT_IMPLEMENTED - requeue=false');
  });

  it('a channel error in one channel leaves the other channels of the connection open', () => {
    const h = harness();
    const second = h.conn.openChannel(2);
    h.ch.assertQueue(T, 'q');
    h.ch.sendToQueue(T, 'q', body('x'));
    second.consume(T, 'q', { consumerTag: 'c' });
    thrown(() => h.ch.checkQueue(T, 'missing'));
    expect(h.ch.closed).toBe(true);
    expect(second.closed).toBe(false);
    second.ack(T, 1);
    expect(() => h.ch.get(T, 'q')).toThrow(/channel 1 is closed/);
  });

  it('the unacked log stays correct over many out-of-order acks', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    h.ch.consume(T, 'q', { consumerTag: 'c' });
    for (let i = 0; i < 500; i++) h.ch.sendToQueue(T, 'q', body(String(i)));
    for (let tag = 2; tag <= 500; tag += 2) h.ch.ack(T, tag);
    expect(h.vhost.queueInfo('q')!.messagesUnacknowledged).toBe(250);
    h.ch.ack(T, 401, true);
    expect(h.vhost.queueInfo('q')!.messagesUnacknowledged).toBe(49);
    h.ch.nack(T, 0, true, true);
    expect(h.sink.deliveries().slice(500).map((d) => text(d.message))).toEqual(
      Array.from({ length: 49 }, (_, i) => String(402 + i * 2)),
    );
  });
});
