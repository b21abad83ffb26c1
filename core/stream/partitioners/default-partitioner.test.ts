import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { KafkaConfigError } from '../../errors/index.js';
import { DefaultPartitioner } from './default-partitioner.js';
import { PARTITIONER_DEFAULTS } from './options.js';
import type { RandomInt } from './types.js';

function sequentialRandom(): RandomInt {
  let next = 0;
  return () => next++;
}

const KEY = Buffer.from('key');

describe('DefaultPartitioner keyed records (P04, P05)', () => {
  it('hashes a key over all partitions even when its partition has no leader', () => {
    const partitioner = new DefaultPartitioner();
    // DefaultPartitionerTest: partition 1 is leaderless; "key" hashes to 1 of 3.
    expect(partitioner.partition('test', 3, [2, 0], KEY, 10)).toBe(1);
    expect(partitioner.partition('test', 3, [2, 0], KEY, 10)).toBe(1);
  });

  it('hashes the empty key "" like any key', () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, random: sequentialRandom() });
    for (let i = 0; i < 5; i++) expect(partitioner.partition('t', 12, [0, 1, 2], new Uint8Array(0), 1)).toBe(9);
  });

  it('treats a null key as keyless (sticky), not as a hash of nothing', () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, random: sequentialRandom() });
    const chosen = [0, 1, 2, 3].map(() => partitioner.partition('t', 12, [0, 1, 2], null, 1));
    expect(chosen).toEqual([0, 1, 2, 0]);
  });

  it('sends keyed records down the sticky path when ignoreKeys is set', () => {
    const partitioner = new DefaultPartitioner({ ignoreKeys: true, batchSize: 100, random: () => 2 });
    expect(partitioner.partition('t', 3, [0, 1, 2], KEY, 10)).toBe(2);
    expect(partitioner.partition('t', 3, [0, 1, 2], Buffer.from('foobar'), 10)).toBe(2);
  });

  it('does not count keyed records against the sticky partition', () => {
    const partitioner = new DefaultPartitioner({ batchSize: 10, random: sequentialRandom() });
    expect(partitioner.partition('t', 3, [0, 1, 2], null, 5)).toBe(0);
    for (let i = 0; i < 10; i++) partitioner.partition('t', 3, [0, 1, 2], KEY, 100);
    expect(partitioner.partition('t', 3, [0, 1, 2], null, 4)).toBe(0);
    // 5 + 4 + 1 = 10 keyless bytes: this record still lands on 0, the next one moves.
    expect(partitioner.partition('t', 3, [0, 1, 2], null, 1)).toBe(0);
    expect(partitioner.partition('t', 3, [0, 1, 2], null, 1)).toBe(1);
  });
});

describe('DefaultPartitioner keyless records (P06)', () => {
  it('fills batch.size (16384 bytes by default) on one partition before switching', () => {
    expect(PARTITIONER_DEFAULTS.batchSize).toBe(16384);
    const partitioner = new DefaultPartitioner({ random: sequentialRandom() });
    const chosen: number[] = [];
    for (let i = 0; i < 20; i++) chosen.push(partitioner.partition('t', 4, [0, 1, 2, 3], null, 1000));
    // 17 records = 17000 bytes >= 16384: the 18th record goes elsewhere.
    expect(chosen.slice(0, 17).every((p) => p === 0)).toBe(true);
    expect(chosen.slice(17)).toEqual([1, 1, 1]);
  });

  it('keeps a sticky partition per topic', () => {
    const partitioner = new DefaultPartitioner({ batchSize: 2, random: sequentialRandom() });
    expect(partitioner.partition('a', 3, [0, 1, 2], null, 1)).toBe(0);
    expect(partitioner.partition('b', 3, [0, 1, 2], null, 1)).toBe(1);
    expect(partitioner.partition('a', 3, [0, 1, 2], null, 1)).toBe(0);
    expect(partitioner.partition('a', 3, [0, 1, 2], null, 1)).toBe(2);
  });

  it('chooses only partitions with a leader', () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1 });
    for (let i = 0; i < 300; i++) expect([1, 3]).toContain(partitioner.partition('t', 4, [1, 3], null, 1));
  });

  it('treats batch.size 0 as 1, as the Java producer does', () => {
    const partitioner = new DefaultPartitioner({ batchSize: 0, random: sequentialRandom() });
    expect(partitioner.options.batchSize).toBe(1);
    expect([0, 1].map(() => partitioner.partition('t', 2, [0, 1], null, 1))).toEqual([0, 1]);
  });

  it('weights keyless records by queue size when load stats are fed (P07)', () => {
    const partitioner = new DefaultPartitioner({ batchSize: 1, random: sequentialRandom() });
    partitioner.updatePartitionLoadStats('t', [5, 0, 3, 0, 1], [0, 1, 2, 3, 4], 5);
    const frequencies = [0, 0, 0, 0, 0];
    for (let i = 0; i < 21; i++) frequencies[partitioner.partition('t', 5, [0, 1, 2, 3, 4], null, 1)]! += 1;
    expect(frequencies).toEqual([1, 6, 3, 6, 5]);
  });

  it('ignores load stats when adaptive partitioning is disabled', () => {
    const partitioner = new DefaultPartitioner({ adaptivePartitioningEnable: false, random: sequentialRandom() });
    partitioner.updatePartitionLoadStats('t', [5, 0, 3, 0, 1], [0, 1, 2, 3, 4], 5);
    expect(partitioner.builtInPartitioner('t').loadStatsRangeEnd()).toBe(0);
  });
});

describe('DefaultPartitioner options', () => {
  it('rejects a negative batchSize with a config error naming the option and value', () => {
    expect(() => new DefaultPartitioner({ batchSize: -1 })).toThrow(KafkaConfigError);
    expect(() => new DefaultPartitioner({ batchSize: -1 })).toThrow(/'batchSize'.*got -1/);
  });

  it('rejects an unknown option', () => {
    expect(() => new DefaultPartitioner({ batchsize: 5 } as never)).toThrow(KafkaConfigError);
  });
});
