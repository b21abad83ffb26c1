/**
 * The errors `mqlab/amqp` hands to callers, with amqplib's messages and fields, so code that reads
 * `err.code`, `err.classId` or matches amqplib's texts behaves the same:
 * - a broker close: `Channel closed by server: 406 (PRECONDITION-FAILED) with message "..."`,
 *   `Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "..."` for the RPC that caused
 *   it, and `Connection closed: 540 (NOT-IMPLEMENTED) with message "..."`; `code` is the reply code;
 * - an operation on a closed channel or connection: {@link IllegalOperationError}.
 */
import { AMQP_METHODS, AmqpReplyCode, MqlabError, type AmqpError, type AmqpMethodName } from '../../errors/index.js';

/** AMQP's reply-success, the code of a clean close. */
const REPLY_SUCCESS = 200;

/** amqplib's IllegalOperationError: the channel or connection is closed or closing. */
export class IllegalOperationError extends Error {
  /** Where the channel or connection changed state, as amqplib records it. */
  readonly stackAtStateChange: string | undefined;

  constructor(message: string, stackAtStateChange?: string) {
    super(message);
    this.name = 'IllegalOperationError';
    this.stackAtStateChange = stackAtStateChange;
  }
}

/**
 * A channel or connection closed by the broker. `code` is the AMQP reply code, `type` its name,
 * `replyText` RabbitMQ's text; `classId`/`methodId` name the method that failed (0 when none).
 */
export class ServerClosedError extends MqlabError {
  readonly classId: number;
  readonly methodId: number;
  readonly replyText: string;

  constructor(message: string, cause: AmqpError) {
    super('amqp', cause.code, cause.type, message, cause.retriable, 'Error');
    this.classId = cause.classId ?? 0;
    this.methodId = cause.methodId ?? 0;
    this.replyText = cause.replyText;
  }
}

/** amqplib's closeMessage: `406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - ..."`. */
export function closeMessage(error: AmqpError): string {
  return `${error.code} (${error.type.replace(/_/g, '-')}) with message "${error.replyText}"`;
}

/** amqplib's method name of an AMQP method: `queue.declare` → `QueueDeclare`. */
function amqplibMethodName(method: AmqpMethodName): string {
  return method
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The error a broker channel.close gives the channel's 'error' event. */
export function channelClosedError(error: AmqpError): ServerClosedError {
  return new ServerClosedError(`Channel closed by server: ${closeMessage(error)}`, error);
}

/**
 * The error the RPC awaiting a reply gets when the broker closes the channel instead (amqplib's
 * convertCloseFrameToError): "Operation failed" when that RPC was the method that failed.
 */
export function rpcClosedError(method: AmqpMethodName, error: AmqpError): ServerClosedError {
  const [classId, methodId] = AMQP_METHODS[method];
  const failed = error.classId === classId && error.methodId === methodId;
  const text = failed ? `Operation failed: ${amqplibMethodName(method)}; ${closeMessage(error)}` : `Channel closed by server: ${closeMessage(error)}`;
  return new ServerClosedError(text, error);
}

/** The error of a broker connection.close (the connection's 'error' and 'close' events). */
export function connectionClosedError(error: AmqpError): ServerClosedError {
  return new ServerClosedError(`Connection closed: ${closeMessage(error)}`, error);
}

/** amqplib's rejection of RPCs that were waiting when their channel ended. */
export function channelEndedError(): Error {
  return new Error('Channel ended, no reply will be forthcoming');
}

/** A connection error amqplib reports on 'error' (all but 200 and 320 CONNECTION_FORCED). */
export function isFatalConnectionError(error: AmqpError): boolean {
  return error.code !== REPLY_SUCCESS && error.code !== AmqpReplyCode.CONNECTION_FORCED;
}
