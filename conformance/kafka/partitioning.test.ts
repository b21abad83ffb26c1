/**
 * P01–P10: Kafka's partitioning rules, through the kafkajs-shaped producer where the
 * behaviour is observable on the wire (which partition a record lands on), and through the
 * partitioner functions where the check is about exact hash values.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Partitioners } from '../../core/client/kafka/index.js';
import { partitioners } from '../../core/internal.js';
import { kafkaSession, rejection } from '../support/kafka.js';
import { requires } from '../support/target.js';

/** Java's partitioner tests mock the random source with a counter: 0, 1, 2, ... */
function sequentialRandom(): () => number {
  let next = 0;
  return () => next++;
}

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

  it('P04 a keyed record is hashed over all partitions even when its partition has no leader', (ctx) => {
    requires(ctx, 'kafka');
    // DefaultPartitionerTest: "key" hashes to 1 of 3; only partitions 0 and 2 have a leader.
    const partitioner = new partitioners.DefaultPartitioner();
    expect(partitioner.partition('test', 3, [2, 0], Buffer.from('key'), 10)).toBe(1);
    expect(partitioner.partition('test', 3, [2, 0], Buffer.from('key'), 10)).toBe(1);
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

  it('P06 keyless sticky: one partition until batch.size (16384) bytes, then a switch; only available partitions', (ctx) => {
    requires(ctx, 'kafka');
    expect(partitioners.PARTITIONER_DEFAULTS.batchSize).toBe(16384);
    const sticky = new partitioners.DefaultPartitioner({ random: sequentialRandom() });
    const chosen = Array.from({ length: 20 }, () => sticky.partition('t', 4, [0, 1, 2, 3], null, 1000));
    // 17 records = 17000 bytes >= 16384: the 18th record moves on.
    expect(chosen).toEqual([...Array<number>(17).fill(0), 1, 1, 1]);
    const available = new partitioners.DefaultPartitioner({ batchSize: 1, random: sequentialRandom() });
    const seen = new Set(Array.from({ length: 50 }, () => available.partition('t', 4, [1, 3], null, 1)));
    expect([...seen].sort()).toEqual([1, 3]);
  });

  it('P07 adaptive: queue sizes {5,0,3,0,1} give CFT [1,7,10,16,21] and frequencies {1,6,3,6,5}', (ctx) => {
    requires(ctx, 'kafka');
    const builtIn = new partitioners.BuiltInPartitioner('t', 1, sequentialRandom());
    builtIn.updatePartitionLoadStats([5, 0, 3, 0, 1], [0, 1, 2, 3, 4], 5);
    expect(builtIn.cumulativeFrequencyTable()).toEqual([1, 7, 10, 16, 21]);
    const frequencies = [0, 0, 0, 0, 0];
    for (let i = 0; i < 21; i++) {
      const p = builtIn.currentPartition(5, [0, 1, 2, 3, 4]);
      builtIn.updatePartitionInfo(1, 5, [0, 1, 2, 3, 4]);
      frequencies[p] = (frequencies[p] ?? 0) + 1;
    }
    expect(frequencies).toEqual([1, 6, 3, 6, 5]);
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

  it('P09 kafkajs: keyless round-robin over leader >= 0 partitions; legacy hash (\'0\' → 272173970) only on opt-in', (ctx) => {
    requires(ctx, 'kafka');
    const rr = new partitioners.KafkaJsDefaultPartitioner();
    const counts = new Map<number, number>();
    for (let i = 0; i < 100; i++) {
      const p = rr.partition('t', 3, [2, 0], null, 1);
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    expect([...counts].sort((a, b) => a[0] - b[0])).toEqual([[0, 50], [2, 50]]);
    expect(partitioners.murmur2LegacyKey('0')).toBe(272173970);
    expect(partitioners.murmur2LegacyKey(0)).toBe(272173970);
    expect(new partitioners.KafkaJsLegacyPartitioner().partition('t', 1000, [], Buffer.from('0'), 1)).toBe(partitioners.toPositive(272173970) % 1000);
    expect(new partitioners.KafkaJsDefaultPartitioner().partition('t', 1000, [], Buffer.from('0'), 1)).toBe(partitioners.toPositive(971027396) % 1000);
    expect(partitioners.createPartitioner('default')).toBeInstanceOf(partitioners.DefaultPartitioner);
    expect(partitioners.createPartitioner('kafkajsLegacy')).toBeInstanceOf(partitioners.KafkaJsLegacyPartitioner);
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
