import { describe, expect, it } from 'vitest';
import { hashWordCount, TopicTrie, topicWords } from './topic-trie.js';

/** RabbitMQ's 26-binding table (routing_SUITE; qlobber's test/rabbitmq.js): [pattern, destination]. */
const RABBITMQ_BINDINGS: readonly (readonly [string, string])[] = [
  ['a.b.c', 't1'], ['a.*.c', 't2'], ['a.#.b', 't3'], ['a.b.b.c', 't4'], ['#', 't5'], ['#.#', 't6'],
  ['#.b', 't7'], ['*.*', 't8'], ['a.*', 't9'], ['*.b.c', 't10'], ['a.#', 't11'], ['a.#.#', 't12'],
  ['b.b.c', 't13'], ['a.b.b', 't14'], ['a.b', 't15'], ['b.c', 't16'], ['', 't17'], ['*.*.*', 't18'],
  ['vodka.martini', 't19'], ['a.b.c', 't20'], ['*.#', 't21'], ['#.*.#', 't22'], ['*.#.#', 't23'],
  ['#.#.#', 't24'], ['*', 't25'], ['#.b.#', 't26'],
];

const BEFORE_REMOVE: readonly (readonly [string, readonly string[]])[] = [
  ['a.b.c', ['t1', 't2', 't5', 't6', 't10', 't11', 't12', 't18', 't20', 't21', 't22', 't23', 't24', 't26']],
  ['a.b', ['t3', 't5', 't6', 't7', 't8', 't9', 't11', 't12', 't15', 't21', 't22', 't23', 't24', 't26']],
  ['a.b.b', ['t3', 't5', 't6', 't7', 't11', 't12', 't14', 't18', 't21', 't22', 't23', 't24', 't26']],
  ['', ['t5', 't6', 't17', 't24']],
  ['b.c.c', ['t5', 't6', 't18', 't21', 't22', 't23', 't24', 't26']],
  ['a.a.a.a.a', ['t5', 't6', 't11', 't12', 't21', 't22', 't23', 't24']],
  ['vodka.gin', ['t5', 't6', 't8', 't21', 't22', 't23', 't24']],
  ['vodka.martini', ['t5', 't6', 't8', 't19', 't21', 't22', 't23', 't24']],
  ['b.b.c', ['t5', 't6', 't10', 't13', 't18', 't21', 't22', 't23', 't24', 't26']],
  ['nothing.here.at.all', ['t5', 't6', 't21', 't22', 't23', 't24']],
  ['oneword', ['t5', 't6', 't21', 't22', 't23', 't24', 't25']],
];

/** 1-based positions in RABBITMQ_BINDINGS. */
const TO_REMOVE = [1, 5, 11, 19, 21];

const AFTER_REMOVE: readonly (readonly [string, readonly string[]])[] = [
  ['a.b.c', ['t2', 't6', 't10', 't12', 't18', 't20', 't22', 't23', 't24', 't26']],
  ['a.b', ['t3', 't6', 't7', 't8', 't9', 't12', 't15', 't22', 't23', 't24', 't26']],
  ['a.b.b', ['t3', 't6', 't7', 't12', 't14', 't18', 't22', 't23', 't24', 't26']],
  ['', ['t6', 't17', 't24']],
  ['b.c.c', ['t6', 't18', 't22', 't23', 't24', 't26']],
  ['a.a.a.a.a', ['t6', 't12', 't22', 't23', 't24']],
  ['vodka.gin', ['t6', 't8', 't22', 't23', 't24']],
  ['vodka.martini', ['t6', 't8', 't22', 't23', 't24']],
  ['b.b.c', ['t6', 't10', 't13', 't18', 't22', 't23', 't24', 't26']],
  ['nothing.here.at.all', ['t6', 't22', 't23', 't24']],
  ['oneword', ['t6', 't22', 't23', 't24', 't25']],
];

function sorted<T>(values: readonly T[]): T[] {
  return [...values].sort();
}

function trieOf(bindings: readonly (readonly [string, string])[], cacheSize?: number): TopicTrie<string> {
  const trie = new TopicTrie<string>(cacheSize === undefined ? {} : { cacheSize });
  for (const [pattern, destination] of bindings) trie.add(pattern, destination);
  return trie;
}

