import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { createPartitioner } from './create-partitioner.js';
import { DefaultPartitioner } from './default-partitioner.js';
import { KafkaJsDefaultPartitioner } from './kafkajs-default-partitioner.js';
import { KafkaJsLegacyPartitioner } from './kafkajs-legacy-partitioner.js';
import { toPositive } from './murmur2.js';

function count(partitions: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const p of partitions) counts.set(p, (counts.get(p) ?? 0) + 1);
  return counts;
}

describe('kafkajs partitioners (P09)', () => {
  it('round-robins keyless records: 30 records over 3 partitions, 10 each', () => {
    const partitioner = new KafkaJsDefaultPartitioner();
    const chosen = Array.from({ length: 30 }, () => partitioner.partition('test-topic-1', 3, [1, 2, 0], null, 1));
    expect(count(chosen)).toEqual(new Map([[0, 10], [1, 10], [2, 10]]));
  });

  it('round-robins keyless records only over partitions whose leader is >= 0', () => {
    const partitioner = new KafkaJsDefaultPartitioner();
    const chosen = Array.from({ length: 100 }, () => partitioner.partition('test-topic-1', 3, [2, 0], null, 1));
    expect(count(chosen)).toEqual(new Map([[2, 50], [0, 50]]));
  });

  it('starts each topic at the random counter value plus one', () => {
    const partitioner = new KafkaJsDefaultPartitioner({ random: () => 0xffffffff });
    // 0xffffffff is -1 as an int32; pre-increment gives 0, then 1, 2, ...
    expect([0, 1, 2, 3].map(() => partitioner.partition('t', 3, [0, 1, 2], null, 1))).toEqual([0, 1, 2, 0]);
  });

  it('keeps a round-robin counter per topic', () => {
    const partitioner = new KafkaJsDefaultPartitioner({ random: () => 0 });
    expect(partitioner.partition('a', 2, [0, 1], null, 1)).toBe(1);
    expect(partitioner.partition('b', 2, [0, 1], null, 1)).toBe(1);
    expect(partitioner.partition('a', 2, [0, 1], null, 1)).toBe(0);
  });

  it('hashes keys with Java murmur2 in the default and with the legacy variant in the legacy one', () => {
    const key = Buffer.from('0');
    expect(new KafkaJsDefaultPartitioner().partition('t', 1000, [], key, 1)).toBe(toPositive(971027396) % 1000);
    expect(new KafkaJsLegacyPartitioner().partition('t', 1000, [], key, 1)).toBe(toPositive(272173970) % 1000);
  });

  it('hashes a key over all partitions, leaderless ones included', () => {
    expect(new KafkaJsDefaultPartitioner().partition('t', 3, [0, 2], Buffer.from('key'), 1)).toBe(1);
  });

  it('is opt-in: the default strategy is the Java sticky one, not a kafkajs one', () => {
    const partitioner = createPartitioner('default');
    expect(partitioner).toBeInstanceOf(DefaultPartitioner);
    expect(createPartitioner('kafkajsLegacy')).toBeInstanceOf(KafkaJsLegacyPartitioner);
    expect(createPartitioner('kafkajsDefault')).toBeInstanceOf(KafkaJsDefaultPartitioner);
  });
});
