/**
 * A queue with a store (a quorum queue): the model hands entries to the store, delivers them only
 * once committed, holds confirms until the store answers (in publish order, classic confirms
 * included), nacks what the store fails, settles what leaves, and counts redeliveries.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from './message.js';
import type { Queue } from './queue.js';
import type { QueueStore, QueueStoreProvider } from './queue-store.js';
import { body, drain, gotText, harness, text } from './testing.js';
import type { VirtualHost } from './vhost.js';

const T = 1_000;
const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum' } } as const;

/** A store that records what the model tells it; the test answers for it. */
class RecordingStore implements QueueStore {
  readonly appended: { seq: number; body: string }[] = [];
  readonly settled: number[] = [];
  deleted = false;

  constructor(
    readonly vhost: VirtualHost,
    readonly queue: Queue,
  ) {}

  append(msg: Message, seq: number): void {
    this.appended.push({ seq, body: text(msg) });
  }

  settle(seq: number): void {
    this.settled.push(seq);
  }

  delete(): void {
    this.deleted = true;
  }

  commit(throughSeq: number): void {
    this.vhost.storeCommitted(this.queue, throughSeq, T);
  }

  fail(throughSeq: number): void {
    this.vhost.storeFailed(this.queue, throughSeq, T);
  }
}

function quorumHarness(): ReturnType<typeof harness> & { stores: Map<string, RecordingStore> } {
  const stores = new Map<string, RecordingStore>();
  const provider: QueueStoreProvider = {
    open(vhost, queue) {
      const store = new RecordingStore(vhost, queue);
      stores.set(queue.name, store);
      return store;
    },
  };
  return { ...harness({ quorumQueueStore: provider }), stores };
}

