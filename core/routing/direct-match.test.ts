import { describe, expect, it } from 'vitest';
import { directExchangeType } from './builtin-exchange-types.js';
import { DirectMatcher } from './direct-match.js';

describe('direct matcher', () => {
  it('R11 tutorial four: error reaches both queues, info and warning only the second', () => {
    const direct = new DirectMatcher<string>();
    direct.add('error', 'Q1');
    for (const severity of ['info', 'error', 'warning']) direct.add(severity, 'Q2');
    expect([...direct.match('error')].sort()).toEqual(['Q1', 'Q2']);
    expect(direct.match('info')).toEqual(['Q2']);
    expect(direct.match('warning')).toEqual(['Q2']);
    expect(direct.match('debug')).toEqual([]);
  });

  it('R11 matches exactly and case-sensitively', () => {
    const direct = new DirectMatcher<string>();
    direct.add('black', 'q');
    expect(direct.match('Black')).toEqual([]);
    expect(direct.match('black ')).toEqual([]);
    expect(direct.match('black.x')).toEqual([]);
    expect(direct.match('black')).toEqual(['q']);
  });

  it('R11 two queues bound with black both receive one copy', () => {
    const direct = new DirectMatcher<string>();
    direct.add('black', 'Q1');
    direct.add('black', 'Q2');
    direct.add('black', 'Q2');
    expect([...direct.match('black')].sort()).toEqual(['Q1', 'Q2']);
    expect(direct.size).toBe(2);
  });

  it('treats the empty key like any other key, with no wildcards', () => {
    const direct = new DirectMatcher<string>();
    direct.add('', 'empty');
    direct.add('#', 'hash');
    expect(direct.match('')).toEqual(['empty']);
    expect(direct.match('a')).toEqual([]);
    expect(direct.match('#')).toEqual(['hash']);
  });

  it('remove deletes only the named binding and reports whether it existed', () => {
    const direct = new DirectMatcher<string>();
    direct.add('k', 'a');
    direct.add('k', 'b');
    expect(direct.remove('k', 'a')).toBe(true);
    expect(direct.remove('k', 'a')).toBe(false);
    expect(direct.remove('nope', 'b')).toBe(false);
    expect(direct.match('k')).toEqual(['b']);
    expect(direct.has('k', 'b')).toBe(true);
    direct.remove('k', 'b');
    expect(direct.match('k')).toEqual([]);
    expect(direct.size).toBe(0);
  });

  it('a result handed out earlier does not change when bindings change', () => {
    const direct = new DirectMatcher<string>();
    direct.add('k', 'a');
    const before = direct.match('k');
    direct.add('k', 'b');
    direct.remove('k', 'a');
    expect(before).toEqual(['a']);
    expect(direct.match('k')).toEqual(['b']);
  });

  it('the direct exchange type keeps a route while any binding with other arguments remains', () => {
    const router = directExchangeType.createRouter<string>();
    expect(router.bind('k', 'q', {})).toBe(true);
    expect(router.bind('k', 'q', { tag: 1 })).toBe(true);
    expect(router.bind('k', 'q')).toBe(false);
    expect(router.size).toBe(2);
    expect(router.unbind('k', 'q')).toBe(true);
    expect(router.route('k')).toEqual(['q']);
    expect(router.unbind('k', 'q', { tag: 1 })).toBe(true);
    expect(router.route('k')).toEqual([]);
  });
});
