/**
 * Topic-partition helpers shared by the assignors: Java's String ordering, a collision-free key
 * for a partition, the partition-count filter Kafka's AbstractPartitionAssignor applies, and the
 * normalized output shape.
 */
import type { AssignorMember, GroupAssignment, TopicPartition, TopicPartitions } from './types.js';

/** Java String.compareTo: lexicographic over UTF-16 code units (never locale-aware). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Topic then partition, as Kafka's `Comparator.comparing(topic).thenComparing(partition)`. */
export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}

/**
 * A map key for one partition. The partition number comes first and ends at the first ':', so no
 * topic name, whatever characters it holds, can make two partitions share a key.
 */
export function tpKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

export function keyOf(tp: TopicPartition): string {
  return tpKey(tp.topic, tp.partition);
}

/** The partitions 0..count-1 of a topic, in order (AbstractPartitionAssignor.partitions). */
export function partitionsOf(topic: string, count: number): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (let p = 0; p < count; p++) out.push({ topic, partition: p });
  return out;
}

/**
 * The partition counts an assignor works with: only topics some member subscribes to and that have
 * at least one partition, as AbstractPartitionAssignor builds `partitionsPerTopic` from metadata.
 */
export function subscribedPartitionCounts(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const member of members) {
    for (const topic of member.subscription) {
      const count = partitionsPerTopic.get(topic);
      if (count !== undefined && Number.isInteger(count) && count > 0) out.set(topic, count);
    }
  }
  return out;
}

/** Flattens a member's owned partitions, dropping duplicates and partitions that no longer exist. */
export function flattenOwned(
  owned: readonly TopicPartitions[] | undefined,
  partitionCounts: ReadonlyMap<string, number>,
): TopicPartition[] {
  const out: TopicPartition[] = [];
  if (owned === undefined) return out;
  const seen = new Set<string>();
  for (const { topic, partitions } of owned) {
    const count = partitionCounts.get(topic);
    if (count === undefined) continue;
    for (const partition of partitions) {
      if (!Number.isInteger(partition) || partition < 0 || partition >= count) continue;
      const key = tpKey(topic, partition);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ topic, partition });
    }
  }
  return out;
}

/** Groups partitions by topic: topics ascending, each topic's partitions ascending. */
export function toTopicPartitions(partitions: readonly TopicPartition[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = byTopic.get(topic);
    if (list === undefined) {
      list = [];
      byTopic.set(topic, list);
    }
    list.push(partition);
  }
  return [...byTopic.keys()]
    .sort(compareStrings)
    .map((topic) => ({ topic, partitions: (byTopic.get(topic) ?? []).sort((a, b) => a - b) }));
}

/** Builds the normalized result: one entry per member, in the order `members` lists them. */
export function toGroupAssignment(
  members: readonly AssignorMember[],
  raw: ReadonlyMap<string, readonly TopicPartition[]>,
): GroupAssignment {
  const out: GroupAssignment = new Map();
  for (const member of members) out.set(member.memberId, toTopicPartitions(raw.get(member.memberId) ?? []));
  return out;
}
