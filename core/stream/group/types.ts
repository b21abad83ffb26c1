/**
 * The group-coordination requests and responses, as plain data (Kafka's JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup, OffsetCommit and OffsetFetch, with the consumer protocol's subscription and
 * assignment already decoded). Field names follow Kafka's request schemas and kafkajs.
 */
import type { KafkaProtocolError } from '../../errors/index.js';
import type { TopicPartitions } from './assignors/types.js';

/** Kafka's classic group states (GroupMetadata.scala). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** A consumer's subscription as JoinGroup carries it (ConsumerProtocolSubscription). */
export interface ConsumerProtocolMetadata {
  readonly topics: readonly string[];
  /** Partitions the member owns now (cooperative) or owned last generation (eager sticky). */
  readonly ownedPartitions?: readonly TopicPartitions[] | undefined;
  /** The generation `ownedPartitions` belong to (subscription v2). */
  readonly generationId?: number | undefined;
  readonly userData?: Uint8Array | undefined;
}

/** One assignment strategy a member supports, in its order of preference. */
export interface GroupProtocol {
  readonly name: string;
  readonly metadata: ConsumerProtocolMetadata;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  /** '' for a member joining for the first time. */
  readonly memberId: string;
  /** `group.instance.id`: makes the member static. */
  readonly groupInstanceId?: string | undefined;
  /** Prefix of a dynamic member's generated id (`${clientId}-${uuid}`). Default `mqlab`. */
  readonly clientId?: string | undefined;
  readonly clientHost?: string | undefined;
  readonly sessionTimeoutMs: number;
  /** How long the coordinator waits for members to rejoin. Default: `sessionTimeoutMs` (JoinGroup v0). */
  readonly rebalanceTimeoutMs?: number | undefined;
  /** `consumer` for consumer groups. */
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
  /**
   * JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED with its id and joins again
   * with it. Default true, as in every client that speaks v4+ (kafkajs, the Java consumer).
   */
  readonly requireKnownMemberId?: boolean | undefined;
}

/** A member as the leader sees it in the JoinGroup response. */
export interface JoinGroupMember {
  readonly memberId: string;
  readonly groupInstanceId?: string | undefined;
  readonly metadata: ConsumerProtocolMetadata;
}

export interface JoinGroupResponse {
  readonly groupId: string;
  readonly generationId: number;
  readonly protocolType: string | undefined;
  /** The assignment strategy the group chose. */
  readonly protocolName: string | undefined;
  readonly leaderId: string;
  readonly memberId: string;
  /** Every member with its subscription, for the leader only; `[]` for the others. */
  readonly members: readonly JoinGroupMember[];
}

/** One member's partitions, as the leader sends them in SyncGroup. */
export interface MemberAssignment {
  readonly memberId: string;
  readonly assignment: readonly TopicPartitions[];
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId?: string | undefined;
  readonly protocolType?: string | undefined;
  readonly protocolName?: string | undefined;
  /**
   * From the leader: every member's partitions (members left out get `[]`). When the leader leaves
   * this undefined, the coordinator computes the assignment itself with the group's chosen
   * assignor. Followers send nothing.
   */
  readonly assignments?: readonly MemberAssignment[] | undefined;
  /** Partition counts for a server-side assignment; default: the coordinator's `partitionCount`. */
  readonly partitionsPerTopic?: ReadonlyMap<string, number> | undefined;
}

export interface SyncGroupResponse {
  readonly groupId: string;
  readonly memberId: string;
  readonly generationId: number;
  readonly protocolType: string | undefined;
  readonly protocolName: string | undefined;
  readonly assignment: readonly TopicPartitions[];
}

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly generationId: number;
  readonly groupInstanceId?: string | undefined;
}

export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId?: string | undefined;
}

/**
 * A request either answered at once, or parked until the group moves on (a JoinGroup waiting for
 * the other members, a follower's SyncGroup waiting for the leader). A parked request is answered
 * later by a {@link GroupCompletion} with the same ticket.
 */
export type GroupOutcome<T> =
  | { readonly status: 'done'; readonly response: T }
  | { readonly status: 'pending'; readonly ticket: number };

type Settled<T> =
  | { readonly response: T; readonly error?: undefined }
  | { readonly response?: undefined; readonly error: KafkaProtocolError };

interface CompletionBase {
  readonly ticket: number;
  readonly groupId: string;
  readonly memberId: string;
}

/** The answer to a parked request. */
export type GroupCompletion =
  | (CompletionBase & { readonly api: 'JoinGroup' } & Settled<JoinGroupResponse>)
  | (CompletionBase & { readonly api: 'SyncGroup' } & Settled<SyncGroupResponse>);

export interface GroupMemberDescription {
  readonly memberId: string;
  readonly groupInstanceId: string | undefined;
  readonly clientId: string;
  readonly clientHost: string;
  readonly assignment: readonly TopicPartitions[];
}

/** DescribeGroups for one group; an unknown group is `Dead` with no members, as in Kafka. */
export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupState;
  readonly protocolType: string;
  readonly protocolName: string;
  readonly generationId: number;
  readonly leaderId: string;
  readonly members: readonly GroupMemberDescription[];
}
