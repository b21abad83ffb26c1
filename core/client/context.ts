/**
 * What every client of one cluster shares: the way to the cluster, one connection per broker, and a
 * metadata cache. Producers, consumers and admins of one `Kafka` instance use one context.
 *
 * The way to the cluster is a ClusterLink: the Cluster itself in the thread that started it, or a
 * proxy in another thread (core/client/remote.ts), through which the native writer and reader work
 * the same: their data path is shared memory either way. The group coordinator's calls (JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups) go through the link
 * too, as plain data both ways, so a consumer group member runs the same code in any thread.
 */
import { MessageChannel } from 'node:worker_threads';
import { BrokerConnection, type BrokerConfig, type BrokerLink, type Cluster, type Controller, type TopicMetadata } from '../cluster/index.js';
import { KafkaProtocolError, MqlabInternalError } from '../errors/index.js';
import { PartitionLogReader, pullSegmentsFrom } from '../log/index.js';
import type {
  GroupDescription,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  OffsetCommitPartition,
  OffsetFetchTopic,
  SyncGroupRequest,
  SyncGroupResponse,
  TopicOffsets,
} from '../stream/group/index.js';

/** OffsetCommit from a group member (generation -1 and member '' for a standalone commit). */
export interface OffsetCommitRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly offsets: readonly OffsetCommitPartition[];
}

/**
 * The group coordinator's calls a client makes, by name: what each takes and answers. Both are plain
 * data, so a call crosses a MessagePort as it is (remote.ts).
 */
export interface GroupCalls {
  /** Answers once the group's rebalance completes (the coordinator parks it until then). */
  joinGroup: { args: JoinGroupRequest; result: JoinGroupResponse };
  /** Answers once the leader's assignment is in. */
  syncGroup: { args: SyncGroupRequest; result: SyncGroupResponse };
  heartbeat: { args: HeartbeatRequest; result: void };
  leaveGroup: { args: LeaveGroupRequest; result: void };
  commitOffsets: { args: OffsetCommitRequest; result: void };
  fetchOffsets: { args: { readonly groupId: string; readonly topics: readonly OffsetFetchTopic[] }; result: TopicOffsets[] };
  describeGroup: { args: { readonly groupId: string }; result: GroupDescription };
  /** Every topic's name (a subscription by pattern matches against them). */
  topicNames: { args: Record<string, never>; result: string[] };
}
export type GroupCallName = keyof GroupCalls;
/** One group call with its arguments, as it travels. */
export type GroupCall = { [K in GroupCallName]: { readonly method: K; readonly args: GroupCalls[K]['args'] } }[GroupCallName];

/**
 * Runs a group call on the controller, in the cluster's thread; the link's two sides share it. The
 * coordinator acts before this returns (only the answer of a parked JoinGroup or SyncGroup comes
 * later), so calls made in one order reach the coordinator in that order. Failures are rejections
 * carrying Kafka's codes (REBALANCE_IN_PROGRESS 27, UNKNOWN_MEMBER_ID 25, ILLEGAL_GENERATION 22, ...).
 */
