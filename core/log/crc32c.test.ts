import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Plain bit-at-a-time CRC32C: the definition, to check the sliced implementation against. */
function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('crc32c', () => {
  it('matches the check value CRC32C("123456789") = 0xE3069283', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  });

  it('matches the iSCSI test vectors of RFC 3720 B.4', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('is 0 for no bytes', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bit-at-a-time definition at every length and alignment', () => {
    const data = pseudoRandom(2048, 7);
    for (const start of [0, 1, 2, 3, 5, 8]) {
      for (const length of [0, 1, 7, 8, 9, 255, 256, 257, 1000, 2000]) {
        if (start + length > data.length) continue;
        const slice = data.subarray(start, start + length);
        expect(crc32c(data, start, start + length)).toBe(reference(slice));
        expect(crc32c(slice)).toBe(reference(slice));
      }
    }
  });

  it('reads SharedArrayBuffer memory the same as ordinary memory', () => {
    const data = pseudoRandom(4099, 3);
    const shared = new Uint8Array(new SharedArrayBuffer(data.length));
    shared.set(data);
    expect(crc32c(shared, 3)).toBe(crc32c(data, 3));
  });

  it('continues a checksum across ranges when given the previous result', () => {
    const data = pseudoRandom(1500, 11);
    const whole = crc32c(data);
    expect(crc32c(data, 700, 1500, crc32c(data, 0, 700))).toBe(whole);
  });
});
