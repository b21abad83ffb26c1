/**
 * AMQP 0-9-1 reply codes as data (the constants of amqp0-9-1.xml, the table amqplib exports as
 * `constants`), whether each one closes only the channel (a "soft" error) or the whole connection
 * (a "hard" error), and the typed error that carries one.
 *
 * The message is RabbitMQ's reply text, `NAME - explanation`, for example
 * `PRECONDITION_FAILED - unknown delivery tag 5`. The fields mirror amqplib's channel-close errors:
 * `code` is the reply code, `classId` and `methodId` name the method that failed (amqplib reports 0
 * when the failure belongs to no method).
 *
 * Invariant: an AmqpError survives a thread hop as an {@link AmqpErrorRecord} (plain data, with the
 * class and method ids beside the base record) and comes back as an AmqpError with the same code,
 * type, message and ids.
 */
import { MqlabError, registerErrorFactory, type ErrorRecord } from './base.js';

/** A soft error closes the channel; a hard error closes the connection. */
export type AmqpErrorScope = 'channel' | 'connection';

/**
 * name -> [reply code, scope, retriable]. Retriable means that the same operation may succeed
 * later without changes: after a reconnect (320), once an exclusive owner has gone (405), or once
 * the server has resources again (506).
 */
const AMQP_REPLY_CODES = {
  CONTENT_TOO_LARGE: [311, 'channel', false],
  NO_ROUTE: [312, 'channel', false],
  NO_CONSUMERS: [313, 'channel', false],
  CONNECTION_FORCED: [320, 'connection', true],
  INVALID_PATH: [402, 'connection', false],
  ACCESS_REFUSED: [403, 'channel', false],
  NOT_FOUND: [404, 'channel', false],
  RESOURCE_LOCKED: [405, 'channel', true],
  PRECONDITION_FAILED: [406, 'channel', false],
  FRAME_ERROR: [501, 'connection', false],
  SYNTAX_ERROR: [502, 'connection', false],
  COMMAND_INVALID: [503, 'connection', false],
  CHANNEL_ERROR: [504, 'connection', false],
  UNEXPECTED_FRAME: [505, 'connection', false],
  RESOURCE_ERROR: [506, 'connection', true],
  NOT_ALLOWED: [530, 'connection', false],
  NOT_IMPLEMENTED: [540, 'connection', false],
  INTERNAL_ERROR: [541, 'connection', false],
} as const satisfies Record<string, readonly [number, AmqpErrorScope, boolean]>;

export type AmqpReplyName = keyof typeof AMQP_REPLY_CODES;

/** The reply codes by name: `AmqpReplyCode.NOT_FOUND === 404`. */
export const AmqpReplyCode: { readonly [K in AmqpReplyName]: (typeof AMQP_REPLY_CODES)[K][0] } = Object.freeze(
  Object.fromEntries((Object.keys(AMQP_REPLY_CODES) as AmqpReplyName[]).map((n) => [n, AMQP_REPLY_CODES[n][0]])),
) as { readonly [K in AmqpReplyName]: (typeof AMQP_REPLY_CODES)[K][0] };

const nameByCode = new Map<number, AmqpReplyName>(
  (Object.keys(AMQP_REPLY_CODES) as AmqpReplyName[]).map((n) => [AMQP_REPLY_CODES[n][0], n]),
);

export function amqpReplyCode(name: AmqpReplyName): number {
  return AMQP_REPLY_CODES[name][0];
}

export function amqpReplyName(code: number): AmqpReplyName | undefined {
  return nameByCode.get(code);
}

export function amqpErrorScope(name: AmqpReplyName): AmqpErrorScope {
  return AMQP_REPLY_CODES[name][1];
}

/** True when the code is a hard error: the server closes the whole connection. */
export function isConnectionError(code: number): boolean {
  const name = nameByCode.get(code);
  return name !== undefined && AMQP_REPLY_CODES[name][1] === 'connection';
}

