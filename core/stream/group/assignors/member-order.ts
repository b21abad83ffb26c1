/**
 * The member order of Kafka's AbstractPartitionAssignor.MemberInfo, which range and roundrobin
 * assign in: static members (with a `group.instance.id`) first, ordered by instance id, then
 * dynamic members ordered by member id. Ordering by instance id keeps a static member's partitions
 * stable across restarts, when its member id changes.
 */
import { compareStrings } from './partitions.js';
import type { AssignorMember } from './types.js';

export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  const ai = a.groupInstanceId;
  const bi = b.groupInstanceId;
  if (ai !== undefined && bi !== undefined) return compareStrings(ai, bi);
  if (ai !== undefined) return -1;
  if (bi !== undefined) return 1;
  return compareStrings(a.memberId, b.memberId);
}

export function sortMembers<T extends AssignorMember>(members: readonly T[]): T[] {
  return [...members].sort(compareMembers);
}
