/**
 * One classic consumer group's state, as Kafka's GroupMetadata and MemberMetadata keep it: the
 * members (in join order), the pending members that got MEMBER_ID_REQUIRED, the static members'
 * instance ids, the leader, the generation, the chosen protocol, and the deadlines of the delayed
 * operations the coordinator would otherwise keep in purgatories.
 *
 * Invariants:
 * - `state` only moves along Kafka's transitions (see VALID_PREVIOUS_STATES).
 * - A member is awaiting join exactly while it has a parked JoinGroup (`joinTicket`), and awaiting
 *   sync exactly while it has a parked SyncGroup (`syncTicket`).
 * - `leaderId` names a member whenever the group has members.
 * - Deadlines are absolute milliseconds on the caller's clock; `Infinity` means none is scheduled.
 */
import { MqlabInternalError } from '../../errors/index.js';
import { channels } from '../../diagnostics.js';
import type { TopicPartitions } from './assignors/types.js';
import type { ConsumerProtocolMetadata, GroupProtocol, GroupState, JoinGroupMember } from './types.js';

const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface MemberMetadata {
  memberId: string;
  groupInstanceId: string | undefined;
  readonly clientId: string;
  readonly clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  readonly protocolType: string;
  protocols: readonly GroupProtocol[];
  /** The partitions of the current generation; `[]` until the leader's SyncGroup. */
  assignment: readonly TopicPartitions[];
  /** The last non-empty assignment handed out and its generation (sticky fallback for owned partitions). */
  lastAssignment: readonly TopicPartitions[];
  lastAssignmentGenerationId: number;
  joinTicket: number | undefined;
  syncTicket: number | undefined;
  /** Joined but not yet through a completed join: expires after NewMemberJoinTimeoutMs. */
  isNew: boolean;
  /** When the member is removed unless it heartbeats (or is awaiting join/sync). */
  heartbeatDeadlineMs: number;
}

/** An initial delayed join (group.initial.rebalance.delay.ms) in progress. */
export interface InitialDelay {
  readonly delayMs: number;
  readonly remainingMs: number;
}

function canonicalMetadata(metadata: ConsumerProtocolMetadata): string {
  return JSON.stringify([
    metadata.topics,
    metadata.ownedPartitions ?? null,
    metadata.generationId ?? null,
    metadata.userData === undefined ? null : [...metadata.userData],
  ]);
}

/** MemberMetadata.matches: same protocols, in the same order, with the same metadata. */
export function protocolsMatch(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((p, i) => {
    const q = b[i];
    return q !== undefined && p.name === q.name && canonicalMetadata(p.metadata) === canonicalMetadata(q.metadata);
  });
}

export class GroupMetadata {
  readonly groupId: string;
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | undefined;
  protocolName: string | undefined;
  leaderId: string | undefined;
  readonly members = new Map<string, MemberMetadata>();
  /** memberId -> when the pending id expires. */
  readonly pendingMembers = new Map<string, number>();
  /** group.instance.id -> memberId */
  readonly staticMembers = new Map<string, string>();
  readonly pendingSyncMembers = new Set<string>();
  /** DelayedJoin / InitialDelayedJoin deadline while PreparingRebalance. */
  joinDeadlineMs = Infinity;
  initialDelay: InitialDelay | undefined;
  /** DelayedSync deadline: members that have not sent SyncGroup by then are removed. */
  syncDeadlineMs = Infinity;
  newMemberAdded = false;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transitionTo(target: GroupState): void {
    if (!VALID_PREVIOUS_STATES[target].includes(this.state)) {
      throw new MqlabInternalError('INTERNAL', `Group '${this.groupId}' cannot move from ${this.state} to ${target}`);
    }
    this.state = target;
    if (channels.consumerGroup.hasSubscribers) {
      channels.consumerGroup.publish({ groupId: this.groupId, generationId: this.generationId, state: target, members: [...this.members.keys()] });
    }
  }

