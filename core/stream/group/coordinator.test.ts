import { describe, expect, it } from 'vitest';
import { KafkaConfigError, KafkaProtocolError } from '../../errors/index.js';
import type { TopicPartitions } from './assignors/types.js';
import { GroupCoordinator } from './coordinator.js';
import { MemberIdRequiredError } from './errors.js';
import type { GroupCoordinatorOptions } from './options.js';
import type { GroupCompletion, GroupOutcome, JoinGroupResponse, SyncGroupResponse } from './types.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function code(fn: () => unknown): number {
  const e = thrown(fn);
  if (!(e instanceof KafkaProtocolError)) throw e instanceof Error ? e : new Error(String(e));
  return e.code;
}

function done<T>(outcome: GroupOutcome<T>): T {
  if (outcome.status !== 'done') throw new Error(`expected an answer, got ticket ${outcome.ticket}`);
  return outcome.response;
}

function flat(list: readonly TopicPartitions[]): string[] {
  return list.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));
}

function syncAssignment(completion: GroupCompletion | undefined): string[] {
  if (completion?.api !== 'SyncGroup' || completion.response === undefined) throw new Error('expected a SyncGroup answer');
  return flat(completion.response.assignment);
}

function counterUuid(): () => string {
  let n = 0;
  return () => `uuid${++n}`;
}

function coordinator(partitions: Record<string, number>, options?: GroupCoordinatorOptions): GroupCoordinator {
  const counts = new Map(Object.entries(partitions));
  return new GroupCoordinator({ partitionCount: (t) => counts.get(t), generateUuid: counterUuid(), ...options });
}

interface JoinArgs {
  readonly groupId?: string;
  readonly memberId?: string;
  readonly clientId?: string;
  readonly groupInstanceId?: string;
  readonly topics?: readonly string[];
  readonly protocol?: string;
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly ownedPartitions?: readonly TopicPartitions[];
}

function join(c: GroupCoordinator, args: JoinArgs, nowMs: number): GroupOutcome<JoinGroupResponse> {
  return c.joinGroup(
    {
      groupId: args.groupId ?? 'g',
      memberId: args.memberId ?? '',
      clientId: args.clientId ?? 'client',
      groupInstanceId: args.groupInstanceId,
      sessionTimeoutMs: args.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: args.rebalanceTimeoutMs ?? 30_000,
      protocolType: 'consumer',
      protocols: [{ name: args.protocol ?? 'range', metadata: { topics: args.topics ?? ['t'], ownedPartitions: args.ownedPartitions } }],
    },
    nowMs,
  );
}

/** A new dynamic member: JoinGroup, MEMBER_ID_REQUIRED, JoinGroup again with the id. */
function joinNew(c: GroupCoordinator, args: JoinArgs, nowMs: number): { memberId: string; outcome: GroupOutcome<JoinGroupResponse> } {
  const e = thrown(() => join(c, { ...args, memberId: '' }, nowMs));
  if (!(e instanceof MemberIdRequiredError)) throw e instanceof Error ? e : new Error(String(e));
  return { memberId: e.memberId, outcome: join(c, { ...args, memberId: e.memberId }, nowMs) };
}

function sync(c: GroupCoordinator, memberId: string, generationId: number, nowMs: number, groupId = 'g'): GroupOutcome<SyncGroupResponse> {
  return c.syncGroup({ groupId, memberId, generationId }, nowMs);
}

