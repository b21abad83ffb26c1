/** R01–R10: topic exchange routing and key limits, through a real exchange on the target. */
import { describe, expect, it } from 'vitest';
import { amqpSession } from '../../support/amqp.js';
import { byLabel, routingFixture, topicMatches, type Binding } from '../../support/routing.js';

/** RabbitMQ's 26-binding table (routing_SUITE; qlobber test/rabbitmq.js): [pattern, destination]. */
const TABLE: readonly (readonly [string, string])[] = [
  ['a.b.c', 't1'], ['a.*.c', 't2'], ['a.#.b', 't3'], ['a.b.b.c', 't4'], ['#', 't5'], ['#.#', 't6'],
  ['#.b', 't7'], ['*.*', 't8'], ['a.*', 't9'], ['*.b.c', 't10'], ['a.#', 't11'], ['a.#.#', 't12'],
  ['b.b.c', 't13'], ['a.b.b', 't14'], ['a.b', 't15'], ['b.c', 't16'], ['', 't17'], ['*.*.*', 't18'],
  ['vodka.martini', 't19'], ['a.b.c', 't20'], ['*.#', 't21'], ['#.*.#', 't22'], ['*.#.#', 't23'],
  ['#.#.#', 't24'], ['*', 't25'], ['#.b.#', 't26'],
];

const KEYS = ['a.b.c', 'a.b', 'a.b.b', '', 'b.c.c', 'a.a.a.a.a', 'vodka.gin', 'vodka.martini', 'b.b.c', 'nothing.here.at.all', 'oneword'];

const BEFORE: Record<string, string[]> = {
  'a.b.c': ['t1', 't2', 't5', 't6', 't10', 't11', 't12', 't18', 't20', 't21', 't22', 't23', 't24', 't26'],
  'a.b': ['t3', 't5', 't6', 't7', 't8', 't9', 't11', 't12', 't15', 't21', 't22', 't23', 't24', 't26'],
  'a.b.b': ['t3', 't5', 't6', 't7', 't11', 't12', 't14', 't18', 't21', 't22', 't23', 't24', 't26'],
  '': ['t5', 't6', 't17', 't24'],
  'b.c.c': ['t5', 't6', 't18', 't21', 't22', 't23', 't24', 't26'],
  'a.a.a.a.a': ['t5', 't6', 't11', 't12', 't21', 't22', 't23', 't24'],
  'vodka.gin': ['t5', 't6', 't8', 't21', 't22', 't23', 't24'],
  'vodka.martini': ['t5', 't6', 't8', 't19', 't21', 't22', 't23', 't24'],
  'b.b.c': ['t5', 't6', 't10', 't13', 't18', 't21', 't22', 't23', 't24', 't26'],
  'nothing.here.at.all': ['t5', 't6', 't21', 't22', 't23', 't24'],
  oneword: ['t5', 't6', 't21', 't22', 't23', 't24', 't25'],
};

const AFTER: Record<string, string[]> = {
  'a.b.c': ['t2', 't6', 't10', 't12', 't18', 't20', 't22', 't23', 't24', 't26'],
  'a.b': ['t3', 't6', 't7', 't8', 't9', 't12', 't15', 't22', 't23', 't24', 't26'],
  'a.b.b': ['t3', 't6', 't7', 't12', 't14', 't18', 't22', 't23', 't24', 't26'],
  '': ['t6', 't17', 't24'],
  'b.c.c': ['t6', 't18', 't22', 't23', 't24', 't26'],
  'a.a.a.a.a': ['t6', 't12', 't22', 't23', 't24'],
  'vodka.gin': ['t6', 't8', 't22', 't23', 't24'],
  'vodka.martini': ['t6', 't8', 't22', 't23', 't24'],
  'b.b.c': ['t6', 't10', 't13', 't18', 't22', 't23', 't24', 't26'],
  'nothing.here.at.all': ['t6', 't22', 't23', 't24'],
  oneword: ['t6', 't22', 't23', 't24', 't25'],
};