/** Destinations whose own pattern matches the key, by the reference matcher. */
function matchesOf(bindings: readonly (readonly [string, string])[], key: string): string[] {
  return sorted([...new Set(bindings.filter(([p]) => referenceMatch(p, key)).map(([, d]) => d))]);
}

/**
 * The obviously-correct matcher the trie is checked against: RabbitMQ's rules applied word by word,
 * recursively, with no cleverness (exponential on many `#`, so only for small inputs).
 */
function referenceMatch(pattern: string, key: string): boolean {
  const p = pattern === '' ? [] : pattern.split('.');
  const k = key === '' ? [] : key.split('.');
  const go = (pi: number, ki: number): boolean => {
    if (pi === p.length) return ki === k.length;
    const word = p[pi];
    if (word === '#') return go(pi + 1, ki) || (ki < k.length && go(pi, ki + 1));
    if (ki === k.length) return false;
    return (word === '*' || word === k[ki]) && go(pi + 1, ki + 1);
  };
  return go(0, 0);
}

describe('topic words', () => {
  it('splits "" into zero words and keeps empty words', () => {
    expect(topicWords('')).toEqual([]);
    expect(topicWords('a..b')).toEqual(['a', '', 'b']);
    expect(topicWords('.')).toEqual(['', '']);
    expect(topicWords('.a')).toEqual(['', 'a']);
    expect(topicWords('a.')).toEqual(['a', '']);
  });

  it('counts only whole-word # wildcards', () => {
    expect(hashWordCount('#.#.#')).toBe(3);
    expect(hashWordCount('a#b.##.#')).toBe(1);
    expect(hashWordCount('')).toBe(0);
  });
});

describe('topic trie: RabbitMQ routing table', () => {
  it('R01 the 26-binding table routes each of the 11 keys to exactly its destination set', () => {
    const trie = trieOf(RABBITMQ_BINDINGS);
    for (const [key, expected] of BEFORE_REMOVE) expect(sorted(trie.match(key)), key).toEqual(sorted(expected));
  });

  it('R01 the uncached walk gives the same sets as the cached one', () => {
    const trie = trieOf(RABBITMQ_BINDINGS, 0);
    for (const [key, expected] of BEFORE_REMOVE) expect(sorted(trie.matchUncached(key)), key).toEqual(sorted(expected));
  });

  it('R02 removing bindings 1, 5, 11, 19 and 21 gives the after-remove sets', () => {
    const trie = trieOf(RABBITMQ_BINDINGS);
    for (const [key] of BEFORE_REMOVE) trie.match(key); // fill the cache first
    for (const position of TO_REMOVE) {
      const [pattern, destination] = RABBITMQ_BINDINGS[position - 1]!;
      expect(trie.remove(pattern, destination)).toBe(true);
    }
    expect(trie.size).toBe(RABBITMQ_BINDINGS.length - TO_REMOVE.length);
    for (const [key, expected] of AFTER_REMOVE) expect(sorted(trie.match(key)), key).toEqual(sorted(expected));
  });

  it('R02 after clearing, a.b.c, b.b.c and "" route nowhere', () => {
    const trie = trieOf(RABBITMQ_BINDINGS);
    trie.match('a.b.c');
    trie.clear();
    for (const key of ['a.b.c', 'b.b.c', '']) expect(trie.match(key)).toEqual([]);
    expect(trie.size).toBe(0);
  });

  it('R02 removing every binding one by one leaves an empty trie that routes nowhere', () => {
    const trie = trieOf(RABBITMQ_BINDINGS);
    for (const [pattern, destination] of RABBITMQ_BINDINGS) trie.remove(pattern, destination);
    expect(trie.size).toBe(0);
    for (const [key] of BEFORE_REMOVE) expect(trie.match(key)).toEqual([]);
  });
});