describe('GroupCoordinator: join and sync', () => {
  it('a new member gets MEMBER_ID_REQUIRED (79) with id `${clientId}-${uuid}`, then leads generation 1', () => {
    const c = coordinator({ t: 3 });
    const e = thrown(() => join(c, { clientId: 'app' }, 0));
    expect(e).toBeInstanceOf(MemberIdRequiredError);
    expect((e as MemberIdRequiredError).code).toBe(79);
    expect((e as MemberIdRequiredError).type).toBe('MEMBER_ID_REQUIRED');
    expect((e as MemberIdRequiredError).memberId).toBe('app-uuid1');
    expect((e as MemberIdRequiredError).toRecord()).toMatchObject({ code: 79, memberId: 'app-uuid1' });
    const r = done(join(c, { memberId: 'app-uuid1', clientId: 'app' }, 0));
    expect(r).toMatchObject({ generationId: 1, leaderId: 'app-uuid1', memberId: 'app-uuid1', protocolName: 'range', protocolType: 'consumer' });
    expect(r.members.map((m) => m.memberId)).toEqual(['app-uuid1']);
    expect(c.describeGroup('g').state).toBe('CompletingRebalance');
    const s = done(sync(c, 'app-uuid1', 1, 0));
    expect(flat(s.assignment)).toEqual(['t-0', 't-1', 't-2']);
    expect(c.describeGroup('g').state).toBe('Stable');
  });

  it('a second member parks its join until every known member rejoined; followers wait for the leader', () => {
    const c = coordinator({ t: 4 });
    const a = joinNew(c, { clientId: 'a' }, 0);
    done(a.outcome);
    done(sync(c, a.memberId, 1, 0));
    const b = joinNew(c, { clientId: 'b' }, 100);
    expect(b.outcome.status).toBe('pending');
    expect(c.describeGroup('g').state).toBe('PreparingRebalance');
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 }, 200))).toBe(27);
    const ra = done(join(c, { memberId: a.memberId, clientId: 'a' }, 300));
    expect(ra.generationId).toBe(2);
    expect(ra.leaderId).toBe(a.memberId);
    expect(ra.members).toHaveLength(2);
    const completions = c.drainCompletions();
    expect(completions).toHaveLength(1);
    const jb = completions[0] as GroupCompletion;
    expect(jb).toMatchObject({ api: 'JoinGroup', memberId: b.memberId, ticket: b.outcome.status === 'pending' ? b.outcome.ticket : -1 });
    expect(jb.response).toMatchObject({ generationId: 2, leaderId: a.memberId, members: [] });
    const sb = sync(c, b.memberId, 2, 400);
    expect(sb.status).toBe('pending');
    const sa = done(sync(c, a.memberId, 2, 500));
    expect(flat(sa.assignment)).toEqual(['t-0', 't-1']);
    const [cb] = c.drainCompletions();
    expect(cb).toMatchObject({ api: 'SyncGroup', memberId: b.memberId });
    expect(syncAssignment(cb)).toEqual(['t-2', 't-3']);
  });

  it('uses the leader’s assignments when given, and gives members left out []', () => {
    const c = coordinator({ t: 2 });
    const a = joinNew(c, {}, 0);
    done(sync(c, a.memberId, 1, 0));
    const b = joinNew(c, {}, 0);
    done(join(c, { memberId: a.memberId }, 0));
    c.drainCompletions();
    expect(sync(c, b.memberId, 2, 0).status).toBe('pending');
    const s = done(c.syncGroup({ groupId: 'g', memberId: a.memberId, generationId: 2, assignments: [{ memberId: a.memberId, assignment: [{ topic: 't', partitions: [1, 0] }] }] }, 0));
    expect(s.assignment).toEqual([{ topic: 't', partitions: [1, 0] }]);
    expect(c.drainCompletions()[0]?.response).toMatchObject({ assignment: [] });
  });

  it('G02 idle member: 2 members, 1 partition → one gets [] and is still a member', () => {
    const c = coordinator({ t: 1 });
    const a = joinNew(c, {}, 0);
    done(sync(c, a.memberId, 1, 0));
    const b = joinNew(c, {}, 0);
    done(join(c, { memberId: a.memberId }, 0));
    c.drainCompletions();
    sync(c, b.memberId, 2, 0);
    const sa = done(sync(c, a.memberId, 2, 0));
    const assignments = [flat(sa.assignment), syncAssignment(c.drainCompletions()[0])].sort();
    expect(assignments).toEqual([[], ['t-0']]);
    expect(c.describeGroup('g').members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort());
    // The idle member heartbeats normally and stays through many session timeouts.
    for (let t = 5_000; t <= 60_000; t += 5_000) {
      c.tick(t);
      c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 2 }, t);
      c.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: 2 }, t);
    }
    expect(c.describeGroup('g')).toMatchObject({ state: 'Stable', generationId: 2 });
    expect(c.describeGroup('g').members).toHaveLength(2);
  });

  it('a member that does not rejoin within the rebalance timeout is removed', () => {
    const c = coordinator({ t: 2 });
    const a = joinNew(c, { rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 60_000 }, 0);
    done(sync(c, a.memberId, 1, 0));
    const b = joinNew(c, { rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 60_000 }, 1_000);
    expect(b.outcome.status).toBe('pending');
    expect(c.nextDeadlineMs()).toBe(21_000);
    c.tick(20_999);
    expect(c.describeGroup('g').state).toBe('PreparingRebalance');
    c.tick(21_000);
    expect(c.describeGroup('g')).toMatchObject({ state: 'CompletingRebalance', generationId: 2, leaderId: b.memberId });
    expect(c.describeGroup('g').members.map((m) => m.memberId)).toEqual([b.memberId]);
    expect(c.drainCompletions()[0]?.response).toMatchObject({ leaderId: b.memberId, generationId: 2 });
  });

  it('a member that does not sync within the rebalance timeout is removed and the group rebalances', () => {
    const c = coordinator({ t: 2 });
    const args = { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 30_000 };
    const a = joinNew(c, args, 0);
    done(sync(c, a.memberId, 1, 0));
    joinNew(c, args, 0);
    done(join(c, { ...args, memberId: a.memberId }, 0));
    c.drainCompletions();
    done(sync(c, a.memberId, 2, 0));
    expect(c.describeGroup('g').state).toBe('Stable');
    // The second member never sends SyncGroup.
    c.tick(29_999);
    expect(c.describeGroup('g').members).toHaveLength(2);
    c.tick(30_000);
    expect(c.describeGroup('g').members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(c.describeGroup('g').state).toBe('PreparingRebalance');
  });

  it('group.initial.rebalance.delay.ms holds the first join of an empty group and stretches while members arrive', () => {
    const c = coordinator({ t: 2 }, { initialRebalanceDelayMs: 3_000 });
    const a = joinNew(c, {}, 0);
    expect(a.outcome.status).toBe('pending');
    const b = joinNew(c, {}, 2_000);
    expect(b.outcome.status).toBe('pending');
    c.tick(2_999);
    expect(c.drainCompletions()).toEqual([]);
    c.tick(3_000); // a member arrived during the delay: wait another 3 s
    expect(c.drainCompletions()).toEqual([]);
    c.tick(6_000);
    const completions = c.drainCompletions();
    expect(completions.map((x) => x.memberId)).toEqual([a.memberId, b.memberId]);
    expect(completions[0]?.response).toMatchObject({ generationId: 1, leaderId: a.memberId });
  });

  it('a static member restarting with its group.instance.id keeps its assignment without a rebalance; the old id is fenced (82)', () => {
    const c = coordinator({ t: 2 });
    const s1 = done(join(c, { groupInstanceId: 'inst-1' }, 0));
    expect(s1.memberId).toBe('inst-1-uuid1');
    done(sync(c, s1.memberId, 1, 0));
    const d = joinNew(c, {}, 0);
    done(join(c, { memberId: s1.memberId, groupInstanceId: 'inst-1' }, 0));
    c.drainCompletions();
    sync(c, d.memberId, 2, 0);
    const before = done(sync(c, s1.memberId, 2, 0)).assignment;
    c.drainCompletions();
    const restarted = done(join(c, { groupInstanceId: 'inst-1' }, 1_000));
    expect(restarted.memberId).not.toBe(s1.memberId);
    expect(restarted).toMatchObject({ generationId: 2, leaderId: s1.memberId });
    expect(c.describeGroup('g').state).toBe('Stable');
    expect(done(sync(c, restarted.memberId, 2, 1_000)).assignment).toEqual(before);
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: s1.memberId, groupInstanceId: 'inst-1', generationId: 2 }, 1_000))).toBe(82);
  });
});

