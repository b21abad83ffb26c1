import { describe, expect, it } from 'vitest';
import { AmqpError } from '../errors/amqp.js';
import { headersExchangeType } from './builtin-exchange-types.js';
import type { FieldTable } from './field-table.js';
import { compileHeadersBinding, headersMatch, matchHeaders, validateHeadersBinding } from './headers-match.js';

function routedTo(bindings: readonly (readonly [string, FieldTable])[], headers: FieldTable | undefined): string[] {
  const router = headersExchangeType.createRouter<string>();
  for (const [queue, args] of bindings) {
    headersExchangeType.validateBinding('', args);
    router.bind('', queue, args);
  }
  return [...router.route('', headers)].sort();
}

function thrown(fn: () => unknown): AmqpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AmqpError) return error;
    throw error;
  }
  throw new Error('expected an AmqpError');
}

describe('headers exchange: RabbitMQ vectors', () => {
  it('R12 exchanges_SUITE: all needs both headers, any needs one; no headers matches neither', () => {
    const bindings = [
      ['Q', { 'x-match': 'all', foo: 'bar', fuu: 'ber' }],
      ['AltQ', { 'x-match': 'any', foo: 'bar', fuu: 'ber' }],
    ] as const;
    const msg1 = { foo: 'bar', fuu: 'ber' };
    const msg2 = { foo: 'bar' };
    const delivered = { Q: [] as string[], AltQ: [] as string[] };
    for (const [name, headers] of [['msg1', msg1], ['msg2', msg2], ['msg3', undefined]] as const) {
      for (const queue of routedTo(bindings, headers)) delivered[queue as 'Q' | 'AltQ'].push(name);
    }
    expect(delivered).toEqual({ Q: ['msg1'], AltQ: ['msg1', 'msg2'] });
  });

  it('R13 with-x modes compare x- headers, and a void argument matches on presence only [derived]', () => {
    const bindings = [
      ['QAll', { 'x-match': 'all-with-x', 'x-trace': null, region: 'eu' }],
      ['QAny', { 'x-match': 'any-with-x', 'x-trace': null, region: 'eu' }],
    ] as const;
    const messages: readonly (readonly [string, FieldTable | undefined])[] = [
      ['msg1', { 'x-trace': 'on', region: 'eu' }],
      ['msg2', { 'x-trace': null }],
      ['msg3', { region: 'eu', other: 1 }],
      ['msg4', { region: 'us', trace: 'x', 'x-trace': undefined }],
      ['msg5', undefined],
    ];
    const delivered = { QAll: [] as string[], QAny: [] as string[] };
    for (const [name, headers] of messages) {
      for (const queue of routedTo(bindings, headers)) delivered[queue as 'QAll' | 'QAny'].push(name);
    }
    expect(delivered).toEqual({ QAll: ['msg1'], QAny: ['msg1', 'msg2', 'msg3'] });
  });

  it('R14 x- arguments are ignored under all and any', () => {
    expect(matchHeaders({ 'x-match': 'all', 'x-tenant': 'a', format: 'pdf' }, { format: 'pdf' })).toBe(true);
    expect(matchHeaders({ 'x-match': 'any', 'x-tenant': 'a' }, { 'x-tenant': 'a' })).toBe(false);
    expect(matchHeaders({ 'x-match': 'all-with-x', 'x-tenant': 'a', format: 'pdf' }, { format: 'pdf' })).toBe(false);
    expect(matchHeaders({ 'x-match': 'all-with-x', 'x-tenant': 'a', format: 'pdf' }, { format: 'pdf', 'x-tenant': 'a' })).toBe(true);
    expect(matchHeaders({ 'x-match': 'any-with-x', 'x-tenant': 'a' }, { 'x-tenant': 'a' })).toBe(true);
  });

  it('R14 {x-match: all} alone matches every message, {x-match: any} alone none', () => {
    for (const headers of [undefined, {}, { a: 1 }, { 'x-match': 'any' }]) {
      expect(matchHeaders({ 'x-match': 'all' }, headers)).toBe(true);
      expect(matchHeaders({ 'x-match': 'any' }, headers)).toBe(false);
      expect(matchHeaders({ 'x-match': 'all-with-x' }, headers)).toBe(true);
      expect(matchHeaders({ 'x-match': 'any-with-x' }, headers)).toBe(false);
    }
  });

  it('R14 a binding of only x- arguments matches everything under all and nothing under any', () => {
    expect(matchHeaders({ 'x-match': 'all', 'x-a': 1 }, {})).toBe(true);
    expect(matchHeaders({ 'x-match': 'any', 'x-a': 1 }, { 'x-a': 1 })).toBe(false);
  });

  it('R14 an invalid x-match value fails with 406 and RabbitMQ\'s text', () => {
    const error = thrown(() => validateHeadersBinding({ 'x-match': 'some' }));
    expect(error.code).toBe(406);
    expect(error.type).toBe('PRECONDITION_FAILED');
    expect(error.message).toBe(
      'PRECONDITION_FAILED - Invalid x-match field value <<"some">>; expected all, any, all-with-x, or any-with-x',
    );
  });

  it('R14 an x-match that is not a string fails with 406 naming its AMQP type', () => {
    expect(thrown(() => validateHeadersBinding({ 'x-match': 5 })).message).toBe(
      'PRECONDITION_FAILED - Invalid x-match field type byte (value 5); expected longstr',
    );
    expect(thrown(() => validateHeadersBinding({ 'x-match': true })).explanation).toBe(
      'Invalid x-match field type bool (value true); expected longstr',
    );
    expect(thrown(() => validateHeadersBinding({ 'x-match': null })).explanation).toBe(
      'Invalid x-match field type void (value undefined); expected longstr',
    );
  });

  it('R14 the headers exchange type rejects an invalid binding at bind time', () => {
    expect(thrown(() => headersExchangeType.validateBinding('', { 'x-match': 'ALL' })).code).toBe(406);
    expect(() => headersExchangeType.validateBinding('', { 'x-match': 'any-with-x' })).not.toThrow();
  });
});

