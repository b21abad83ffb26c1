import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { murmur2 } from './murmur2.js';
import { murmur2Legacy, murmur2LegacyKey } from './murmur2-legacy.js';

// kafkajs src/producer/partitioners/legacy/murmur2.spec.js
const KAFKAJS_LEGACY_SPEC: readonly (readonly [string, number])[] = [
  ['0', 272173970],
  ['1', 1311020360],
  ['128', 2053105854],
  ['2187', -2081355488],
  ['16384', 204404061],
  ['78125', -677491393],
  ['279936', -622460209],
  ['823543', 651276451],
  ['2097152', 944683677],
  ['4782969', -892695770],
  ['10000000', -1778616326],
  ['19487171', -518311627],
  ['35831808', 556972389],
  ['62748517', -233806557],
  ['105413504', -109398538],
  ['170859375', 102939717],
];

describe('kafkajs legacy murmur2 (P09)', () => {
  it.each(KAFKAJS_LEGACY_SPEC)('hashes %j to kafkajs legacy spec value %i', (key, expected) => {
    expect(murmur2LegacyKey(key)).toBe(expected);
  });

  it('hashes the number 0 as "0" (272173970) and a Buffer as its bytes', () => {
    expect(murmur2LegacyKey(0)).toBe(272173970);
    expect(murmur2LegacyKey(Buffer.from('1'))).toBe(1311020360);
  });

  it('differs from Java murmur2 on the same key', () => {
    expect(murmur2LegacyKey('0')).not.toBe(murmur2(Buffer.from('0')));
  });

  it('reads zeros, not the neighbouring bytes, past the end of an offset/length slice', () => {
    const framed = Buffer.from('xxhello wzzzz');
    for (let length = 0; length <= 9; length++) {
      expect(murmur2Legacy(framed, 2, length)).toBe(murmur2Legacy(Buffer.from(framed.subarray(2, 2 + length))));
    }
  });
});
