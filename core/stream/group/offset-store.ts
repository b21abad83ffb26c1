/**
 * Committed consumer-group offsets, keyed by (group, topic, partition) and laid out the way Kafka
 * lays them out in `__consumer_offsets`: every group lives in one partition of that topic,
 * `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`, whose leader is the group's
 * coordinator. Here the partitions are in-memory maps; the layout decides which coordinator owns a
 * group (G13).
 *
 * Invariants:
 * - a commit is all-or-nothing: it is validated in full (shape, group membership and generation,
 *   partition ownership, metadata size) before any offset is stored;
 * - a partition with no committed offset fetches as offset -1 with empty metadata, as OffsetFetch
 *   answers it.
 *
 * Partition ownership: a member's commit for a partition outside its current assignment is rejected
 * with ILLEGAL_GENERATION (22). Kafka's classic coordinator does not check ownership at all; its
 * KIP-848 coordinator fences a classic-protocol member's rejected commit with ILLEGAL_GENERATION
 * (STALE_MEMBER_EPOCH 113 for new-protocol members), and KIP-1251 (4.3) fences commits for
 * partitions no longer assigned. Clients react to 22 by rejoining, which is what a member that lost
 * a partition must do.
 */
import { KafkaProtocolError } from '../../errors/index.js';
import type { TopicPartition } from './assignors/types.js';
import type { OffsetCommitValidator } from './coordinator.js';
import { compareStrings } from './assignors/partitions.js';
import { resolveOffsetStoreOptions, type OffsetStoreOptions } from './options.js';

const INT32_MIN = -0x80000000;

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in 32-bit int arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE maps to 0 instead of itself. */
export function kafkaAbs(n: number): number {
  return n === INT32_MIN ? 0 : Math.abs(n);
}

/** The `__consumer_offsets` partition (and so the coordinator) of a group. */
export function offsetsPartitionFor(groupId: string, offsetsTopicPartitions = 50): number {
  return kafkaAbs(javaStringHashCode(groupId)) % offsetsTopicPartitions;
}

/** One partition's offset in an OffsetCommit. */
export interface OffsetCommitPartition {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume: the last processed offset + 1. */
  readonly offset: number;
  readonly metadata?: string | null | undefined;
  readonly leaderEpoch?: number | undefined;
}

export interface CommittedPartitionOffset {
  readonly partition: number;
  /** -1 when nothing is committed. */
  readonly offset: number;
  readonly metadata: string;
  readonly leaderEpoch: number | undefined;
  /** When the offset was committed (the caller's clock); undefined when nothing is committed. */
  readonly commitTimestampMs: number | undefined;
}

export interface TopicOffsets {
  readonly topic: string;
  readonly partitions: readonly CommittedPartitionOffset[];
}

/** Which offsets to fetch: a topic with its partitions, or without them for all committed ones. */
export interface OffsetFetchTopic {
  readonly topic: string;
  readonly partitions?: readonly number[] | undefined;
}

interface StoredOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
  readonly leaderEpoch: number | undefined;
  readonly commitTimestampMs: number;
}

export interface OffsetStoreConfig extends OffsetStoreOptions {
  /** Who decides whether a member may commit; without one, every group is treated as unknown. */
  readonly validator?: OffsetCommitValidator | undefined;
}

function invalid(message: string): KafkaProtocolError {
  return new KafkaProtocolError('INVALID_REQUEST', message);
}

export class OffsetStore {
  private readonly offsetsTopicPartitions: number;
  private readonly offsetMetadataMaxBytes: number;
  private readonly validator: OffsetCommitValidator | undefined;
  /** __consumer_offsets partition -> groupId -> `${partition}:${topic}` -> offset */
  private readonly partitions = new Map<number, Map<string, Map<string, StoredOffset>>>();

  constructor(config?: OffsetStoreConfig) {
    const { validator, ...options } = config ?? {};
    const resolved = resolveOffsetStoreOptions(options);
    this.offsetsTopicPartitions = resolved.offsetsTopicPartitions;
    this.offsetMetadataMaxBytes = resolved.offsetMetadataMaxBytes;
    this.validator = validator;
  }