describe('GroupCoordinator: options', () => {
  it('validates options once, at construction', () => {
    expect(() => new GroupCoordinator({ minSessionTimeoutMs: -1 })).toThrow(/minSessionTimeoutMs/);
    expect(() => new GroupCoordinator({ minSessionTimeoutMs: 10, maxSessionTimeoutMs: 5 })).toThrow(/exceeds/);
    expect(() => new GroupCoordinator({ nope: 1 } as unknown as GroupCoordinatorOptions)).toThrow(KafkaConfigError);
    const c = new GroupCoordinator({ minSessionTimeoutMs: 1, maxSessionTimeoutMs: 2 });
    expect(code(() => c.joinGroup({ groupId: 'g', memberId: '', sessionTimeoutMs: 3, protocolType: 'consumer', protocols: [{ name: 'range', metadata: { topics: [] } }] }, 0))).toBe(26);
  });
});

describe('GroupCoordinator: liveness and fencing', () => {
  it('G11 no heartbeat for session.timeout.ms (45 s) → the member is removed and the group rebalances', () => {
    const c = coordinator({ t: 4 });
    const args = { sessionTimeoutMs: 45_000 };
    const a = joinNew(c, args, 0);
    done(sync(c, a.memberId, 1, 0));
    const b = joinNew(c, args, 0);
    done(join(c, { ...args, memberId: a.memberId }, 0));
    c.drainCompletions();
    sync(c, b.memberId, 2, 0);
    done(sync(c, a.memberId, 2, 0));
    c.drainCompletions();
    expect(c.nextDeadlineMs()).toBe(45_000);
    for (let t = 10_000; t <= 40_000; t += 10_000) {
      c.tick(t);
      c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 2 }, t);
    }
    c.tick(44_999);
    expect(c.describeGroup('g').members).toHaveLength(2);
    c.tick(45_000);
    expect(c.describeGroup('g').members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(c.describeGroup('g').state).toBe('PreparingRebalance');
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 2 }, 46_000))).toBe(27);
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: 2 }, 46_000))).toBe(25);
    const r = done(join(c, { ...args, memberId: a.memberId }, 46_000));
    expect(r.generationId).toBe(3);
    expect(flat(done(sync(c, a.memberId, 3, 46_000)).assignment)).toEqual(['t-0', 't-1', 't-2', 't-3']);
  });

  it('G11 a member awaiting a rebalance does not expire; a pending member id expires after its session timeout', () => {
    const c = coordinator({ t: 1 });
    const args = { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 100_000 };
    const a = joinNew(c, args, 0);
    done(sync(c, a.memberId, 1, 0));
    // A newcomer gets its id but never comes back: the rebalance waits for it, not for ever.
    const pendingId = (thrown(() => join(c, args, 1_000)) as MemberIdRequiredError).memberId;
    expect(join(c, { ...args, memberId: a.memberId }, 1_000).status).toBe('pending');
    c.tick(10_999); // a's own session deadline (10 000) passed while it awaits the join: it stays
    expect(c.describeGroup('g').members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(c.drainCompletions()).toEqual([]);
    c.tick(11_000); // the pending id expires, so every known member has joined
    expect(c.drainCompletions()).toMatchObject([{ api: 'JoinGroup', memberId: a.memberId, response: { generationId: 2 } }]);
    expect(code(() => join(c, { ...args, memberId: pendingId }, 12_000))).toBe(25);
  });

  it('G12 fencing: stale generation → 22, unknown member → 25, mid-rebalance → 27, session timeout outside [6000, 1800000] → 26', () => {
    const c = coordinator({ t: 2 });
    expect(code(() => join(c, { groupId: 'bounds', sessionTimeoutMs: 5_999 }, 0))).toBe(26);
    expect(code(() => join(c, { groupId: 'bounds', sessionTimeoutMs: 1_800_001 }, 0))).toBe(26);
    expect(code(() => join(c, { groupId: 'bounds', sessionTimeoutMs: 6_000 }, 0))).toBe(79);
    expect(code(() => join(c, { groupId: 'bounds', sessionTimeoutMs: 1_800_000 }, 0))).toBe(79);
    const a = joinNew(c, {}, 0);
    done(sync(c, a.memberId, 1, 0));
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 0 }, 0))).toBe(22);
    expect(code(() => sync(c, a.memberId, 7, 0))).toBe(22);
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: 'nobody', generationId: 1 }, 0))).toBe(25);
    expect(code(() => c.heartbeat({ groupId: 'no-such-group', memberId: a.memberId, generationId: 1 }, 0))).toBe(25);
    expect(code(() => join(c, { memberId: 'nobody' }, 0))).toBe(25);
    expect(code(() => c.leaveGroup({ groupId: 'g', memberId: 'nobody' }, 0))).toBe(25);
    joinNew(c, {}, 0); // a newcomer starts a rebalance
    expect(code(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 }, 0))).toBe(27);
    expect(code(() => sync(c, a.memberId, 1, 0))).toBe(27);
    const e = thrown(() => c.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1 }, 0)) as KafkaProtocolError;
    expect(e).toMatchObject({ type: 'REBALANCE_IN_PROGRESS', name: 'KafkaJSProtocolError', retriable: false });
    expect(code(() => c.heartbeat({ groupId: '', memberId: a.memberId, generationId: 1 }, 0))).toBe(24);
  });

  it('rejects a member whose protocols share nothing with the group (23)', () => {
    const c = coordinator({ t: 1 });
    const a = joinNew(c, { protocol: 'range' }, 0);
    done(a.outcome);
    expect(code(() => join(c, { protocol: 'roundrobin' }, 0))).toBe(23);
  });

  it('a leaving member triggers a rebalance; its parked join is answered with UNKNOWN_MEMBER_ID', () => {
    const c = coordinator({ t: 2 });
    const a = joinNew(c, {}, 0);
    done(sync(c, a.memberId, 1, 0));
    const b = joinNew(c, {}, 0);
    expect(b.outcome.status).toBe('pending');
    c.leaveGroup({ groupId: 'g', memberId: b.memberId }, 0);
    expect(c.drainCompletions()).toMatchObject([{ api: 'JoinGroup', memberId: b.memberId, error: { code: 25 } }]);
    done(join(c, { memberId: a.memberId }, 0));
    // The last member leaving completes the rebalance at once, into an empty next generation.
    c.leaveGroup({ groupId: 'g', memberId: a.memberId }, 0);
    expect(c.describeGroup('g')).toMatchObject({ state: 'Empty', generationId: 3, members: [] });
    expect(c.describeGroup('unknown').state).toBe('Dead');
  });
});

