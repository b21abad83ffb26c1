/**
 * The pure parts of replication: leader-epoch divergence (KIP-101 / KIP-279), the epoch cache, and
 * FollowerOffsets' fencing-friendly reads.
 */
import { describe, expect, it } from 'vitest';
import { divergenceOffset, endOffsetForEpoch, EpochCache, FollowerOffsets, type EpochEntry } from './replication.js';

describe('endOffsetForEpoch (OffsetsForLeaderEpoch)', () => {
  const leader: EpochEntry[] = [[0, 0], [2, 10], [5, 30]];
  it('answers the largest epoch not above the one asked, and where it ends', () => {
    expect(endOffsetForEpoch(leader, 40, 0)).toEqual({ epoch: 0, endOffset: 10 });
    expect(endOffsetForEpoch(leader, 40, 1)).toEqual({ epoch: 0, endOffset: 10 });
    expect(endOffsetForEpoch(leader, 40, 2)).toEqual({ epoch: 2, endOffset: 30 });
    expect(endOffsetForEpoch(leader, 40, 7)).toEqual({ epoch: 5, endOffset: 40 });
  });
  it('answers epoch -1 for an epoch older than any it has', () => {
    expect(endOffsetForEpoch([[3, 5]], 9, 2)).toEqual({ epoch: -1, endOffset: -1 });
  });
});

describe('divergenceOffset', () => {
  it('keeps a follower that is a prefix of the leader', () => {
    expect(divergenceOffset([[0, 0]], 7, [[0, 0]], 12)).toBe(7);
    expect(divergenceOffset([[0, 0], [1, 5]], 9, [[0, 0], [1, 5], [2, 20]], 30)).toBe(9);
  });

  it('cuts an ex-leader back to where the next epoch began (acks=1 records it alone had)', () => {
    // The ex-leader wrote offsets 10..13 in epoch 1; the new leader took over at 10 in epoch 2.
    expect(divergenceOffset([[0, 0], [1, 8]], 14, [[0, 0], [1, 8], [2, 10]], 15)).toBe(10);
  });

  it('walks back over epochs the leader never had (double failover, KIP-279)', () => {
    // Follower: epoch 0 up to 10, then its own epoch 2. Leader: epoch 0 ended at 8, then epoch 1, then 3.
    expect(divergenceOffset([[0, 0], [2, 10]], 14, [[0, 0], [1, 8], [3, 12]], 20)).toBe(8);
  });

  it('truncates everything when the logs share no epoch, and nothing when the follower is empty', () => {
    // The follower's records are all from epoch 4, which the leader never had.
    expect(divergenceOffset([[4, 0]], 6, [[0, 0], [2, 3]], 9)).toBe(0);
    expect(divergenceOffset([[1, 0]], 6, [[2, 0]], 9)).toBe(0);
    expect(divergenceOffset([], 0, [[0, 0]], 9)).toBe(0);
  });
});

describe('EpochCache', () => {
  it('keeps epochs in order, replaces an epoch that wrote nothing, and truncates', () => {
    const cache = new EpochCache();
    cache.assign(0, 0);
    cache.assign(1, 5);
    cache.assign(1, 9);
    cache.assign(2, 9);
    cache.assign(3, 9);
    expect(cache.entries).toEqual([[0, 0], [1, 5], [3, 9]]);
    cache.truncateTo(6);
    expect(cache.entries).toEqual([[0, 0], [1, 5]]);
    expect(cache.latestEpoch).toBe(1);
  });
});

describe('FollowerOffsets', () => {
  it('reads -1 before a report and what was written after, beyond 2^32', () => {
    const offsets = FollowerOffsets.create(3);
    expect(offsets.read(1)).toBe(-1);
    offsets.write(1, 2 ** 33 + 5);
    offsets.write(2, 17);
    expect(FollowerOffsets.attach(offsets.buffer).read(1)).toBe(2 ** 33 + 5);
    expect(offsets.read(2)).toBe(17);
    offsets.write(2, -1);
    expect(offsets.read(2)).toBe(-1);
  });
});