/**
 * [class id, method id] of the methods whose failures the engine reports, as amqp0-9-1.xml numbers
 * them (amqplib's `defs.QueueBind === (50 << 16) | 20`).
 */
export const AMQP_METHODS = {
  'channel.open': [20, 10],
  'exchange.declare': [40, 10],
  'exchange.delete': [40, 20],
  'exchange.bind': [40, 30],
  'exchange.unbind': [40, 40],
  'queue.declare': [50, 10],
  'queue.bind': [50, 20],
  'queue.purge': [50, 30],
  'queue.delete': [50, 40],
  'queue.unbind': [50, 50],
  'basic.qos': [60, 10],
  'basic.consume': [60, 20],
  'basic.cancel': [60, 30],
  'basic.publish': [60, 40],
  'basic.get': [60, 70],
  'basic.ack': [60, 80],
  'basic.reject': [60, 90],
  'basic.recover': [60, 110],
  'basic.nack': [60, 120],
  'confirm.select': [85, 10],
  'tx.select': [90, 10],
  'tx.commit': [90, 20],
  'tx.rollback': [90, 30],
} as const satisfies Record<string, readonly [number, number]>;

export type AmqpMethodName = keyof typeof AMQP_METHODS;

export interface AmqpErrorOptions {
  /** The method that failed, by name; sets classId and methodId. */
  readonly method?: AmqpMethodName;
  readonly classId?: number;
  readonly methodId?: number;
}

/** An {@link ErrorRecord} with the failed method's ids, as an AmqpError travels between threads. */
export interface AmqpErrorRecord extends ErrorRecord {
  readonly model: 'amqp';
  readonly classId?: number;
  readonly methodId?: number;
}

/**
 * An AMQP channel or connection exception. `code` is the reply code, `type` its name
 * (`PRECONDITION_FAILED`), `scope` says whether the server would close the channel or the
 * connection, and `explanation` is the text after `NAME - `.
 */
export class AmqpError extends MqlabError {
  declare readonly type: AmqpReplyName;
  readonly scope: AmqpErrorScope;
  readonly explanation: string;
  readonly classId: number | undefined;
  readonly methodId: number | undefined;

  constructor(type: AmqpReplyName, explanation: string, options: AmqpErrorOptions = {}) {
    const [code, scope, retriable] = AMQP_REPLY_CODES[type];
    super('amqp', code, type, `${type} - ${explanation}`, retriable, 'AmqpError');
    this.scope = scope;
    this.explanation = explanation;
    const ids = options.method === undefined ? undefined : AMQP_METHODS[options.method];
    this.classId = ids?.[0] ?? options.classId;
    this.methodId = ids?.[1] ?? options.methodId;
  }

  /** RabbitMQ's reply text, as sent in channel.close / connection.close. */
  get replyText(): string {
    return this.message;
  }

  override toRecord(): AmqpErrorRecord {
    const base = { ...super.toRecord(), model: 'amqp' as const };
    if (this.classId === undefined && this.methodId === undefined) return base;
    return { ...base, classId: this.classId, methodId: this.methodId };
  }
}

function optionalNumber(record: ErrorRecord, field: 'classId' | 'methodId'): number | undefined {
  const value: unknown = (record as unknown as Record<string, unknown>)[field];
  return typeof value === 'number' ? value : undefined;
}

registerErrorFactory('amqp', (r: ErrorRecord) => {
  const known = amqpReplyName(r.code);
  if (r.name !== 'AmqpError' || known === undefined || known !== r.type) {
    return new MqlabError('amqp', r.code, r.type, r.message, r.retriable, r.name);
  }
  const prefix = `${known} - `;
  const explanation = r.message.startsWith(prefix) ? r.message.slice(prefix.length) : r.message;
  const error = new AmqpError(known, explanation, { classId: optionalNumber(r, 'classId'), methodId: optionalNumber(r, 'methodId') });
  // A record written by hand may lack the prefix; keep its text as it came.
  if (error.message !== r.message) error.message = r.message;
  return error;
});
