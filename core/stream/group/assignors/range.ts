/**
 * Kafka's RangeAssignor (`range`): each topic is split on its own. Its partitions, in order, are
 * cut into contiguous ranges, one per subscribed member in MemberInfo order (static by instance id,
 * then dynamic by member id); the first `partitions % members` members get one extra.
 *
 * Javadoc example: C0 and C1 both subscribe to t0 and t1, 3 partitions each →
 * C0 [t0p0, t0p1, t1p0, t1p1], C1 [t0p2, t1p2].
 */
import { sortMembers } from './member-order.js';
import { partitionsOf, subscribedPartitionCounts, toGroupAssignment } from './partitions.js';
import type { Assignor, AssignorMember, GroupAssignment, TopicPartition } from './types.js';

export const RANGE_ASSIGNOR_NAME = 'range';

export function assignRange(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): GroupAssignment {
  const counts = subscribedPartitionCounts(members, partitionsPerTopic);
  const sorted = sortMembers(members);
  const raw = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  for (const [topic, count] of counts) {
    const consumers = sorted.filter((m) => m.subscription.includes(topic));
    const perConsumer = Math.floor(count / consumers.length);
    const withExtra = count % consumers.length;
    const partitions = partitionsOf(topic, count);
    consumers.forEach((consumer, i) => {
      const start = perConsumer * i + Math.min(i, withExtra);
      const length = perConsumer + (i + 1 > withExtra ? 0 : 1);
      raw.get(consumer.memberId)?.push(...partitions.slice(start, start + length));
    });
  }
  return toGroupAssignment(members, raw);
}

export const rangeAssignor: Assignor = {
  name: RANGE_ASSIGNOR_NAME,
  assign: assignRange,
};
