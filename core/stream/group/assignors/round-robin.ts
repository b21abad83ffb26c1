/**
 * Kafka's RoundRobinAssignor (`roundrobin`): all partitions of all subscribed topics, topics in
 * ascending order and partitions in order, are dealt one at a time to the members in MemberInfo
 * order (static by instance id, then dynamic by member id), cycling. A member not subscribed to a
 * partition's topic is skipped, so mixed subscriptions can end up unbalanced.
 *
 * Javadoc examples: identical subscriptions, C0/C1 on t0,t1 with 3 partitions each →
 * C0 [t0p0, t0p2, t1p1], C1 [t0p1, t1p0, t1p2]. Mixed: t0,t1,t2 with 1,2,3 partitions, C0 on t0,
 * C1 on t0,t1, C2 on t0,t1,t2 → C0 [t0p0], C1 [t1p0], C2 [t1p1, t2p0, t2p1, t2p2].
 *
 * kafkajs's own `RoundRobinAssigner` is a different algorithm (members sorted by member id only,
 * topics in subscription order, no skipping); this is the Java one.
 */
import { sortMembers } from './member-order.js';
import { compareStrings, partitionsOf, subscribedPartitionCounts, toGroupAssignment } from './partitions.js';
import type { Assignor, AssignorMember, GroupAssignment, TopicPartition } from './types.js';

export const ROUND_ROBIN_ASSIGNOR_NAME = 'roundrobin';

export function assignRoundRobin(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): GroupAssignment {
  const counts = subscribedPartitionCounts(members, partitionsPerTopic);
  const sorted = sortMembers(members);
  const subscriptions = sorted.map((m) => new Set(m.subscription));
  const raw = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  let next = 0;
  for (const topic of [...counts.keys()].sort(compareStrings)) {
    for (const tp of partitionsOf(topic, counts.get(topic) ?? 0)) {
      // Some member subscribes to every topic in `counts`, so this loop ends within one cycle.
      while (subscriptions[next]?.has(topic) !== true) next = (next + 1) % sorted.length;
      const member = sorted[next];
      if (member !== undefined) raw.get(member.memberId)?.push(tp);
      next = (next + 1) % sorted.length;
    }
  }
  return toGroupAssignment(members, raw);
}

export const roundRobinAssignor: Assignor = {
  name: ROUND_ROBIN_ASSIGNOR_NAME,
  assign: assignRoundRobin,
};
