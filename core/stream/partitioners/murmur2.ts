/**
 * Kafka's key hash: the 32-bit MurmurHash2 of org.apache.kafka.common.utils.Utils.murmur2, seed
 * 0x9747b28c, little-endian 4-byte words, returning a signed int32 exactly as Java does.
 *
 * Invariants:
 * - Every result equals Java's `Utils.murmur2(bytes)` bit for bit (int32 arithmetic via Math.imul).
 * - Hashing allocates nothing. A string key is encoded as UTF-8 into one module-level scratch
 *   buffer that only grows (once, for a longer key than any before it).
 * - Keys follow kafkajs: a Uint8Array/Buffer is hashed as its bytes, a string as its UTF-8 bytes,
 *   a number as its decimal string (numeric 0 hashes as "0").
 */
import { Buffer } from 'node:buffer';

/** Utils.murmur2's seed. */
export const MURMUR2_SEED = 0x9747b28c;
/** MurmurHash2's multiplier and shift, fixed by the algorithm. */
const M = 0x5bd1e995;
const R = 24;

/** A record key as the kafkajs-shaped API accepts it. */
export type KeyInput = Uint8Array | string | number;

/**
 * murmur2 over `data[offset, offset + length)`: Java's Utils.murmur2 on those bytes.
 */
export function murmur2(data: Uint8Array, offset = 0, length = data.length - offset): number {
  let h = (MURMUR2_SEED ^ length) | 0;
  const wordsEnd = offset + (length & ~3);
  let i = offset;
  for (; i < wordsEnd; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail !== 0) {
    if (tail === 3) h ^= data[i + 2]! << 16;
    if (tail >= 2) h ^= data[i + 1]! << 8;
    h ^= data[i]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** A UTF-16 code unit never needs more than 3 UTF-8 bytes. */
const MAX_UTF8_BYTES_PER_UNIT = 3;
let scratch = Buffer.allocUnsafeSlow(256);

/** murmur2 over the UTF-8 bytes of `key`, as Java's StringSerializer would produce them. */
export function murmur2String(key: string): number {
  const bound = key.length * MAX_UTF8_BYTES_PER_UNIT;
  if (bound > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(bound, scratch.length * 2));
  const written = scratch.write(key, 0, 'utf8');
  return murmur2(scratch, 0, written);
}

/** murmur2 of a key in any form the kafkajs-shaped API accepts (see the header for the rules). */
export function murmur2Key(key: KeyInput): number {
  if (typeof key === 'string') return murmur2String(key);
  if (typeof key === 'number') return murmur2String(String(key));
  return murmur2(key, 0, key.length);
}

/**
 * Utils.toPositive: clears the sign bit. Not Math.abs: abs(MIN_VALUE) stays negative in int32,
 * and the two disagree for every negative hash, which would move keys to other partitions.
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** BuiltInPartitioner.partitionForKey: the partition of a keyed record, over all partitions. */
export function partitionForKey(keyBytes: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(keyBytes, 0, keyBytes.length)) % numPartitions;
}

/** Encodes a key to the bytes that are hashed and stored; null and undefined mean keyless. */
export function keyToBytes(key: KeyInput | null | undefined): Uint8Array | null {
  if (key === null || key === undefined) return null;
  if (typeof key === 'string') return Buffer.from(key, 'utf8');
  if (typeof key === 'number') return Buffer.from(String(key), 'utf8');
  return key;
}
