import { describe, expect, it } from 'vitest';
import { fanoutExchangeType } from './builtin-exchange-types.js';
import { FanoutMatcher } from './fanout-match.js';

describe('fanout matcher', () => {
  it('R11 copies to every bound destination once, whatever the routing key', () => {
    const router = fanoutExchangeType.createRouter<string>();
    router.bind('Q', 'Q');
    router.bind('AltQ', 'AltQ');
    router.bind('other-key', 'Q');
    for (const key of ['Q', 'anyotherkey', '', '#']) expect([...router.route(key)].sort()).toEqual(['AltQ', 'Q']);
  });

  it('R11 unbinding one of a queue\'s two bindings keeps the queue bound', () => {
    const router = fanoutExchangeType.createRouter<string>();
    router.bind('a', 'Q');
    router.bind('b', 'Q');
    router.unbind('a', 'Q');
    expect(router.route('x')).toEqual(['Q']);
    router.unbind('b', 'Q');
    expect(router.route('x')).toEqual([]);
  });

  it('add and remove are idempotent and results are stable snapshots', () => {
    const fanout = new FanoutMatcher<string>();
    expect(fanout.add('a')).toBe(true);
    expect(fanout.add('a')).toBe(false);
    const before = fanout.match();
    fanout.add('b');
    expect(before).toEqual(['a']);
    expect(fanout.remove('a')).toBe(true);
    expect(fanout.remove('a')).toBe(false);
    expect(fanout.match()).toEqual(['b']);
    expect(fanout.size).toBe(1);
    fanout.clear();
    expect(fanout.match()).toEqual([]);
  });
});
