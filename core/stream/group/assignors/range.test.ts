import { describe, expect, it } from 'vitest';
import { assignRange, rangeAssignor } from './range.js';
import type { AssignorMember, GroupAssignment } from './types.js';

/** `tp(topic, p)` names like the Kafka tests' `tp(topic1, 0)`: "topic1-0". */
function names(assignment: GroupAssignment, memberId: string): string[] {
  const list = assignment.get(memberId);
  if (list === undefined) throw new Error(`no entry for ${memberId}`);
  return list.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));
}

const counts = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

describe('RangeAssignor', () => {
  it('is named range', () => {
    expect(rangeAssignor.name).toBe('range');
  });

  it('G03 range javadoc example: C0 [t0p0, t0p1, t1p0, t1p1], C1 [t0p2, t1p2]', () => {
    const members: AssignorMember[] = [
      { memberId: 'C0', subscription: ['t0', 't1'] },
      { memberId: 'C1', subscription: ['t0', 't1'] },
    ];
    const a = assignRange(members, counts({ t0: 3, t1: 3 }));
    expect(names(a, 'C0')).toEqual(['t0-0', 't0-1', 't1-0', 't1-1']);
    expect(names(a, 'C1')).toEqual(['t0-2', 't1-2']);
  });

  it('G03 range testMultipleConsumersMixedTopics vector', () => {
    const members: AssignorMember[] = [
      { memberId: 'consumer1', subscription: ['topic1'] },
      { memberId: 'consumer2', subscription: ['topic1', 'topic2'] },
      { memberId: 'consumer3', subscription: ['topic1'] },
    ];
    const a = assignRange(members, counts({ topic1: 3, topic2: 2 }));
    expect(names(a, 'consumer1')).toEqual(['topic1-0']);
    expect(names(a, 'consumer2')).toEqual(['topic1-1', 'topic2-0', 'topic2-1']);
    expect(names(a, 'consumer3')).toEqual(['topic1-2']);
  });

  it('G03 range testTwoConsumersTwoTopicsSixPartitions vector', () => {
    const members: AssignorMember[] = [
      { memberId: 'consumer1', subscription: ['topic1', 'topic2'] },
      { memberId: 'consumer2', subscription: ['topic1', 'topic2'] },
    ];
    const a = assignRange(members, counts({ topic1: 3, topic2: 3 }));
    expect(names(a, 'consumer1')).toEqual(['topic1-0', 'topic1-1', 'topic2-0', 'topic2-1']);
    expect(names(a, 'consumer2')).toEqual(['topic1-2', 'topic2-2']);
  });

  it('G02 idle member: 2 members, 1 partition → one gets [] and keeps its entry', () => {
    const members: AssignorMember[] = [
      { memberId: 'consumer1', subscription: ['topic1'] },
      { memberId: 'consumer2', subscription: ['topic1'] },
    ];
    const a = assignRange(members, counts({ topic1: 1 }));
    expect(names(a, 'consumer1')).toEqual(['topic1-0']);
    expect(a.get('consumer2')).toEqual([]);
    expect([...a.keys()]).toEqual(['consumer1', 'consumer2']);
  });

  it('G05 member order: a static member sorts before a dynamic one whatever the member ids', () => {
    // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    const members: AssignorMember[] = [
      { memberId: 'consumer-b', groupInstanceId: 'instance1', subscription: ['topic1', 'topic2'] },
      { memberId: 'consumer-a', subscription: ['topic1', 'topic2'] },
    ];
    const a = assignRange(members, counts({ topic1: 3, topic2: 3 }));
    expect(names(a, 'consumer-b')).toEqual(['topic1-0', 'topic1-1', 'topic2-0', 'topic2-1']);
    expect(names(a, 'consumer-a')).toEqual(['topic1-2', 'topic2-2']);
  });

  it('G05 member order: static members compare by instance id, not member id', () => {
    // testTwoStaticConsumersTwoTopicsSixPartitions
    const members: AssignorMember[] = [
      { memberId: 'consumer-b', groupInstanceId: 'instance1', subscription: ['topic1', 'topic2'] },
      { memberId: 'consumer-a', groupInstanceId: 'instance2', subscription: ['topic1', 'topic2'] },
    ];
    const a = assignRange(members, counts({ topic1: 3, topic2: 3 }));
    expect(names(a, 'consumer-b')).toEqual(['topic1-0', 'topic1-1', 'topic2-0', 'topic2-1']);
    expect(names(a, 'consumer-a')).toEqual(['topic1-2', 'topic2-2']);
  });

  it('G05 member order: static assignments persist when a dynamic member is replaced (testStaticMemberRangeAssignmentPersistent)', () => {
    const statics: AssignorMember[] = [1, 2, 3].map((i) => ({
      memberId: `consumer${i}`,
      groupInstanceId: `instance${i}`,
      subscription: ['topic1', 'topic2'],
    }));
    const partitions = counts({ topic1: 5, topic2: 4 });
    const first = assignRange([...statics, { memberId: 'consumer4', subscription: ['topic1', 'topic2'] }], partitions);
    expect(names(first, 'consumer1')).toEqual(['topic1-0', 'topic1-1', 'topic2-0']);
    expect(names(first, 'consumer2')).toEqual(['topic1-2', 'topic2-1']);
    expect(names(first, 'consumer3')).toEqual(['topic1-3', 'topic2-2']);
    expect(names(first, 'consumer4')).toEqual(['topic1-4', 'topic2-3']);
    const second = assignRange([{ memberId: 'consumer5', subscription: ['topic1', 'topic2'] }, ...statics], partitions);
    expect(names(second, 'consumer1')).toEqual(names(first, 'consumer1'));
    expect(names(second, 'consumer5')).toEqual(['topic1-4', 'topic2-3']);
  });

  it('assigns only subscribed topics with known partitions, whatever order members come in', () => {
    const members: AssignorMember[] = [
      { memberId: 'b', subscription: ['t', 'missing'] },
      { memberId: 'a', subscription: ['t'] },
    ];
    const a = assignRange(members, counts({ t: 3, other: 5 }));
    expect(names(a, 'a')).toEqual(['t-0', 't-1']);
    expect(names(a, 'b')).toEqual(['t-2']);
  });
});