  /** Whether a rebalance may start now (PreparingRebalance's valid previous states). */
  canRebalance(): boolean {
    return VALID_PREVIOUS_STATES.PreparingRebalance.includes(this.state);
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  add(member: MemberMetadata): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== undefined) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.pendingMembers.delete(member.memberId);
    this.leaderId ??= member.memberId;
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member === undefined) {
      this.pendingMembers.delete(memberId);
      return;
    }
    this.members.delete(memberId);
    if (member.groupInstanceId !== undefined && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    this.pendingSyncMembers.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value;
  }

  /** Moves a static member to a new member id (a restart with the same group.instance.id). */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): MemberMetadata {
    const member = this.members.get(oldMemberId);
    if (member === undefined) throw new MqlabInternalError('INTERNAL', `Static member ${groupInstanceId} has no member ${oldMemberId}`);
    // Rebuild the map so the member keeps its place in join order under its new id.
    const entries = [...this.members.entries()];
    this.members.clear();
    for (const [id, m] of entries) this.members.set(id === oldMemberId ? newMemberId : id, m);
    member.memberId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    return member;
  }

  /** validateCurrentMember: the error a request from this member id / instance id deserves, if any. */
  memberError(memberId: string, groupInstanceId: string | undefined): 'FENCED_INSTANCE_ID' | 'UNKNOWN_MEMBER_ID' | undefined {
    if (groupInstanceId !== undefined) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return 'UNKNOWN_MEMBER_ID';
      if (current !== memberId) return 'FENCED_INSTANCE_ID';
    }
    return this.members.has(memberId) ? undefined : 'UNKNOWN_MEMBER_ID';
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  hasAllMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (m.joinTicket === undefined) return false;
    return true;
  }

  private protocolsSupportedByAll(): string[] {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) for (const p of new Set(m.protocols.map((x) => x.name))) counts.set(p, (counts.get(p) ?? 0) + 1);
    return [...counts.entries()].filter(([, n]) => n === this.members.size).map(([name]) => name);
  }

  /** Whether a member with this protocol type and these protocols may join. */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocolNames.length > 0;
    const all = new Set(this.protocolsSupportedByAll());
    return this.protocolType === protocolType && protocolNames.some((n) => all.has(n));
  }

  /**
   * GroupMetadata.selectProtocol: among the protocols every member supports, each member votes for
   * the first in its own preference order; most votes wins. Ties (a hash-order accident in Kafka)
   * go to the protocol the leader prefers.
   */
  selectProtocol(): string {
    const candidates = new Set(this.protocolsSupportedByAll());
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const vote = m.protocols.find((p) => candidates.has(p.name))?.name;
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    const leader = this.leaderId === undefined ? undefined : this.members.get(this.leaderId);
    const preference = (leader ?? this.members.values().next().value)?.protocols.map((p) => p.name) ?? [];
    let best: string | undefined;
    let bestVotes = -1;
    for (const name of preference) {
      const n = votes.get(name) ?? 0;
      if (candidates.has(name) && n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    if (best === undefined) throw new MqlabInternalError('INTERNAL', `Group '${this.groupId}' has no protocol all members support`);
    return best;
  }

  /** Keeps a leader among the members that rejoined; false when none rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === undefined) return false;
    const leader = this.members.get(this.leaderId);
    if (leader !== undefined && leader.joinTicket !== undefined) return true;
    for (const m of this.members.values()) {
      if (m.joinTicket !== undefined) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  initNextGeneration(): void {
    this.generationId += 1;
    this.pendingSyncMembers.clear();
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance');
    } else {
      this.protocolName = undefined;
      this.transitionTo('Empty');
    }
  }

  /** What the leader receives: every member with its metadata for the chosen protocol. */
  currentMemberMetadata(): JoinGroupMember[] {
    const out: JoinGroupMember[] = [];
    for (const m of this.members.values()) {
      const protocol = m.protocols.find((p) => p.name === this.protocolName);
      if (protocol !== undefined) out.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: protocol.metadata });
    }
    return out;
  }
}
