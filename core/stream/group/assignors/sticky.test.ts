import { describe, expect, it } from 'vitest';
import { assignSticky, stickyAssignor } from './sticky.js';
import type { AssignorMember, GroupAssignment, TopicPartitions } from './types.js';

function names(assignment: GroupAssignment, memberId: string): string[] {
  const list = assignment.get(memberId);
  if (list === undefined) throw new Error(`no entry for ${memberId}`);
  return list.flatMap((t) => t.partitions.map((p) => `${t.topic}p${p}`));
}

/** "t0p1" -> { topic: t0, partitions: [1] } lists. */
function owned(...tps: string[]): TopicPartitions[] {
  return tps.map((s) => {
    const [topic, p] = s.split('p');
    return { topic: topic ?? '', partitions: [Number(p)] };
  });
}

const counts = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

/** Deterministic PRNG (mulberry32) so random cases replay. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function allPartitionNames(partitions: ReadonlyMap<string, number>, topics: Iterable<string>): string[] {
  return [...new Set(topics)].flatMap((t) => Array.from({ length: partitions.get(t) ?? 0 }, (_, p) => `${t}p${p}`));
}

/** Every subscribed partition assigned exactly once, only to members subscribed to its topic. */
function expectExclusiveAndComplete(members: readonly AssignorMember[], partitions: ReadonlyMap<string, number>, a: GroupAssignment): void {
  const seen = new Map<string, string>();
  for (const m of members) {
    for (const t of a.get(m.memberId) ?? []) {
      expect(m.subscription).toContain(t.topic);
      for (const p of t.partitions) {
        const key = `${t.topic}p${p}`;
        expect(seen.get(key), `${key} assigned twice`).toBeUndefined();
        seen.set(key, m.memberId);
      }
    }
  }
  expect([...seen.keys()].sort()).toEqual(allPartitionNames(partitions, members.flatMap((m) => m.subscription)).sort());
}

/** The sticky balance definition: no member with 2+ fewer partitions could take one from a bigger member. */
function expectBalanced(members: readonly AssignorMember[], a: GroupAssignment): void {
  const size = (id: string): number => (a.get(id) ?? []).reduce((n, t) => n + t.partitions.length, 0);
  const owner = new Map<string, string>();
  for (const [id, list] of a) for (const t of list) for (const p of t.partitions) owner.set(`${t.topic}p${p}`, id);
  for (const m of members) {
    for (const [key, other] of owner) {
      const topic = key.slice(0, key.lastIndexOf('p'));
      if (other !== m.memberId && m.subscription.includes(topic)) expect(size(m.memberId) + 1 >= size(other), `${m.memberId} could take ${key} from ${other}`).toBe(true);
    }
  }
}

