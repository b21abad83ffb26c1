/**
 * G01–G14 (subset): the assignment rules (Kafka's javadoc and assignor test vectors) through the
 * coordinator's assignors, the offsets-partition mapping, and membership over time (G01, G11, G12)
 * through the group coordinator driven with explicit time, so no check waits on a clock.
 */
import { describe, expect, it } from 'vitest';
import { groups } from '../../core/internal.js';
import { requires } from '../support/target.js';

type Assignment = ReturnType<typeof groups.assignRange>;
type TopicPartitions = groups.TopicPartitions;

/** "t0p1" -> [{ topic: t0, partitions: [1] }] lists, for ownedPartitions. */
function owned(...tps: string[]): TopicPartitions[] {
  return tps.map((s) => {
    const [topic, p] = s.split('p');
    return { topic: topic ?? '', partitions: [Number(p)] };
  });
}

function sticky(assignment: Assignment, memberId: string): string[] {
  return names(assignment, memberId).map((n) => n.replace(/-(\d+)$/, 'p$1'));
}

function flat(list: readonly TopicPartitions[]): string[] {
  return list.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));
}

/** The Kafka error code a coordinator call throws (fails when it throws none). */
function code(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    const c = (error as { code?: unknown }).code;
    if (typeof c === 'number') return c;
    throw error;
  }
  throw new Error('expected a Kafka error');
}

function done<T>(outcome: groups.GroupOutcome<T>): T {
  if (outcome.status !== 'done') throw new Error('expected an answer, got a parked request');
  return outcome.response;
}

function newCoordinator(partitions: Record<string, number>): groups.GroupCoordinator {
  const counts = new Map(Object.entries(partitions));
  let n = 0;
  return new groups.GroupCoordinator({ partitionCount: (t) => counts.get(t), generateUuid: () => `uuid${++n}` });
}

interface JoinArgs {
  readonly groupId?: string;
  readonly memberId?: string;
  readonly sessionTimeoutMs?: number;
  readonly protocol?: string;
}

function join(c: groups.GroupCoordinator, args: JoinArgs, nowMs: number): groups.GroupOutcome<groups.JoinGroupResponse> {
  return c.joinGroup(
    {
      groupId: args.groupId ?? 'g',
      memberId: args.memberId ?? '',
      clientId: 'conformance',
      sessionTimeoutMs: args.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: 30_000,
      protocolType: 'consumer',
      protocols: [{ name: args.protocol ?? 'range', metadata: { topics: ['t'] } }],
    },
    nowMs,
  );
}

/** A new dynamic member: JoinGroup, MEMBER_ID_REQUIRED (79) with its id, JoinGroup again. */
function joinNew(c: groups.GroupCoordinator, args: JoinArgs, nowMs: number): { memberId: string; outcome: groups.GroupOutcome<groups.JoinGroupResponse> } {
  let memberId: string | undefined;
  try {
    join(c, { ...args, memberId: '' }, nowMs);
  } catch (error) {
    if (error instanceof groups.MemberIdRequiredError) memberId = error.memberId;
    else throw error;
  }
  if (memberId === undefined) throw new Error('expected MEMBER_ID_REQUIRED');
  return { memberId, outcome: join(c, { ...args, memberId }, nowMs) };
}

function sync(c: groups.GroupCoordinator, groupId: string, memberId: string, generationId: number, nowMs: number): groups.GroupOutcome<groups.SyncGroupResponse> {
  return c.syncGroup({ groupId, memberId, generationId }, nowMs);
}