// ---------------------------------------------------------------------------------------------
// A small consumer simulator: clients that join, sync, heartbeat and follow the eager or the
// cooperative protocol, as the Java consumer and kafkajs do.

type Phase = 'join' | 'joining' | 'sync' | 'syncing' | 'stable' | 'dead';

interface Client {
  readonly name: string;
  readonly groupId: string;
  readonly protocol: string;
  memberId: string;
  generationId: number;
  phase: Phase;
  /** Partitions the client consumes right now. */
  owned: readonly TopicPartitions[];
  lastAssignment: readonly TopicPartitions[];
  lastGeneration: number;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const minus = (a: readonly TopicPartitions[], b: readonly TopicPartitions[]): string[] => {
  const bs = new Set(flat(b));
  return flat(a).filter((x) => !bs.has(x));
};

class Simulation {
  now = 0;
  readonly coordinator: GroupCoordinator;
  readonly clients: Client[] = [];
  private readonly byTicket = new Map<number, Client>();
  private readonly topics: readonly string[];
  private readonly partitions: ReadonlyMap<string, number>;

  constructor(partitions: Record<string, number>) {
    this.partitions = new Map(Object.entries(partitions));
    this.topics = [...this.partitions.keys()];
    this.coordinator = coordinator(partitions, { onCompletion: (x) => this.onCompletion(x) });
  }