describe('headers matching rules', () => {
  it('a missing x-match means all', () => {
    expect(validateHeadersBinding({ a: 1 })).toBe('all');
    expect(validateHeadersBinding(undefined)).toBe('all');
    expect(matchHeaders({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(matchHeaders({ a: 1, b: 2 }, { a: 1, b: 2, c: 3 })).toBe(true);
    expect(matchHeaders(undefined, undefined)).toBe(true);
  });

  it('x-match in the message headers plays no part', () => {
    expect(matchHeaders({ 'x-match': 'all', a: 1 }, { a: 1, 'x-match': 'none' })).toBe(true);
  });

  it('a void (null) argument matches the header whatever its value, even void', () => {
    for (const value of ['x', 0, false, null, Buffer.from('')]) expect(matchHeaders({ a: null }, { a: value })).toBe(true);
    expect(matchHeaders({ a: null }, { b: 1 })).toBe(false);
  });

  it('an undefined argument does not exist, and an undefined header is absent', () => {
    expect(matchHeaders({ 'x-match': 'any', a: undefined }, { a: 1 })).toBe(false);
    expect(matchHeaders({ 'x-match': 'all', a: undefined }, {})).toBe(true);
    expect(matchHeaders({ a: null }, { a: undefined })).toBe(false);
  });

  it('compares values by decoded value: numbers, bigints, strings, booleans and bytes', () => {
    expect(matchHeaders({ n: 5 }, { n: 5 })).toBe(true);
    expect(matchHeaders({ n: 5 }, { n: 5n })).toBe(true);
    expect(matchHeaders({ n: 5 }, { n: '5' })).toBe(false);
    expect(matchHeaders({ n: 5 }, { n: { '!': 'long', value: 5 } })).toBe(true);
    expect(matchHeaders({ b: true }, { b: 'true' })).toBe(false);
    expect(matchHeaders({ b: true }, { b: true })).toBe(true);
    expect(matchHeaders({ x: Buffer.from([1, 2, 3]) }, { x: Buffer.from([1, 2, 3]) })).toBe(true);
    expect(matchHeaders({ x: Buffer.from([1, 2, 3]) }, { x: new Uint8Array([1, 2, 4]) })).toBe(false);
    expect(matchHeaders({ s: 'héllo' }, { s: Buffer.from('héllo') })).toBe(true);
    expect(matchHeaders({ s: 'Hello' }, { s: 'hello' })).toBe(false);
  });

  it('compares nested tables and arrays by value', () => {
    expect(matchHeaders({ t: { a: 1, b: ['x', 2] } }, { t: { b: ['x', 2], a: 1 } })).toBe(true);
    expect(matchHeaders({ t: { a: 1 } }, { t: { a: 1, b: 2 } })).toBe(false);
    expect(matchHeaders({ t: [1, 2] }, { t: [2, 1] })).toBe(false);
  });

  it('does not see Object.prototype members as headers', () => {
    expect(matchHeaders({ constructor: null }, {})).toBe(false);
    expect(matchHeaders({ toString: null }, { toString: 'yes' })).toBe(true);
    expect(matchHeaders({ 'x-match': 'any', hasOwnProperty: null }, Object.create(null) as FieldTable)).toBe(false);
  });

  it('compiles once and matches many times', () => {
    const binding = compileHeadersBinding({ 'x-match': 'any', a: 1, 'x-b': 2, c: null });
    expect(binding.keys).toEqual(['a', 'c']);
    expect(binding.requireAll).toBe(false);
    expect(headersMatch(binding, { c: 'anything' })).toBe(true);
    expect(headersMatch(binding, { a: 2 })).toBe(false);
  });
});

describe('headers exchange router', () => {
  it('delivers one copy to a queue that several of its bindings match', () => {
    const router = headersExchangeType.createRouter<string>();
    router.bind('', 'q', { 'x-match': 'any', a: 1 });
    router.bind('', 'q', { 'x-match': 'any', b: 2 });
    router.bind('', 'r', { 'x-match': 'all' });
    expect([...router.route('', { a: 1, b: 2 })].sort()).toEqual(['q', 'r']);
  });

  it('unbinding one of a queue\'s bindings keeps the others', () => {
    const router = headersExchangeType.createRouter<string>();
    const first = { 'x-match': 'any', a: 1 };
    const second = { 'x-match': 'any', b: 2 };
    router.bind('', 'q', first);
    router.bind('', 'q', second);
    router.bind('', 'r', first);
    expect(router.unbind('', 'q', first)).toBe(true);
    expect(router.route('', { a: 1 })).toEqual(['r']);
    expect(router.route('', { b: 2 })).toEqual(['q']);
    expect(router.unbind('', 'q', first)).toBe(false);
    expect(router.size).toBe(2);
  });

  it('treats the same arguments in another key order as the same binding', () => {
    const router = headersExchangeType.createRouter<string>();
    expect(router.bind('', 'q', { a: 1, b: 2 })).toBe(true);
    expect(router.bind('', 'q', { b: 2, a: 1 })).toBe(false);
    expect(router.unbind('', 'q', { b: 2, a: 1, c: undefined })).toBe(true);
    expect(router.route('', { a: 1, b: 2 })).toEqual([]);
  });
});
