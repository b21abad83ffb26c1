/**
 * AMQP 0-9-1 `shortstr` limits on names and keys: exchange and queue names, routing keys, binding
 * keys and consumer tags travel as a shortstr, one length octet and at most 255 bytes of UTF-8.
 *
 * What the real systems do with a longer value, and what the engine does:
 * - The limit is in bytes, not characters: 128 two-byte characters are already 256 bytes.
 * - A client cannot encode it. amqplib throws a TypeError before sending ("Field 'routingKey' is the
 *   wrong type; must be a string (up to 255 chars)"), so the channel stays open; the Java client
 *   throws IllegalArgumentException early for the same reason (rabbitmq-java-client#72).
 * - A server that received such a frame could not decode it: RabbitMQ answers an undecodable method
 *   frame with 501 FRAME_ERROR ("cannot decode ..."), a connection error.
 * The engine raises {@link AmqpError} FRAME_ERROR (501), naming the field and its byte length, and
 * raises it before any state changes, as a client would; no channel or connection is closed for it.
 * RabbitMQ does not enforce the spec's 127-character limit or its name regexp (rabbit_channel:
 * "We deliberately do not enforce the other constraints on names"), and neither does the engine.
 */
import { AmqpError } from '../errors/amqp.js';

/** The longest shortstr, in bytes. */
export const SHORTSTR_MAX_BYTES = 255;

/** The AMQP field names a shortstr can appear as, in amqplib's spelling. */
export type ShortstrField = 'exchange' | 'queue' | 'routingKey' | 'bindingKey' | 'consumerTag' | 'type';

/**
 * The UTF-8 length of a string, computed without encoding it. Lone surrogates count as the three
 * bytes of U+FFFD, as Buffer.byteLength and the encoder count them.
 */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // a pair: 2 units become 4 bytes
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/** True when the string fits a shortstr. ASCII strings up to 255 units are checked in O(1). */
export function fitsShortstr(text: string): boolean {
  if (text.length > SHORTSTR_MAX_BYTES) return false;
  if (text.length * 3 <= SHORTSTR_MAX_BYTES) return true;
  return utf8ByteLength(text) <= SHORTSTR_MAX_BYTES;
}

/** Throws FRAME_ERROR (501) when `value` does not fit a shortstr. */
export function assertShortstr(field: ShortstrField, value: string): void {
  if (fitsShortstr(value)) return;
  throw new AmqpError(
    'FRAME_ERROR',
    `${field} is ${utf8ByteLength(value)} bytes of UTF-8; a shortstr holds at most ${SHORTSTR_MAX_BYTES}`,
  );
}