describe('topic trie: word semantics', () => {
  it('R03 * does not match the empty key; #, #.# and "" do', () => {
    const trie = trieOf([['*', 'star'], ['#', 'hash'], ['#.#', 'hash2'], ['', 'empty'], ['*.#', 'star-hash']]);
    expect(sorted(trie.match(''))).toEqual(['empty', 'hash', 'hash2']);
  });

  it('R03 a one-word key matches * but not the empty binding key', () => {
    const trie = trieOf([['*', 'star'], ['', 'empty']]);
    expect(trie.match('x')).toEqual(['star']);
  });

  it('R04 * matches an empty word', () => {
    const trie = trieOf([['a.*.b', 'q']]);
    expect(trie.match('a..b')).toEqual(['q']);
    expect(trie.match('a.b')).toEqual([]);
  });

  it('R04 a.b and a..b are different keys', () => {
    const trie = trieOf([['a.b', 'two'], ['a..b', 'three']]);
    expect(trie.match('a.b')).toEqual(['two']);
    expect(trie.match('a..b')).toEqual(['three']);
  });

  it('R04 *.* matches "." (two empty words), and .a, a. match *.a and a.*', () => {
    const trie = trieOf([['*.*', 'two'], ['*.a', 'lead'], ['a.*', 'trail'], ['*', 'one']]);
    expect(trie.match('.')).toEqual(['two']);
    expect(sorted(trie.match('.a'))).toEqual(['lead', 'two']);
    expect(sorted(trie.match('a.'))).toEqual(['trail', 'two']);
    expect(trie.match('')).toEqual([]);
  });

  it('R04 a literal empty word in a binding matches only an empty word', () => {
    const trie = trieOf([['.', 'dots'], ['a..b', 'gap'], ['#..#', 'any-gap']]);
    expect(sorted(trie.match('.'))).toEqual(['any-gap', 'dots']);
    expect(sorted(trie.match('a..b'))).toEqual(['any-gap', 'gap']);
    expect(trie.match('a.b')).toEqual([]);
  });

  it('R05 # in the middle matches zero or more words: a.#.b vs a.b and a.x.y.b', () => {
    const trie = trieOf([['a.#.b', 'q']]);
    expect(trie.match('a.b')).toEqual(['q']);
    expect(trie.match('a.x.b')).toEqual(['q']);
    expect(trie.match('a.x.y.b')).toEqual(['q']);
    expect(trie.match('a.x.y.c')).toEqual([]);
    expect(trie.match('ab')).toEqual([]);
  });

  it('R05 # at the start matches zero words: #.c vs c', () => {
    const trie = trieOf([['#.c', 'q']]);
    expect(trie.match('c')).toEqual(['q']);
    expect(trie.match('a.b.c')).toEqual(['q']);
    expect(trie.match('c.a')).toEqual([]);
  });

  it('R05 #.*.# matches any key of at least one word', () => {
    const trie = trieOf([['#.*.#', 'q']]);
    expect(trie.match('x')).toEqual(['q']);
    expect(trie.match('x.y.z')).toEqual(['q']);
    expect(trie.match('')).toEqual([]);
  });

  it('R05 # at the end matches zero words: audit.events.# vs audit.events', () => {
    const trie = trieOf([['audit.events.#', 'q']]);
    expect(trie.match('audit.events')).toEqual(['q']);
    expect(trie.match('audit.events.users.signup')).toEqual(['q']);
    expect(trie.match('audit.users')).toEqual([]);
  });

  it('R06 a* and a#b are literal words, not wildcards', () => {
    const trie = trieOf([['a*', 'star-word'], ['a#b', 'hash-word'], ['##', 'double-hash']]);
    expect(trie.match('a*')).toEqual(['star-word']);
    expect(trie.match('ab')).toEqual([]);
    expect(trie.match('a#b')).toEqual(['hash-word']);
    expect(trie.match('a.b')).toEqual([]);
    expect(trie.match('##')).toEqual(['double-hash']);
    expect(trie.match('x')).toEqual([]);
  });

  it('R06 exchanges_SUITE topic vector: this.*.rules, *.for.*, simply#carrots, then #.noclue, then #', () => {
    const trie = trieOf([['this.*.rules', 'q'], ['*.for.*', 'q'], ['simply#carrots', 'q']]);
    const routed = (key: string): boolean => trie.match(key).length > 0;
    expect(routed('this.queue.rules')).toBe(true);
    expect(routed('this.exchange.rules')).toBe(true);
    expect(routed('another.queue.rules')).toBe(false);
    expect(routed('carrots.for.power')).toBe(true);
    expect(routed('simplycarrots')).toBe(false);
    expect(routed('*.queue.rules')).toBe(false);
    trie.add('#.noclue', 'q');
    expect(routed('simplycarrots')).toBe(false);
    expect(routed('#.bla')).toBe(false);
    expect(routed('#.noclue')).toBe(true);
    trie.add('#', 'q');
    expect(trie.match('simplycarrots')).toEqual(['q']);
  });

  it('R06 a routing key word * or # is literal: it matches the same word or a wildcard', () => {
    const trie = trieOf([['*', 'star'], ['#', 'hash'], ['x', 'literal']]);
    expect(sorted(trie.match('*'))).toEqual(['hash', 'star']);
    expect(sorted(trie.match('#'))).toEqual(['hash', 'star']);
  });
});

