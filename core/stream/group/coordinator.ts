/**
 * The group coordinator for Kafka's classic consumer-group protocol: JoinGroup, SyncGroup,
 * Heartbeat and LeaveGroup over many groups, with Kafka's state machine (Empty,
 * PreparingRebalance, CompletingRebalance, Stable, Dead), generations, static membership and error
 * codes. It is pure and single-threaded: it owns no timers and does no I/O. Time comes in as
 * `nowMs` on every call; `tick(nowMs)` runs whatever delayed operation fell due (session expiry,
 * rebalance timeout, initial join delay, sync timeout), each at its own deadline, in deadline order.
 *
 * Requests that Kafka parks in a purgatory come back as `{ status: 'pending', ticket }`; their answer
 * arrives later as a {@link GroupCompletion} with the same ticket, passed to `onCompletion` or queued
 * for `drainCompletions()`. A request the call itself completes (the last member to join, the
 * leader's SyncGroup) is answered directly. Failures are thrown as KafkaProtocolError with Kafka's
 * code; the answer to a parked request carries its error instead.
 *
 * Invariants:
 * - a parked request is answered exactly once (a member that sends a second JoinGroup or SyncGroup
 *   while one is parked gets REBALANCE_IN_PROGRESS for the first; a member removed while parked gets
 *   UNKNOWN_MEMBER_ID — Kafka would let those requests time out);
 * - members awaiting join or sync never expire; everyone else expires `sessionTimeoutMs` after its
 *   last heartbeat (a new member awaiting its first join after NewMemberJoinTimeoutMs);
 * - the assignment of a generation is handed out only once the leader's SyncGroup arrives, and
 *   members missing from it get `[]` (an idle member stays a member).
 */
import { KafkaProtocolError, MqlabInternalError, type KafkaErrorType } from '../../errors/index.js';
import { BUILT_IN_ASSIGNORS } from './assignors/index.js';
import type { Assignor, AssignorMember, TopicPartition, TopicPartitions } from './assignors/types.js';
import { MemberIdRequiredError } from './errors.js';
import { GroupMetadata, protocolsMatch, type MemberMetadata } from './group-metadata.js';
import { resolveGroupCoordinatorOptions, type GroupCoordinatorOptions, type ResolvedGroupCoordinatorOptions } from './options.js';
import type {
  GroupCompletion,
  GroupDescription,
  GroupOutcome,
  GroupProtocol,
  GroupState,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  SyncGroupRequest,
  SyncGroupResponse,
} from './types.js';

/** What the offset store asks the coordinator before it accepts a commit. */
export interface OffsetCommitValidator {
  /**
   * Throws the KafkaProtocolError Kafka would answer an OffsetCommit with, or returns when the commit
   * may be stored. A commit with generation -1 and an empty member id is a standalone commit (a
   * consumer using `assign()`), accepted for a group with no members.
   */
  validateOffsetCommit(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | undefined,
    partitions: readonly TopicPartition[],
    nowMs: number,
  ): void;
}

type DueAction =
  | { readonly kind: 'pending-member'; readonly memberId: string }
  | { readonly kind: 'heartbeat'; readonly memberId: string }
  | { readonly kind: 'join' }
  | { readonly kind: 'sync' };

interface Due {
  readonly group: GroupMetadata;
  readonly atMs: number;
  readonly action: DueAction;
}

/** Each tick may run at most this many delayed operations; more means a bug, not a busy group. */
const MAX_ACTIONS_PER_TICK = 1_000_000;

function fail(type: KafkaErrorType, message: string): KafkaProtocolError {
  return new KafkaProtocolError(type, message);
}

function isInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n);
}

function validateAssignment(assignment: readonly TopicPartitions[], memberId: string): readonly TopicPartitions[] {
  for (const tp of assignment) {
    if (typeof tp.topic !== 'string' || !Array.isArray(tp.partitions) || !tp.partitions.every((p) => isInt(p) && p >= 0)) {
      throw fail('INVALID_REQUEST', `SyncGroup assignment for member '${memberId}' has a malformed entry ${JSON.stringify(tp)}`);
    }
  }
  return assignment;
}

export class GroupCoordinator implements OffsetCommitValidator {
  private readonly options: ResolvedGroupCoordinatorOptions;
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly assignors: ReadonlyMap<string, Assignor>;
  private readonly queued: GroupCompletion[] = [];
  private nextTicket = 1;
  /** Tickets of the requests being handled: their answers are returned, not emitted. */
  private readonly directTickets = new Set<number>();
  private readonly directResults = new Map<number, JoinGroupResponse | SyncGroupResponse | KafkaProtocolError>();