  /** The `__consumer_offsets` partition that holds this group's offsets. */
  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.offsetsTopicPartitions);
  }

  /**
   * OffsetCommit. `generationId` -1 with member id '' is a standalone commit (no group
   * management), accepted while the group has no members. Throws KafkaProtocolError:
   * ILLEGAL_GENERATION (22) for a stale generation or a partition the member does not own,
   * UNKNOWN_MEMBER_ID (25), REBALANCE_IN_PROGRESS (27) while the group completes a rebalance,
   * FENCED_INSTANCE_ID (82), OFFSET_METADATA_TOO_LARGE (12), INVALID_REQUEST (42) for malformed input.
   */
  commitOffsets(
    groupId: string,
    generationId: number,
    memberId: string,
    offsets: readonly OffsetCommitPartition[],
    nowMs = 0,
    groupInstanceId?: string,
  ): void {
    if (typeof groupId !== 'string') throw new KafkaProtocolError('INVALID_GROUP_ID', `Group id ${JSON.stringify(groupId)} is not a string`);
    if (!Number.isInteger(generationId)) throw invalid(`Generation id ${String(generationId)} is not an integer`);
    const seen = new Set<string>();
    for (const o of offsets) {
      if (typeof o.topic !== 'string' || o.topic === '') throw invalid(`OffsetCommit has an invalid topic ${JSON.stringify(o.topic)}`);
      if (!Number.isInteger(o.partition) || o.partition < 0) throw invalid(`OffsetCommit has an invalid partition ${String(o.partition)} of topic '${o.topic}'`);
      if (!Number.isSafeInteger(o.offset)) throw invalid(`OffsetCommit has an invalid offset ${String(o.offset)} for ${o.topic}-${o.partition}`);
      const key = `${o.partition}:${o.topic}`;
      if (seen.has(key)) throw invalid(`OffsetCommit names ${o.topic}-${o.partition} twice`);
      seen.add(key);
    }
    const tps: TopicPartition[] = offsets.map((o) => ({ topic: o.topic, partition: o.partition }));
    if (this.validator !== undefined) this.validator.validateOffsetCommit(groupId, generationId, memberId, groupInstanceId, tps, nowMs);
    else if (generationId >= 0) throw new KafkaProtocolError('ILLEGAL_GENERATION', `Group '${groupId}' is not managed here, so generation ${generationId} is stale`);
    for (const o of offsets) {
      const metadata = o.metadata ?? '';
      if (metadata.length > this.offsetMetadataMaxBytes) {
        throw new KafkaProtocolError(
          'OFFSET_METADATA_TOO_LARGE',
          `Metadata of ${o.topic}-${o.partition} is ${metadata.length} long, over offset.metadata.max.bytes ${this.offsetMetadataMaxBytes}`,
        );
      }
    }
    const group = this.groupOffsets(groupId, true);
    for (const o of offsets) {
      group.set(`${o.partition}:${o.topic}`, {
        topic: o.topic,
        partition: o.partition,
        offset: o.offset,
        metadata: o.metadata ?? '',
        leaderEpoch: o.leaderEpoch,
        commitTimestampMs: nowMs,
      });
    }
  }

  /**
   * OffsetFetch. Without `topics`, every committed offset of the group; with them, the named
   * partitions (offset -1 where nothing is committed), or a topic's committed partitions when it
   * names none. Topics and partitions come back in ascending order.
   */
  fetchOffsets(groupId: string, topics?: readonly OffsetFetchTopic[]): TopicOffsets[] {
    const group = this.groupOffsets(groupId, false);
    const stored = group === undefined ? [] : [...group.values()];
    const byTopic = new Map<string, Map<number, StoredOffset>>();
    for (const s of stored) {
      let m = byTopic.get(s.topic);
      if (m === undefined) {
        m = new Map();
        byTopic.set(s.topic, m);
      }
      m.set(s.partition, s);
    }
    const wanted: readonly OffsetFetchTopic[] = topics ?? [...byTopic.keys()].map((topic) => ({ topic }));
    const out = new Map<string, CommittedPartitionOffset[]>();
    for (const { topic, partitions } of wanted) {
      const committed = byTopic.get(topic) ?? new Map<number, StoredOffset>();
      const ids = partitions ?? [...committed.keys()];
      const list = out.get(topic) ?? [];
      for (const partition of ids) {
        if (list.some((p) => p.partition === partition)) continue;
        const s = committed.get(partition);
        list.push(
          s === undefined
            ? { partition, offset: -1, metadata: '', leaderEpoch: undefined, commitTimestampMs: undefined }
            : { partition, offset: s.offset, metadata: s.metadata, leaderEpoch: s.leaderEpoch, commitTimestampMs: s.commitTimestampMs },
        );
      }
      out.set(topic, list);
    }
    return [...out.keys()]
      .sort(compareStrings)
      .map((topic) => ({ topic, partitions: (out.get(topic) ?? []).sort((a, b) => a.partition - b.partition) }));
  }

  /** Deletes every offset of a group (DeleteGroups); returns how many were removed. */
  deleteGroupOffsets(groupId: string): number {
    const partition = this.partitions.get(this.partitionFor(groupId));
    const group = partition?.get(groupId);
    if (group === undefined) return 0;
    partition?.delete(groupId);
    return group.size;
  }

  private groupOffsets(groupId: string, create: true): Map<string, StoredOffset>;
  private groupOffsets(groupId: string, create: false): Map<string, StoredOffset> | undefined;
  private groupOffsets(groupId: string, create: boolean): Map<string, StoredOffset> | undefined {
    const index = this.partitionFor(groupId);
    let partition = this.partitions.get(index);
    if (partition === undefined) {
      if (!create) return undefined;
      partition = new Map();
      this.partitions.set(index, partition);
    }
    let group = partition.get(groupId);
    if (group === undefined && create) {
      group = new Map();
      partition.set(groupId, group);
    }
    return group;
  }
}
