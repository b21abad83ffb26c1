import { describe, expect, it } from 'vitest';
import { KafkaProtocolError } from '../../errors/index.js';
import { GroupCoordinator } from './coordinator.js';
import { MemberIdRequiredError } from './errors.js';
import { OffsetStore, javaStringHashCode, kafkaAbs, offsetsPartitionFor } from './offset-store.js';

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaProtocolError) return e.code;
    throw e;
  }
  throw new Error('expected a throw');
}

describe('__consumer_offsets partition of a group', () => {
  it('G13 coordinator: hashCode is Java String.hashCode over UTF-16 code units', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('Hello World')).toBe(-862545276);
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'));
    // A surrogate pair hashes as its two code units: 0xD83D * 31 + 0xDE00.
    expect(javaStringHashCode('\u{1F600}')).toBe(0xd83d * 31 + 0xde00);
  });

  it('G13 coordinator: group → __consumer_offsets partition Utils.abs(hashCode) % 50', () => {
    expect(offsetsPartitionFor('hello')).toBe(99162322 % 50);
    expect(offsetsPartitionFor('Hello World')).toBe(862545276 % 50);
    expect(offsetsPartitionFor('hello', 7)).toBe(99162322 % 7);
    expect(new OffsetStore({ offsetsTopicPartitions: 7 }).partitionFor('hello')).toBe(99162322 % 7);
    for (let i = 0; i < 1000; i++) {
      const p = offsetsPartitionFor(`group-${i}`);
      expect(Number.isInteger(p) && p >= 0 && p < 50).toBe(true);
    }
  });

  it('G13 coordinator: a group id whose hashCode is Integer.MIN_VALUE maps to partition 0', () => {
    for (const id of ['polygenelubricants', 'GydZG_', 'DESIGNING WORKHOUSES']) {
      expect(javaStringHashCode(id)).toBe(-2147483648);
      expect(offsetsPartitionFor(id)).toBe(0);
    }
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(-5)).toBe(5);
  });
});

describe('OffsetStore', () => {
  it('fetches -1 for partitions with no committed offset', () => {
    const store = new OffsetStore();
    expect(store.fetchOffsets('g')).toEqual([]);
    expect(store.fetchOffsets('g', [{ topic: 't', partitions: [1, 0] }])).toEqual([
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: -1, metadata: '', leaderEpoch: undefined, commitTimestampMs: undefined },
          { partition: 1, offset: -1, metadata: '', leaderEpoch: undefined, commitTimestampMs: undefined },
        ],
      },
    ]);
  });

  it('stores a standalone commit (generation -1, member id "") with its metadata', () => {
    const store = new OffsetStore();
    store.commitOffsets('g', -1, '', [{ topic: 't', partition: 0, offset: 42, metadata: 'm' }], 5);
    expect(store.fetchOffsets('g')).toEqual([{ topic: 't', partitions: [{ partition: 0, offset: 42, metadata: 'm', leaderEpoch: undefined, commitTimestampMs: 5 }] }]);
    expect(store.fetchOffsets('other')).toEqual([]);
    expect(code(() => store.commitOffsets('g', 3, 'm', [{ topic: 't', partition: 0, offset: 1 }]))).toBe(22);
  });

  it('rejects a whole commit when one partition is bad, storing nothing', () => {
    const store = new OffsetStore({ offsetMetadataMaxBytes: 3 });
    expect(
      code(() =>
        store.commitOffsets('g', -1, '', [
          { topic: 't', partition: 0, offset: 1 },
          { topic: 't', partition: 1, offset: 1, metadata: 'four' },
        ]),
      ),
    ).toBe(12);
    expect(code(() => store.commitOffsets('g', -1, '', [{ topic: 't', partition: 0, offset: 1.5 }]))).toBe(42);
    expect(code(() => store.commitOffsets('g', -1, '', [{ topic: 't', partition: -1, offset: 1 }]))).toBe(42);
    expect(store.fetchOffsets('g')).toEqual([]);
  });

  function stableGroup(): { coordinator: GroupCoordinator; store: OffsetStore; a: string; b: string } {
    let n = 0;
    const coordinator = new GroupCoordinator({ partitionCount: () => 2, generateUuid: () => `uuid${++n}` });
    const store = new OffsetStore({ validator: coordinator });
    const join = (memberId: string): string => {
      try {
        coordinator.joinGroup({ groupId: 'g', memberId, sessionTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: { topics: ['t'] } }] }, 0);
      } catch (e) {
        if (e instanceof MemberIdRequiredError) return e.memberId;
        throw e;
      }
      return memberId;
    };
    const a = join('');
    join(a);
    coordinator.syncGroup({ groupId: 'g', memberId: a, generationId: 1 }, 0);
    const b = join('');
    join(b);
    join(a);
    coordinator.drainCompletions();
    coordinator.syncGroup({ groupId: 'g', memberId: b, generationId: 2 }, 0);
    coordinator.syncGroup({ groupId: 'g', memberId: a, generationId: 2 }, 0);
    return { coordinator, store, a, b };
  }

  it('G12 fencing on commit: stale generation → 22, unknown member → 25, partition not owned → 22', () => {
    const { store, a, b } = stableGroup();
    store.commitOffsets('g', 2, a, [{ topic: 't', partition: 0, offset: 10 }]);
    store.commitOffsets('g', 2, b, [{ topic: 't', partition: 1, offset: 20 }]);
    expect(code(() => store.commitOffsets('g', 1, a, [{ topic: 't', partition: 0, offset: 11 }]))).toBe(22);
    expect(code(() => store.commitOffsets('g', 2, 'ghost', [{ topic: 't', partition: 0, offset: 11 }]))).toBe(25);
    expect(code(() => store.commitOffsets('g', 2, a, [{ topic: 't', partition: 1, offset: 11 }]))).toBe(22);
    expect(code(() => store.commitOffsets('g', -1, '', [{ topic: 't', partition: 0, offset: 11 }]))).toBe(25);
    expect(store.fetchOffsets('g', [{ topic: 't' }])[0]?.partitions.map((p) => p.offset)).toEqual([10, 20]);
  });

  it('G12 fencing on commit: mid-rebalance (CompletingRebalance) → 27', () => {
    const { coordinator, store, a, b } = stableGroup();
    coordinator.leaveGroup({ groupId: 'g', memberId: b }, 0);
    coordinator.joinGroup({ groupId: 'g', memberId: a, sessionTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: { topics: ['t'] } }] }, 0);
    expect(coordinator.describeGroup('g').state).toBe('CompletingRebalance');
    expect(code(() => store.commitOffsets('g', 3, a, [{ topic: 't', partition: 0, offset: 11 }]))).toBe(27);
  });

  it('a new owner resumes at the offset the previous owner committed', () => {
    const { coordinator, store, a, b } = stableGroup();
    store.commitOffsets('g', 2, b, [{ topic: 't', partition: 1, offset: 20 }]);
    coordinator.leaveGroup({ groupId: 'g', memberId: b }, 0);
    coordinator.joinGroup({ groupId: 'g', memberId: a, sessionTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: { topics: ['t'] } }] }, 0);
    coordinator.syncGroup({ groupId: 'g', memberId: a, generationId: 3 }, 0);
    expect(coordinator.describeGroup('g').members[0]?.assignment).toEqual([{ topic: 't', partitions: [0, 1] }]);
    expect(store.fetchOffsets('g', [{ topic: 't', partitions: [1] }])[0]?.partitions[0]?.offset).toBe(20);
    store.commitOffsets('g', 3, a, [{ topic: 't', partition: 1, offset: 21 }]);
  });
});
