import { describe, expect, it } from 'vitest';
import { assignCooperativeSticky, cooperativeStickyAssignor } from './cooperative-sticky.js';
import type { AssignorMember, GroupAssignment, TopicPartitions } from './types.js';

function names(assignment: GroupAssignment | ReadonlyMap<string, readonly TopicPartitions[]>, memberId: string): string[] {
  return (assignment.get(memberId) ?? []).flatMap((t) => t.partitions.map((p) => `${t.topic}p${p}`));
}

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

describe('CooperativeStickyAssignor', () => {
  it('is named cooperative-sticky', () => {
    expect(cooperativeStickyAssignor.name).toBe('cooperative-sticky');
  });

  it('G08 cooperative: a joining member waits for partitions that must move; only those are revoked', () => {
    const partitions = new Map([['t', 9]]);
    const owning: AssignorMember[] = [
      { memberId: 'C0', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [0, 1, 2] }], generationId: 1 },
      { memberId: 'C1', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [3, 4, 5] }], generationId: 1 },
      { memberId: 'C2', subscription: ['t'], ownedPartitions: [{ topic: 't', partitions: [6, 7, 8] }], generationId: 1 },
    ];
    const first = assignCooperativeSticky([...owning, { memberId: 'C3', subscription: ['t'], ownedPartitions: [], generationId: -1 }], partitions);
    // Nobody gains a partition another member still owns: C3 gets nothing yet.
    expect(first.get('C3')).toEqual([]);
    // Owners keep a subset of what they own; exactly the 2 partitions bound for C3 are revoked.
    const revoked: string[] = [];
    for (const m of owning) {
      const before = names(new Map([[m.memberId, m.ownedPartitions ?? []]]), m.memberId);
      const after = names(first, m.memberId);
      for (const p of after) expect(before).toContain(p);
      revoked.push(...before.filter((p) => !after.includes(p)));
    }
    expect(revoked).toHaveLength(2);

    // The revoking owners rejoin; now nobody owns the revoked partitions and C3 gets them.
    const second = assignCooperativeSticky(
      ['C0', 'C1', 'C2', 'C3'].map((memberId) => ({ memberId, subscription: ['t'], ownedPartitions: first.get(memberId) ?? [], generationId: 2 })),
      partitions,
    );
    expect(names(second, 'C3').sort()).toEqual([...revoked].sort());
    for (const id of ['C0', 'C1', 'C2']) expect(names(second, id)).toEqual(names(first, id));
  });

  it('G08 cooperative with mixed subscriptions withholds only partitions moving between current members', () => {
    const partitions = new Map([
      ['a', 4],
      ['b', 2],
    ]);
    const first = assignCooperativeSticky(
      [
        { memberId: 'm1', subscription: ['a', 'b'], ownedPartitions: [{ topic: 'a', partitions: [0, 1, 2, 3] }, { topic: 'b', partitions: [0, 1] }], generationId: 1 },
        { memberId: 'm2', subscription: ['a'], ownedPartitions: [], generationId: -1 },
      ],
      partitions,
    );
    expect(first.get('m2')).toEqual([]);
    const m1 = names(first, 'm1');
    expect(m1).toEqual(expect.arrayContaining(['bp0', 'bp1']));
    const second = assignCooperativeSticky(
      [
        { memberId: 'm1', subscription: ['a', 'b'], ownedPartitions: first.get('m1') ?? [], generationId: 2 },
        { memberId: 'm2', subscription: ['a'], ownedPartitions: [], generationId: 2 },
      ],
      partitions,
    );
    expect(names(second, 'm1')).toEqual(m1);
    expect(names(second, 'm2').length + m1.length).toBe(6);
  });

  it('G08 over random membership changes no member is handed a partition another member still owns', () => {
    const random = rng(7);
    const partitions = new Map([
      ['x', 7],
      ['y', 5],
    ]);
    let owned = new Map<string, TopicPartitions[]>();
    let live: string[] = ['m0'];
    let nextId = 1;
    let generation = 0;
    for (let step = 0; step < 200; step++) {
      const r = random();
      if (r < 0.3 && live.length < 6) live = [...live, `m${nextId++}`];
      else if (r < 0.5 && live.length > 1) {
        const gone = live[Math.floor(random() * live.length)];
        live = live.filter((m) => m !== gone);
        owned.delete(gone ?? '');
      }
      generation += 1;
      const members: AssignorMember[] = live.map((memberId) => ({ memberId, subscription: ['x', 'y'], ownedPartitions: owned.get(memberId) ?? [], generationId: generation - 1 }));
      const a = assignCooperativeSticky(members, partitions);
      const ownerOf = new Map<string, string>();
      for (const [id, list] of owned) for (const n of names(new Map([[id, list]]), id)) ownerOf.set(n, id);
      for (const id of live) {
        for (const n of names(a, id)) {
          const current = ownerOf.get(n);
          expect(current === undefined || current === id, `${n} handed to ${id} while ${String(current)} owns it`).toBe(true);
        }
      }
      // Members revoke what they lost and keep the rest (cooperative consumers never drop the rest).
      owned = new Map(live.map((id) => [id, a.get(id) ?? []]));
    }
  });
});