  add(groupId: string, protocol: string): Client {
    const client: Client = { name: `c${this.clients.length}`, groupId, protocol, memberId: '', generationId: -1, phase: 'join', owned: [], lastAssignment: [], lastGeneration: -1 };
    this.clients.push(client);
    return client;
  }

  crash(client: Client): void {
    client.phase = 'dead';
    client.owned = [];
  }

  leave(client: Client): void {
    if (client.memberId !== '') {
      try {
        this.coordinator.leaveGroup({ groupId: client.groupId, memberId: client.memberId }, this.now);
      } catch (e) {
        if (!(e instanceof KafkaProtocolError)) throw e;
      }
    }
    client.phase = 'dead';
    client.owned = [];
  }

  private cooperative(c: Client): boolean {
    return c.protocol === 'cooperative-sticky';
  }

  private rejoin(c: Client, resetMemberId = false): void {
    if (resetMemberId) c.memberId = '';
    if (!this.cooperative(c)) c.owned = []; // eager: revoke everything before rejoining
    c.phase = 'join';
  }

  private onError(c: Client, e: unknown): void {
    if (!(e instanceof KafkaProtocolError)) throw e;
    if (e instanceof MemberIdRequiredError) {
      c.memberId = e.memberId;
      c.phase = 'join';
      return;
    }
    switch (e.type) {
      case 'REBALANCE_IN_PROGRESS':
        this.rejoin(c);
        return;
      case 'ILLEGAL_GENERATION':
      case 'UNKNOWN_MEMBER_ID':
        c.owned = [];
        this.rejoin(c, e.type === 'UNKNOWN_MEMBER_ID');
        return;
      default:
        throw e;
    }
  }

