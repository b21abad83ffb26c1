/**
 * The base of every typed error mqlab throws, and the plain record that carries one across threads.
 *
 * Invariant: an error never crosses a thread as itself. Structured clone turns an Error subclass into
 * a plain Error and drops `code` and `name`, so a failure travels as an {@link ErrorRecord} and the
 * receiving side rebuilds the typed error with {@link errorFromRecord}. Callers classify errors by
 * `code` (and `type`), never by message text or by `instanceof` across threads.
 */

/** Which system's vocabulary an error code belongs to. */
export type ErrorModel = 'kafka' | 'amqp' | 'mqlab';

/** A failure as plain data: safe to postMessage, to JSON.stringify and to rebuild. */
export interface ErrorRecord {
  readonly model: ErrorModel;
  /** Kafka error code, AMQP reply code, or mqlab's own numeric code. */
  readonly code: number;
  /** The real system's name for the code: `MESSAGE_TOO_LARGE`, `PRECONDITION_FAILED`, ... */
  readonly type: string;
  readonly name: string;
  readonly message: string;
  readonly retriable: boolean;
}

export class MqlabError extends Error {
  readonly model: ErrorModel;
  readonly code: number;
  readonly type: string;
  readonly retriable: boolean;

  constructor(model: ErrorModel, code: number, type: string, message: string, retriable = false, name = 'MqlabError') {
    super(message);
    this.name = name;
    this.model = model;
    this.code = code;
    this.type = type;
    this.retriable = retriable;
  }

  toRecord(): ErrorRecord {
    return { model: this.model, code: this.code, type: this.type, name: this.name, message: this.message, retriable: this.retriable };
  }
}

type ErrorFactory = (record: ErrorRecord) => MqlabError;
const factories = new Map<ErrorModel, ErrorFactory>();

/** Each model registers how to rebuild its typed errors from records. */
export function registerErrorFactory(model: ErrorModel, factory: ErrorFactory): void {
  factories.set(model, factory);
}

export function errorToRecord(error: unknown): ErrorRecord {
  if (error instanceof MqlabError) return error.toRecord();
  const message = error instanceof Error ? error.message : String(error);
  return { model: 'mqlab', code: MqlabCode.INTERNAL, type: 'INTERNAL', name: 'MqlabError', message, retriable: false };
}

export function errorFromRecord(record: ErrorRecord): MqlabError {
  const factory = factories.get(record.model);
  return factory ? factory(record) : new MqlabError(record.model, record.code, record.type, record.message, record.retriable, record.name);
}

/** mqlab's own codes, for failures that neither Kafka nor AMQP names. */
export const MqlabCode = {
  INTERNAL: 1,
  INVALID_ARGUMENT: 2,
  FRAME_TOO_LARGE: 3,
  RING_FULL: 4,
  TIMEOUT: 5,
  PEER_DEAD: 6,
  CLOSED: 7,
} as const;
export type MqlabCodeName = keyof typeof MqlabCode;

/** A failure in mqlab's own machinery (rings, threads), named by {@link MqlabCode}. */
export class MqlabInternalError extends MqlabError {
  constructor(type: MqlabCodeName, message: string, retriable = false) {
    super('mqlab', MqlabCode[type], type, message, retriable, 'MqlabInternalError');
  }
}

registerErrorFactory('mqlab', (r) => new MqlabInternalError(r.type as MqlabCodeName, r.message, r.retriable));