/** Forms a two-member group at generation 2 (a leads); returns each member's assignment. */
function twoMembers(c: groups.GroupCoordinator, args: JoinArgs, nowMs: number): { a: string; b: string; assignments: Map<string, string[]> } {
  const groupId = args.groupId ?? 'g';
  const a = joinNew(c, args, nowMs);
  done(a.outcome);
  done(sync(c, groupId, a.memberId, 1, nowMs));
  const b = joinNew(c, args, nowMs);
  expect(b.outcome.status).toBe('pending');
  done(join(c, { ...args, memberId: a.memberId }, nowMs));
  c.drainCompletions();
  expect(sync(c, groupId, b.memberId, 2, nowMs).status).toBe('pending');
  const assignments = new Map<string, string[]>([[a.memberId, flat(done(sync(c, groupId, a.memberId, 2, nowMs)).assignment)]]);
  for (const completion of c.drainCompletions()) {
    if (completion.api === 'SyncGroup' && completion.response !== undefined) assignments.set(completion.memberId, flat(completion.response.assignment));
  }
  expect([...assignments.keys()].sort()).toEqual([a.memberId, b.memberId].sort());
  return { a: a.memberId, b: b.memberId, assignments };
}

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

  it('G05 member order: static members (by instance id) sort before dynamic ones (by member id)', (ctx) => {
    requires(ctx, 'kafka');
    const topics = ['topic1', 'topic2'];
    const six = counts({ topic1: 3, topic2: 3 });
    // RangeAssignorTest testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    const mixed = groups.assignRange([{ memberId: 'consumer-b', groupInstanceId: 'instance1', subscription: topics }, { memberId: 'consumer-a', subscription: topics }], six);
    expect([names(mixed, 'consumer-b'), names(mixed, 'consumer-a')]).toEqual([['topic1-0', 'topic1-1', 'topic2-0', 'topic2-1'], ['topic1-2', 'topic2-2']]);
    // testTwoStaticConsumersTwoTopicsSixPartitions: instance ids decide, not member ids
    const statics = groups.assignRange(
      [{ memberId: 'consumer-b', groupInstanceId: 'instance1', subscription: topics }, { memberId: 'consumer-a', groupInstanceId: 'instance2', subscription: topics }],
      six,
    );
    expect([names(statics, 'consumer-b'), names(statics, 'consumer-a')]).toEqual([['topic1-0', 'topic1-1', 'topic2-0', 'topic2-1'], ['topic1-2', 'topic2-2']]);
    // dynamic members order by member id, whatever order they are listed in
    const dynamic = groups.assignRange([{ memberId: 'm2', subscription: ['t'] }, { memberId: 'm1', subscription: ['t'] }], counts({ t: 3 }));
    expect([names(dynamic, 'm1'), names(dynamic, 'm2')]).toEqual([['t-0', 't-1'], ['t-2']]);
  });

  it('G06 sticky: javadoc examples 1 and 2, before and after a member leaves', (ctx) => {
    requires(ctx, 'kafka');
    const all4 = ['t0', 't1', 't2', 't3'];
    const example1 = counts({ t0: 2, t1: 2, t2: 2, t3: 2 });
    const fresh = groups.assignSticky(['C0', 'C1', 'C2'].map((memberId) => ({ memberId, subscription: all4 })), example1);
    expect(['C0', 'C1', 'C2'].map((m) => sticky(fresh, m))).toEqual([['t0p0', 't1p1', 't3p0'], ['t0p1', 't2p0', 't3p1'], ['t1p0', 't2p1']]);
    const afterC1 = groups.assignSticky(
      [
        { memberId: 'C0', subscription: all4, ownedPartitions: owned('t0p0', 't1p1', 't3p0'), generationId: 1 },
        { memberId: 'C2', subscription: all4, ownedPartitions: owned('t1p0', 't2p1'), generationId: 1 },
      ],
      example1,
    );
    // Every previous assignment kept; C1's three partitions shared out, 4 each.
    expect(sticky(afterC1, 'C0')).toEqual(expect.arrayContaining(['t0p0', 't1p1', 't3p0']));
    expect(sticky(afterC1, 'C2')).toEqual(expect.arrayContaining(['t1p0', 't2p1']));
    expect([sticky(afterC1, 'C0').length, sticky(afterC1, 'C2').length]).toEqual([4, 4]);
    const example2 = counts({ t0: 1, t1: 2, t2: 3 });
    const mixed = groups.assignSticky(
      [
        { memberId: 'C0', subscription: ['t0'] },
        { memberId: 'C1', subscription: ['t0', 't1'] },
        { memberId: 'C2', subscription: ['t0', 't1', 't2'] },
      ],
      example2,
    );
    expect(['C0', 'C1', 'C2'].map((m) => sticky(mixed, m))).toEqual([['t0p0'], ['t1p0', 't1p1'], ['t2p0', 't2p1', 't2p2']]);
    const afterC0 = groups.assignSticky(
      [
        { memberId: 'C1', subscription: ['t0', 't1'], ownedPartitions: owned('t1p0', 't1p1'), generationId: 1 },
        { memberId: 'C2', subscription: ['t0', 't1', 't2'], ownedPartitions: owned('t2p0', 't2p1', 't2p2'), generationId: 1 },
      ],
      example2,
    );
    expect([sticky(afterC0, 'C1'), sticky(afterC0, 'C2')]).toEqual([['t0p0', 't1p0', 't1p1'], ['t2p0', 't2p1', 't2p2']]);
  });

  it('G07 sticky balance, identical subscriptions: sizes in {floor, ceil}, exactly P%C at ceil, owned partitions kept', (ctx) => {
    requires(ctx, 'kafka');
    // Fixed, unbalanced ownership: 11 partitions over 4 members (floor 2, ceil 3, 3 members at ceil).
    const partitions = counts({ t: 11 });
    const ownership: Record<string, number[]> = { A: [0, 1, 2, 3, 4, 5], B: [6, 7], C: [8], D: [] };
    const members = Object.entries(ownership).map(([memberId, ps]) => ({ memberId, subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: ps }], generationId: 1 }));
    const a = groups.assignSticky(members, partitions);
    const sizes = members.map((m) => names(a, m.memberId).length);
    expect(sizes.every((n) => n === 2 || n === 3)).toBe(true);
    expect(sizes.filter((n) => n === 3)).toHaveLength(11 % 4);
    expect(members.flatMap((m) => names(a, m.memberId)).sort()).toEqual(Array.from({ length: 11 }, (_, p) => `t-${p}`).sort());
    // Kept: every member keeps as much of what it owned as its quota allows.
    for (const m of members) {
      const kept = names(a, m.memberId).filter((n) => (ownership[m.memberId] ?? []).includes(Number(n.slice(2))));
      expect(kept.length, m.memberId).toBe(Math.min((ownership[m.memberId] ?? []).length, names(a, m.memberId).length));
    }
  });

  it('G08 cooperative: a joining member gets nothing while others still own its partitions; only moved partitions are revoked', (ctx) => {
    requires(ctx, 'kafka');
    const partitions = counts({ t: 9 });
    const owning = [
      { memberId: 'C0', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [0, 1, 2] }], generationId: 1 },
      { memberId: 'C1', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [3, 4, 5] }], generationId: 1 },
      { memberId: 'C2', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [6, 7, 8] }], generationId: 1 },
    ];
    const first = groups.assignCooperativeSticky([...owning, { memberId: 'C3', subscription: ['t'], ownedPartitions: [], generationId: -1 }], partitions);
    expect(first.get('C3')).toEqual([]);
    const revoked: string[] = [];
    for (const m of owning) {
      const before = flat(m.ownedPartitions);
      const after = names(first, m.memberId);
      for (const p of after) expect(before).toContain(p);
      revoked.push(...before.filter((p) => !after.includes(p)));
    }
    expect(revoked).toHaveLength(2);
    // The follow-up rebalance hands exactly the revoked partitions to C3; the others stay put.
    const second = groups.assignCooperativeSticky(
      ['C0', 'C1', 'C2', 'C3'].map((memberId) => ({ memberId, subscription: ['t'], ownedPartitions: first.get(memberId) ?? [], generationId: 2 })),
      partitions,
    );
    expect(names(second, 'C3').sort()).toEqual([...revoked].sort());
    for (const id of ['C0', 'C1', 'C2']) expect(names(second, id)).toEqual(names(first, id));
  });

  it('G01 exclusivity: each partition goes to exactly one member per group; every group gets every partition', (ctx) => {
    requires(ctx, 'kafka');
    for (const protocol of ['range', 'roundrobin', 'sticky', 'cooperative-sticky']) {
      const c = newCoordinator({ t: 5 });
      for (const groupId of ['group-a', 'group-b']) {
        const { assignments } = twoMembers(c, { groupId, protocol }, 0);
        const all = [...assignments.values()].flat();
        expect(new Set(all).size, `${protocol} ${groupId}: a partition assigned twice`).toBe(all.length);
        if (protocol !== 'cooperative-sticky') expect(all.sort(), `${protocol} ${groupId}`).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4']);
      }
    }
  });

  it('G11 liveness: no heartbeat for session.timeout.ms (45 s) removes the member and rebalances the group', (ctx) => {
    requires(ctx, 'kafka');
    const c = newCoordinator({ t: 4 });
    const args = { sessionTimeoutMs: 45_000 };
    const { a, b } = twoMembers(c, args, 0);
    for (let t = 10_000; t <= 40_000; t += 10_000) {
      c.tick(t);
      c.heartbeat({ groupId: 'g', memberId: a, generationId: 2 }, t);
    }
    c.tick(44_999);
    expect(c.describeGroup('g').members).toHaveLength(2);
    c.tick(45_000);
    expect(c.describeGroup('g').members.map((m) => m.memberId)).toEqual([a]);
    expect(c.describeGroup('g').state).toBe('PreparingRebalance');
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: a, generationId: 2 }, 46_000))).toBe(27);
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: b, generationId: 2 }, 46_000))).toBe(25);
    expect(done(join(c, { ...args, memberId: a }, 46_000)).generationId).toBe(3);
    expect(flat(done(sync(c, 'g', a, 3, 46_000)).assignment)).toEqual(['t-0', 't-1', 't-2', 't-3']);
  });

  it('G12 fencing: stale generation → 22, unknown member → 25, mid-rebalance → 27, session timeout outside [6000, 1800000] → 26', (ctx) => {
    requires(ctx, 'kafka');
    const c = newCoordinator({ t: 2 });
    expect(code(() => join(c, { groupId: 'bounds', sessionTimeoutMs: 5_999 }, 0))).toBe(26);
    expect(code(() => join(c, { groupId: 'bounds', sessionTimeoutMs: 1_800_001 }, 0))).toBe(26);
    expect(code(() => join(c, { groupId: 'bounds', sessionTimeoutMs: 6_000 }, 0))).toBe(79);
    expect(code(() => join(c, { groupId: 'bounds', sessionTimeoutMs: 1_800_000 }, 0))).toBe(79);
    const a = joinNew(c, {}, 0);
    done(sync(c, 'g', a.memberId, 1, 0));
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 0 }, 0))).toBe(22);
    expect(code(() => sync(c, 'g', a.memberId, 7, 0))).toBe(22);
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: 'nobody', generationId: 1 }, 0))).toBe(25);
    expect(code(() => join(c, { memberId: 'nobody' }, 0))).toBe(25);
    joinNew(c, {}, 0); // a newcomer starts a rebalance
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 }, 0))).toBe(27);
    expect(code(() => sync(c, 'g', a.memberId, 1, 0))).toBe(27);
  });

  it('G13 a group maps to __consumer_offsets partition abs(hashCode) % 50; Integer.MIN_VALUE maps to 0', (ctx) => {
    requires(ctx, 'kafka');
    expect(groups.offsetsPartitionFor('hello')).toBe(99162322 % 50);
    expect(groups.offsetsPartitionFor('Hello World')).toBe(862545276 % 50);
    expect(groups.kafkaAbs(-2147483648)).toBe(0);
  });
});
