/**
 * The pieces of replication that both ends of it share: where followers report how far they copied
 * (FollowerOffsets, one SharedArrayBuffer per partition leadership), and the leader-epoch cache that
 * finds where a returning replica's log diverges from the leader's (Kafka's KIP-101 / KIP-279).
 *
 * Fencing: a leader creates a fresh FollowerOffsets buffer each time it takes over (each leader
 * epoch), and followers report into the buffer of the leader they follow. A follower that moved on
 * to a newer leader therefore never counts towards an old leader's high watermark.
 */

/**
 * Follower offsets: for each replica slot (the replica's index in the partition's replica list), its
 * log end offset as two Int32 words. Only that follower writes its slot, low word first; a reader
 * that sees the high word change retries. An offset only grows within one leadership, so a torn read
 * can only underestimate, which delays the high watermark and never advances it wrongly.
 */
export class FollowerOffsets {
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#words = new Int32Array(buffer);
  }

  static create(replicas: number): FollowerOffsets {
    const offsets = new FollowerOffsets(new SharedArrayBuffer(Math.max(1, replicas) * 8));
    offsets.#words.fill(-1);
    return offsets;
  }

  static attach(buffer: SharedArrayBuffer): FollowerOffsets {
    return new FollowerOffsets(buffer);
  }

  /** Follower: reports its log end offset. */
  write(slot: number, offset: number): void {
    const w = this.#words;
    Atomics.store(w, slot * 2, offset >>> 0);
    Atomics.store(w, slot * 2 + 1, Math.floor(offset / 0x1_0000_0000));
  }

  /** Leader: the follower's last reported log end offset, -1 before its first report. */
  read(slot: number): number {
    const w = this.#words;
    for (;;) {
      const hi = Atomics.load(w, slot * 2 + 1);
      const lo = Atomics.load(w, slot * 2);
      if (hi === -1 && lo === -1) return -1;
      if (Atomics.load(w, slot * 2 + 1) === hi) return hi * 0x1_0000_0000 + (lo >>> 0);
    }
  }
}

/** One entry of the leader-epoch cache: the first offset written in `epoch`. */
export type EpochEntry = readonly [epoch: number, startOffset: number];

/**
 * The leader-epoch cache of one replica: for each leader epoch that wrote records, the offset where
 * its records start, in increasing order of both.
 */
export class EpochCache {
  #entries: EpochEntry[] = [];

  get entries(): readonly EpochEntry[] {
    return this.#entries;
  }

  get latestEpoch(): number {
    return this.#entries[this.#entries.length - 1]?.[0] ?? -1;
  }

  /** Records that `epoch` writes from `startOffset` on (no-op unless it is newer than the latest). */
  assign(epoch: number, startOffset: number): void {
    const last = this.#entries[this.#entries.length - 1];
    if (last !== undefined && epoch <= last[0]) return;
    if (last !== undefined && last[1] === startOffset) this.#entries[this.#entries.length - 1] = [epoch, startOffset];
    else this.#entries.push([epoch, startOffset]);
  }

  /** The log was truncated to `offset`: epochs that start at or after it wrote nothing that is left. */
  truncateTo(offset: number): void {
    this.#entries = this.#entries.filter(([, start]) => start < offset);
  }

  clear(): void {
    this.#entries = [];
  }
}

/**
 * Kafka's OffsetsForLeaderEpoch answer: the largest epoch in `entries` not above `epoch`, and the
 * offset where the log stops being that epoch's (the next epoch's start, or `logEndOffset`).
 * Epoch -1 when the log has no such epoch.
 */
export function endOffsetForEpoch(entries: readonly EpochEntry[], logEndOffset: number, epoch: number): { epoch: number; endOffset: number } {
  let found = -1;
  for (let i = 0; i < entries.length; i++) if (entries[i]![0] <= epoch) found = i;
  if (found < 0) return { epoch: -1, endOffset: -1 };
  const next = entries[found + 1];
  return { epoch: entries[found]![0], endOffset: next === undefined ? logEndOffset : next[1] };
}

/**
 * Where a follower's log must be truncated to before it copies from the leader (KIP-279): the end of
 * the newest epoch both logs share, bounded by both logs' ends for it. 0 (everything) when they share
 * no epoch; the follower's own end offset when nothing diverges.
 */
export function divergenceOffset(follower: readonly EpochEntry[], followerEnd: number, leader: readonly EpochEntry[], leaderEnd: number): number {
  if (follower.length === 0) return Math.min(followerEnd, leaderEnd);
  let epoch = follower[follower.length - 1]![0];
  for (;;) {
    const onLeader = endOffsetForEpoch(leader, leaderEnd, epoch);
    if (onLeader.epoch < 0) return 0;
    const onFollower = endOffsetForEpoch(follower, followerEnd, onLeader.epoch);
    if (onFollower.epoch === onLeader.epoch) return Math.min(onLeader.endOffset, onFollower.endOffset);
    if (onFollower.epoch < 0) return 0;
    // The leader never had the follower's epoch: ask again for the newest epoch the follower had before.
    epoch = onFollower.epoch;
  }
}
