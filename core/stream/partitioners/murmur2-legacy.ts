/**
 * The murmur2 variant of kafkajs's LegacyPartitioner (kafkajs 1.x's default). It is not Java's
 * hash: it multiplies in float64 (so products above 2^53 lose their low bits before being cut back
 * to int32), runs ceil(length / 4) word rounds (the last, partial word is read with zeros past the
 * end) and then mixes the tail bytes again. Kept only so that data written by kafkajs 1.x producers
 * can still be found by key; it is opt-in and never the default.
 *
 * Invariant: the result equals kafkajs's legacy murmur2 on the same bytes, and is an int32.
 * Allocation-free over bytes; strings use the same UTF-8 scratch discipline as murmur2.ts.
 */
import { Buffer } from 'node:buffer';
import type { KeyInput } from './murmur2.js';
import { MURMUR2_SEED } from './murmur2.js';

const M = 0x5bd1e995;
const R = 24;

/** Byte `i` of the key, or 0 past its end (the legacy loop reads up to 3 bytes beyond it). */
function byteAt(data: Uint8Array, end: number, i: number): number {
  return i < end ? data[i]! : 0;
}

/** kafkajs's legacy murmur2 over `data[offset, offset + length)`. */
export function murmur2Legacy(data: Uint8Array, offset = 0, length = data.length - offset): number {
  const end = offset + length;
  // Every intermediate below is a float64, as in the original; `^` and `>>>` cut to 32 bits.
  let h: number = MURMUR2_SEED ^ length;
  const rounds = Math.ceil(length / 4);
  for (let w = 0; w < rounds; w++) {
    const i = offset + w * 4;
    let k: number =
      byteAt(data, end, i) | (byteAt(data, end, i + 1) << 8) | (byteAt(data, end, i + 2) << 16) | (byteAt(data, end, i + 3) << 24);
    k *= M;
    k ^= k >>> R;
    k *= M;
    h *= M;
    h ^= k;
  }
  const tailStart = offset + (length & ~3);
  const tail = length & 3;
  if (tail !== 0) {
    if (tail === 3) h ^= data[tailStart + 2]! << 16;
    if (tail >= 2) h ^= data[tailStart + 1]! << 8;
    h ^= data[tailStart]!;
    h *= M;
  }
  h ^= h >>> 13;
  h *= M;
  h ^= h >>> 15;
  return h;
}

const MAX_UTF8_BYTES_PER_UNIT = 3;
let scratch = Buffer.allocUnsafeSlow(256);

/** kafkajs's legacy murmur2 of a key: bytes as bytes, strings as UTF-8, numbers as decimal strings. */
export function murmur2LegacyKey(key: KeyInput): number {
  if (typeof key !== 'string' && typeof key !== 'number') return murmur2Legacy(key, 0, key.length);
  const text = typeof key === 'string' ? key : String(key);
  const bound = text.length * MAX_UTF8_BYTES_PER_UNIT;
  if (bound > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(bound, scratch.length * 2));
  return murmur2Legacy(scratch, 0, scratch.write(text, 0, 'utf8'));
}
