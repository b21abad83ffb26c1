/**
 * The built-in partition assignors, by the protocol names members advertise in JoinGroup.
 *
 * kafkajs names its one built-in assigner `RoundRobinAssigner` (client-side, its own algorithm).
 * When a kafkajs leader leaves the assignment to the coordinator, that name resolves to Java's
 * `roundrobin`. The two agree when every member is dynamic, subscriptions are identical, and kafkajs
 * lists the topics in ascending order and each topic's partitions by id; otherwise they can differ
 * (kafkajs never skips a member, Java skips members not subscribed to a partition's topic).
 */
import { cooperativeStickyAssignor } from './cooperative-sticky.js';
import { rangeAssignor } from './range.js';
import { roundRobinAssignor } from './round-robin.js';
import { stickyAssignor } from './sticky.js';
import type { Assignor } from './types.js';

export type { Assignor, AssignorMember, GroupAssignment, TopicPartition, TopicPartitions } from './types.js';
export { RANGE_ASSIGNOR_NAME, assignRange, rangeAssignor } from './range.js';
export { ROUND_ROBIN_ASSIGNOR_NAME, assignRoundRobin, roundRobinAssignor } from './round-robin.js';
export { DEFAULT_GENERATION, STICKY_ASSIGNOR_NAME, assignSticky, stickyAssign, stickyAssignor, type StickyResult } from './sticky.js';
export { COOPERATIVE_STICKY_ASSIGNOR_NAME, assignCooperativeSticky, cooperativeStickyAssignor } from './cooperative-sticky.js';
export { compareMembers, sortMembers } from './member-order.js';
export { compareStrings, toTopicPartitions } from './partitions.js';

/** kafkajs's protocol name for its round-robin assigner. */
export const KAFKAJS_ROUND_ROBIN_NAME = 'RoundRobinAssigner';

/** Protocol name -> assignor, for server-side assignment. */
export const BUILT_IN_ASSIGNORS: ReadonlyMap<string, Assignor> = new Map<string, Assignor>([
  [rangeAssignor.name, rangeAssignor],
  [roundRobinAssignor.name, roundRobinAssignor],
  [stickyAssignor.name, stickyAssignor],
  [cooperativeStickyAssignor.name, cooperativeStickyAssignor],
  [KAFKAJS_ROUND_ROBIN_NAME, roundRobinAssignor],
]);
