import { describe, expect, it } from 'vitest';
import { AmqpError } from '../errors/amqp.js';
import { bindingWeight, consistentHashExchangeType, consistentHashOn, fnv1a32, jumpConsistentHash } from './consistent-hash-exchange.js';

function thrown(fn: () => unknown): AmqpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AmqpError) return error;
    throw error;
  }
  throw new Error('expected an AmqpError');
}

describe('x-consistent-hash exchange', () => {
  it('binding keys are weights: a positive integer, or 406 with the plugin\'s text', () => {
    expect(bindingWeight('1')).toBe(1);
    expect(bindingWeight('20')).toBe(20);
    expect(thrown(() => consistentHashExchangeType.validateBinding('abc')).message).toBe(
      'PRECONDITION_FAILED - The binding key must be an integer: <<"abc">>',
    );
    expect(thrown(() => consistentHashExchangeType.validateBinding('0')).explanation).toBe('The binding key must be greater than 0');
    expect(thrown(() => consistentHashExchangeType.validateBinding('-3')).code).toBe(406);
    expect(thrown(() => consistentHashExchangeType.validateBinding('1.5')).code).toBe(406);
    expect(thrown(() => consistentHashExchangeType.validateBinding('')).code).toBe(406);
  });

  it('hash-header and hash-property are mutually exclusive; only three properties are supported', () => {
    expect(consistentHashOn(undefined)).toEqual({ kind: 'routing-key' });
    expect(consistentHashOn({ 'hash-header': 'user' })).toEqual({ kind: 'header', header: 'user' });
    expect(consistentHashOn({ 'hash-property': 'message_id' })).toEqual({ kind: 'property', property: 'message_id' });
    expect(thrown(() => consistentHashExchangeType.validate({ 'hash-header': 'a', 'hash-property': 'timestamp' })).explanation).toBe(
      'hash-header and hash-property are mutually exclusive',
    );
    expect(thrown(() => consistentHashExchangeType.validate({ 'hash-property': 'app_id' })).explanation).toBe('Unsupported property: app_id');
  });

  it('routes each message to exactly one queue, the same one every time', () => {
    const router = consistentHashExchangeType.createRouter<string>();
    for (const q of ['q1', 'q2', 'q3', 'q4']) router.bind('1', q);
    for (let i = 0; i < 200; i++) {
      const first = router.route(`order-${i}`);
      expect(first.length).toBe(1);
      expect(router.route(`order-${i}`)).toEqual(first);
    }
  });

  it('routes nowhere when nothing is bound', () => {
    expect(consistentHashExchangeType.createRouter<string>().route('k')).toEqual([]);
  });

  it('spreads keys in proportion to the weights', () => {
    const router = consistentHashExchangeType.createRouter<string>();
    router.bind('1', 'q1');
    router.bind('1', 'q2');
    router.bind('2', 'q3');
    router.bind('2', 'q4');
    const counts = new Map<string, number>();
    const total = 12_000;
    for (let i = 0; i < total; i++) {
      const [q] = router.route(`key-${i}`);
      counts.set(q!, (counts.get(q!) ?? 0) + 1);
    }
    for (const [q, share] of [['q1', 1 / 6], ['q2', 1 / 6], ['q3', 2 / 6], ['q4', 2 / 6]] as const) {
      expect(Math.abs(counts.get(q)! / total - share), q).toBeLessThan(0.03);
    }
  });

  it('a new queue takes keys only for itself: others keep theirs', () => {
    const router = consistentHashExchangeType.createRouter<string>();
    for (const q of ['q1', 'q2', 'q3']) router.bind('10', q);
    const before = Array.from({ length: 3000 }, (_, i) => router.route(`k${i}`)[0]);
    router.bind('10', 'q4');
    let moved = 0;
    for (let i = 0; i < before.length; i++) {
      const now = router.route(`k${i}`)[0];
      if (now !== before[i]) {
        moved++;
        expect(now).toBe('q4');
      }
    }
    expect(moved / before.length).toBeGreaterThan(0.18);
    expect(moved / before.length).toBeLessThan(0.32);
  });

  it('hashes on a header when hash-header is set', () => {
    const router = consistentHashExchangeType.createRouter<string>({ 'hash-header': 'user' });
    for (const q of ['q1', 'q2', 'q3', 'q4', 'q5']) router.bind('1', q);
    const a = router.route('rk-1', { user: 'alice' });
    expect(router.route('rk-2', { user: 'alice' })).toEqual(a);
    const seen = new Set(Array.from({ length: 50 }, (_, i) => router.route('same', { user: `u${i}` })[0]));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('hashes on message_id when hash-property is set', () => {
    const router = consistentHashExchangeType.createRouter<string>({ 'hash-property': 'message_id' });
    for (const q of ['q1', 'q2', 'q3']) router.bind('1', q);
    expect(router.route('x', undefined, { messageId: 'm-7' })).toEqual(router.route('y', undefined, { messageId: 'm-7' }));
  });

  it('unbinding removes the queue\'s buckets', () => {
    const router = consistentHashExchangeType.createRouter<string>();
    router.bind('3', 'q1');
    router.bind('1', 'q2');
    router.unbind('3', 'q1');
    for (let i = 0; i < 50; i++) expect(router.route(`k${i}`)).toEqual(['q2']);
  });

  it('jump hashing is deterministic and in range', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    for (let key = 0; key < 1000; key += 37) {
      const bucket = jumpConsistentHash(key, 7);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(7);
      expect(jumpConsistentHash(key, 7)).toBe(bucket);
    }
    expect(jumpConsistentHash(12345, 1)).toBe(0);
  });
});
