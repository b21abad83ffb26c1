import { describe, expect, it } from 'vitest';
import { KafkaConfigError } from '../../errors/index.js';
import { BuiltInPartitioner } from './built-in-partitioner.js';
import type { RandomInt } from './types.js';

/** Java's BuiltInPartitionerTest mocks the random source with a sequential counter. */
function sequentialRandom(): RandomInt {
  let next = 0;
  return () => next++;
}

/** Peeks the sticky partition, counts one record of `size` bytes against it, returns the partition. */
function produce(builtIn: BuiltInPartitioner, numPartitions: number, available: readonly number[], size = 1): number {
  const partition = builtIn.currentPartition(numPartitions, available);
  builtIn.updatePartitionInfo(size, numPartitions, available);
  return partition;
}

describe('BuiltInPartitioner sticky partitioning (P06)', () => {
  it('stays on one partition until the sticky batch size is produced, then switches', () => {
    const builtIn = new BuiltInPartitioner('topicA', 3, sequentialRandom());
    const all = [0, 1, 2];
    const first = produce(builtIn, 3, all);
    expect(produce(builtIn, 3, all)).toBe(first);
    expect(produce(builtIn, 3, all)).toBe(first);
    expect(builtIn.currentPartition(3, all)).not.toBe(first);
  });

  it('keeps switching onto the only partition a one-partition topic has', () => {
    const builtIn = new BuiltInPartitioner('topicB', 1, sequentialRandom());
    for (let i = 0; i < 10; i++) expect(produce(builtIn, 1, [0])).toBe(0);
  });

  it('never chooses a partition without a leader', () => {
    const builtIn = new BuiltInPartitioner('topicA', 1, () => Math.floor(Math.random() * 0x80000000));
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(produce(builtIn, 3, [0, 2]));
    expect([...seen].sort()).toEqual([0, 2]);
  });

  it('always chooses the single available partition', () => {
    const builtIn = new BuiltInPartitioner('topicB', 1, sequentialRandom());
    for (let i = 0; i < 100; i++) expect(produce(builtIn, 2, [1])).toBe(1);
  });

  it('chooses among all partitions when none has a leader', () => {
    const builtIn = new BuiltInPartitioner('topicC', 1, sequentialRandom());
    expect(produce(builtIn, 1, [])).toBe(0);
    expect(produce(builtIn, 1, [])).toBe(0);
  });

  it('counts bytes, not records: one record at least the batch size switches at once', () => {
    const builtIn = new BuiltInPartitioner('t', 100, sequentialRandom());
    expect(produce(builtIn, 4, [0, 1, 2, 3], 40)).toBe(0);
    expect(produce(builtIn, 4, [0, 1, 2, 3], 40)).toBe(0);
    expect(produce(builtIn, 4, [0, 1, 2, 3], 40)).toBe(0);
    expect(produce(builtIn, 4, [0, 1, 2, 3], 500)).toBe(1);
    expect(produce(builtIn, 4, [0, 1, 2, 3], 1)).toBe(2);
  });

  it('defers a disabled switch until twice the batch size', () => {
    const builtIn = new BuiltInPartitioner('t', 10, sequentialRandom());
    const all = [0, 1, 2];
    expect(builtIn.currentPartition(3, all)).toBe(0);
    builtIn.updatePartitionInfo(15, 3, all, false);
    expect(builtIn.currentPartition(3, all)).toBe(0);
    builtIn.updatePartitionInfo(5, 3, all, false);
    expect(builtIn.currentPartition(3, all)).toBe(1);
  });

  it('rejects a sticky batch size below 1 with a config error naming it', () => {
    expect(() => new BuiltInPartitioner('t', 0, sequentialRandom())).toThrow(KafkaConfigError);
    expect(() => new BuiltInPartitioner('t', 0, sequentialRandom())).toThrow(/got 0/);
    expect(() => new BuiltInPartitioner('t', 1, sequentialRandom())).not.toThrow();
  });
});

describe('BuiltInPartitioner adaptive partitioning (P07)', () => {
  it('builds CFT [1,7,10,16,21] from queue sizes {5,0,3,0,1}', () => {
    const builtIn = new BuiltInPartitioner('topicA', 1, sequentialRandom());
    builtIn.updatePartitionLoadStats([5, 0, 3, 0, 1], [0, 1, 2, 3, 4], 5);
    expect(builtIn.cumulativeFrequencyTable()).toEqual([1, 7, 10, 16, 21]);
    expect(builtIn.loadStatsRangeEnd()).toBe(21);
  });

  it('chooses partitions with frequencies {1,6,3,6,5}, the inverse of their queue sizes', () => {
    const builtIn = new BuiltInPartitioner('topicA', 1, sequentialRandom());
    const queueSizes = [5, 0, 3, 0, 1];
    builtIn.updatePartitionLoadStats(queueSizes, [0, 1, 2, 3, 4], queueSizes.length);
    const cycles = 2;
    const frequencies = [0, 0, 0, 0, 0];
    for (let i = 0; i < builtIn.loadStatsRangeEnd() * cycles; i++) frequencies[produce(builtIn, 5, [0, 1, 2, 3, 4])]! += 1;
    expect(frequencies).toEqual([1, 6, 3, 6, 5].map((f) => f * cycles));
    expect(queueSizes).toEqual([5, 0, 3, 0, 1]);
  });

  it('maps weighted draws to the partition ids given, not to indexes', () => {
    const builtIn = new BuiltInPartitioner('t', 1, sequentialRandom());
    builtIn.updatePartitionLoadStats([0, 3, 1], [7, 2, 5], 3);
    // CFT [4,5,8]: draws 0-3 -> id 7, 4 -> id 2, 5-7 -> id 5
    const chosen: number[] = [];
    for (let i = 0; i < 8; i++) chosen.push(produce(builtIn, 8, [2, 5, 7]));
    expect(chosen).toEqual([7, 7, 7, 7, 2, 5, 5, 5]);
  });

  it('drops load stats when all queues are equal, for a single partition, or on null', () => {
    const builtIn = new BuiltInPartitioner('t', 1, sequentialRandom());
    builtIn.updatePartitionLoadStats([2, 2, 2], [0, 1, 2], 3);
    expect(builtIn.loadStatsRangeEnd()).toBe(0);
    builtIn.updatePartitionLoadStats([4], [0], 1);
    expect(builtIn.loadStatsRangeEnd()).toBe(0);
    builtIn.updatePartitionLoadStats([1, 0], [0, 1], 2);
    expect(builtIn.loadStatsRangeEnd()).toBe(3);
    builtIn.updatePartitionLoadStats(null, [], 0);
    expect(builtIn.loadStatsRangeEnd()).toBe(0);
  });

  it('keeps adaptive logic for equal queues when slow partitions were excluded', () => {
    const builtIn = new BuiltInPartitioner('t', 1, sequentialRandom());
    builtIn.updatePartitionLoadStats([2, 2, 9], [0, 1, 2], 2);
    expect(builtIn.cumulativeFrequencyTable()).toEqual([1, 2]);
  });
});
