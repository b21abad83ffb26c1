/**
 * Kafka's CooperativeStickyAssignor (`cooperative-sticky`): the sticky assignment, minus every
 * partition that would pass directly from one current member to another. Such a partition is
 * withheld from its new owner in this rebalance; its old owner sees it missing from its assignment,
 * revokes only it (committing its offsets), and rejoins; the follow-up rebalance, in which nobody
 * owns it any more, hands it to the new owner. Partitions that do not move are never revoked, so
 * their owners keep consuming them throughout (KIP-429, Kafka 2.4).
 *
 * Which partitions are withheld: the constrained algorithm reports them directly; after the general
 * algorithm they are those assigned to a member that did not own them and owned by another member
 * that no longer gets them.
 */
import { flattenOwned, keyOf, subscribedPartitionCounts, toGroupAssignment } from './partitions.js';
import { stickyAssign } from './sticky.js';
import type { Assignor, AssignorMember, GroupAssignment, TopicPartition } from './types.js';

export const COOPERATIVE_STICKY_ASSIGNOR_NAME = 'cooperative-sticky';

function transferringAfterGeneral(
  members: readonly AssignorMember[],
  assignment: ReadonlyMap<string, readonly TopicPartition[]>,
  counts: ReadonlyMap<string, number>,
): Map<string, string> {
  const added = new Map<string, string>();
  const revoked = new Set<string>();
  for (const member of members) {
    const owned = new Set(flattenOwned(member.ownedPartitions, counts).map(keyOf));
    const assigned = assignment.get(member.memberId) ?? [];
    const assignedKeys = new Set(assigned.map(keyOf));
    for (const tp of assigned) if (!owned.has(keyOf(tp))) added.set(keyOf(tp), member.memberId);
    for (const key of owned) if (!assignedKeys.has(key)) revoked.add(key);
  }
  for (const key of [...added.keys()]) if (!revoked.has(key)) added.delete(key);
  return added;
}

export function assignCooperativeSticky(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): GroupAssignment {
  const { assignment, partitionsTransferringOwnership } = stickyAssign(members, partitionsPerTopic);
  const transferring =
    partitionsTransferringOwnership ?? transferringAfterGeneral(members, assignment, subscribedPartitionCounts(members, partitionsPerTopic));
  for (const [key, newOwner] of transferring) {
    const list = assignment.get(newOwner);
    if (list === undefined) continue;
    const i = list.findIndex((tp) => keyOf(tp) === key);
    if (i >= 0) list.splice(i, 1);
  }
  return toGroupAssignment(members, assignment);
}

export const cooperativeStickyAssignor: Assignor = {
  name: COOPERATIVE_STICKY_ASSIGNOR_NAME,
  assign: assignCooperativeSticky,
};
