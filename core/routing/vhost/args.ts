/**
 * Checks of what clients send, with RabbitMQ 3.10's rules and reply texts: queue.declare arguments
 * (rabbit_amqqueue:check_declare_arguments), the equivalence of a redeclare (rabbit_misc's
 * assert_args_equivalence) and the expiration property (rabbit_basic:parse_expiration).
 *
 * Everything here runs once at the edge (declare, publish with an expiration); the hot path reads
 * the parsed {@link QueueArguments}.
 */
import type { AmqpMethodName } from '../../errors/index.js';
import { AmqpError } from '../../errors/index.js';
import { amqpFieldType, fieldValueEquals, type FieldTable } from '../index.js';
import { inequivalentArg, invalidQueueArg } from './errors.js';
import { MAX_EXPIRY_MS } from './options.js';

export const OVERFLOW_BEHAVIOURS = ['drop-head', 'reject-publish', 'reject-publish-dlx'] as const;
export type OverflowBehaviour = (typeof OVERFLOW_BEHAVIOURS)[number];

export const QUEUE_TYPES = ['classic', 'quorum'] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

/** The queue arguments the model acts on; -1 means unset. */
export interface QueueArguments {
  readonly messageTtl: number;
  readonly expires: number;
  readonly maxLength: number;
  readonly maxLengthBytes: number;
  readonly overflow: OverflowBehaviour;
  readonly deadLetterExchange: string | undefined;
  readonly deadLetterRoutingKey: string | undefined;
  readonly maxPriority: number;
  readonly queueType: QueueType;
}

/**
 * The arguments a redeclare must repeat, in the order RabbitMQ checks them (rabbit_amqqueue's
 * declare_args). Other arguments are stored but never compared.
 */
const EQUIVALENCE_ARGS = [
  'x-expires',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-in-memory-length',
  'x-max-in-memory-bytes',
  'x-max-priority',
  'x-overflow',
  'x-queue-mode',
  'x-single-active-consumer',
  'x-queue-type',
  'x-quorum-initial-group-size',
  'x-delivery-limit',
] as const;

function decoded(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, '!') && Object.hasOwn(value, 'value')) {
    return (value as { value: unknown }).value;
  }
  return value;
}