  private onJoined(c: Client, r: JoinGroupResponse): void {
    c.memberId = r.memberId;
    c.generationId = r.generationId;
    c.phase = 'sync';
  }

  private onSynced(c: Client, r: SyncGroupResponse): void {
    const revoked = minus(c.owned, r.assignment);
    c.owned = r.assignment;
    c.lastAssignment = r.assignment;
    c.lastGeneration = c.generationId;
    // A cooperative consumer that had to give partitions up rejoins so they can be reassigned.
    c.phase = this.cooperative(c) && revoked.length > 0 ? 'join' : 'stable';
    this.checkExclusive(c.groupId);
  }

  private onCompletion(x: GroupCompletion): void {
    const c = this.byTicket.get(x.ticket);
    this.byTicket.delete(x.ticket);
    if (c === undefined || c.phase === 'dead') return;
    if (x.error !== undefined) this.onError(c, x.error);
    else if (x.api === 'JoinGroup') this.onJoined(c, x.response);
    else this.onSynced(c, x.response);
  }

  private act(c: Client): void {
    try {
      switch (c.phase) {
        case 'join': {
          const owned = this.cooperative(c) ? c.owned : c.protocol === 'sticky' ? c.lastAssignment : undefined;
          const generationId = this.cooperative(c) ? c.generationId : c.lastGeneration;
          const outcome = this.coordinator.joinGroup(
            {
              groupId: c.groupId,
              memberId: c.memberId,
              clientId: c.name,
              sessionTimeoutMs: 10_000,
              rebalanceTimeoutMs: 30_000,
              protocolType: 'consumer',
              protocols: [{ name: c.protocol, metadata: { topics: this.topics, ownedPartitions: owned, generationId } }],
            },
            this.now,
          );
          if (outcome.status === 'done') this.onJoined(c, outcome.response);
          else {
            c.phase = 'joining';
            this.byTicket.set(outcome.ticket, c);
          }
          return;
        }
        case 'sync': {
          const outcome = this.coordinator.syncGroup({ groupId: c.groupId, memberId: c.memberId, generationId: c.generationId }, this.now);
          if (outcome.status === 'done') this.onSynced(c, outcome.response);
          else {
            c.phase = 'syncing';
            this.byTicket.set(outcome.ticket, c);
          }
          return;
        }
        case 'stable':
          this.coordinator.heartbeat({ groupId: c.groupId, memberId: c.memberId, generationId: c.generationId }, this.now);
          return;
        case 'joining':
        case 'syncing':
        case 'dead':
          return;
        default: {
          const never: never = c.phase;
          throw new Error(`unknown phase ${String(never)}`);
        }
      }
    } catch (e) {
      this.onError(c, e);
    }
  }

  /** One round: every live client acts once (in a shuffled order), then a second passes. */
  step(random: () => number): void {
    const order = this.clients.filter((c) => c.phase !== 'dead').sort(() => random() - 0.5);
    for (const c of order) {
      this.act(c);
      this.checkExclusive(c.groupId);
    }
    this.now += 1_000;
    this.coordinator.tick(this.now);
  }

  /** G01: within a group, no partition is consumed by two members at once. */
  checkExclusive(groupId: string): void {
    const seen = new Map<string, string>();
    for (const c of this.clients) {
      if (c.groupId !== groupId) continue;
      for (const p of flat(c.owned)) {
        expect(seen.get(p), `${p} consumed by ${String(seen.get(p))} and ${c.name}`).toBeUndefined();
        seen.set(p, c.name);
      }
    }
  }

