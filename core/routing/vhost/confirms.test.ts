import { describe, expect, it } from 'vitest';
import { body, drain, harness, thrown } from './testing.js';

const T = 1_000;

describe('publisher confirms and transactions', () => {
  it('A11 after confirm.select publishes are numbered from 1 and each is acked exactly once', () => {
    const { ch, sink } = harness();
    ch.assertQueue(T, 'q');
    expect(ch.publish(T, '', 'q', body('before'))).toBe(0);
    ch.confirmSelect(T);
    ch.confirmSelect(T); // idempotent
    expect([1, 2, 3].map((i) => ch.sendToQueue(T, 'q', body(String(i))))).toEqual([1, 2, 3]);
    ch.publish(T, 'amq.fanout', 'unrouted', body('4'));
    expect(sink.events).toEqual([1, 2, 3, 4].map((tag) => ({ kind: 'confirm', channel: 1, deliveryTag: tag, multiple: false, ack: true })));
  });

  it('A11 a publish refused by x-overflow reject-publish is nacked; routed to several queues, the others still enqueue', () => {
    const { ch, sink } = harness();
    ch.assertExchange(T, 'fan', 'fanout');
    ch.assertQueue(T, 'small', { maxLength: 1, overflow: 'reject-publish' });
    ch.assertQueue(T, 'big');
    ch.bindQueue(T, 'small', 'fan', '');
    ch.bindQueue(T, 'big', 'fan', '');
    ch.confirmSelect(T);
    ch.publish(T, 'fan', '', body('1'));
    ch.publish(T, 'fan', '', body('2'));
    expect(sink.events).toMatchObject([
      { kind: 'confirm', deliveryTag: 1, ack: true },
      { kind: 'confirm', deliveryTag: 2, ack: false },
    ]);
    expect(drain(ch, T, 'small')).toEqual(['1']);
    expect(drain(ch, T, 'big')).toEqual(['1', '2']);
  });

  it('A11 tx and confirm modes exclude each other (406); tx.commit outside tx is 406', () => {
    const h = harness();
    const a = h.client();
    a.ch.txSelect(T);
    expect(thrown(() => a.ch.confirmSelect(T)).message).toBe('PRECONDITION_FAILED - cannot switch from tx to confirm mode');
    const b = h.client();
    b.ch.confirmSelect(T);
    expect(thrown(() => b.ch.txSelect(T)).message).toBe('PRECONDITION_FAILED - cannot switch from confirm to tx mode');
    expect(thrown(() => h.ch.txCommit(T)).message).toBe('PRECONDITION_FAILED - channel is not transactional');
  });

  it('R19 A11 the basic.return of a mandatory unroutable publish precedes its ack', () => {
    const { ch, sink } = harness();
    ch.confirmSelect(T);
    ch.publish(T, '', 'no-such-queue', body('x'), { mandatory: true, correlationId: 'c1' });
    expect(sink.kinds()).toEqual(['return', 'confirm']);
    const ret = sink.events[0];
    expect(ret?.kind === 'return' && ret.message.properties.correlationId).toBe('c1');
  });

  it('tx: publishes and acks take effect at commit; rollback drops publishes and undoes acks', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    h.ch.sendToQueue(T, 'q', body('old'));
    const c = h.client();
    c.ch.txSelect(T);
    c.ch.get(T, 'q');
    c.ch.ack(T, 1);
    c.ch.sendToQueue(T, 'q', body('new'));
    expect(h.vhost.queueInfo('q')).toMatchObject({ messagesReady: 0, messagesUnacknowledged: 1 });
    c.ch.txRollback(T);
    expect(h.vhost.queueInfo('q')).toMatchObject({ messagesReady: 0, messagesUnacknowledged: 1 });
    expect(thrown(() => h.client().ch.ack(T, 1)).code).toBe(406); // another channel's tag
    c.ch.ack(T, 1);
    c.ch.sendToQueue(T, 'q', body('new'));
    c.ch.txCommit(T);
    expect(h.vhost.queueInfo('q')).toMatchObject({ messagesReady: 1, messagesUnacknowledged: 0 });
    expect(drain(h.ch, T, 'q')).toEqual(['new']);
  });

  it('tx: closing the channel with an open transaction requeues the messages it had acked', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    h.ch.sendToQueue(T, 'q', body('m'));
    const c = h.client();
    c.ch.txSelect(T);
    c.ch.get(T, 'q');
    c.ch.ack(T, 1);
    c.ch.close(T);
    expect(drain(h.ch, T, 'q')).toEqual(['m']);
  });
});