describe('topic trie: tutorial five and RabbitMQ suites', () => {
  const tutorial: readonly (readonly [string, string])[] = [
    ['*.orange.*', 'Q1'],
    ['*.*.rabbit', 'Q2'],
    ['lazy.#', 'Q2'],
  ];

  it('R07 tutorial five: the nine keys reach Q1/Q2 as the tutorial says', () => {
    const trie = trieOf(tutorial);
    const cases: readonly (readonly [string, readonly string[]])[] = [
      ['quick.orange.rabbit', ['Q1', 'Q2']],
      ['lazy.orange.elephant', ['Q1', 'Q2']],
      ['quick.orange.fox', ['Q1']],
      ['lazy.brown.fox', ['Q2']],
      ['lazy.pink.rabbit', ['Q2']],
      ['quick.brown.fox', []],
      ['orange', []],
      ['quick.orange.new.rabbit', []],
      ['lazy.orange.new.rabbit', ['Q2']],
    ];
    for (const [key, expected] of cases) expect(sorted(trie.match(key)), key).toEqual(sorted(expected));
  });

  it('R07 lazy.pink.rabbit matches two of Q2\'s bindings and is delivered to Q2 once', () => {
    const trie = trieOf(tutorial);
    expect(trie.match('lazy.pink.rabbit')).toEqual(['Q2']);
    expect(trie.matchUncached('lazy.pink.rabbit')).toEqual(['Q2']);
  });

  it('R08 rabbit_db_topic_exchange_SUITE match vectors', () => {
    const trie = trieOf([
      ['a.b.c', 'q1'], ['a.*.c', 'q2'], ['*.#', 'q3'], ['#', 'q4'], ['#.#', 'q5'], ['a.*', 'q6'],
    ]);
    expect(sorted(trie.match('a.b.c'))).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    expect(sorted(trie.match('a.b'))).toEqual(['q3', 'q4', 'q5', 'q6']);
    expect(sorted(trie.match(''))).toEqual(['q4', 'q5']);
    expect(sorted(trie.match('zen.rabbit'))).toEqual(['q3', 'q4', 'q5']);
  });

  it('R08 set is idempotent and delete removes only the named bindings', () => {
    const trie = new TopicTrie<string>();
    expect(trie.match('a.b.c')).toEqual([]);
    expect(trie.add('a.b.c', 'q')).toBe(true);
    expect(trie.add('a.b.c', 'q')).toBe(false);
    expect(trie.match('a.b.c')).toEqual(['q']);
    expect(trie.remove('a.b.c', 'q')).toBe(true);
    expect(trie.remove('a.b.c', 'q')).toBe(false);
    for (const q of ['q1', 'q2', 'q3']) trie.add('a.b.c', q);
    expect(sorted(trie.match('a.b.c'))).toEqual(['q1', 'q2', 'q3']);
    trie.remove('a.b.c', 'q1');
    trie.remove('a.b.c', 'q2');
    expect(trie.match('a.b.c')).toEqual(['q3']);
  });

  it('R08 overlapping wildcard suites: foo.*, foo.#, a.b.*, a.*.# and friends', () => {
    const bindings: readonly (readonly [string, string])[] = [
      ['foo.*', 'fstar'], ['foo.#', 'fhash'], ['foo', 'foo'], ['a.b.*', 'abstar'], ['a.*.#', 'astarhash'],
      ['*.b.#', 'starbhash'], ['#.c', 'hashc'], ['#.b.c', 'hashbc'], ['a.#', 'ahash'], ['#.*', 'hashstar'],
      ['orders.*.confirmed', 'confirmed'], ['orders.#', 'orders'], ['events.user.#', 'user'],
    ];
    const trie = trieOf(bindings);
    const keys = ['foo', 'foo.bar', 'foo.bar.baz', 'a.b', 'a.b.c', 'a.x.c', 'b', 'c', 'x.b.c.d', 'orders.7.confirmed',
      'orders', 'events.user', 'events.user.signup', '', 'a', 'a..', '.b.c'];
    for (const key of keys) expect(sorted(trie.match(key)), key).toEqual(matchesOf(bindings, key));
    expect(sorted(trie.match('foo'))).toEqual(['fhash', 'foo', 'hashstar']);
    expect(sorted(trie.match('a.b'))).toEqual(['ahash', 'astarhash', 'hashstar', 'starbhash']);
  });
});

