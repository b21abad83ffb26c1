/**
 * P01–P10 (subset): Kafka's partitioning rules, through the kafkajs-shaped producer where the
 * behaviour is observable on the wire (which partition a record lands on), and through the
 * partitioner functions where the check is about exact hash values.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Partitioners } from '../../core/client/kafka/index.js';
import { partitioners } from '../../core/internal.js';
import { kafkaSession, rejection } from '../support/kafka.js';
import { requires } from '../support/target.js';

describe('partitioning', () => {
  it('P01 murmur2 gives the Kafka UtilsTest and kafkajs vectors exactly (int32)', (ctx) => {
    requires(ctx, 'kafka');
    const vectors: readonly (readonly [string, number])[] = [
      ['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107], ['0', 971027396], ['1', -1993445489], ['128', -326012175], ['100:48069', 1009543857],
    ];
    for (const [key, hash] of vectors) expect(partitioners.murmur2(Buffer.from(key)), key).toBe(hash);
  });

  it('P02 toPositive masks with 0x7fffffff rather than taking abs', (ctx) => {
    requires(ctx, 'kafka');
    expect(partitioners.toPositive(-973932308)).toBe(1173551340);
    expect(partitioners.toPositive(-2147483648)).toBe(0);
  });

  it('P03 a keyed record lands on toPositive(murmur2(key)) % partitions: "key"%3=1, "foobar"%10=6, ""%12=9', async (ctx) => {
    const s = await kafkaSession(ctx);
    const producer = await s.producer();
    for (const [key, partitions, expected] of [['key', 3, 1], ['foobar', 10, 6], ['', 12, 9]] as const) {
      const topic = s.topic(`p03-${partitions}`);
      await s.createTopic(topic, partitions);
      const [meta] = await producer.send({ topic, messages: [{ key, value: 'v' }] });
      expect(meta?.partition, `${JSON.stringify(key)} % ${partitions}`).toBe(expected);
    }
  });

  it('P05 an explicit partition (even 0) wins over a custom partitioner and the key hash', async (ctx) => {
    const s = await kafkaSession(ctx);
    const topic = s.topic('p05');
    await s.createTopic(topic, 4);
    const always2 = await s.producer({ createPartitioner: () => () => 2 });
    const [explicit] = await always2.send({ topic, messages: [{ key: 'key', value: 'v', partition: 0 }] });
    expect(explicit?.partition).toBe(0);
    const [custom] = await always2.send({ topic, messages: [{ key: 'key', value: 'v' }] });
    expect(custom?.partition).toBe(2);
  });

  it('P08 round-robin: 30 keyed records over 3 partitions give 10 each, keys ignored', async (ctx) => {
    const s = await kafkaSession(ctx);
    const topic = s.topic('p08');
    await s.createTopic(topic, 3);
    const producer = await s.producer({ createPartitioner: Partitioners.RoundRobinPartitioner });
    const counts = [0, 0, 0];
    for (let i = 0; i < 30; i++) {
      const [meta] = await producer.send({ topic, messages: [{ key: 'same', value: String(i) }] });
      const p = meta?.partition ?? -1;
      counts[p] = (counts[p] ?? 0) + 1;
    }
    expect(counts).toEqual([10, 10, 10]);
  });

  it('P10 a custom partitioner returning a negative partition fails the send', async (ctx) => {
    const s = await kafkaSession(ctx);
    const topic = s.topic('p10');
    await s.createTopic(topic, 2);
    const negative = await s.producer({ createPartitioner: () => () => -1 });
    const error = await rejection(negative.send({ topic, messages: [{ value: 'v' }] }));
    expect(String(error['message'])).toMatch(/-1|negative|invalid/i);
  });
});
