import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KafkaProtocolError } from '../errors/index.js';
import {
  MAX_TOPIC_NAME_LENGTH,
  containsOnlyLegalTopicChars,
  hasCollision,
  hasCollisionChars,
  isValidTopicName,
  validateTopicName,
} from './topic-name.js';

const LEGAL = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-';

function randomLegalName(length: number): string {
  let name = '';
  for (let i = 0; i < length; i++) name += LEGAL[randomInt(LEGAL.length)]!;
  return name;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('topic names (L01)', () => {
  // TopicTest#shouldAcceptValidTopicNames
  it.each(['valid', 'TOPIC', 'nAmEs', 'ar6', 'VaL1d', '_0-9_.', '...', randomLegalName(249)])('accepts %j', (name) => {
    expect(() => validateTopicName(name)).not.toThrow();
    expect(isValidTopicName(name)).toBe(true);
  });

  // TopicTest#shouldThrowOnInvalidTopicNames
  it.each(['', 'foo bar', '..', 'foo:bar', 'foo=bar', '.', 'a'.repeat(250)])('rejects %j with INVALID_TOPIC_EXCEPTION (17)', (name) => {
    const error = thrown(() => validateTopicName(name));
    expect(error).toBeInstanceOf(KafkaProtocolError);
    const protocolError = error as KafkaProtocolError;
    expect(protocolError.code).toBe(17);
    expect(protocolError.type).toBe('INVALID_TOPIC_EXCEPTION');
    expect(protocolError.retriable).toBe(false);
    expect(protocolError.message.startsWith('Topic name is invalid: ')).toBe(true);
    expect(isValidTopicName(name)).toBe(false);
  });

  it('accepts 249 characters and rejects 250, naming the limit', () => {
    expect(MAX_TOPIC_NAME_LENGTH).toBe(249);
    expect(isValidTopicName('x'.repeat(249))).toBe(true);
    expect(() => validateTopicName('x'.repeat(250))).toThrow(/longer than the max allowed length 249/);
  });

  it('names the offending topic and rule in the message', () => {
    expect(() => validateTopicName('foo:bar')).toThrow(
      "Topic name is invalid: 'foo:bar' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'",
    );
    expect(() => validateTopicName('')).toThrow('Topic name is invalid: the empty string is not allowed');
    expect(() => validateTopicName('.')).toThrow("Topic name is invalid: '.' is not allowed");
    expect(() => validateTopicName('..')).toThrow("Topic name is invalid: '..' is not allowed");
  });

  // TopicTest#shouldRecognizeInvalidCharactersInTopicNames
  it.each(['/', '\\', ',', '\u0000', ':', '"', "'", ';', '*', '?', ' ', '\t', '\r', '\n', '=', 'é', '日'])('rejects the character %j', (c) => {
    expect(containsOnlyLegalTopicChars(`Is ${c}illegal`)).toBe(false);
  });

  it('rejects a non-string name from an untyped caller', () => {
    expect(() => validateTopicName(42)).toThrow(/expected a string but got number/);
    expect(isValidTopicName(null)).toBe(false);
  });
});

describe('topic name collisions', () => {
  // TopicTest#testTopicHasCollisionChars
  it('flags names containing "." or "_"', () => {
    for (const topic of ['start', 'end', 'middle', 'many']) expect(hasCollisionChars(topic)).toBe(false);
    for (const topic of ['.start', 'end.', 'mid.dle', '.ma.ny.', '_start', 'end_', 'mid_dle', '_ma_ny.']) expect(hasCollisionChars(topic)).toBe(true);
  });

  // TopicTest#testTopicHasCollision
  it('says names collide when they differ only by "." versus "_" in the same place', () => {
    const periods = ['.topic', 'to.pic', 'topic.', 'topic'];
    const underscores = ['_topic', 'to_pic', 'topic_', 'topic'];
    periods.forEach((p, i) => {
      expect(hasCollision(p, p)).toBe(true);
      expect(hasCollision(p, underscores[i]!)).toBe(true);
    });
    const reversed = [...underscores].reverse();
    periods.forEach((p, i) => expect(hasCollision(p, reversed[i]!)).toBe(false));
  });
});
