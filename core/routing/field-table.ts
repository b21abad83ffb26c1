/**
 * AMQP field tables (message headers, binding and exchange arguments) as the engine sees them:
 * plain objects in amqplib's JavaScript representation, compared by decoded value.
 *
 * amqplib's representation, which the engine follows so that a table means the same on the wire:
 * - `undefined` values are absent: amqplib's encoder skips them, so `{ a: undefined }` is `{}`.
 * - `null` is AMQP `void` (tag V): the key is present with no value.
 * - strings are `longstr`, booleans `bool`, Buffers/Uint8Arrays `binary`, arrays `array`, other
 *   objects nested tables; numbers take the narrowest integer type, or `double` when fractional.
 * - `{ '!': type, value }` names a type explicitly (amqplib decodes timestamps and decimals so).
 *
 * Equality is by decoded value, as RabbitMQ 3.13+ compares header values: the AMQP type does not
 * matter, only the value. A longstr and a binary with the same bytes are equal, so are a number and
 * a bigint with the same integer value, and a typed wrapper and its value.
 */
import { Buffer } from 'node:buffer';

/** A field table: headers, binding arguments or exchange arguments. */
export type FieldTable = Readonly<Record<string, unknown>>;

interface TypedFieldValue {
  readonly '!': string;
  readonly value: unknown;
}

function isTyped(value: object): value is TypedFieldValue {
  return Object.hasOwn(value, '!') && typeof (value as { '!': unknown })['!'] === 'string';
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const utf8 = new TextEncoder();

/** Unwraps amqplib's `{ '!': type, value }` to the decoded value. */
function decoded(value: unknown): unknown {
  return value !== null && typeof value === 'object' && isTyped(value) ? value.value : value;
}

/** True when two field values are equal by decoded value (see the file header). */
export function fieldValueEquals(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  const a = decoded(left);
  const b = decoded(right);
  if (a === b) return true;
  if (typeof a === 'number') return typeof b === 'bigint' && Number.isInteger(a) && BigInt(a) === b;
  if (typeof a === 'bigint') return typeof b === 'number' && Number.isInteger(b) && BigInt(b) === a;
  if (typeof a === 'string') return isBytes(b) && bytesEqual(utf8.encode(a), b);
  if (typeof a === 'object') return objectEquals(a, b);
  return false;
}

function objectEquals(a: object | null, b: unknown): boolean {
  if (a === null || b === null || b === undefined) return false;
  if (isBytes(a)) return isBytes(b) ? bytesEqual(a, b) : typeof b === 'string' && bytesEqual(a, utf8.encode(b));
  if (typeof b !== 'object' || isBytes(b)) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!fieldValueEquals(a[i], b[i])) return false;
    return true;
  }
  return tablesEqual(a as FieldTable, b as FieldTable);
}

/** Equal tables have the same present keys (undefined means absent) with equal values. */
export function tablesEqual(a: FieldTable, b: FieldTable): boolean {
  let count = 0;
  for (const key of Object.keys(a)) {
    const value = a[key];
    if (value === undefined) continue;
    count++;
    if (!Object.hasOwn(b, key) || !fieldValueEquals(value, b[key])) return false;
  }
  for (const key of Object.keys(b)) if (b[key] !== undefined) count--;
  return count === 0;
}

/**
 * A canonical text for a table, equal for tables that encode the same way: keys sorted, absent
 * (undefined) keys dropped, values tagged with their kind. It identifies a binding's arguments;
 * unlike {@link fieldValueEquals}, a longstr and a binary with the same bytes differ here, as they
 * do in RabbitMQ's binding identity.
 */
export function fieldTableKey(table: FieldTable | undefined): string {
  if (table === undefined) return '{}';
  const keys = Object.keys(table).filter((k) => table[k] !== undefined).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out += ',';
    out += `${JSON.stringify(key)}:${fieldValueKey(table[key])}`;
  }
  return `${out}}`;
}

/** A canonical text for one field value (see {@link fieldTableKey}). */
export function fieldValueKey(value: unknown): string {
  if (typeof value === 'string') return `s${JSON.stringify(value)}`;
  if (typeof value === 'number') return `n${String(value)}`;
  if (typeof value === 'bigint') return `n${value.toString()}`;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value === null || value === undefined) return 'v';
  if (typeof value !== 'object') return `?${typeof value}`;
  if (isBytes(value)) return `x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (value instanceof Date) return `d${value.getTime()}`;
  if (Array.isArray(value)) return `[${value.map(fieldValueKey).join(',')}]`;
  if (isTyped(value)) return `(${JSON.stringify(value['!'])}${fieldValueKey(value.value)})`;
  return fieldTableKey(value as FieldTable);
}

/** amqplib's names for typed values, mapped to the AMQP field type names RabbitMQ reports. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  byte: 'byte', int8: 'byte', unsignedbyte: 'unsignedbyte', uint8: 'unsignedbyte',
  short: 'short', int16: 'short', unsignedshort: 'unsignedshort', uint16: 'unsignedshort',
  int: 'signedint', int32: 'signedint', unsignedint: 'unsignedint', uint32: 'unsignedint',
  long: 'long', int64: 'long', float: 'float', double: 'double', float64: 'double',
  timestamp: 'timestamp', decimal: 'decimal',
};

/**
 * The AMQP field type a value is sent as by amqplib, named as RabbitMQ names it in errors
 * (`longstr`, `signedint`, `bool`, `void`, ...).
 */
export function amqpFieldType(value: unknown): string {
  if (typeof value === 'string') return 'longstr';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) >= 2 ** 63) return 'double';
    if (value >= -128 && value < 128) return 'byte';
    if (value >= -0x8000 && value < 0x8000) return 'short';
    if (value >= -0x80000000 && value < 0x80000000) return 'signedint';
    return 'long';
  }
  if (value === null || value === undefined) return 'void';
  if (typeof value !== 'object') return typeof value;
  if (isBytes(value)) return 'binary';
  if (Array.isArray(value)) return 'array';
  if (isTyped(value)) return TYPE_NAMES[value['!']] ?? value['!'];
  return 'table';
}

/** A value printed the way RabbitMQ's `~tp` prints it in reply texts: `<<"foo">>`, `42`, `undefined`. */
export function erlangTerm(value: unknown): string {
  const v = decoded(value);
  // eslint-disable-next-line no-control-regex -- ASCII is exactly the range below U+0080
  if (typeof v === 'string') return /^[\u0000-\u007f]*$/.test(v) ? `<<${JSON.stringify(v)}>>` : `<<${JSON.stringify(v)}/utf8>>`;
  if (v === null || v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (isBytes(v)) return `<<${Array.from(v).join(',')}>>`;
  return fieldValueKey(v);
}
