import { describe, expect, it } from 'vitest';
import { assignRoundRobin, roundRobinAssignor } from './round-robin.js';
import type { AssignorMember, GroupAssignment } from './types.js';

function names(assignment: GroupAssignment, memberId: string): string[] {
  const list = assignment.get(memberId);
  if (list === undefined) throw new Error(`no entry for ${memberId}`);
  return list.flatMap((t) => t.partitions.map((p) => `${t.topic}p${p}`));
}

const counts = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

describe('RoundRobinAssignor', () => {
  it('is named roundrobin', () => {
    expect(roundRobinAssignor.name).toBe('roundrobin');
  });

  it('G04 roundrobin javadoc example, identical subscriptions: C0 [t0p0, t0p2, t1p1], C1 [t0p1, t1p0, t1p2]', () => {
    const members: AssignorMember[] = [
      { memberId: 'C0', subscription: ['t0', 't1'] },
      { memberId: 'C1', subscription: ['t0', 't1'] },
    ];
    const a = assignRoundRobin(members, counts({ t0: 3, t1: 3 }));
    expect(names(a, 'C0')).toEqual(['t0p0', 't0p2', 't1p1']);
    expect(names(a, 'C1')).toEqual(['t0p1', 't1p0', 't1p2']);
  });

  it('G04 roundrobin javadoc example, mixed subscriptions: C0 [t0p0], C1 [t1p0], C2 [t1p1, t2p0, t2p1, t2p2]', () => {
    const members: AssignorMember[] = [
      { memberId: 'C0', subscription: ['t0'] },
      { memberId: 'C1', subscription: ['t0', 't1'] },
      { memberId: 'C2', subscription: ['t0', 't1', 't2'] },
    ];
    const a = assignRoundRobin(members, counts({ t0: 1, t1: 2, t2: 3 }));
    expect(names(a, 'C0')).toEqual(['t0p0']);
    expect(names(a, 'C1')).toEqual(['t1p0']);
    expect(names(a, 'C2')).toEqual(['t1p1', 't2p0', 't2p1', 't2p2']);
  });

  it('G04 roundrobin javadoc example: dynamic members reshuffle after a rolling bounce', () => {
    const before = assignRoundRobin(
      ['C0', 'C1', 'C2'].map((memberId) => ({ memberId, subscription: ['t0', 't1'] })),
      counts({ t0: 3, t1: 3 }),
    );
    expect(names(before, 'C0')).toEqual(['t0p0', 't1p0']);
    expect(names(before, 'C1')).toEqual(['t0p1', 't1p1']);
    expect(names(before, 'C2')).toEqual(['t0p2', 't1p2']);
    // C0 -> C5, C1 -> C3, C2 -> C4
    const after = assignRoundRobin(
      ['C5', 'C3', 'C4'].map((memberId) => ({ memberId, subscription: ['t0', 't1'] })),
      counts({ t0: 3, t1: 3 }),
    );
    expect(names(after, 'C3')).toEqual(['t0p0', 't1p0']);
    expect(names(after, 'C4')).toEqual(['t0p1', 't1p1']);
    expect(names(after, 'C5')).toEqual(['t0p2', 't1p2']);
  });

  it('G05 member order: static members keep their partitions across new member ids (javadoc I0..I2)', () => {
    const round = (ids: readonly string[]): GroupAssignment =>
      assignRoundRobin(
        ids.map((memberId, i) => ({ memberId, groupInstanceId: `I${i}`, subscription: ['t0', 't1'] })),
        counts({ t0: 3, t1: 3 }),
      );
    for (const ids of [['C0', 'C1', 'C2'], ['C5', 'C3', 'C4']]) {
      const a = round(ids);
      expect(names(a, ids[0] ?? '')).toEqual(['t0p0', 't1p0']);
      expect(names(a, ids[1] ?? '')).toEqual(['t0p1', 't1p1']);
      expect(names(a, ids[2] ?? '')).toEqual(['t0p2', 't1p2']);
    }
  });

  it('G05 member order: static before dynamic, dynamic by member id', () => {
    const a = assignRoundRobin(
      [
        { memberId: 'a-dynamic', subscription: ['t'] },
        { memberId: 'z-static', groupInstanceId: 'i', subscription: ['t'] },
        { memberId: 'b-dynamic', subscription: ['t'] },
      ],
      counts({ t: 3 }),
    );
    expect(names(a, 'z-static')).toEqual(['tp0']);
    expect(names(a, 'a-dynamic')).toEqual(['tp1']);
    expect(names(a, 'b-dynamic')).toEqual(['tp2']);
  });

  it('G02 idle member: more members than partitions → the last ones get []', () => {
    const a = assignRoundRobin(
      ['m1', 'm2', 'm3'].map((memberId) => ({ memberId, subscription: ['t'] })),
      counts({ t: 2 }),
    );
    expect(names(a, 'm1')).toEqual(['tp0']);
    expect(names(a, 'm2')).toEqual(['tp1']);
    expect(a.get('m3')).toEqual([]);
  });
});
