import { describe, expect, it } from 'vitest';
import { decodeQuorumRecord, declareKey, declareValue, enqueueHeaders, enqueueKey, restoreKey, settleKey, settleValue } from './quorum-record.js';
import { quorumTopicName } from './quorum-store.js';

describe('quorum queue records', () => {
  it('an enqueue record round-trips body, exchange, routing key and properties (bytes and bigints included)', () => {
    const properties = { contentType: 'text/plain', headers: { raw: Buffer.from([1, 2, 255]), big: 2n ** 60n, list: ['a', 1] }, deliveryMode: 2 };
    const body = Buffer.from('hello');
    const record = decodeQuorumRecord(enqueueKey(42), body, enqueueHeaders('amq.direct', 'rk', properties));
    expect(record).toEqual({ kind: 'enqueue', seq: 42, exchange: 'amq.direct', routingKey: 'rk', properties, body });
  });

  it('golden bytes: an enqueue key is "E" then the seq as a big-endian double; a settle value is the seqs so', () => {
    expect([...enqueueKey(1)]).toEqual([0x45, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    expect([...settleKey()]).toEqual([0x53]);
    expect([...settleValue([1, 2])]).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0]);
    expect(decodeQuorumRecord(settleKey(), settleValue([7, 9, 2 ** 40]), [])).toEqual({ kind: 'settle', seqs: [7, 9, 2 ** 40] });
  });

  it('a declare record carries the queue name and arguments', () => {
    expect(decodeQuorumRecord(declareKey(), declareValue('orders', { 'x-queue-type': 'quorum' }), [])).toEqual({
      kind: 'declare',
      queue: 'orders',
      arguments: { 'x-queue-type': 'quorum' },
    });
  });

  it('a restore record is the single byte "R"', () => {
    expect([...restoreKey()]).toEqual([0x52]);
    expect(decodeQuorumRecord(restoreKey(), null, [])).toEqual({ kind: 'restore' });
  });

  it('a record of unknown kind or with a short key is refused', () => {
    expect(() => decodeQuorumRecord(Uint8Array.of(0x58), null, [])).toThrow(/unknown quorum record kind 88/);
    expect(() => decodeQuorumRecord(Uint8Array.of(0x45, 1), null, [])).toThrow(/2 bytes/);
  });

  it('topic names escape to Kafka characters, injectively, and stay within 249 characters', () => {
    expect(quorumTopicName('/', 'orders.eu')).toBe('__amqp_quorum._2f.orders_2eeu');
    expect(quorumTopicName('/', 'a_b')).not.toBe(quorumTopicName('/', 'a.b'));
    expect(quorumTopicName('/', 'é')).toBe('__amqp_quorum._2f._c3_a9');
    const long = quorumTopicName('/', 'x'.repeat(255));
    expect(long.length).toBeLessThanOrEqual(249);
    expect(long).not.toBe(quorumTopicName('/', `${'x'.repeat(254)}y`));
  });
});