const sortNames = (r: Record<string, string[]>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v].sort()]));

const table: Binding[] = TABLE.map(([pattern, destination]) => ({ pattern, destination }));
const keyPubs = (keys: readonly string[]): { label: string; routingKey: string }[] => keys.map((k) => ({ label: k, routingKey: k }));

/** Routes `keys` over `bindings` and returns key → destinations (sorted). */
async function topicRoute(
  session: ReturnType<typeof amqpSession>,
  bindings: readonly Binding[],
  keys: readonly string[],
): Promise<Record<string, string[]>> {
  const f = await routingFixture(session, 'topic', bindings.map((b) => b.destination));
  for (const b of bindings) await f.bind(b);
  return byLabel(await f.route(keyPubs(keys)), keys);
}

describe('topic exchange', () => {
  it('R01 the 26-binding table routes each of the 11 keys to exactly its destination set', async (ctx) => {
    const s = amqpSession(ctx);
    expect(await topicRoute(s, table, KEYS)).toEqual(sortNames(BEFORE));
  });

  it('R02 after removing bindings 1, 5, 11, 19, 21 the after-remove sets hold; cleared, nothing routes', async (ctx) => {
    const s = amqpSession(ctx);
    const f = await routingFixture(s, 'topic', table.map((b) => b.destination));
    for (const b of table) await f.bind(b);
    const removed = [1, 5, 11, 19, 21].map((i) => table[i - 1]).filter((b) => b !== undefined);
    for (const b of removed) await f.unbind(b);
    expect(byLabel(await f.route(keyPubs(KEYS)), KEYS)).toEqual(sortNames(AFTER));
    for (const b of table) if (!removed.includes(b)) await f.unbind(b);
    const cleared = ['a.b.c', 'b.b.c', ''];
    expect(byLabel(await f.route(keyPubs(cleared)), cleared)).toEqual({ 'a.b.c': [], 'b.b.c': [], '': [] });
  });

  it('R03 * does not match the empty key; #, #.# and "" do', async (ctx) => {
    const s = amqpSession(ctx);
    const bindings: Binding[] = [
      { pattern: '*', destination: 'star' }, { pattern: '#', destination: 'hash' }, { pattern: '#.#', destination: 'hash2' },
      { pattern: '', destination: 'empty' }, { pattern: '*.#', destination: 'starhash' },
    ];
    expect(await topicRoute(s, bindings, ['', 'x'])).toEqual({ '': ['empty', 'hash', 'hash2'], x: ['hash', 'hash2', 'star', 'starhash'] });
  });

  it('R04 * matches an empty word; a.b differs from a..b; *.* matches "."; .a and a. match *.a and a.*', async (ctx) => {
    const s = amqpSession(ctx);
    const bindings: Binding[] = [
      { pattern: 'a.*.b', destination: 'gap' }, { pattern: 'a.b', destination: 'two' }, { pattern: 'a..b', destination: 'three' },
      { pattern: '*.*', destination: 'starstar' }, { pattern: '*.a', destination: 'lead' }, { pattern: 'a.*', destination: 'trail' },
    ];
    expect(await topicRoute(s, bindings, ['a..b', 'a.b', '.', '.a', 'a.'])).toEqual({
      'a..b': ['gap', 'three'],
      'a.b': ['starstar', 'trail', 'two'],
      '.': ['starstar'],
      '.a': ['lead', 'starstar'],
      'a.': ['starstar', 'trail'],
    });
  });

  it('R05 # in the middle and at the ends matches zero or more words', async (ctx) => {
    const s = amqpSession(ctx);
    const bindings: Binding[] = [
      { pattern: 'a.#.b', destination: 'mid' }, { pattern: '#.c', destination: 'start' },
      { pattern: '#.*.#', destination: 'any1' }, { pattern: 'audit.events.#', destination: 'end' },
    ];
    expect(await topicRoute(s, bindings, ['a.b', 'a.x.y.b', 'c', 'x', '', 'audit.events', 'ab'])).toEqual({
      'a.b': ['any1', 'mid'],
      'a.x.y.b': ['any1', 'mid'],
      c: ['any1', 'start'],
      x: ['any1'],
      '': [],
      'audit.events': ['any1', 'end'],
      ab: ['any1'],
    });
  });

  it('R06 wildcards count only as whole words: a* and a#b are literal', async (ctx) => {
    const s = amqpSession(ctx);
    const bindings: Binding[] = [{ pattern: 'a*', destination: 'star' }, { pattern: 'a#b', destination: 'hash' }];
    expect(await topicRoute(s, bindings, ['a*', 'ab', 'a#b', 'axb', 'a.b'])).toEqual({
      'a*': ['star'], ab: [], 'a#b': ['hash'], axb: [], 'a.b': [],
    });
  });

  it('R07 tutorial five: nine keys reach Q1/Q2 as documented; lazy.pink.rabbit reaches Q2 once', async (ctx) => {
    const s = amqpSession(ctx);
    const bindings: Binding[] = [
      { pattern: '*.orange.*', destination: 'Q1' }, { pattern: '*.*.rabbit', destination: 'Q2' }, { pattern: 'lazy.#', destination: 'Q2' },
    ];
    const keys = ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox', 'lazy.brown.fox', 'lazy.pink.rabbit',
      'quick.brown.fox', 'orange', 'quick.orange.new.rabbit', 'lazy.orange.new.rabbit'];
    expect(await topicRoute(s, bindings, keys)).toEqual({
      'quick.orange.rabbit': ['Q1', 'Q2'], 'lazy.orange.elephant': ['Q1', 'Q2'], 'quick.orange.fox': ['Q1'],
      'lazy.brown.fox': ['Q2'], 'lazy.pink.rabbit': ['Q2'], 'quick.brown.fox': [], orange: [],
      'quick.orange.new.rabbit': [], 'lazy.orange.new.rabbit': ['Q2'],
    });
  });

  it('R08 overlapping wildcard suites route as the reference word rules say', async (ctx) => {
    const s = amqpSession(ctx);
    const patterns = ['foo.*', 'foo.#', 'a.b.*', 'a.*.#', '#.bar', '*.*.*', 'foo.*.bar', '#.foo.#', 'a.#.#.b', '*.b.#'];
    const bindings: Binding[] = patterns.map((pattern, i) => ({ pattern, destination: `p${i}` }));
    const keys = ['foo', 'foo.bar', 'foo.x.bar', 'a.b', 'a.b.c', 'a.x.y.b', 'x.foo.y', 'bar', 'x.b', 'a.b.b.b'];
    const expected: Record<string, string[]> = {};
    for (const k of keys) expected[k] = bindings.filter((b) => topicMatches(b.pattern, k)).map((b) => b.destination).sort();
    expect(expected['foo']).toEqual(['p1', 'p7']); // the reference itself is checked on one row
    expect(await topicRoute(s, bindings, keys)).toEqual(expected);
  });

  it('R09 (3.10) a binding with more than two # words is accepted and routes (binding_invalid only on main ≥ 2026-07)', async (ctx) => {
    const s = amqpSession(ctx);
    const bindings: Binding[] = [{ pattern: '#.a.#.b.#', destination: 'q' }];
    expect(await topicRoute(s, bindings, ['a.b', 'x.a.y.b.z', 'b.a'])).toEqual({ 'a.b': ['q'], 'x.a.y.b.z': ['q'], 'b.a': [] });
  });

  it('R10 a 255-byte binding key is accepted and a 256-byte one is rejected', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const ex = await s.exchange(ch, 'r10', 'topic');
    const q = await s.serverQueue(ch);
    await ch.bindQueue(q, ex, 'k'.repeat(255));
    const { ch: ch2 } = await s.channel();
    let rejected = false;
    try {
      await ch2.bindQueue(q, ex, 'k'.repeat(256));
    } catch {
      rejected = true;
    }
    expect(rejected).toBe(true);
  });
});

