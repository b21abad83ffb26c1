/**
 * The assignor contract: Kafka's ConsumerPartitionAssignor reduced to what a group assignment
 * needs, as plain data. An assignor is a pure function of its inputs: same members and partition
 * counts in, same assignment out, whatever order the members are listed in.
 *
 * Invariants every built-in assignor keeps:
 * - every member in `members` has an entry in the result (an idle member gets `[]`);
 * - a partition is assigned to at most one member, and only to a member subscribed to its topic;
 * - only topics that some member subscribes to and that have at least one partition are assigned;
 * - each member's list is normalized: topics in ascending order (Java String order, UTF-16 code
 *   units), each topic once, its partitions ascending.
 */

/** Some partitions of one topic, as Kafka's ConsumerProtocolAssignment lists them. */
export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** One group member as an assignor sees it (Kafka's Subscription plus MemberInfo). */
export interface AssignorMember {
  readonly memberId: string;
  /** Static membership (`group.instance.id`); static members sort before dynamic ones. */
  readonly groupInstanceId?: string | undefined;
  /** The topics the member subscribes to. */
  readonly subscription: readonly string[];
  /** Partitions the member owned in its last generation (sticky assignors keep them). */
  readonly ownedPartitions?: readonly TopicPartitions[] | undefined;
  /**
   * The generation `ownedPartitions` come from (ConsumerProtocolSubscription v2 `generationId`).
   * Sticky assignors resolve two members claiming one partition by it. Absent means -1.
   */
  readonly generationId?: number | undefined;
}

/** memberId -> that member's partitions. */
export type GroupAssignment = Map<string, TopicPartitions[]>;

export interface Assignor {
  /** The protocol name members advertise in JoinGroup (`range`, `roundrobin`, ...). */
  readonly name: string;
  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment;
}
