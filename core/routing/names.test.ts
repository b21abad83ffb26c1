import { describe, expect, it } from 'vitest';
import { AmqpError } from '../errors/amqp.js';
import { assertShortstr, fitsShortstr, utf8ByteLength } from './names.js';

describe('shortstr names and keys', () => {
  it('R10 a 255-byte key fits and a 256-byte key is rejected with FRAME_ERROR naming the field', () => {
    expect(() => assertShortstr('routingKey', 'a'.repeat(255))).not.toThrow();
    let error: unknown;
    try {
      assertShortstr('routingKey', 'a'.repeat(256));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AmqpError);
    expect((error as AmqpError).code).toBe(501);
    expect((error as AmqpError).message).toBe('FRAME_ERROR - routingKey is 256 bytes of UTF-8; a shortstr holds at most 255');
  });

  it('R10 counts bytes, not characters: 128 two-byte characters do not fit', () => {
    expect(fitsShortstr('é'.repeat(127))).toBe(true);
    expect(fitsShortstr('é'.repeat(128))).toBe(false);
    expect(fitsShortstr('🐇'.repeat(63))).toBe(true);
    expect(fitsShortstr('🐇'.repeat(64))).toBe(false);
  });

  it('counts UTF-8 bytes as Buffer.byteLength does, lone surrogates included', () => {
    const samples = ['', 'abc', 'é', '€', '🐇', 'a🐇b', '\ud800', '\udc00x', 'x\ud800', '\ud800\ud800', '日本語'];
    for (const sample of samples) expect(utf8ByteLength(sample), JSON.stringify(sample)).toBe(Buffer.byteLength(sample));
    let state = 7;
    for (let n = 0; n < 300; n++) {
      let text = '';
      for (let i = 0; i < 20; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        text += String.fromCharCode(state >>> 16);
      }
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text));
    }
  });
});
