import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { RoundRobinPartitioner } from './round-robin-partitioner.js';

function count(partitions: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const p of partitions) counts.set(p, (counts.get(p) ?? 0) + 1);
  return counts;
}

describe('RoundRobinPartitioner (P08)', () => {
  it('spreads 30 keyed records over 3 partitions 10 each, ignoring the key', () => {
    const partitioner = new RoundRobinPartitioner();
    const key = Buffer.from('key');
    const chosen: number[] = [];
    for (let i = 0; i < 30; i++) {
      chosen.push(partitioner.partition('topicA', 3, [0, 1, 2], key, 10));
      // Another topic's records must not disturb topicA's turn.
      if (i % 5 === 0) partitioner.partition('topicB', 1, [0], key, 10);
    }
    expect(count(chosen)).toEqual(new Map([[0, 10], [1, 10], [2, 10]]));
  });

  it('spreads 30 keyless records over 3 partitions 10 each', () => {
    const partitioner = new RoundRobinPartitioner();
    const chosen = Array.from({ length: 30 }, () => partitioner.partition('t', 3, [0, 1, 2], null, 10));
    expect(count(chosen)).toEqual(new Map([[0, 10], [1, 10], [2, 10]]));
    expect(chosen.slice(0, 4)).toEqual([0, 1, 2, 0]);
  });

  it('skips a partition without a leader and splits evenly between the others', () => {
    const partitioner = new RoundRobinPartitioner();
    // RoundRobinPartitionerTest: partitions listed out of order, partition 1 leaderless.
    const chosen = Array.from({ length: 100 }, () => partitioner.partition('test', 3, [2, 0], null, 1));
    expect(count(chosen)).toEqual(new Map([[2, 50], [0, 50]]));
  });

  it('falls back to all partitions when none has a leader', () => {
    const partitioner = new RoundRobinPartitioner();
    const chosen = Array.from({ length: 4 }, () => partitioner.partition('t', 2, [], null, 1));
    expect(chosen).toEqual([0, 1, 0, 1]);
  });
});