describe('queues with a store (quorum queues)', () => {
  it('only quorum queues get a store; classic queues deliver at once as before', () => {
    const h = quorumHarness();
    h.ch.assertQueue(T, 'classic');
    h.ch.assertQueue(T, 'qq', QUORUM);
    expect([...h.stores.keys()]).toEqual(['qq']);
    h.ch.sendToQueue(T, 'classic', body('c'));
    expect(drain(h.ch, T, 'classic')).toEqual(['c']);
  });

  it('an entry is delivered only after its store committed it', () => {
    const h = quorumHarness();
    h.ch.assertQueue(T, 'qq', QUORUM);
    h.ch.consume(T, 'qq', { noAck: false });
    h.ch.sendToQueue(T, 'qq', body('a'));
    h.ch.sendToQueue(T, 'qq', body('b'));
    const store = h.stores.get('qq')!;
    expect(store.appended).toEqual([
      { seq: 1, body: 'a' },
      { seq: 2, body: 'b' },
    ]);
    expect(h.sink.bodies()).toEqual([]);
    expect(gotText(h.ch.get(T, 'qq'))).toBeUndefined();
    store.commit(1);
    expect(h.sink.bodies()).toEqual(['a']);
    store.commit(2);
    expect(h.sink.bodies()).toEqual(['a', 'b']);
  });

  it('a confirm waits for the store; a run of acks goes out as one multiple ack', () => {
    const h = quorumHarness();
    h.ch.assertQueue(T, 'qq', QUORUM);
    h.ch.confirmSelect(T);
    for (const b of ['1', '2', '3']) h.ch.sendToQueue(T, 'qq', body(b));
    expect(h.sink.events).toEqual([]);
    h.stores.get('qq')!.commit(3);
    expect(h.sink.events).toEqual([{ kind: 'confirm', channel: 1, deliveryTag: 3, multiple: true, ack: true }]);
  });

  it('classic confirms queue behind a quorum confirm, so confirms keep publish order', () => {
    const h = quorumHarness();
    h.ch.assertQueue(T, 'qq', QUORUM);
    h.ch.assertQueue(T, 'classic');
    h.ch.confirmSelect(T);
    h.ch.sendToQueue(T, 'classic', body('1'));
    h.ch.sendToQueue(T, 'qq', body('2'));
    h.ch.sendToQueue(T, 'classic', body('3'));
    h.ch.publish(T, 'amq.direct', 'nowhere', body('4'));
    expect(h.sink.events).toEqual([{ kind: 'confirm', channel: 1, deliveryTag: 1, multiple: false, ack: true }]);
    h.stores.get('qq')!.commit(1);
    expect(h.sink.events.slice(1)).toEqual([{ kind: 'confirm', channel: 1, deliveryTag: 4, multiple: true, ack: true }]);
    h.ch.sendToQueue(T, 'classic', body('5'));
    expect(h.sink.events.slice(2)).toEqual([{ kind: 'confirm', channel: 1, deliveryTag: 5, multiple: false, ack: true }]);
  });

  it('a fanout to two quorum queues and a classic one is confirmed once both stores committed', () => {
    const h = quorumHarness();
    h.ch.assertExchange(T, 'fan', 'fanout');
    for (const [q, opts] of [['q1', QUORUM], ['q2', QUORUM], ['c', {}]] as const) {
      h.ch.assertQueue(T, q, opts);
      h.ch.bindQueue(T, q, 'fan', '');
    }
    h.ch.confirmSelect(T);
    h.ch.publish(T, 'fan', '', body('x'));
    h.stores.get('q1')!.commit(1);
    expect(h.sink.events).toEqual([]);
    h.stores.get('q2')!.commit(1);
    expect(h.sink.events).toEqual([{ kind: 'confirm', channel: 1, deliveryTag: 1, multiple: true, ack: true }]);
  });

  it('a failed append nacks its publish and leaves the queue without it; later publishes go on', () => {
    const h = quorumHarness();
    h.ch.assertQueue(T, 'qq', QUORUM);
    h.ch.confirmSelect(T);
    h.ch.sendToQueue(T, 'qq', body('ok'));
    h.ch.sendToQueue(T, 'qq', body('lost'));
    h.ch.sendToQueue(T, 'qq', body('later'));
    const store = h.stores.get('qq')!;
    store.commit(1);
    store.fail(2);
    store.commit(3);
    expect(h.sink.events).toEqual([
      { kind: 'confirm', channel: 1, deliveryTag: 1, multiple: true, ack: true },
      { kind: 'confirm', channel: 1, deliveryTag: 2, multiple: false, ack: false },
      { kind: 'confirm', channel: 1, deliveryTag: 3, multiple: true, ack: true },
    ]);
    // The failed entry is settled, so a replay of the store leaves it out.
    expect(store.settled).toEqual([2]);
    expect(drain(h.ch, T, 'qq')).toEqual(['ok', 'later']);
  });

  it('every way out of the queue settles the entry with the store', () => {
    const h = quorumHarness();
    h.ch.assertExchange(T, 'dlx', 'fanout');
    h.ch.assertQueue(T, 'dead');
    h.ch.bindQueue(T, 'dead', 'dlx', '');
    h.ch.assertQueue(T, 'qq', { ...QUORUM, arguments: { ...QUORUM.arguments, 'x-dead-letter-exchange': 'dlx' } });
    for (const b of ['acked', 'rejected', 'noack', 'purged']) h.ch.sendToQueue(T, 'qq', body(b));
    const store = h.stores.get('qq')!;
    store.commit(4);
    const acked = h.ch.get(T, 'qq');
    const rejected = h.ch.get(T, 'qq');
    h.ch.get(T, 'qq', { noAck: true });
    if (acked === false || rejected === false) throw new Error('expected messages');
    h.ch.ack(T, acked.fields.deliveryTag);
    h.ch.reject(T, rejected.fields.deliveryTag, false);
    h.ch.purgeQueue(T, 'qq');
    expect(store.settled.sort()).toEqual([1, 2, 3, 4]);
    expect(drain(h.ch, T, 'dead')).toEqual(['rejected']);
    h.ch.deleteQueue(T, 'qq');
    expect(store.deleted).toBe(true);
  });

  it('a requeued entry returns to its position, redelivered, with x-delivery-count', () => {
    const h = quorumHarness();
    h.ch.assertQueue(T, 'qq', QUORUM);
    h.ch.sendToQueue(T, 'qq', body('a'), { headers: { keep: 1 } });
    h.ch.sendToQueue(T, 'qq', body('b'));
    h.stores.get('qq')!.commit(2);
    h.ch.qos(T, 1);
    h.ch.consume(T, 'qq', { consumerTag: 'c' });
    const [first] = h.sink.deliveries();
    expect(first!.message.properties.headers?.['x-delivery-count']).toBeUndefined();
    h.ch.nack(T, first!.deliveryTag, false, true);
    h.ch.nack(T, h.sink.deliveries()[1]!.deliveryTag, false, true);
    const [, second, third] = h.sink.deliveries();
    expect([text(second!.message), second!.redelivered, second!.message.properties.headers]).toEqual(['a', true, { keep: 1, 'x-delivery-count': 1 }]);
    expect([text(third!.message), third!.redelivered, third!.message.properties.headers?.['x-delivery-count']]).toEqual(['a', true, 2]);
  });

  it('deleting a quorum queue acks publishes still waiting on its store', () => {
    const h = quorumHarness();
    h.ch.assertQueue(T, 'qq', QUORUM);
    h.ch.confirmSelect(T);
    h.ch.sendToQueue(T, 'qq', body('x'));
    h.ch.deleteQueue(T, 'qq');
    expect(h.sink.events).toEqual([{ kind: 'confirm', channel: 1, deliveryTag: 1, multiple: true, ack: true }]);
    expect(h.vhost.stats.messages).toBe(0);
  });
});
