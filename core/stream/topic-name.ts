/**
 * Kafka topic-name rules (org.apache.kafka.common.internals.Topic): a name is 1 to 249 characters
 * of [a-zA-Z0-9._-], and is neither "." nor "..". A bad name is an INVALID_TOPIC_EXCEPTION (17)
 * whose message names the topic and the rule it broke, worded as Kafka words it.
 *
 * Also Kafka's metric-name collision rule: '.' and '_' map to the same metric name, so "a.b" and
 * "a_b" collide. Kafka only warns about such names (and refuses to create a topic that collides
 * with an existing one); nothing here throws for them.
 */
import { KafkaProtocolError } from '../errors/index.js';

export const MAX_TOPIC_NAME_LENGTH = 249;
export const LEGAL_TOPIC_CHARS = '[a-zA-Z0-9._-]';

const CHAR_a = 0x61;
const CHAR_z = 0x7a;
const CHAR_A = 0x41;
const CHAR_Z = 0x5a;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_DOT = 0x2e;
const CHAR_UNDERSCORE = 0x5f;
const CHAR_DASH = 0x2d;

/** True when every character is an ASCII alphanumeric, '.', '_' or '-'. */
export function containsOnlyLegalTopicChars(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const legal =
      (c >= CHAR_a && c <= CHAR_z) ||
      (c >= CHAR_0 && c <= CHAR_9) ||
      (c >= CHAR_A && c <= CHAR_Z) ||
      c === CHAR_DOT ||
      c === CHAR_UNDERSCORE ||
      c === CHAR_DASH;
    if (!legal) return false;
  }
  return true;
}

/** Why `name` is not a legal topic name, or null when it is (Java: Topic.detectInvalidTopic). */
export function invalidTopicReason(name: unknown): string | null {
  if (typeof name !== 'string') return `expected a string but got ${name === null ? 'null' : typeof name}`;
  if (name.length === 0) return 'the empty string is not allowed';
  if (name === '.') return "'.' is not allowed";
  if (name === '..') return "'..' is not allowed";
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `the length of '${name}' is longer than the max allowed length ${String(MAX_TOPIC_NAME_LENGTH)}`;
  }
  if (!containsOnlyLegalTopicChars(name)) {
    return `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

export function isValidTopicName(name: unknown): name is string {
  return invalidTopicReason(name) === null;
}

/** Throws INVALID_TOPIC_EXCEPTION unless `name` is a legal topic name (Java: Topic.validate). */
export function validateTopicName(name: unknown): asserts name is string {
  const reason = invalidTopicReason(name);
  if (reason !== null) throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', `Topic name is invalid: ${reason}`);
}

/** True when the name contains '.' or '_', which metric names cannot tell apart. */
export function hasCollisionChars(topic: string): boolean {
  return topic.includes('.') || topic.includes('_');
}

/** The name with every '.' as '_': two topics collide when these are equal. Only for comparison. */
export function unifyCollisionChars(topic: string): string {
  return topic.replaceAll('.', '_');
}

/** True when the two names differ only by '.' versus '_' in the same positions (or are equal). */
export function hasCollision(topicA: string, topicB: string): boolean {
  return unifyCollisionChars(topicA) === unifyCollisionChars(topicB);
}
