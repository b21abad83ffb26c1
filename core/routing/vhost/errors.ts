/**
 * The AMQP errors the broker model raises, with RabbitMQ 3.10's reply texts (checked against the
 * real broker: rabbit_channel, rabbit_amqqueue, rabbit_misc). One constructor per failure, so the
 * texts live in one place; each names the offending value and the method that failed.
 */
import { AmqpError, type AmqpMethodName } from '../../errors/index.js';

/** RabbitMQ's rabbit_misc:rs/1: `queue 'q' in vhost '/'`. */
export function resourceName(kind: 'queue' | 'exchange', name: string, vhost: string): string {
  return `${kind} '${name}' in vhost '${vhost}'`;
}

export function noQueue(name: string, vhost: string, method: AmqpMethodName): AmqpError {
  return new AmqpError('NOT_FOUND', `no ${resourceName('queue', name, vhost)}`, { method });
}

export function noExchange(name: string, vhost: string, method: AmqpMethodName): AmqpError {
  return new AmqpError('NOT_FOUND', `no ${resourceName('exchange', name, vhost)}`, { method });
}

export function noPreviousQueue(method: AmqpMethodName): AmqpError {
  return new AmqpError('NOT_FOUND', 'no previously declared queue', { method });
}

export function defaultExchangeRefused(method: AmqpMethodName): AmqpError {
  return new AmqpError('ACCESS_REFUSED', 'operation not permitted on the default exchange', { method });
}

export function reservedName(kind: 'queue' | 'exchange', name: string, method: AmqpMethodName): AmqpError {
  return new AmqpError('ACCESS_REFUSED', `${kind} name '${name}' contains reserved prefix 'amq.*'`, { method });
}

export function systemExchangeDeletion(name: string, vhost: string): AmqpError {
  return new AmqpError('ACCESS_REFUSED', `deletion of system ${resourceName('exchange', name, vhost)} not allowed`, {
    method: 'exchange.delete',
  });
}

export function resourceLocked(name: string, vhost: string, method: AmqpMethodName): AmqpError {
  return new AmqpError(
    'RESOURCE_LOCKED',
    `cannot obtain exclusive access to locked ${resourceName('queue', name, vhost)}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
    { method },
  );
}

export function exclusiveConsumerUse(name: string, vhost: string): AmqpError {
  return new AmqpError('ACCESS_REFUSED', `${resourceName('queue', name, vhost)} in exclusive use`, { method: 'basic.consume' });
}

export function unknownDeliveryTag(tag: number, method: AmqpMethodName): AmqpError {
  return new AmqpError('PRECONDITION_FAILED', `unknown delivery tag ${tag}`, { method });
}

export function inUse(kind: 'queue' | 'exchange', name: string, vhost: string, method: AmqpMethodName): AmqpError {
  return new AmqpError('PRECONDITION_FAILED', `${resourceName(kind, name, vhost)} in use`, { method });
}

export function notEmpty(name: string, vhost: string): AmqpError {
  return new AmqpError('PRECONDITION_FAILED', `${resourceName('queue', name, vhost)} not empty`, { method: 'queue.delete' });
}

export function internalExchangePublish(name: string, vhost: string): AmqpError {
  return new AmqpError('ACCESS_REFUSED', `cannot publish to internal ${resourceName('exchange', name, vhost)}`, {
    method: 'basic.publish',
  });
}

export function messageTooLarge(size: number, max: number, cap: number): AmqpError {
  const text =
    max === cap
      ? `message size ${size} is larger than max size ${max}`
      : `message size ${size} is larger than configured max size ${max}`;
  return new AmqpError('PRECONDITION_FAILED', text, { method: 'basic.publish' });
}

export function notImplemented(what: string, method: AmqpMethodName): AmqpError {
  return new AmqpError('NOT_IMPLEMENTED', what, { method });
}

export function consumerTagReused(tag: string): AmqpError {
  return new AmqpError('NOT_ALLOWED', `attempt to reuse consumer tag '${tag}'`, { method: 'basic.consume' });
}

export function preconditionFailed(text: string, method: AmqpMethodName): AmqpError {
  return new AmqpError('PRECONDITION_FAILED', text, { method });
}

/**
 * rabbit_misc's equivalence failure:
 * `inequivalent arg 'durable' for queue 'q' in vhost '/': received 'true' but current is 'false'`.
 * `received` and `current` are already formatted (see args.ts).
 */
export function inequivalentArg(
  kind: 'queue' | 'exchange',
  name: string,
  vhost: string,
  arg: string,
  received: string,
  current: string,
  method: AmqpMethodName,
): AmqpError {
  return new AmqpError(
    'PRECONDITION_FAILED',
    `inequivalent arg '${arg}' for ${resourceName(kind, name, vhost)}: received ${received} but current is ${current}`,
    { method },
  );
}

/** rabbit_amqqueue's declare-argument failure: `invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}`. */
export function invalidQueueArg(arg: string, name: string, vhost: string, reason: string): AmqpError {
  return new AmqpError('PRECONDITION_FAILED', `invalid arg '${arg}' for ${resourceName('queue', name, vhost)}: ${reason}`, {
    method: 'queue.declare',
  });
}
