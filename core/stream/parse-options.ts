/**
 * Validates a Kafka-model component's options with its zod schema and turns the first problem into
 * a KafkaConfigError naming the option, the rule and the value given.
 */
import type { ZodType } from 'zod';
import { KafkaConfigError } from '../errors/index.js';

export function parseOrThrow<T>(schema: ZodType<T>, input: unknown, component: string): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  let value: unknown = input;
  for (const key of issue?.path ?? []) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  const shown = typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value));
  throw new KafkaConfigError(`Invalid ${component} option ${path === '' ? '(options)' : `'${path}'`}: ${issue?.message ?? 'invalid'} (got ${shown})`);
}