describe('StickyAssignor', () => {
  it('is named sticky', () => {
    expect(stickyAssignor.name).toBe('sticky');
  });

  const example1 = counts({ t0: 2, t1: 2, t2: 2, t3: 2 });
  const all4 = ['t0', 't1', 't2', 't3'];

  it('G06 sticky javadoc example 1: fresh assignment equals round robin', () => {
    const a = assignSticky(
      ['C0', 'C1', 'C2'].map((memberId) => ({ memberId, subscription: all4 })),
      example1,
    );
    expect(names(a, 'C0')).toEqual(['t0p0', 't1p1', 't3p0']);
    expect(names(a, 'C1')).toEqual(['t0p1', 't2p0', 't3p1']);
    expect(names(a, 'C2')).toEqual(['t1p0', 't2p1']);
  });

  it('G06 sticky javadoc example 1: after C1 leaves, every previous assignment is preserved', () => {
    const members: AssignorMember[] = [
      { memberId: 'C0', subscription: all4, ownedPartitions: owned('t0p0', 't1p1', 't3p0'), generationId: 1 },
      { memberId: 'C2', subscription: all4, ownedPartitions: owned('t1p0', 't2p1'), generationId: 1 },
    ];
    const a = assignSticky(members, example1);
    expectExclusiveAndComplete(members, example1, a);
    expect(names(a, 'C0')).toEqual(expect.arrayContaining(['t0p0', 't1p1', 't3p0']));
    expect(names(a, 'C2')).toEqual(expect.arrayContaining(['t1p0', 't2p1']));
    expect(names(a, 'C0')).toHaveLength(4);
    expect(names(a, 'C2')).toHaveLength(4);
    // Kafka's current (constrained) algorithm deals C1's freed t0p1, t2p0, t3p1 round robin to the
    // members in id order; the javadoc's "C0 [.., t2p0], C2 [.., t0p1, t3p1]" predates it.
    expect(names(a, 'C0')).toEqual(['t0p0', 't0p1', 't1p1', 't3p0']);
    expect(names(a, 'C2')).toEqual(['t1p0', 't2p0', 't2p1', 't3p1']);
  });

  const example2 = counts({ t0: 1, t1: 2, t2: 3 });

  it('G06 sticky javadoc example 2: mixed subscriptions, more balanced than round robin', () => {
    const a = assignSticky(
      [
        { memberId: 'C0', subscription: ['t0'] },
        { memberId: 'C1', subscription: ['t0', 't1'] },
        { memberId: 'C2', subscription: ['t0', 't1', 't2'] },
      ],
      example2,
    );
    expect(names(a, 'C0')).toEqual(['t0p0']);
    expect(names(a, 'C1')).toEqual(['t1p0', 't1p1']);
    expect(names(a, 'C2')).toEqual(['t2p0', 't2p1', 't2p2']);
  });

  it('G06 sticky javadoc example 2: after C0 leaves, 5 assignments are preserved', () => {
    const a = assignSticky(
      [
        { memberId: 'C1', subscription: ['t0', 't1'], ownedPartitions: owned('t1p0', 't1p1'), generationId: 1 },
        { memberId: 'C2', subscription: ['t0', 't1', 't2'], ownedPartitions: owned('t2p0', 't2p1', 't2p2'), generationId: 1 },
      ],
      example2,
    );
    expect(names(a, 'C1')).toEqual(['t0p0', 't1p0', 't1p1']);
    expect(names(a, 'C2')).toEqual(['t2p0', 't2p1', 't2p2']);
  });

  it('G07 sticky balance on random identical subscriptions: sizes in {floor, ceil}, exactly P%C at ceil, owned kept', () => {
    const random = rng(0x5eed);
    for (let round = 0; round < 300; round++) {
      const topicCount = 1 + Math.floor(random() * 4);
      const partitions = new Map<string, number>();
      for (let t = 0; t < topicCount; t++) partitions.set(`topic${t}`, 1 + Math.floor(random() * 8));
      const topics = [...partitions.keys()];
      const total = [...partitions.values()].reduce((a, b) => a + b, 0);
      const memberCount = 1 + Math.floor(random() * 8);
      // A valid previous assignment: random exclusive ownership of a random subset.
      const ownedBy = new Map<string, TopicPartitions[]>();
      const ids = Array.from({ length: memberCount }, (_, i) => `member-${Math.floor(random() * 1e6)}-${i}`);
      for (const [topic, n] of partitions) {
        for (let p = 0; p < n; p++) {
          if (random() < 0.3) continue;
          const id = ids[Math.floor(random() * ids.length)] ?? '';
          ownedBy.set(id, [...(ownedBy.get(id) ?? []), { topic, partitions: [p] }]);
        }
      }
      const members: AssignorMember[] = ids.map((memberId) => ({ memberId, subscription: topics, ownedPartitions: ownedBy.get(memberId) ?? [], generationId: 3 }));
      const a = assignSticky(members, partitions);
      expectExclusiveAndComplete(members, partitions, a);
      const floor = Math.floor(total / memberCount);
      const ceil = Math.ceil(total / memberCount);
      const sizes = ids.map((id) => names(a, id).length);
      for (const s of sizes) expect([floor, ceil]).toContain(s);
      if (floor !== ceil) expect(sizes.filter((s) => s === ceil)).toHaveLength(total % memberCount);
      for (const m of members) {
        const previously = (m.ownedPartitions ?? []).flatMap((t) => t.partitions.map((p) => `${t.topic}p${p}`));
        const kept = names(a, m.memberId).filter((n) => previously.includes(n)).length;
        expect(kept).toBeGreaterThanOrEqual(Math.min(previously.length, floor));
        if (previously.length <= floor) expect(kept).toBe(previously.length);
      }
    }
  });

  it('G07 sticky balance on random mixed subscriptions: exclusive, complete and balanced', () => {
    const random = rng(42);
    for (let round = 0; round < 150; round++) {
      const partitions = new Map<string, number>();
      const topicCount = 1 + Math.floor(random() * 5);
      for (let t = 0; t < topicCount; t++) partitions.set(`t${t}`, 1 + Math.floor(random() * 6));
      const topics = [...partitions.keys()];
      const memberCount = 1 + Math.floor(random() * 6);
      let members: AssignorMember[] = Array.from({ length: memberCount }, (_, i) => {
        const subscription = topics.filter(() => random() < 0.6);
        return { memberId: `m${i}`, subscription: subscription.length > 0 ? subscription : [topics[0] ?? 't0'] };
      });
      let a = assignSticky(members, partitions);
      expectExclusiveAndComplete(members, partitions, a);
      expectBalanced(members, a);
      // Next generation: one member leaves; everyone else reports what it owned.
      const leaving = Math.floor(random() * memberCount);
      members = members
        .filter((_, i) => i !== leaving || memberCount === 1)
        .map((m) => ({ ...m, ownedPartitions: a.get(m.memberId) ?? [], generationId: 1 }));
      a = assignSticky(members, partitions);
      expectExclusiveAndComplete(members, partitions, a);
      expectBalanced(members, a);
    }
  });

  it('G07 a joining member takes partitions only from members above the new quota', () => {
    const partitions = counts({ t: 6 });
    const a = assignSticky(
      [
        { memberId: 'a', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [0, 1, 2] }], generationId: 1 },
        { memberId: 'b', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [3, 4, 5] }], generationId: 1 },
        { memberId: 'c', subscription: ['t'] },
      ],
      partitions,
    );
    expect(names(a, 'a')).toEqual(['tp0', 'tp1']);
    expect(names(a, 'b')).toEqual(['tp3', 'tp4']);
    expect(names(a, 'c')).toEqual(['tp2', 'tp5']);
  });

  it('two claims on one partition: the newer generation keeps it; a tie frees it', () => {
    const partitions = counts({ t: 2 });
    const newer = assignSticky(
      [
        { memberId: 'a', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [0] }], generationId: 1 },
        { memberId: 'b', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [0] }], generationId: 2 },
      ],
      partitions,
    );
    expect(names(newer, 'b')).toEqual(['tp0']);
    expect(names(newer, 'a')).toEqual(['tp1']);
    const tie = assignSticky(
      [
        { memberId: 'a', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [1] }], generationId: 2 },
        { memberId: 'b', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [1] }], generationId: 2 },
      ],
      partitions,
    );
    expect(names(tie, 'a')).toEqual(['tp0']);
    expect(names(tie, 'b')).toEqual(['tp1']);
  });

  it('G02 idle member: more members than partitions leaves one with []', () => {
    const a = assignSticky(
      ['x', 'y'].map((memberId) => ({ memberId, subscription: ['t'] })),
      counts({ t: 1 }),
    );
    expect(names(a, 'x')).toEqual(['tp0']);
    expect(a.get('y')).toEqual([]);
  });
});
