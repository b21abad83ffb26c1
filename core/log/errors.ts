/**
 * The typed errors core/log throws, built in one place so that every message names the offending
 * value the same way. Codes are Kafka's (core/errors/kafka.ts): CORRUPT_MESSAGE 2,
 * OFFSET_OUT_OF_RANGE 1, MESSAGE_TOO_LARGE 10, INVALID_TIMESTAMP 32, INVALID_CONFIG 40; misuse of the
 * API that Kafka has no name for is mqlab's INVALID_ARGUMENT.
 */
import { KafkaConfigError, KafkaProtocolError, MqlabInternalError } from '../errors/index.js';

export function corruptMessage(detail: string): KafkaProtocolError {
  return new KafkaProtocolError('CORRUPT_MESSAGE', `corrupt record batch: ${detail}`);
}

export function messageTooLarge(bytes: number, maxMessageBytes: number): KafkaProtocolError {
  return new KafkaProtocolError(
    'MESSAGE_TOO_LARGE',
    `record batch of ${bytes} bytes is larger than max.message.bytes (${maxMessageBytes})`,
  );
}

export function offsetOutOfRange(what: string, offset: number, logStartOffset: number, endOffset: number): KafkaProtocolError {
  return new KafkaProtocolError(
    'OFFSET_OUT_OF_RANGE',
    `${what} offset ${offset} is outside the log [${logStartOffset}, ${endOffset}]`,
  );
}

export function invalidTimestamp(timestamp: number): KafkaProtocolError {
  return new KafkaProtocolError('INVALID_TIMESTAMP', `record timestamp ${timestamp} is not an integer >= -1`);
}

export function invalidConfig(detail: string): KafkaConfigError {
  return new KafkaConfigError(`invalid partition log config: ${detail}`);
}

export function invalidArgument(detail: string): MqlabInternalError {
  return new MqlabInternalError('INVALID_ARGUMENT', detail);
}