export function callCoordinator(controller: Controller, call: GroupCall): Promise<unknown> {
  try {
    const now = Date.now();
    switch (call.method) {
      case 'joinGroup':
        return controller.awaitGroup(() => controller.groups.joinGroup(call.args, now));
      case 'syncGroup':
        return controller.awaitGroup(() => controller.groups.syncGroup(call.args, now));
      case 'heartbeat':
        controller.groups.heartbeat(call.args, now);
        controller.groupChanged();
        return Promise.resolve();
      case 'leaveGroup':
        controller.groups.leaveGroup(call.args, now);
        controller.groupChanged();
        return Promise.resolve();
      case 'commitOffsets': {
        const { groupId, generationId, memberId, offsets } = call.args;
        controller.offsets.commitOffsets(groupId, generationId, memberId, offsets, now);
        return Promise.resolve();
      }
      case 'fetchOffsets':
        return Promise.resolve(controller.offsets.fetchOffsets(call.args.groupId, call.args.topics));
      case 'describeGroup':
        return Promise.resolve(controller.groups.describeGroup(call.args.groupId));
      case 'topicNames':
        return Promise.resolve(controller.metadata.topicNames());
      default: {
        const unknown: never = call;
        throw new MqlabInternalError('INVALID_ARGUMENT', `unknown group call ${JSON.stringify(unknown)}`);
      }
    }
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** What a context needs of a cluster, wherever the cluster runs. */
export interface ClusterLink {
  readonly config: BrokerConfig;
  /** The Cluster, in the thread that started it; undefined elsewhere. */
  readonly local: Cluster | undefined;
  fetchMetadata(topics: readonly string[], allowAutoTopicCreation: boolean): Promise<TopicMetadata[]>;
  /** A live broker, or undefined. */
  broker(id: number): BrokerLink | undefined;
  /** The partition's leader and leader epoch as known now (for following failovers). */
  currentLeader(topic: string, partition: number): { readonly leader: number; readonly leaderEpoch: number } | undefined;
  /** InitProducerId for an idempotent producer. */
  initProducerId(): Promise<{ producerId: number; producerEpoch: number }>;
  /** A call to the group coordinator (see GroupCalls). */
  group<K extends GroupCallName>(method: K, args: GroupCalls[K]['args']): Promise<GroupCalls[K]['result']>;
  /** The partition ids of a topic as known now, without asking (undefined when unknown). */
  knownPartitions(topic: string): readonly number[] | undefined;
  /** Runs `hook` when the cluster closes, or the link to it does; returns the unhook. */
  onClose(hook: () => void): () => void;
  close(): void;
}

/** The link in the cluster's own thread: straight calls. */
class LocalLink implements ClusterLink {
  constructor(readonly local: Cluster) {}
  get config(): BrokerConfig {
    return this.local.config;
  }
  fetchMetadata(topics: readonly string[], allowAutoTopicCreation: boolean): Promise<TopicMetadata[]> {
    return this.local.controller.fetchMetadata(topics, allowAutoTopicCreation);
  }
  broker(id: number): BrokerLink | undefined {
    return this.local.broker(id);
  }
  currentLeader(topic: string, partition: number): { leader: number; leaderEpoch: number } | undefined {
    return this.local.controller.metadata.topic(topic)?.partitions[partition];
  }
  initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    return Promise.resolve(this.local.controller.initProducerId());
  }
  group<K extends GroupCallName>(method: K, args: GroupCalls[K]['args']): Promise<GroupCalls[K]['result']> {
    return callCoordinator(this.local.controller, { method, args } as GroupCall) as Promise<GroupCalls[K]['result']>;
  }
  knownPartitions(topic: string): readonly number[] | undefined {
    return this.local.controller.metadata.topic(topic)?.partitions.map((p) => p.partition);
  }
  onClose(hook: () => void): () => void {
    return this.local.onClose(hook);
  }
  close(): void {
    // The cluster belongs to whoever started it.
  }
}

/** A reader of one partition's log in this thread, and what to close with it. */
export interface OpenedReader {
  readonly reader: PartitionLogReader;
  readonly brokerId: number;
  /** The leader epoch the reader was opened in: a failover makes it stale (see isCurrent). */
  readonly leaderEpoch: number;
  close(): void;
}

export class ClientContext {
  readonly #connections = new Map<number, Promise<BrokerConnection>>();
  readonly #metadata = new Map<string, TopicMetadata>();
  readonly #closers = new Set<() => void>();
  #closed = false;

  readonly link: ClusterLink;

  constructor(cluster: Cluster | ClusterLink) {
    this.link = 'controller' in cluster ? new LocalLink(cluster) : cluster;
  }

  /**
   * The Cluster, for clients that need its controller (admin): only in the cluster's own thread.
   * Producers, consumers, and the native writer and reader need only the link and work in any thread.
   */
  get cluster(): Cluster {
    const local = this.link.local;
    if (local === undefined) throw new MqlabInternalError('INVALID_ARGUMENT', "this client context reaches its cluster from another thread: producers, consumers and the native PartitionWriter and PartitionReader work here, an admin needs the cluster's thread");
    return local;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Metadata of one topic, from cache unless `refresh`; creates it when allowed. */
  async topic(name: string, allowAutoTopicCreation: boolean, refresh = false): Promise<TopicMetadata> {
    const cached = this.#metadata.get(name);
    if (cached !== undefined && !refresh) return cached;
    const [fresh] = await this.link.fetchMetadata([name], allowAutoTopicCreation);
    if (fresh === undefined) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic-partition: topic '${name}'`);
    this.#metadata.set(name, fresh);
    return fresh;
  }

  forget(name: string): void {
    this.#metadata.delete(name);
  }

  /** The connection to a broker, opened on first use and again after the broker came back. */
  async connection(brokerId: number): Promise<BrokerConnection> {
    const existing = this.#connections.get(brokerId);
    if (existing !== undefined) {
      const connection = await existing.catch(() => undefined);
      if (connection?.alive === true) return connection;
      connection?.close();
      this.#connections.delete(brokerId);
    }
    const handle = this.link.broker(brokerId);
    if (handle === undefined) throw new KafkaProtocolError('NETWORK_EXCEPTION', `The server disconnected before a response was received: broker ${brokerId} is not available`);
    const opening = BrokerConnection.open(handle, this.link.config);
    this.#connections.set(brokerId, opening);
    return opening;
  }

  /**
   * A connection of its own to the partition's leader, for a writer that keeps a produce frame open
   * between calls (a connection has one open frame at a time). Closed with the context, or earlier
   * by its owner.
   */
  async openLeaderConnection(topic: TopicMetadata, partition: number): Promise<BrokerConnection> {
    const handle = this.#leader(topic, partition);
    const connection = await BrokerConnection.open(handle, this.link.config);
    const close = (): void => {
      this.#closers.delete(close);
      connection.close();
    };
    this.#closers.add(close);
    return connection;
  }

  /** The leader's connection for a partition; LEADER_NOT_AVAILABLE while it has none. */
  async leaderConnection(topic: TopicMetadata, partition: number): Promise<BrokerConnection> {
    return this.connection(this.#leader(topic, partition).id);
  }

  /** Opens the leader's log of a partition for zero-copy reads in this thread. */
  async openReader(topic: TopicMetadata, partition: number): Promise<OpenedReader> {
    const handle = this.#leader(topic, partition);
    return this.#openOn(handle, topic.topicId, partition, this.#currentLeader(topic.name, partition)?.leaderEpoch ?? -1);
  }

  /**
   * Opens one replica's own log (leader or follower) on broker `brokerId`, for zero-copy reads up to
   * that replica's high watermark, or whole batches with fetchBatches. For checks and tools that look
   * at each replica; clients read the leader through openReader.
   */
  async openReplicaReader(brokerId: number, topicId: number, partition: number): Promise<OpenedReader> {
    const handle = this.link.broker(brokerId);
    if (handle === undefined) throw new KafkaProtocolError('NETWORK_EXCEPTION', `The server disconnected before a response was received: broker ${brokerId} is not available`);
    return this.#openOn(handle, topicId, partition, -1);
  }

  async #openOn(handle: BrokerLink, topicId: number, partition: number, leaderEpoch: number): Promise<OpenedReader> {
    const { port1, port2 } = new MessageChannel();
    let descriptor;
    try {
      descriptor = await handle.call('openReader', { topicId, partition, port: port2 }, [port2]);
    } catch (error) {
      port1.close();
      throw error;
    }
    const reader = PartitionLogReader.attach(descriptor, { pullSegment: pullSegmentsFrom(port1) });
    port1.unref();
    const close = (): void => {
      this.#closers.delete(close);
      reader.close();
      port1.close();
    };
    this.#closers.add(close);
    return { reader, brokerId: handle.id, leaderEpoch, close };
  }

  /** Whether `opened` still reads the partition's leader (false once leadership moved). */
  isCurrent(opened: OpenedReader, topicName: string, partition: number): boolean {
    const p = this.#currentLeader(topicName, partition);
    return p === undefined || (p.leader === opened.brokerId && p.leaderEpoch === opened.leaderEpoch) || p.leader < 0;
  }

  #currentLeader(topicName: string, partition: number): { leader: number; leaderEpoch: number } | undefined {
    return this.link.currentLeader(topicName, partition);
  }

  /** The live leader of a partition: UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE otherwise. */
  #leader(topic: TopicMetadata, partition: number): BrokerLink {
    // The controller runs in this thread: its view is fresher than any cached metadata.
    const p = this.#currentLeader(topic.name, partition) ?? topic.partitions[partition];
    if (p === undefined) {
      throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic-partition: partition ${partition} of topic '${topic.name}' (it has ${topic.partitions.length})`);
    }
    const handle = p.leader < 0 ? undefined : this.link.broker(p.leader);
    if (handle === undefined) throw new KafkaProtocolError('LEADER_NOT_AVAILABLE', `There is no leader for partition ${partition} of topic '${topic.name}'`);
    return handle;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const close of [...this.#closers]) close();
    for (const opening of this.#connections.values()) (await opening.catch(() => undefined))?.close();
    this.#connections.clear();
    this.link.close();
  }
}

/** Where a client gets its context: resolved at connect(), so constructors stay synchronous. */
export interface ContextSource {
  get(): Promise<ClientContext>;
}
