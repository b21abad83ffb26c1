import { describe, expect, it } from 'vitest';
import { AmqpError } from '../errors/amqp.js';
import { MqlabError } from '../errors/base.js';
import { consistentHashExchangeType } from './consistent-hash-exchange.js';
import type { ExchangeRouter, ExchangeType } from './exchange-type.js';
import { ExchangeTypeRegistry } from './exchange-types.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('exchange type registry', () => {
  it('holds the four built-in types by their AMQP names', () => {
    const registry = new ExchangeTypeRegistry();
    expect(registry.names()).toEqual(['direct', 'fanout', 'headers', 'topic']);
    expect(registry.lookup('topic').name).toBe('topic');
  });

  it('an unknown type at declare is 406 PRECONDITION_FAILED "unknown exchange type" on exchange.declare', () => {
    const error = thrown(() => new ExchangeTypeRegistry().lookup('x-nope'));
    expect(error).toBeInstanceOf(AmqpError);
    const amqp = error as AmqpError;
    expect(amqp.code).toBe(406);
    expect(amqp.scope).toBe('channel');
    expect(amqp.message).toBe("PRECONDITION_FAILED - unknown exchange type 'x-nope'");
    expect([amqp.classId, amqp.methodId]).toEqual([40, 10]);
  });

  it('answers 503 COMMAND_INVALID, a connection error, when set up like RabbitMQ before 3.12', () => {
    const error = thrown(() => new ExchangeTypeRegistry({ unknownType: 'COMMAND_INVALID' }).lookup('fanout2')) as AmqpError;
    expect(error.code).toBe(503);
    expect(error.scope).toBe('connection');
    expect(error.message).toBe("COMMAND_INVALID - unknown exchange type 'fanout2'");
  });

  it('registers plugin types by name, and refuses a taken name', () => {
    const registry = new ExchangeTypeRegistry({ plugins: [consistentHashExchangeType] });
    expect(registry.has('x-consistent-hash')).toBe(true);
    const error = thrown(() => registry.register(consistentHashExchangeType));
    expect(error).toBeInstanceOf(MqlabError);
    expect((error as MqlabError).type).toBe('INVALID_ARGUMENT');
    expect(registry.unregister('x-consistent-hash')).toBe(true);
    expect(registry.get('x-consistent-hash')).toBeUndefined();
  });

  it('routes through a custom plugin type registered at run time', () => {
    // A toy type: route to the destinations whose binding key is a prefix of the routing key.
    const prefixType: ExchangeType = {
      name: 'x-prefix',
      description: 'prefix match',
      validate: () => undefined,
      validateBinding: () => undefined,
      createRouter<D>(): ExchangeRouter<D> {
        const bindings: [string, D][] = [];
        return {
          bind: (key, destination) => (bindings.push([key, destination]), true),
          unbind: () => false,
          route: (routingKey) => bindings.filter(([k]) => routingKey.startsWith(k)).map(([, d]) => d),
          get size() {
            return bindings.length;
          },
          clear: () => void (bindings.length = 0),
        };
      },
    };
    const registry = new ExchangeTypeRegistry();
    registry.register(prefixType);
    const router = registry.lookup('x-prefix').createRouter<string>();
    router.bind('log.', 'logs');
    expect(router.route('log.error')).toEqual(['logs']);
  });

  it('R09 topic bindings with more than two # words are refused only when configured (RabbitMQ main ≥ 2026-07)', () => {
    const relaxed = new ExchangeTypeRegistry().lookup('topic');
    expect(() => relaxed.validateBinding('#.#.#')).not.toThrow();
    const strict = new ExchangeTypeRegistry({ topic: { maxHashWords: 2 } }).lookup('topic');
    for (const key of ['', 'a.b.c', '#', '#.#', '#.a.#', 'a#b', '##.##.##']) expect(() => strict.validateBinding(key)).not.toThrow();
    for (const key of ['#.#.#', '#.*.#.*.#', 'a.#.b.#.c.#']) expect((thrown(() => strict.validateBinding(key)) as AmqpError).code).toBe(406);
  });

  it('R10 every built-in type refuses a binding key of 256 bytes with FRAME_ERROR', () => {
    const registry = new ExchangeTypeRegistry();
    for (const name of registry.names()) {
      const type = registry.lookup(name);
      expect(() => type.validateBinding('k'.repeat(255), name === 'headers' ? {} : undefined)).not.toThrow();
      const error = thrown(() => type.validateBinding('k'.repeat(256))) as AmqpError;
      expect(error.code, name).toBe(501);
    }
  });

  it('R02 a topic exchange that is cleared (deleted) routes nowhere', () => {
    const router = new ExchangeTypeRegistry().lookup('topic').createRouter<string>();
    router.bind('a.b.c', 't1');
    router.bind('#', 't5');
    expect([...router.route('a.b.c')].sort()).toEqual(['t1', 't5']);
    router.clear();
    for (const key of ['a.b.c', 'b.b.c', '']) expect(router.route(key)).toEqual([]);
    expect(router.size).toBe(0);
  });

  it('a topic router keeps a pattern while another binding with other arguments remains', () => {
    const router = new ExchangeTypeRegistry().lookup('topic').createRouter<string>();
    router.bind('a.*', 'q');
    router.bind('a.*', 'q', { note: 'second' });
    router.unbind('a.*', 'q');
    expect(router.route('a.b')).toEqual(['q']);
    router.unbind('a.*', 'q', { note: 'second' });
    expect(router.route('a.b')).toEqual([]);
  });
});