/** An integer argument's value, or undefined when it is not an integer type. */
function integerOf(value: unknown): number | undefined {
  const v = decoded(value);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function isIntegerType(value: unknown): boolean {
  const type = amqpFieldType(value);
  return typeClass(type) === 'int';
}

/** rabbit_misc:type_class: the integer types compare as one class, the float types as another. */
function typeClass(type: string): string {
  switch (type) {
    case 'byte':
    case 'short':
    case 'signedint':
    case 'long':
    case 'unsignedbyte':
    case 'unsignedshort':
    case 'unsignedint':
    case 'decimal':
      return 'int';
    case 'float':
    case 'double':
      return 'float';
    default:
      return type;
  }
}

type ArgCheck = (value: unknown, args: FieldTable) => string | undefined;

function intCheck(value: unknown): number | string {
  const n = integerOf(value);
  if (n === undefined || !isIntegerType(value)) return `"expected integer, got ${amqpFieldType(value)}"`;
  return n;
}

function expiryCheck(n: number): string | undefined {
  if (n < 0) return `{value_negative,${n}}`;
  if (n > MAX_EXPIRY_MS) return `{value_too_large,${n}}`;
  return undefined;
}

const checkExpires: ArgCheck = (value) => {
  const n = intCheck(value);
  if (typeof n === 'string') return n;
  if (n === 0) return '{value_zero,0}';
  return expiryCheck(n);
};

const checkMessageTtl: ArgCheck = (value) => {
  const n = intCheck(value);
  return typeof n === 'string' ? n : expiryCheck(n);
};

const checkNonNegative: ArgCheck = (value) => {
  const n = intCheck(value);
  if (typeof n === 'string') return n;
  return n < 0 ? `{value_negative,${n}}` : undefined;
};

const checkMaxPriority: ArgCheck = (value) => {
  const n = intCheck(value);
  if (typeof n === 'string') return n;
  if (n < 0) return `{value_negative,${n}}`;
  return n > 255 ? `{max_value_exceeded,${n}}` : undefined;
};

const checkString: ArgCheck = (value) =>
  typeof decoded(value) === 'string' ? undefined : `{unacceptable_type,${amqpFieldType(value)}}`;

const checkDeadLetterRoutingKey: ArgCheck = (value, args) => {
  const bad = checkString(value, args);
  if (bad !== undefined) return bad;
  return args['x-dead-letter-exchange'] === undefined ? 'routing_key_but_no_dlx_defined' : undefined;
};

const checkOverflow: ArgCheck = (value) => {
  const v = decoded(value);
  if (typeof v !== 'string') return `{unacceptable_type,${amqpFieldType(value)}}`;
  return (OVERFLOW_BEHAVIOURS as readonly string[]).includes(v) ? undefined : 'invalid_overflow';
};

const checkQueueType: ArgCheck = (value) => {
  const v = decoded(value);
  if (typeof v !== 'string') return `{unacceptable_type,${amqpFieldType(value)}}`;
  return (QUEUE_TYPES as readonly string[]).includes(v) ? undefined : `"unsupported queue type '${v}'"`;
};

/** The checked arguments, in RabbitMQ's order. */
const ARG_CHECKS: readonly (readonly [string, ArgCheck])[] = [
  ['x-expires', checkExpires],
  ['x-message-ttl', checkMessageTtl],
  ['x-dead-letter-exchange', checkString],
  ['x-dead-letter-routing-key', checkDeadLetterRoutingKey],
  ['x-max-length', checkNonNegative],
  ['x-max-length-bytes', checkNonNegative],
  ['x-max-priority', checkMaxPriority],
  ['x-overflow', checkOverflow],
  ['x-queue-type', checkQueueType],
];

/** Validates queue.declare arguments and reads the ones the model acts on. Throws 406. */
export function parseQueueArguments(args: FieldTable | undefined, queue: string, vhost: string): QueueArguments {
  const table = args ?? {};
  for (const [key, check] of ARG_CHECKS) {
    const value = table[key];
    if (value === undefined) continue;
    const reason = check(value, table);
    if (reason !== undefined) throw invalidQueueArg(key, queue, vhost, reason);
  }
  const int = (key: string): number => (table[key] === undefined ? -1 : integerOf(table[key])!);
  const str = (key: string): string | undefined => {
    const v = decoded(table[key]);
    return typeof v === 'string' ? v : undefined;
  };
  return {
    messageTtl: int('x-message-ttl'),
    expires: int('x-expires'),
    maxLength: int('x-max-length'),
    maxLengthBytes: int('x-max-length-bytes'),
    overflow: (str('x-overflow') as OverflowBehaviour | undefined) ?? 'drop-head',
    deadLetterExchange: str('x-dead-letter-exchange'),
    deadLetterRoutingKey: str('x-dead-letter-routing-key'),
    maxPriority: int('x-max-priority'),
    queueType: (str('x-queue-type') as QueueType | undefined) ?? 'classic',
  };
}

/** rabbit_misc's val/1 for a raw value: `'1000'`, `'true'`, `'foo'`. */
function quoted(value: unknown): string {
  const v = decoded(value);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `'${String(v)}'`;
  return `'${JSON.stringify(v)}'`;
}

/** rabbit_misc's val/1 for a typed value: `the value '1000' of type 'short'`, or `none`. */
function typed(value: unknown): string {
  if (value === undefined) return 'none';
  const v = decoded(value);
  const text = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return `the value '${text}' of type '${amqpFieldType(value)}'`;
}

/** Compares one argument of a redeclare; returns [received, current] texts when they differ. */
function argDifference(current: unknown, received: unknown): readonly [string, string] | undefined {
  if (current === undefined && received === undefined) return undefined;
  if (current === undefined || received === undefined) return [typed(received), typed(current)];
  const sameClass = typeClass(amqpFieldType(current)) === typeClass(amqpFieldType(received));
  if (sameClass && fieldValueEquals(current, received)) return undefined;
  return [quoted(received), quoted(current)];
}

/** Throws 406 inequivalent arg when a field of a redeclare differs. */
export function assertFieldEquivalent(
  kind: 'queue' | 'exchange',
  name: string,
  vhost: string,
  field: string,
  current: boolean | string,
  received: boolean | string,
  method: AmqpMethodName,
): void {
  if (current === received) return;
  throw inequivalentArg(kind, name, vhost, field, `'${String(received)}'`, `'${String(current)}'`, method);
}

/** Throws 406 inequivalent arg when a compared argument of a redeclare differs. */
export function assertArgsEquivalent(
  kind: 'queue' | 'exchange',
  name: string,
  vhost: string,
  current: FieldTable | undefined,
  received: FieldTable | undefined,
  method: AmqpMethodName,
): void {
  const keys: readonly string[] = kind === 'queue' ? EQUIVALENCE_ARGS : ['alternate-exchange'];
  for (const key of keys) {
    const diff = argDifference(current?.[key], received?.[key]);
    if (diff !== undefined) throw inequivalentArg(kind, name, vhost, key, diff[0], diff[1], method);
  }
}

/** Erlang's ~p of a string: `"x"`. */
function erlangString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The TTL an expiration property asks for, in ms. RabbitMQ parses it with string:to_integer: an
 * optional sign and digits, nothing after them, between 0 and ten years. Otherwise 406
 * `invalid expiration 'abc': no_integer` (or `{leftover_string,"x"}`, `{value_negative,-1}`,
 * `{value_too_large,N}`).
 */
export function parseExpiration(expiration: string): number {
  const match = /^([+-]?)([0-9]+)/.exec(expiration);
  let reason: string | undefined;
  let ms = 0;
  if (match === null) {
    reason = 'no_integer';
  } else if (match[0].length < expiration.length) {
    reason = `{leftover_string,${erlangString(expiration.slice(match[0].length))}}`;
  } else {
    const value = BigInt(`${match[1] === '-' ? '-' : ''}${match[2]!}`);
    if (value < 0n) reason = `{value_negative,${value}}`;
    else if (value > BigInt(MAX_EXPIRY_MS)) reason = `{value_too_large,${value}}`;
    else ms = Number(value);
  }
  if (reason === undefined) return ms;
  throw new AmqpError('PRECONDITION_FAILED', `invalid expiration '${expiration}': ${reason}`, { method: 'basic.publish' });
}
