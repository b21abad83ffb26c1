/**
 * The headers exchange: a binding's arguments matched against a message's headers, with
 * RabbitMQ's rules (rabbit_exchange_type_headers):
 * - `x-match` is `all` (the default when absent), `any`, `all-with-x` or `any-with-x`; any other
 *   value, or a value that is not a string, fails the bind with 406 PRECONDITION_FAILED and
 *   RabbitMQ's text ("Invalid x-match field value <<\"foo\">>; expected all, any, all-with-x, or
 *   any-with-x"). Validation happens at bind time ({@link validateHeadersBinding}); matching trusts
 *   a compiled binding.
 * - `x-match` itself never takes part. Under `all` and `any`, every other argument whose name
 *   starts with `x-` is ignored too; under `all-with-x` and `any-with-x` those are compared.
 * - An argument whose value is `null` (AMQP void) matches when the header is present, whatever its
 *   value. An argument whose value is `undefined` does not exist (amqplib drops it from the table).
 *   Likewise a header whose value is `undefined` is absent, and one whose value is `null` is present.
 * - Other arguments match a header with the same name and an equal decoded value
 *   ({@link fieldValueEquals}: numbers, strings, booleans, bytes by content, nested tables/arrays).
 * - `all` matches when every compared argument matches (so `{x-match: all}` alone matches every
 *   message); `any` when at least one does (so `{x-match: any}` alone matches none).
 * The routing key plays no part.
 */
import { AmqpError } from '../errors/amqp.js';
import { amqpFieldType, erlangTerm, fieldValueEquals, type FieldTable } from './field-table.js';

export const HEADERS_MATCH_MODES = ['all', 'any', 'all-with-x', 'any-with-x'] as const;
export type HeadersMatchMode = (typeof HEADERS_MATCH_MODES)[number];

const X_MATCH = 'x-match';

/** A binding's arguments, checked and reduced to what matching compares. */
export interface HeadersBinding {
  readonly mode: HeadersMatchMode;
  /** True for `all` / `all-with-x`. */
  readonly requireAll: boolean;
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
  /** True where the argument is void: presence of the header is enough. */
  readonly presenceOnly: readonly boolean[];
  /** True where the key names an Object.prototype member, so a lookup must check own properties. */
  readonly ownCheck: readonly boolean[];
}

function isMode(value: string): value is HeadersMatchMode {
  return (HEADERS_MATCH_MODES as readonly string[]).includes(value);
}

/** The match mode of valid binding arguments. Throws PRECONDITION_FAILED (406) when invalid. */
export function validateHeadersBinding(args: FieldTable | undefined): HeadersMatchMode {
  if (args === undefined) return 'all';
  const value = args[X_MATCH];
  if (value === undefined) return 'all';
  if (typeof value === 'string') {
    if (isMode(value)) return value;
    throw new AmqpError(
      'PRECONDITION_FAILED',
      `Invalid x-match field value ${erlangTerm(value)}; expected all, any, all-with-x, or any-with-x`,
    );
  }
  throw new AmqpError(
    'PRECONDITION_FAILED',
    `Invalid x-match field type ${amqpFieldType(value)} (value ${erlangTerm(value)}); expected longstr`,
  );
}

/** Validates binding arguments and compiles them for {@link headersMatch}. */
export function compileHeadersBinding(args: FieldTable | undefined): HeadersBinding {
  const mode = validateHeadersBinding(args);
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  const keys: string[] = [];
  const values: unknown[] = [];
  const presenceOnly: boolean[] = [];
  const ownCheck: boolean[] = [];
  if (args !== undefined) {
    for (const key of Object.keys(args)) {
      const value = args[key];
      if (value === undefined || key === X_MATCH) continue;
      if (!withX && key.startsWith('x-')) continue;
      keys.push(key);
      values.push(value);
      presenceOnly.push(value === null);
      ownCheck.push(key in Object.prototype);
    }
  }
  return { mode, requireAll: mode === 'all' || mode === 'all-with-x', keys, values, presenceOnly, ownCheck };
}

/** True when a message with `headers` matches the compiled binding. */
export function headersMatch(binding: HeadersBinding, headers: FieldTable | undefined): boolean {
  const { keys, requireAll } = binding;
  for (let i = 0; i < keys.length; i++) {
    let matched = false;
    if (headers !== undefined) {
      const key = keys[i]!;
      const value = headers[key];
      if (value !== undefined && (!binding.ownCheck[i] || Object.hasOwn(headers, key))) {
        matched = binding.presenceOnly[i]! || fieldValueEquals(binding.values[i], value);
      }
    }
    if (matched !== requireAll) return matched;
  }
  return requireAll;
}

/** Compiles and matches in one call: for tests and one-off checks, not for the routing path. */
export function matchHeaders(args: FieldTable | undefined, headers: FieldTable | undefined): boolean {
  return headersMatch(compileHeadersBinding(args), headers);
}