describe('topic trie: results and cache', () => {
  it('lists a destination once when several of its patterns match', () => {
    const trie = trieOf([['#', 'q'], ['a.#', 'q'], ['*.b', 'q'], ['a.b', 'q'], ['a.b', 'other']]);
    expect(sorted(trie.match('a.b'))).toEqual(['other', 'q']);
  });

  it('serves a repeated key from the cache: the same array comes back', () => {
    const trie = trieOf(RABBITMQ_BINDINGS);
    const first = trie.match('a.b.c');
    expect(trie.match('a.b.c')).toBe(first);
    expect(trie.cachedKeys).toBe(1);
  });

  it('a new binding invalidates cached results', () => {
    const trie = trieOf([['a.*', 'q1']]);
    expect(trie.match('a.b')).toEqual(['q1']);
    trie.add('#.b', 'q2');
    expect(sorted(trie.match('a.b'))).toEqual(['q1', 'q2']);
  });

  it('removing a binding invalidates cached results', () => {
    const trie = trieOf([['a.*', 'q1'], ['#', 'q2']]);
    expect(sorted(trie.match('a.b'))).toEqual(['q1', 'q2']);
    trie.remove('#', 'q2');
    expect(trie.match('a.b')).toEqual(['q1']);
  });

  it('a duplicate add or a missing remove keeps the cache', () => {
    const trie = trieOf([['a.*', 'q1']]);
    const first = trie.match('a.b');
    trie.add('a.*', 'q1');
    trie.remove('x.y', 'q1');
    trie.remove('a.*', 'nobody');
    expect(trie.match('a.b')).toBe(first);
  });

  it('a single pattern\'s result is shared without copying, and copied before the pattern changes', () => {
    const trie = trieOf([['a.*', 'q1'], ['a.*', 'q2']], 0);
    const first = trie.matchUncached('a.b');
    expect(trie.matchUncached('a.c')).toBe(first);
    trie.add('a.*', 'q3');
    expect(sorted(first)).toEqual(['q1', 'q2']);
    expect(sorted(trie.matchUncached('a.b'))).toEqual(['q1', 'q2', 'q3']);
    trie.remove('a.*', 'q1');
    expect(sorted(trie.matchUncached('a.b'))).toEqual(['q2', 'q3']);
  });

  it('a result handed out earlier does not change when bindings change', () => {
    const trie = trieOf([['a.*', 'q1']]);
    const before = trie.match('a.b');
    trie.add('a.b', 'q2');
    trie.remove('a.*', 'q1');
    expect(before).toEqual(['q1']);
    expect(trie.match('a.b')).toEqual(['q2']);
  });

  it('keeps at most cacheSize keys, evicting the oldest', () => {
    // Two patterns match every key, so each walk builds a new array and a cache hit is visible.
    const trie = trieOf([['#', 'q'], ['*', 'r']], 3);
    const first = trie.match('k1');
    expect(trie.match('k1')).toBe(first);
    trie.match('k2');
    trie.match('k3');
    trie.match('k4');
    expect(trie.cachedKeys).toBe(3);
    const again = trie.match('k1');
    expect(again).not.toBe(first);
    expect(sorted(again)).toEqual(['q', 'r']);
  });

  it('cacheSize 0 turns the cache off', () => {
    const trie = trieOf([['#', 'q']], 0);
    trie.match('a');
    expect(trie.cachedKeys).toBe(0);
  });

  it('has() answers for the exact (pattern, destination) pair', () => {
    const trie = trieOf([['a.#', 'q']]);
    expect(trie.has('a.#', 'q')).toBe(true);
    expect(trie.has('a.#', 'r')).toBe(false);
    expect(trie.has('a', 'q')).toBe(false);
  });

  it('works with non-string destinations compared by identity', () => {
    const q1 = { name: 'q1' };
    const q2 = { name: 'q2' };
    const trie = new TopicTrie<object>();
    trie.add('a.#', q1);
    trie.add('#', q2);
    trie.add('#', q1);
    expect(trie.match('a.b').length).toBe(2);
    trie.remove('#', q1);
    expect(trie.match('b')).toEqual([q2]);
  });
});

