import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { KafkaConfigError, kafkaErrorCode } from '../../errors/index.js';
import { choosePartition } from './choose-partition.js';
import { createPartitioner } from './create-partitioner.js';
import { DefaultPartitioner } from './default-partitioner.js';
import type { Partitioner, PartitionerName } from './types.js';

const ALL = [0, 1, 2, 3] as const;

function fixed(partition: number): Partitioner {
  return { partition: () => partition };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('choosePartition precedence (P05)', () => {
  const builtIn = new DefaultPartitioner({ random: () => 3 });
  const key = Buffer.from('key'); // hashes to partition 1 of 4; the sticky partition is 3

  it('uses an explicit partition, 0 included, over a custom partitioner and the key', () => {
    expect(choosePartition(0, fixed(2), builtIn, 't', 4, ALL, key, 1)).toBe(0);
    expect(choosePartition(3, null, builtIn, 't', 4, ALL, key, 1)).toBe(3);
  });

  it('uses a custom partitioner over the key hash', () => {
    expect(choosePartition(null, fixed(2), builtIn, 't', 4, ALL, key, 1)).toBe(2);
    expect(choosePartition(undefined, fixed(0), builtIn, 't', 4, ALL, key, 1)).toBe(0);
  });

  it('uses the key hash over the sticky partition', () => {
    expect(choosePartition(null, null, builtIn, 't', 4, ALL, key, 1)).toBe(1);
  });

  it('uses the sticky partition for a keyless record', () => {
    expect(choosePartition(null, null, builtIn, 't', 4, ALL, null, 1)).toBe(3);
  });

  it('rejects a negative explicit partition', () => {
    expect(() => choosePartition(-1, null, builtIn, 't', 4, ALL, null, 1)).toThrow(/Invalid partition: -1/);
  });

  it('rejects a topic without partitions instead of computing NaN', () => {
    expect(() => choosePartition(null, null, builtIn, 't', 0, [], key, 1)).toThrow(KafkaConfigError);
  });
});

describe('custom partitioner results (P10)', () => {
  it('turns a negative partition into a config error naming the value', () => {
    const error = thrown(() => choosePartition(null, fixed(-1), new DefaultPartitioner(), 't', 4, ALL, null, 1));
    expect(error).toBeInstanceOf(KafkaConfigError);
    const configError = error as KafkaConfigError;
    expect(configError.message).toBe('The partitioner generated an invalid partition number: -1. Partition number should always be non-negative.');
    expect(configError.code).toBe(kafkaErrorCode('INVALID_CONFIG'));
    expect(configError.retriable).toBe(false);
  });

  it('rejects a non-integer partition', () => {
    expect(() => choosePartition(null, fixed(1.5), new DefaultPartitioner(), 't', 4, ALL, null, 1)).toThrow(/invalid partition number: 1.5/);
    expect(() => choosePartition(null, fixed(Number.NaN), new DefaultPartitioner(), 't', 4, ALL, null, 1)).toThrow(/NaN/);
  });
});

describe('createPartitioner', () => {
  it('rejects an unknown strategy name from an untyped caller', () => {
    expect(() => createPartitioner('sticky' as PartitionerName)).toThrow(/Unknown partitioner 'sticky'/);
  });
});