  constructor(options?: GroupCoordinatorOptions) {
    this.options = resolveGroupCoordinatorOptions(options);
    const assignors = new Map(BUILT_IN_ASSIGNORS);
    for (const a of this.options.assignors) assignors.set(a.name, a);
    this.assignors = assignors;
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  joinGroup(request: JoinGroupRequest, nowMs: number): GroupOutcome<JoinGroupResponse> {
    const { groupId, memberId } = request;
    this.validateGroupId(groupId);
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.options;
    if (!isInt(request.sessionTimeoutMs) || request.sessionTimeoutMs < minSessionTimeoutMs || request.sessionTimeoutMs > maxSessionTimeoutMs) {
      throw fail(
        'INVALID_SESSION_TIMEOUT',
        `Session timeout ${String(request.sessionTimeoutMs)} ms is outside [${minSessionTimeoutMs}, ${maxSessionTimeoutMs}] (group.min/max.session.timeout.ms)`,
      );
    }
    const rebalanceTimeoutMs = request.rebalanceTimeoutMs ?? request.sessionTimeoutMs;
    if (!isInt(rebalanceTimeoutMs) || rebalanceTimeoutMs <= 0) {
      throw fail('INVALID_REQUEST', `Rebalance timeout ${String(rebalanceTimeoutMs)} ms must be a positive integer`);
    }
    const malformed = (p: GroupProtocol | undefined): boolean =>
      typeof p !== 'object' || typeof p.name !== 'string' || p.name === '' || typeof p.metadata !== 'object' || !Array.isArray(p.metadata.topics);
    if (!Array.isArray(request.protocols) || (request.protocols as readonly (GroupProtocol | undefined)[]).some(malformed)) {
      throw fail('INCONSISTENT_GROUP_PROTOCOL', `JoinGroup for group '${groupId}' has a protocol without a name or topic list`);
    }

    const isUnknownMember = memberId === '';
    let group = this.groups.get(groupId);
    if (group === undefined) {
      if (!isUnknownMember) throw fail('UNKNOWN_MEMBER_ID', `Group '${groupId}' does not exist, so member '${memberId}' is unknown`);
      group = new GroupMetadata(groupId);
      this.groups.set(groupId, group);
    }
    if (isUnknownMember && group.members.size + group.pendingMembers.size >= this.options.maxGroupSize) {
      throw fail('GROUP_MAX_SIZE_REACHED', `Group '${groupId}' already has ${this.options.maxGroupSize} members (group.max.size)`);
    }

    const target = group;
    const ticket = this.nextTicket++;
    return this.direct<JoinGroupResponse>(ticket, () => {
      if (isUnknownMember) this.doNewMemberJoinGroup(target, request, rebalanceTimeoutMs, ticket, nowMs);
      else this.doCurrentMemberJoinGroup(target, request, rebalanceTimeoutMs, ticket, nowMs);
      if (target.is('PreparingRebalance')) this.tryCompleteJoin(target, nowMs);
    });
  }

  syncGroup(request: SyncGroupRequest, nowMs: number): GroupOutcome<SyncGroupResponse> {
    const { groupId, memberId, generationId } = request;
    this.validateGroupId(groupId);
    const group = this.groups.get(groupId);
    if (group === undefined) throw fail('UNKNOWN_MEMBER_ID', `Group '${groupId}' does not exist, so member '${memberId}' is unknown`);
    this.validateMember(group, memberId, request.groupInstanceId, generationId, 'SyncGroup');
    if (
      (request.protocolType !== undefined && request.protocolType !== group.protocolType) ||
      (request.protocolName !== undefined && request.protocolName !== group.protocolName)
    ) {
      throw fail(
        'INCONSISTENT_GROUP_PROTOCOL',
        `SyncGroup names protocol ${String(request.protocolType)}/${String(request.protocolName)} but group '${groupId}' uses ${String(group.protocolType)}/${String(group.protocolName)}`,
      );
    }
    const member = this.memberOf(group, memberId);
    switch (group.state) {
      case 'Empty':
        throw fail('UNKNOWN_MEMBER_ID', `Group '${groupId}' is empty, member '${memberId}' must rejoin`);
      case 'PreparingRebalance':
        throw fail('REBALANCE_IN_PROGRESS', `Group '${groupId}' is rebalancing; member '${memberId}' must rejoin`);
      case 'CompletingRebalance': {
        const ticket = this.nextTicket++;
        return this.direct<SyncGroupResponse>(ticket, () => {
          if (!group.isLeader(memberId)) {
            this.removePendingSyncMember(group, memberId);
            this.parkSync(group, member, ticket);
            return;
          }
          // Compute first: a bad assignment fails the leader's request and changes nothing.
          const assignment = this.groupAssignment(group, request);
          this.removePendingSyncMember(group, memberId);
          this.parkSync(group, member, ticket);
          for (const m of group.members.values()) {
            m.assignment = assignment.get(m.memberId) ?? [];
            m.lastAssignment = m.assignment;
            m.lastAssignmentGenerationId = group.generationId;
          }
          group.transitionTo('Stable');
          this.propagateAssignment(group, undefined, nowMs);
        });
      }
      case 'Stable':
        this.removePendingSyncMember(group, memberId);
        member.heartbeatDeadlineMs = nowMs + member.sessionTimeoutMs;
        return { status: 'done', response: this.syncResponse(group, member) };
      case 'Dead':
        throw fail('COORDINATOR_NOT_AVAILABLE', `Group '${groupId}' is dead`);
      default: {
        const never: never = group.state;
        throw new MqlabInternalError('INTERNAL', `unknown group state ${String(never)}`);
      }
    }
  }

  heartbeat(request: HeartbeatRequest, nowMs: number): void {
    const { groupId, memberId, generationId } = request;
    this.validateGroupId(groupId);
    const group = this.groups.get(groupId);
    if (group === undefined) throw fail('UNKNOWN_MEMBER_ID', `Group '${groupId}' does not exist, so member '${memberId}' is unknown`);
    this.validateMember(group, memberId, request.groupInstanceId, generationId, 'Heartbeat');
    const member = this.memberOf(group, memberId);
    switch (group.state) {
      case 'Empty':
        throw fail('UNKNOWN_MEMBER_ID', `Group '${groupId}' is empty, member '${memberId}' must rejoin`);
      case 'CompletingRebalance':
      case 'Stable':
        member.heartbeatDeadlineMs = nowMs + member.sessionTimeoutMs;
        return;
      case 'PreparingRebalance':
        member.heartbeatDeadlineMs = nowMs + member.sessionTimeoutMs;
        throw fail('REBALANCE_IN_PROGRESS', `Group '${groupId}' is rebalancing; member '${memberId}' must rejoin`);
      case 'Dead':
        throw fail('COORDINATOR_NOT_AVAILABLE', `Group '${groupId}' is dead`);
      default: {
        const never: never = group.state;
        throw new MqlabInternalError('INTERNAL', `unknown group state ${String(never)}`);
      }
    }
  }

  leaveGroup(request: LeaveGroupRequest, nowMs: number): void {
    const { groupId, memberId, groupInstanceId } = request;
    this.validateGroupId(groupId);
    const group = this.groups.get(groupId);
    if (group === undefined) throw fail('UNKNOWN_MEMBER_ID', `Group '${groupId}' does not exist, so member '${memberId}' is unknown`);
    if (group.is('Dead')) throw fail('COORDINATOR_NOT_AVAILABLE', `Group '${groupId}' is dead`);
    if (memberId !== '' && group.memberError(memberId, groupInstanceId) === 'FENCED_INSTANCE_ID') {
      throw fail('FENCED_INSTANCE_ID', `Member '${memberId}' is fenced: instance '${String(groupInstanceId)}' now belongs to another member`);
    }
    if (group.pendingMembers.has(memberId)) {
      this.removePendingMember(group, memberId, nowMs);
      return;
    }
    const staticId = groupInstanceId === undefined ? undefined : group.staticMembers.get(groupInstanceId);
    const member = group.members.get(staticId ?? memberId);
    if (member === undefined) throw fail('UNKNOWN_MEMBER_ID', `Member '${memberId}' is not in group '${groupId}'`);
    this.removeMemberAndUpdateGroup(group, member, nowMs);
  }

  /** Runs every delayed operation due at or before `nowMs`, each at its own deadline. */
  tick(nowMs: number): void {
    for (let i = 0; i < MAX_ACTIONS_PER_TICK; i++) {
      const due = this.nextDue();
      if (due === undefined || due.atMs > nowMs) return;
      this.runDue(due);
    }
    throw new MqlabInternalError('INTERNAL', `group coordinator tick ran ${MAX_ACTIONS_PER_TICK} operations without settling`);
  }

  /** When `tick` next has something to do, or undefined when nothing is scheduled. */
  nextDeadlineMs(): number | undefined {
    return this.nextDue()?.atMs;
  }

  /** Answers to parked requests since the last call (empty when `onCompletion` is set). */
  drainCompletions(): GroupCompletion[] {
    return this.queued.splice(0, this.queued.length);
  }

  describeGroup(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (group === undefined) return { groupId, state: 'Dead', protocolType: '', protocolName: '', generationId: -1, leaderId: '', members: [] };
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName: group.protocolName ?? '',
      generationId: group.generationId,
      leaderId: group.leaderId ?? '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: m.assignment,
      })),
    };
  }

  listGroups(): { readonly groupId: string; readonly protocolType: string; readonly state: GroupState }[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  validateOffsetCommit(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | undefined,
    partitions: readonly TopicPartition[],
    nowMs: number,
  ): void {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      if (generationId < 0) return;
      throw fail('ILLEGAL_GENERATION', `Group '${groupId}' does not exist, so generation ${generationId} is stale`);
    }
    if (group.is('Dead')) throw fail('COORDINATOR_NOT_AVAILABLE', `Group '${groupId}' is dead`);
    if (group.memberError(memberId, groupInstanceId) === 'FENCED_INSTANCE_ID') {
      throw fail('FENCED_INSTANCE_ID', `Member '${memberId}' is fenced: instance '${String(groupInstanceId)}' now belongs to another member`);
    }
    if (generationId < 0 && group.is('Empty')) return;
    const member = group.members.get(memberId);
    if (member === undefined) throw fail('UNKNOWN_MEMBER_ID', `Member '${memberId}' is not in group '${groupId}'`);
    if (generationId !== group.generationId) {
      throw fail('ILLEGAL_GENERATION', `Generation ${generationId} of member '${memberId}' is not group '${groupId}' generation ${group.generationId}`);
    }
    switch (group.state) {
      case 'Stable':
      case 'PreparingRebalance': {
        member.heartbeatDeadlineMs = nowMs + member.sessionTimeoutMs;
        const owned = new Set(member.assignment.flatMap((t) => t.partitions.map((p) => `${p}:${t.topic}`)));
        const foreign = partitions.find((tp) => !owned.has(`${tp.partition}:${tp.topic}`));
        if (foreign !== undefined) {
          // Kafka's KIP-848 coordinator fences a classic-protocol member whose commit it rejects with
          // ILLEGAL_GENERATION; KIP-1251 fences commits for partitions no longer assigned the same way.
          throw fail(
            'ILLEGAL_GENERATION',
            `Member '${memberId}' of group '${groupId}' does not own ${foreign.topic}-${foreign.partition} in generation ${group.generationId}`,
          );
        }
        return;
      }
      case 'CompletingRebalance':
        throw fail('REBALANCE_IN_PROGRESS', `Group '${groupId}' is completing a rebalance; commit after SyncGroup`);
      case 'Empty':
        throw fail('UNKNOWN_MEMBER_ID', `Group '${groupId}' is empty`);
      case 'Dead':
        throw fail('COORDINATOR_NOT_AVAILABLE', `Group '${groupId}' is dead`);
      default: {
        const never: never = group.state;
        throw new MqlabInternalError('INTERNAL', `unknown group state ${String(never)}`);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // JoinGroup

  private doNewMemberJoinGroup(group: GroupMetadata, request: JoinGroupRequest, rebalanceTimeoutMs: number, ticket: number, nowMs: number): void {
    this.checkJoinable(group, request);
    const uuid = this.options.generateUuid();
    const { groupInstanceId } = request;
    if (groupInstanceId !== undefined) {
      const newMemberId = `${groupInstanceId}-${uuid}`;
      const oldMemberId = group.staticMembers.get(groupInstanceId);
      if (oldMemberId !== undefined) this.updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, request, rebalanceTimeoutMs, ticket, nowMs);
      else this.addMemberAndRebalance(group, newMemberId, request, rebalanceTimeoutMs, ticket, nowMs);
      return;
    }
    const newMemberId = `${request.clientId ?? this.options.defaultClientId}-${uuid}`;
    if (request.requireKnownMemberId ?? true) {
      group.pendingMembers.set(newMemberId, nowMs + request.sessionTimeoutMs);
      throw new MemberIdRequiredError(newMemberId, group.groupId);
    }
    this.addMemberAndRebalance(group, newMemberId, request, rebalanceTimeoutMs, ticket, nowMs);
  }

  private doCurrentMemberJoinGroup(group: GroupMetadata, request: JoinGroupRequest, rebalanceTimeoutMs: number, ticket: number, nowMs: number): void {
    const { memberId, groupInstanceId } = request;
    this.checkJoinable(group, request);
    if (group.pendingMembers.has(memberId)) {
      if (groupInstanceId !== undefined) {
        throw fail('INVALID_REQUEST', `Pending member '${memberId}' cannot join with group.instance.id '${groupInstanceId}'`);
      }
      this.addMemberAndRebalance(group, memberId, request, rebalanceTimeoutMs, ticket, nowMs);
      return;
    }
    const error = group.memberError(memberId, groupInstanceId);
    if (error === 'FENCED_INSTANCE_ID') {
      throw fail(error, `Member '${memberId}' is fenced: instance '${String(groupInstanceId)}' now belongs to another member`);
    }
    if (error === 'UNKNOWN_MEMBER_ID') throw fail(error, `Member '${memberId}' is not in group '${group.groupId}'`);
    const member = this.memberOf(group, memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        this.updateMemberAndRebalance(group, member, request, rebalanceTimeoutMs, ticket, nowMs);
        return;
      case 'CompletingRebalance':
        if (protocolsMatch(member.protocols, request.protocols)) {
          // A retry of a JoinGroup whose response was lost: answer with the current generation.
          this.settleJoin(group, member, ticket, this.joinResponse(group, member, group.isLeader(memberId)));
        } else {
          this.updateMemberAndRebalance(group, member, request, rebalanceTimeoutMs, ticket, nowMs);
        }
        return;
      case 'Stable':
        if (group.isLeader(memberId) || !protocolsMatch(member.protocols, request.protocols)) {
          // The leader rejoining forces a rebalance: that is how it reacts to metadata changes.
          this.updateMemberAndRebalance(group, member, request, rebalanceTimeoutMs, ticket, nowMs);
        } else {
          this.settleJoin(group, member, ticket, this.joinResponse(group, member, false));
        }
        return;
      case 'Empty':
      case 'Dead':
        throw fail('UNKNOWN_MEMBER_ID', `Group '${group.groupId}' is ${group.state}; member '${memberId}' must rejoin without a member id`);
      default: {
        const never: never = group.state;
        throw new MqlabInternalError('INTERNAL', `unknown group state ${String(never)}`);
      }
    }
  }

  private checkJoinable(group: GroupMetadata, request: JoinGroupRequest): void {
    if (group.is('Dead')) throw fail('COORDINATOR_NOT_AVAILABLE', `Group '${group.groupId}' is dead`);
    if (!group.supportsProtocols(request.protocolType, request.protocols.map((p) => p.name))) {
      throw fail(
        'INCONSISTENT_GROUP_PROTOCOL',
        `Protocols ${request.protocolType}/[${request.protocols.map((p) => p.name).join(', ')}] do not match group '${group.groupId}' (${String(group.protocolType)})`,
      );
    }
  }

  private addMemberAndRebalance(
    group: GroupMetadata,
    memberId: string,
    request: JoinGroupRequest,
    rebalanceTimeoutMs: number,
    ticket: number,
    nowMs: number,
  ): void {
    const member: MemberMetadata = {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: request.clientId ?? this.options.defaultClientId,
      clientHost: request.clientHost ?? '',
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      assignment: [],
      lastAssignment: [],
      lastAssignmentGenerationId: -1,
      joinTicket: ticket,
      syncTicket: undefined,
      isNew: true,
      heartbeatDeadlineMs: nowMs + this.options.newMemberJoinTimeoutMs,
    };
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    this.maybePrepareRebalance(group, nowMs);
  }

  private updateMemberAndRebalance(
    group: GroupMetadata,
    member: MemberMetadata,
    request: JoinGroupRequest,
    rebalanceTimeoutMs: number,
    ticket: number,
    nowMs: number,
  ): void {
    this.updateMember(group, member, request, rebalanceTimeoutMs, ticket);
    this.maybePrepareRebalance(group, nowMs);
  }

  private updateMember(group: GroupMetadata, member: MemberMetadata, request: JoinGroupRequest, rebalanceTimeoutMs: number, ticket: number): void {
    if (member.joinTicket !== undefined) {
      this.settleJoin(group, member, member.joinTicket, fail('REBALANCE_IN_PROGRESS', `Superseded by a newer JoinGroup from member '${member.memberId}'`));
    }
    member.protocols = request.protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.joinTicket = ticket;
  }

  private updateStaticMemberAndRebalance(
    group: GroupMetadata,
    oldMemberId: string,
    newMemberId: string,
    request: JoinGroupRequest,
    rebalanceTimeoutMs: number,
    ticket: number,
    nowMs: number,
  ): void {
    const currentLeader = group.leaderId ?? '';
    const old = this.memberOf(group, oldMemberId);
    // The old incarnation's parked requests are answered: it has been fenced.
    if (old.joinTicket !== undefined) this.settleJoin(group, old, old.joinTicket, fail('FENCED_INSTANCE_ID', `Member '${oldMemberId}' was replaced by '${newMemberId}'`));
    if (old.syncTicket !== undefined) this.settleSync(group, old, old.syncTicket, fail('FENCED_INSTANCE_ID', `Member '${oldMemberId}' was replaced by '${newMemberId}'`));
    const member = group.replaceStaticMember(request.groupInstanceId ?? '', oldMemberId, newMemberId);
    member.heartbeatDeadlineMs = nowMs + member.sessionTimeoutMs;
    this.updateMember(group, member, request, rebalanceTimeoutMs, ticket);
    switch (group.state) {
      case 'Stable':
        if (group.selectProtocol() === group.protocolName) {
          // Pre-v9 answer: the old leader id, so a restarted leader does not run a pointless assignment.
          this.settleJoin(group, member, ticket, { ...this.joinResponse(group, member, false), leaderId: currentLeader });
        } else {
          this.maybePrepareRebalance(group, nowMs);
        }
        return;
      case 'CompletingRebalance':
        this.prepareRebalance(group, nowMs);
        return;
      case 'PreparingRebalance':
        return;
      case 'Empty':
      case 'Dead':
        throw new MqlabInternalError('INTERNAL', `Group '${group.groupId}' is ${group.state} yet has static member '${oldMemberId}'`);
      default: {
        const never: never = group.state;
        throw new MqlabInternalError('INTERNAL', `unknown group state ${String(never)}`);
      }
    }
  }

  private maybePrepareRebalance(group: GroupMetadata, nowMs: number): void {
    if (group.canRebalance()) this.prepareRebalance(group, nowMs);
  }

  private prepareRebalance(group: GroupMetadata, nowMs: number): void {
    if (group.is('CompletingRebalance')) {
      for (const m of group.members.values()) m.assignment = [];
      this.propagateAssignment(group, 'REBALANCE_IN_PROGRESS', nowMs);
    }
    group.pendingSyncMembers.clear();
    group.syncDeadlineMs = Infinity;
    const delay = this.options.initialRebalanceDelayMs;
    if (group.is('Empty') && delay > 0) {
      group.initialDelay = { delayMs: delay, remainingMs: Math.max(group.rebalanceTimeoutMs() - delay, 0) };
      group.joinDeadlineMs = nowMs + delay;
    } else {
      group.initialDelay = undefined;
      group.joinDeadlineMs = nowMs + group.rebalanceTimeoutMs();
    }
    group.transitionTo('PreparingRebalance');
    this.tryCompleteJoin(group, nowMs);
  }

  private tryCompleteJoin(group: GroupMetadata, nowMs: number): void {
    if (group.is('PreparingRebalance') && group.initialDelay === undefined && group.hasAllMembersJoined()) this.onCompleteJoin(group, nowMs);
  }

  private onCompleteJoin(group: GroupMetadata, nowMs: number): void {
    group.joinDeadlineMs = Infinity;
    group.initialDelay = undefined;
    for (const m of [...group.members.values()]) {
      if (m.joinTicket === undefined && m.groupInstanceId === undefined) group.remove(m.memberId);
    }
    if (group.is('Dead')) return;
    if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
      // Only static members that have not rejoined are left: wait another rebalance timeout.
      group.joinDeadlineMs = nowMs + group.rebalanceTimeoutMs();
      return;
    }
    group.initNextGeneration();
    if (group.is('Empty')) return;
    for (const m of group.members.values()) {
      if (m.joinTicket !== undefined) this.settleJoin(group, m, m.joinTicket, this.joinResponse(group, m, group.isLeader(m.memberId)));
      m.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
      m.isNew = false;
      group.pendingSyncMembers.add(m.memberId);
    }
    group.syncDeadlineMs = nowMs + group.rebalanceTimeoutMs();
  }

  private joinResponse(group: GroupMetadata, member: MemberMetadata, withMembers: boolean): JoinGroupResponse {
    return {
      groupId: group.groupId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      memberId: member.memberId,
      members: withMembers ? group.currentMemberMetadata() : [],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // SyncGroup

  private parkSync(group: GroupMetadata, member: MemberMetadata, ticket: number): void {
    if (member.syncTicket !== undefined) {
      this.settleSync(group, member, member.syncTicket, fail('REBALANCE_IN_PROGRESS', `Superseded by a newer SyncGroup from member '${member.memberId}'`));
    }
    member.syncTicket = ticket;
  }

  /** Answers every parked SyncGroup, with the assignment or with `error`. */
  private propagateAssignment(group: GroupMetadata, error: KafkaErrorType | undefined, nowMs: number): void {
    for (const m of group.members.values()) {
      if (m.syncTicket === undefined) continue;
      const result =
        error === undefined ? this.syncResponse(group, m) : fail(error, `Group '${group.groupId}' is rebalancing; member '${m.memberId}' must rejoin`);
      this.settleSync(group, m, m.syncTicket, result);
      m.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
    }
  }

  private syncResponse(group: GroupMetadata, member: MemberMetadata): SyncGroupResponse {
    return {
      groupId: group.groupId,
      memberId: member.memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    };
  }

  private removePendingSyncMember(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) group.syncDeadlineMs = Infinity;
  }

  /** The leader's assignment, or the group's assignor's when the leader sent none. */
  private groupAssignment(group: GroupMetadata, request: SyncGroupRequest): Map<string, readonly TopicPartitions[]> {
    const out = new Map<string, readonly TopicPartitions[]>();
    if (request.assignments !== undefined) {
      for (const { memberId, assignment } of request.assignments) {
        if (group.has(memberId)) out.set(memberId, validateAssignment(assignment, memberId));
      }
      return out;
    }
    const name = group.protocolName ?? '';
    const assignor = this.assignors.get(name);
    if (assignor === undefined) {
      throw fail('INVALID_REQUEST', `The leader of group '${group.groupId}' sent no assignment and there is no server-side assignor '${name}'`);
    }
    const members: AssignorMember[] = [];
    const topics = new Set<string>();
    for (const m of group.members.values()) {
      const metadata = m.protocols.find((p) => p.name === name)?.metadata;
      if (metadata === undefined) continue;
      for (const t of metadata.topics) topics.add(t);
      const reported = metadata.ownedPartitions !== undefined;
      members.push({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        subscription: metadata.topics,
        ownedPartitions: reported ? metadata.ownedPartitions : m.lastAssignment,
        generationId: reported ? metadata.generationId : m.lastAssignmentGenerationId,
      });
    }
    let counts = request.partitionsPerTopic;
    if (counts === undefined) {
      const lookup = this.options.partitionCount;
      if (lookup === undefined) {
        throw fail('INVALID_REQUEST', `Group '${group.groupId}' needs partition counts for a server-side assignment: pass partitionsPerTopic or a partitionCount option`);
      }
      const resolved = new Map<string, number>();
      for (const t of topics) {
        const n = lookup(t);
        if (n !== undefined) resolved.set(t, n);
      }
      counts = resolved;
    }
    for (const [memberId, assignment] of assignor.assign(members, counts)) out.set(memberId, assignment);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Membership changes and delayed operations

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, nowMs: number): void {
    if (member.joinTicket !== undefined) this.settleJoin(group, member, member.joinTicket, fail('UNKNOWN_MEMBER_ID', `Member '${member.memberId}' was removed from group '${group.groupId}'`));
    if (member.syncTicket !== undefined) this.settleSync(group, member, member.syncTicket, fail('UNKNOWN_MEMBER_ID', `Member '${member.memberId}' was removed from group '${group.groupId}'`));
    group.remove(member.memberId);
    switch (group.state) {
      case 'Dead':
      case 'Empty':
        return;
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, nowMs);
        return;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group, nowMs);
        return;
      default: {
        const never: never = group.state;
        throw new MqlabInternalError('INTERNAL', `unknown group state ${String(never)}`);
      }
    }
  }

  private removePendingMember(group: GroupMetadata, memberId: string, nowMs: number): void {
    group.pendingMembers.delete(memberId);
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group, nowMs);
  }

  private nextDue(): Due | undefined {
    let best: Due | undefined;
    const consider = (group: GroupMetadata, atMs: number, action: DueAction): void => {
      if (atMs !== Infinity && (best === undefined || atMs < best.atMs)) best = { group, atMs, action };
    };
    for (const group of this.groups.values()) {
      for (const [memberId, atMs] of group.pendingMembers) consider(group, atMs, { kind: 'pending-member', memberId });
      for (const m of group.members.values()) consider(group, m.heartbeatDeadlineMs, { kind: 'heartbeat', memberId: m.memberId });
      if (group.is('PreparingRebalance')) consider(group, group.joinDeadlineMs, { kind: 'join' });
      if (group.is('CompletingRebalance') || group.is('Stable')) consider(group, group.syncDeadlineMs, { kind: 'sync' });
    }
    return best;
  }

  private runDue({ group, atMs, action }: Due): void {
    switch (action.kind) {
      case 'pending-member':
        this.removePendingMember(group, action.memberId, atMs);
        return;
      case 'heartbeat': {
        const member = this.memberOf(group, action.memberId);
        if (!member.isNew && (member.joinTicket !== undefined || member.syncTicket !== undefined)) {
          // Awaiting a rebalance counts as alive; completing it schedules the next expectation.
          member.heartbeatDeadlineMs = Infinity;
          return;
        }
        this.removeMemberAndUpdateGroup(group, member, atMs);
        return;
      }
      case 'join': {
        const initial = group.initialDelay;
        if (initial !== undefined && group.newMemberAdded && initial.remainingMs > 0) {
          group.newMemberAdded = false;
          const delayMs = Math.min(this.options.initialRebalanceDelayMs, initial.remainingMs);
          group.initialDelay = { delayMs, remainingMs: Math.max(initial.remainingMs - initial.delayMs, 0) };
          group.joinDeadlineMs = atMs + delayMs;
          return;
        }
        this.onCompleteJoin(group, atMs);
        return;
      }
      case 'sync': {
        group.syncDeadlineMs = Infinity;
        if (group.pendingSyncMembers.size === 0) return;
        for (const memberId of [...group.pendingSyncMembers]) {
          const member = group.members.get(memberId);
          if (member === undefined) continue;
          if (member.joinTicket !== undefined) this.settleJoin(group, member, member.joinTicket, fail('UNKNOWN_MEMBER_ID', `Member '${memberId}' was removed`));
          group.remove(memberId);
        }
        this.prepareRebalance(group, atMs);
        return;
      }
      default: {
        const never: never = action;
        throw new MqlabInternalError('INTERNAL', `unknown delayed operation ${JSON.stringify(never)}`);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  private validateGroupId(groupId: string): void {
    if (typeof groupId !== 'string' || groupId === '') throw fail('INVALID_GROUP_ID', `Group id ${JSON.stringify(groupId)} is not valid`);
  }

  private validateMember(group: GroupMetadata, memberId: string, groupInstanceId: string | undefined, generationId: number, api: string): void {
    if (group.is('Dead')) throw fail('COORDINATOR_NOT_AVAILABLE', `Group '${group.groupId}' is dead`);
    const error = group.memberError(memberId, groupInstanceId);
    if (error === 'FENCED_INSTANCE_ID') {
      throw fail(error, `${api}: member '${memberId}' is fenced: instance '${String(groupInstanceId)}' now belongs to another member`);
    }
    if (error === 'UNKNOWN_MEMBER_ID') throw fail(error, `${api}: member '${memberId}' is not in group '${group.groupId}'`);
    if (generationId !== group.generationId) {
      throw fail('ILLEGAL_GENERATION', `${api}: generation ${generationId} of member '${memberId}' is not group '${group.groupId}' generation ${group.generationId}`);
    }
  }

  private memberOf(group: GroupMetadata, memberId: string): MemberMetadata {
    const member = group.members.get(memberId);
    if (member === undefined) throw new MqlabInternalError('INTERNAL', `Group '${group.groupId}' has no member '${memberId}'`);
    return member;
  }

  /** Runs a handler; returns the answer to `ticket` if the handler produced it, else parks it. */
  private direct<T extends JoinGroupResponse | SyncGroupResponse>(ticket: number, handler: () => void): GroupOutcome<T> {
    this.directTickets.add(ticket);
    try {
      handler();
      const result = this.directResults.get(ticket);
      if (result === undefined) return { status: 'pending', ticket };
      if (result instanceof KafkaProtocolError) throw result;
      return { status: 'done', response: result as T };
    } finally {
      this.directTickets.delete(ticket);
      this.directResults.delete(ticket);
    }
  }

  private settleJoin(group: GroupMetadata, member: MemberMetadata, ticket: number, result: JoinGroupResponse | KafkaProtocolError): void {
    if (member.joinTicket === ticket) member.joinTicket = undefined;
    if (this.directTickets.has(ticket)) {
      this.directResults.set(ticket, result);
      return;
    }
    const base = { ticket, api: 'JoinGroup', groupId: group.groupId, memberId: member.memberId } as const;
    this.emit(result instanceof KafkaProtocolError ? { ...base, error: result } : { ...base, response: result });
  }

  private settleSync(group: GroupMetadata, member: MemberMetadata, ticket: number, result: SyncGroupResponse | KafkaProtocolError): void {
    if (member.syncTicket === ticket) member.syncTicket = undefined;
    if (this.directTickets.has(ticket)) {
      this.directResults.set(ticket, result);
      return;
    }
    const base = { ticket, api: 'SyncGroup', groupId: group.groupId, memberId: member.memberId } as const;
    this.emit(result instanceof KafkaProtocolError ? { ...base, error: result } : { ...base, response: result });
  }

  private emit(completion: GroupCompletion): void {
    if (this.options.onCompletion !== undefined) this.options.onCompletion(completion);
    else this.queued.push(completion);
  }
}