describe('topic trie: pathological patterns', () => {
  it('many # words against a long key finish and match (no exponential blow-up)', () => {
    const hashes = Array.from({ length: 20 }, () => '#').join('.');
    const trie = trieOf([[hashes, 'all'], [`${hashes}.b`, 'ends-b'], ['#.a.#.a.#.a.#.a.#.a.#.b', 'five-a-then-b']]);
    const key = Array.from({ length: 60 }, () => 'a').join('.');
    expect(trie.matchUncached(key)).toEqual(['all']);
    expect(sorted(trie.matchUncached(`${key}.b`))).toEqual(['all', 'ends-b', 'five-a-then-b']);
  });

  it('#.#.# style bindings over 100 words stay correct for every prefix length', () => {
    const trie = trieOf([['#.#.#', 'h3'], ['#.*.#.*.#', 'two-plus'], ['*.#.*.#.*', 'three-plus']]);
    for (let n = 0; n <= 100; n += 7) {
      const key = Array.from({ length: n }, (_, i) => `w${i}`).join('.');
      const expected = ['h3', ...(n >= 2 ? ['two-plus'] : []), ...(n >= 3 ? ['three-plus'] : [])];
      expect(sorted(trie.matchUncached(key)), `n=${n}`).toEqual(sorted(expected));
    }
  });
});

describe('topic trie: differential test against the reference matcher', () => {
  /** A small deterministic generator (LCG) so failures reproduce. */
  function generator(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 0x1_0000_0000;
    };
  }

  const PATTERN_WORDS = ['a', 'b', '', '*', '#', 'a*', '#b'];
  const KEY_WORDS = ['a', 'b', '', '*', '#', 'a*', 'c'];

  function randomKey(next: () => number, words: readonly string[], maxWords: number): string {
    const count = Math.floor(next() * (maxWords + 1));
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(words[Math.floor(next() * words.length)]!);
    return out.join('.');
  }

  for (const seed of [1, 2, 3, 4]) {
    it(`matches the reference on random patterns and keys, with empty words, * and # (seed ${seed})`, () => {
      const next = generator(seed);
      const bindings: [string, string][] = [];
      for (let i = 0; i < 300; i++) bindings.push([randomKey(next, PATTERN_WORDS, 6), `d${Math.floor(next() * 40)}`]);
      const trie = trieOf(bindings, 64);
      const keys = Array.from({ length: 1500 }, () => randomKey(next, KEY_WORDS, 7));
      for (const key of keys) expect(sorted(trie.match(key)), `key ${JSON.stringify(key)}`).toEqual(matchesOf(bindings, key));

      // Remove about half the bindings, then check again, cache and all.
      // Bindings are a set, so removing a pair removes every duplicate of it.
      const removed = new Set<string>();
      for (const [pattern, destination] of bindings) {
        if (next() < 0.5) {
          trie.remove(pattern, destination);
          removed.add(`${pattern}\u0000${destination}`);
        }
      }
      const kept = bindings.filter(([pattern, destination]) => !removed.has(`${pattern}\u0000${destination}`));
      for (const key of keys) expect(sorted(trie.match(key)), `after remove, key ${JSON.stringify(key)}`).toEqual(matchesOf(kept, key));
      for (const key of keys.slice(0, 300)) expect(sorted(trie.matchUncached(key))).toEqual(matchesOf(kept, key));
    });
  }
});
