import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { keyToBytes, murmur2, murmur2Key, murmur2String, partitionForKey, toPositive } from './murmur2.js';

// org.apache.kafka.common.utils.UtilsTest#testMurmur2
const KAFKA_UTILS_TEST: readonly (readonly [string, number])[] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

// kafkajs src/producer/partitioners/default/murmur2.spec.js (generated with Java's Utils.murmur2)
const KAFKAJS_SPEC: readonly (readonly [string, number])[] = [
  ['0', 971027396],
  ['1', -1993445489],
  ['128', -326012175],
  ['2187', -1508407203],
  ['16384', -325739742],
  ['78125', -1654490814],
  ['279936', 1462227128],
  ['823543', -2014198330],
  ['2097152', 607668903],
  ['4782969', -1182699775],
  ['10000000', -1830336757],
  ['19487171', -1603849305],
  ['35831808', -857013643],
  ['62748517', -1167431028],
  ['105413504', -381294639],
  ['170859375', -1658323481],
  ['100:48069', 1009543857],
];

describe('murmur2 (P01)', () => {
  it.each(KAFKA_UTILS_TEST)('hashes %j to Kafka UtilsTest value %i', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
    expect(murmur2String(key)).toBe(expected);
  });

  it.each(KAFKAJS_SPEC)('hashes %j to kafkajs spec value %i', (key, expected) => {
    expect(murmur2Key(key)).toBe(expected);
  });

  it('hashes the number 0 as the string "0"', () => {
    expect(murmur2Key(0)).toBe(971027396);
    expect(murmur2Key(170859375)).toBe(-1658323481);
  });

  it('hashes a Buffer and a plain Uint8Array of the same bytes alike', () => {
    expect(murmur2Key(Buffer.from('1'))).toBe(-1993445489);
    expect(murmur2Key(new Uint8Array([0x61, 0x62, 0x63]))).toBe(479470107);
  });

  it('hashes only the bytes in [offset, offset + length)', () => {
    const framed = Buffer.from('##a-little-bit-long-string!!!');
    expect(murmur2(framed, 2, 24)).toBe(-985981536);
    for (let length = 0; length <= 7; length++) {
      expect(murmur2(framed, 3, length)).toBe(murmur2(framed.subarray(3, 3 + length)));
    }
  });

  it('hashes a string as its UTF-8 bytes, also past the scratch buffer size', () => {
    for (const key of ['', 'é', '日本語キー', '🙂 emoji', 'x'.repeat(5000) + 'ü']) {
      expect(murmur2String(key)).toBe(murmur2(Buffer.from(key, 'utf8')));
    }
  });

  it('returns a signed int32', () => {
    for (const [key] of KAFKAJS_SPEC) {
      const h = murmur2Key(key);
      expect(h | 0).toBe(h);
    }
  });
});

describe('toPositive (P02)', () => {
  it('turns the hash of "21" into 1173551340', () => {
    expect(toPositive(murmur2String('21'))).toBe(1173551340);
  });

  it('clears the sign bit instead of taking the absolute value', () => {
    expect(toPositive(-973932308)).toBe(1173551340);
    expect(Math.abs(-973932308)).not.toBe(1173551340);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(5)).toBe(5);
  });
});

describe('key -> partition (P03)', () => {
  it.each([
    ['key', 3, 1],
    ['foobar', 10, 6],
    ['', 12, 9],
    ['21', 4, 0],
  ] as const)('puts key %j in partition %i of %i', (key, numPartitions, expected) => {
    expect(partitionForKey(Buffer.from(key), numPartitions)).toBe(expected);
  });
});

describe('keyToBytes', () => {
  it('keeps null and undefined keyless and encodes "" as zero bytes', () => {
    expect(keyToBytes(null)).toBeNull();
    expect(keyToBytes(undefined)).toBeNull();
    expect(keyToBytes('')?.length).toBe(0);
    expect(Buffer.from(keyToBytes(0)!).toString()).toBe('0');
  });
});
