/**
 * G01–G14 (subset): the assignment rules (Kafka's javadoc and assignor test vectors) through the
 * coordinator's assignors, and the offsets-partition mapping. Group membership over time (G01,
 * G08–G12, G14) needs the consumer client and is not ported here yet.
 */
import { describe, expect, it } from 'vitest';
import { groups } from '../../core/internal.js';
import { requires } from '../support/target.js';

type Assignment = ReturnType<typeof groups.assignRange>;

function names(assignment: Assignment, memberId: string): string[] {
  const list = assignment.get(memberId);
  if (list === undefined) throw new Error(`no entry for ${memberId}`);
  return list.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));
}

const counts = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

describe('consumer groups', () => {
  it('G02 two members and one partition: one member gets [] and is still in the assignment', (ctx) => {
    requires(ctx, 'kafka');
    for (const assign of [groups.assignRange, groups.assignRoundRobin]) {
      const a = assign([{ memberId: 'C0', subscription: ['t'] }, { memberId: 'C1', subscription: ['t'] }], counts({ t: 1 }));
      expect([names(a, 'C0'), names(a, 'C1')]).toEqual([['t-0'], []]);
    }
  });

  it('G03 range: javadoc example and testMultipleConsumersMixedTopics', (ctx) => {
    requires(ctx, 'kafka');
    const doc = groups.assignRange([{ memberId: 'C0', subscription: ['t0', 't1'] }, { memberId: 'C1', subscription: ['t0', 't1'] }], counts({ t0: 3, t1: 3 }));
    expect([names(doc, 'C0'), names(doc, 'C1')]).toEqual([['t0-0', 't0-1', 't1-0', 't1-1'], ['t0-2', 't1-2']]);
    const mixed = groups.assignRange(
      [
        { memberId: 'consumer1', subscription: ['topic1'] },
        { memberId: 'consumer2', subscription: ['topic1', 'topic2'] },
        { memberId: 'consumer3', subscription: ['topic1'] },
      ],
      counts({ topic1: 3, topic2: 2 }),
    );
    expect(['consumer1', 'consumer2', 'consumer3'].map((m) => names(mixed, m))).toEqual([['topic1-0'], ['topic1-1', 'topic2-0', 'topic2-1'], ['topic1-2']]);
  });

  it('G04 roundrobin: javadoc examples with identical and mixed subscriptions', (ctx) => {
    requires(ctx, 'kafka');
    const same = groups.assignRoundRobin([{ memberId: 'C0', subscription: ['t0', 't1'] }, { memberId: 'C1', subscription: ['t0', 't1'] }], counts({ t0: 3, t1: 3 }));
    expect([names(same, 'C0'), names(same, 'C1')]).toEqual([['t0-0', 't0-2', 't1-1'], ['t0-1', 't1-0', 't1-2']]);
    const mixed = groups.assignRoundRobin(
      [
        { memberId: 'C0', subscription: ['t0'] },
        { memberId: 'C1', subscription: ['t0', 't1'] },
        { memberId: 'C2', subscription: ['t0', 't1', 't2'] },
      ],
      counts({ t0: 1, t1: 2, t2: 3 }),
    );
    expect(['C0', 'C1', 'C2'].map((m) => names(mixed, m))).toEqual([['t0-0'], ['t1-0'], ['t1-1', 't2-0', 't2-1', 't2-2']]);
  });

  it('G13 a group maps to __consumer_offsets partition abs(hashCode) % 50; Integer.MIN_VALUE maps to 0', (ctx) => {
    requires(ctx, 'kafka');
    expect(groups.offsetsPartitionFor('hello')).toBe(99162322 % 50);
    expect(groups.offsetsPartitionFor('Hello World')).toBe(862545276 % 50);
    expect(groups.kafkaAbs(-2147483648)).toBe(0);
  });
});
