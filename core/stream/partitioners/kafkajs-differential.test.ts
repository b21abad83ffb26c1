/**
 * Differential check against an independent implementation: kafkajs 2.x's own partitioners, run on
 * the same random keys. Its DefaultPartitioner hashes with Java's murmur2 (through a Long
 * emulation), so keyed records must land where ours put them; its LegacyPartitioner is the
 * reference for the legacy hash.
 */
import { Buffer } from 'node:buffer';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DefaultPartitioner } from './default-partitioner.js';
import { KafkaJsDefaultPartitioner } from './kafkajs-default-partitioner.js';
import { KafkaJsLegacyPartitioner } from './kafkajs-legacy-partitioner.js';
import { keyToBytes } from './murmur2.js';
import type { Partitioner } from './types.js';

const KEYS = 12_000;
const PARTITION_COUNTS = [1, 2, 3, 7, 12, 50, 64, 101, 1000] as const;
const SEED = 0x5eed1234;

/** xorshift32: reproducible keys, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const ALPHABET = ['a', 'Z', '0', '-', '_', ':', ' ', 'é', 'ß', '日', '語', '🙂', '\u0000', '\u07ff'];

function randomKeys(count: number, seed: number): (Buffer | string)[] {
  const next = rng(seed);
  const keys: (Buffer | string)[] = [];
  for (let i = 0; i < count; i++) {
    const length = next() % 64;
    if (i % 2 === 0) {
      const bytes = Buffer.alloc(length);
      for (let j = 0; j < length; j++) bytes[j] = next() & 0xff;
      keys.push(bytes);
    } else {
      let text = '';
      for (let j = 0; j < length; j++) text += ALPHABET[next() % ALPHABET.length]!;
      keys.push(text);
    }
  }
  return keys;
}

function metadata(numPartitions: number): PartitionMetadata[] {
  return Array.from({ length: numPartitions }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: partitionId % 3, replicas: [], isr: [] }));
}

function mismatches(ours: Partitioner, theirs: ReturnType<typeof Partitioners.DefaultPartitioner>, keys: readonly (Buffer | string)[]): string[] {
  const found: string[] = [];
  for (const numPartitions of PARTITION_COUNTS) {
    const partitionMetadata = metadata(numPartitions);
    const available = partitionMetadata.map((p) => p.partitionId);
    for (const key of keys) {
      const expected = theirs({ topic: 't', partitionMetadata, message: { key, value: null } });
      const actual = ours.partition('t', numPartitions, available, keyToBytes(key), 1);
      if (actual !== expected) found.push(`${JSON.stringify(typeof key === 'string' ? key : key.toString('hex'))} / ${String(numPartitions)}: ${String(actual)} != ${String(expected)}`);
    }
  }
  return found;
}

describe('differential against kafkajs 2.x partitioners', () => {
  const keys = randomKeys(KEYS, SEED);

  it(`puts ${String(KEYS)} random keys where kafkajs's Java-compatible DefaultPartitioner does`, () => {
    expect(mismatches(new DefaultPartitioner(), Partitioners.DefaultPartitioner(), keys).slice(0, 5)).toEqual([]);
  });

  it('agrees with kafkajs DefaultPartitioner through the kafkajsDefault strategy too', () => {
    expect(mismatches(new KafkaJsDefaultPartitioner(), Partitioners.DefaultPartitioner(), keys).slice(0, 5)).toEqual([]);
  });

  it(`puts ${String(KEYS)} random keys where kafkajs's LegacyPartitioner does`, () => {
    expect(mismatches(new KafkaJsLegacyPartitioner(), Partitioners.LegacyPartitioner(), keys).slice(0, 5)).toEqual([]);
  });

  it('matches kafkajs for the numeric key 0, hashed as "0"', () => {
    const partitionMetadata = metadata(1000);
    const theirs = Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message: { key: 0 as unknown as string, value: null } });
    expect(new KafkaJsDefaultPartitioner().partition('t', 1000, [], keyToBytes(0), 1)).toBe(theirs);
  });

  it('cycles keyless records through the same leader >= 0 partitions in the same order as kafkajs', () => {
    const partitionMetadata = [5, 1, 4, 0, 3, 2].map((partitionId) => ({ partitionErrorCode: 0, partitionId, leader: partitionId === 4 ? -1 : 1, replicas: [], isr: [] }));
    const available = partitionMetadata.filter((p) => p.leader >= 0).map((p) => p.partitionId);
    const theirs = Partitioners.DefaultPartitioner();
    const ours = new KafkaJsDefaultPartitioner();
    const theirSequence = Array.from({ length: 40 }, () => theirs({ topic: 't', partitionMetadata, message: { value: null } }));
    const ourSequence = Array.from({ length: 40 }, () => ours.partition('t', 6, available, null, 1));
    // Both start at a random counter: the sequences must be the same cycle, up to rotation.
    const shift = ourSequence.indexOf(theirSequence[0]!);
    expect(shift).toBeGreaterThanOrEqual(0);
    expect(ourSequence.slice(shift, shift + 30)).toEqual(theirSequence.slice(0, 30));
    expect(new Set(theirSequence)).toEqual(new Set([5, 1, 0, 3, 2]));
  });
});
