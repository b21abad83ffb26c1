// Tests for core/errors/amqp.ts, kept in the routing folder for now (routing is its first user).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AmqpError, AmqpReplyCode, amqpReplyCode, amqpReplyName, isConnectionError, type AmqpReplyName } from '../errors/amqp.js';
import { errorFromRecord, MqlabError } from '../errors/base.js';

const require = createRequire(import.meta.url);
// amqplib's package exports hide lib/defs.js; load it by path, beside the package's main module.
const defsPath = join(dirname(require.resolve('amqplib')), 'lib', 'defs.js');
const amqplibConstants = (require(defsPath) as { constants: Record<string, number> }).constants;

describe('AMQP reply codes and AmqpError', () => {
  it('the reply codes equal amqplib\'s constants', () => {
    for (const name of Object.keys(AmqpReplyCode) as AmqpReplyName[]) {
      expect(amqpReplyCode(name), name).toBe(amqplibConstants[name]);
      expect(amqpReplyName(amqpReplyCode(name))).toBe(name);
    }
    expect(Object.keys(AmqpReplyCode)).toHaveLength(18);
  });

  it('soft errors close the channel, hard errors the connection', () => {
    for (const code of [311, 312, 313, 403, 404, 405, 406]) expect(isConnectionError(code), String(code)).toBe(false);
    for (const code of [320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541]) expect(isConnectionError(code), String(code)).toBe(true);
    expect(isConnectionError(200)).toBe(false);
  });

  it('carries RabbitMQ\'s reply text and amqplib\'s fields', () => {
    const error = new AmqpError('PRECONDITION_FAILED', 'unknown delivery tag 5', { method: 'basic.ack' });
    expect(error.message).toBe('PRECONDITION_FAILED - unknown delivery tag 5');
    expect(error.replyText).toBe(error.message);
    expect(error.code).toBe(406);
    expect(error.type).toBe('PRECONDITION_FAILED');
    expect(error.model).toBe('amqp');
    expect(error.name).toBe('AmqpError');
    expect(error.scope).toBe('channel');
    expect(error.retriable).toBe(false);
    expect([error.classId, error.methodId]).toEqual([60, 80]);
    expect(error).toBeInstanceOf(MqlabError);
  });

  it('round-trips through a structured-cloned record, ids included', () => {
    const original = new AmqpError('NOT_FOUND', "no exchange 'x' in vhost '/'", { method: 'basic.publish' });
    const rebuilt = errorFromRecord(structuredClone(original.toRecord()));
    expect(rebuilt).toBeInstanceOf(AmqpError);
    const amqp = rebuilt as AmqpError;
    expect([amqp.code, amqp.type, amqp.message, amqp.explanation]).toEqual([404, 'NOT_FOUND', original.message, original.explanation]);
    expect([amqp.classId, amqp.methodId]).toEqual([60, 40]);
  });

  it('rebuilds a record without ids, and keeps an unknown code as a plain MqlabError', () => {
    const plain = errorFromRecord(new AmqpError('CONNECTION_FORCED', 'broker forced connection closure').toRecord()) as AmqpError;
    expect(plain.retriable).toBe(true);
    expect(plain.classId).toBeUndefined();
    const odd = errorFromRecord({ model: 'amqp', code: 999, type: 'WEIRD', name: 'AmqpError', message: 'x', retriable: false });
    expect(odd).not.toBeInstanceOf(AmqpError);
    expect(odd.code).toBe(999);
  });
});