  /** Every live client is stable in a Stable group whose members are exactly the live clients. */
  settled(groupId: string): boolean {
    const live = this.clients.filter((c) => c.groupId === groupId && c.phase !== 'dead');
    const group = this.coordinator.describeGroup(groupId);
    const members = group.members.map((m) => m.memberId).sort();
    const ids = live.map((c) => c.memberId).sort();
    return (
      live.every((c) => c.phase === 'stable') &&
      members.length === ids.length &&
      members.every((m, i) => m === ids[i]) &&
      (live.length === 0 || group.state === 'Stable')
    );
  }

  settle(groupIds: readonly string[], random: () => number): void {
    for (let i = 0; i < 200; i++) {
      if (groupIds.every((g) => this.settled(g))) break;
      this.step(random);
    }
    for (const groupId of groupIds) {
      expect(this.settled(groupId), `group ${groupId} did not settle`).toBe(true);
      const live = this.clients.filter((c) => c.groupId === groupId && c.phase !== 'dead');
      if (live.length === 0) continue;
      // Every group sees every record: the live members together consume every partition.
      const all = this.topics.flatMap((t) => Array.from({ length: this.partitions.get(t) ?? 0 }, (_, p) => `${t}-${p}`));
      expect(live.flatMap((c) => flat(c.owned)).sort()).toEqual(all.sort());
      expect(this.coordinator.describeGroup(groupId).members.map((m) => m.memberId).sort()).toEqual(live.map((c) => c.memberId).sort());
    }
  }
}

describe('GroupCoordinator: exclusivity over random joins and leaves', () => {
  for (const protocol of ['range', 'roundrobin', 'sticky', 'cooperative-sticky']) {
    it(`G01 exclusivity (${protocol}): each partition consumed by one member per group; every group sees every partition`, () => {
      const random = rng(protocol.length * 7919);
      const sim = new Simulation({ orders: 5, payments: 3 });
      const groups = ['group-a', 'group-b'];
      for (const g of groups) sim.add(g, protocol);
      sim.settle(groups, random);
      for (let op = 0; op < 25; op++) {
        const g = groups[Math.floor(random() * groups.length)] ?? 'group-a';
        const live = sim.clients.filter((c) => c.groupId === g && c.phase !== 'dead');
        const r = random();
        if (r < 0.45 || live.length <= 1) sim.add(g, protocol);
        else if (r < 0.75) sim.leave(live[Math.floor(random() * live.length)] ?? sim.add(g, protocol));
        else sim.crash(live[Math.floor(random() * live.length)] ?? sim.add(g, protocol));
        sim.settle(groups, random);
      }
    });
  }

  it('G08 cooperative: only moved partitions are revoked; the others are consumed throughout the rebalance', () => {
    const random = rng(99);
    const sim = new Simulation({ t: 6 });
    const a = sim.add('g', 'cooperative-sticky');
    const b = sim.add('g', 'cooperative-sticky');
    sim.settle(['g'], random);
    const before = new Map([a, b].map((c) => [c.name, flat(c.owned)]));
    const newcomer = sim.add('g', 'cooperative-sticky');
    const neverRevoked = new Map([a, b].map((c) => [c.name, new Set(before.get(c.name))]));
    for (let i = 0; i < 50 && !sim.settled('g'); i++) {
      sim.step(random);
      for (const c of [a, b]) {
        const now = new Set(flat(c.owned));
        for (const p of [...(neverRevoked.get(c.name) ?? [])]) if (!now.has(p)) neverRevoked.get(c.name)?.delete(p);
      }
    }
    expect(sim.settled('g')).toBe(true);
    expect(flat(newcomer.owned)).toHaveLength(2);
    for (const c of [a, b]) {
      const kept = neverRevoked.get(c.name) ?? new Set();
      // Each old member gave up exactly one partition and consumed the other two without a break.
      expect(kept.size).toBe(2);
      expect(flat(c.owned).sort()).toEqual([...kept].sort());
    }
    expect(sim.coordinator.describeGroup('g').generationId).toBe(3); // join of the newcomer + follow-up
  });
});
