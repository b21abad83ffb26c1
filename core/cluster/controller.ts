/**
 * The controller: cluster membership (broker heartbeats), topic creation and deletion, metadata,
 * and the group coordinator with its offset store. It runs on the thread that started the cluster;
 * brokers are told what to host through their handles.
 *
 * The group coordinator lives here rather than on a broker, so a group survives broker kills (in
 * Kafka it moves with its __consumer_offsets partition's leader); its offsets are kept per
 * __consumer_offsets partition, as Kafka keeps them.
 */
import { channels } from '../diagnostics.js';
import { KafkaProtocolError } from '../errors/index.js';
import { GroupCoordinator, OffsetStore, type GroupCompletion, type GroupOutcome, type JoinGroupResponse, type SyncGroupResponse } from '../stream/group/index.js';
import { validateTopicName } from '../stream/topic-name.js';
import type { BrokerHandle } from './broker-handle.js';
import type { BrokerConfig } from './config.js';
import { ClusterMetadata, type TopicMetadata, type TopicState } from './metadata.js';
import type { PartitionSpec } from './messages.js';

export interface CreateTopicRequest {
  readonly topic: string;
  readonly numPartitions?: number;
  readonly replicationFactor?: number;
  readonly configEntries?: readonly { readonly name: string; readonly value: string }[];
}

type Waiter = { resolve(value: JoinGroupResponse | SyncGroupResponse): void; reject(error: Error): void };

export class Controller {
  readonly metadata: ClusterMetadata;
  readonly groups: GroupCoordinator;
  readonly offsets: OffsetStore;
  readonly #brokers = new Map<number, BrokerHandle>();
  readonly #waiters = new Map<number, Waiter>();
  /** What each broker declared lost on a lapsed heartbeat led then, by topic id: it leads it again if it beats again. */
  readonly #fenced = new Map<number, { topicId: number; partition: number }[]>();
  #groupTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly config: BrokerConfig,
    brokerIds: readonly number[],
  ) {
    this.metadata = new ClusterMetadata(brokerIds);
    this.groups = new GroupCoordinator({
      minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      partitionCount: (topic) => this.metadata.topic(topic)?.partitions.length,
      onCompletion: (completion) => this.#settle(completion),
    });
    this.offsets = new OffsetStore({ validator: this.groups, offsetsTopicPartitions: config.offsetsTopicNumPartitions });
  }

  start(): void {
    this.#heartbeatTimer = setInterval(() => this.#checkBrokers(), this.config.heartbeatIntervalMs);
    this.#heartbeatTimer.unref();
    this.#scheduleGroupTick();
  }

  stop(): void {
    this.#closed = true;
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#groupTimer);
    for (const waiter of this.#waiters.values()) waiter.reject(new KafkaProtocolError('COORDINATOR_NOT_AVAILABLE', 'the cluster is closing'));
    this.#waiters.clear();
  }

  addBroker(handle: BrokerHandle): void {
    this.#brokers.set(handle.id, handle);
    this.metadata.setLive(handle.id, true);
  }

  broker(id: number): BrokerHandle | undefined {
    const handle = this.#brokers.get(id);
    return handle?.alive === true ? handle : undefined;
  }

  // ------------------------------------------------------------------------------------- topics

  async createTopics(requests: readonly CreateTopicRequest[]): Promise<TopicState[]> {
    const created: TopicState[] = [];
    for (const request of requests) {
      validateTopicName(request.topic);
      const numPartitions = request.numPartitions ?? -1;
      const partitions = numPartitions === -1 ? this.config.numPartitions : numPartitions;
      const replicationFactor = request.replicationFactor === undefined || request.replicationFactor === -1 ? this.config.defaultReplicationFactor : request.replicationFactor;
      if (!Number.isInteger(partitions) || partitions < 1) {
        throw new KafkaProtocolError('INVALID_PARTITIONS', `Number of partitions must be larger than 0, got ${String(numPartitions)} for topic '${request.topic}'.`);
      }
      if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
        throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Replication factor must be larger than 0, got ${String(replicationFactor)} for topic '${request.topic}'.`);
      }
      if (replicationFactor > this.config.maxReplicationFactor) {
        throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Replication factor ${replicationFactor} exceeds the maximum of ${this.config.maxReplicationFactor} for topic '${request.topic}'.`);
      }
      const configs: Record<string, string> = {};
      for (const entry of request.configEntries ?? []) configs[entry.name] = entry.value;
      const topic = this.metadata.addTopic(request.topic, partitions, replicationFactor, configs);
      try {
        await this.#placeReplicas(topic);
      } catch (error) {
        this.metadata.removeTopic(topic.name);
        throw error;
      }
      created.push(topic);
      if (channels.topicChange.hasSubscribers) channels.topicChange.publish({ topic: topic.name, event: 'created', partitions });
    }
    return created;
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const topic = this.metadata.removeTopic(name);
      const byBroker = new Map<number, { topicId: number; partition: number }[]>();
      for (const p of topic.partitions) {
        for (const replica of p.replicas) {
          const list = byBroker.get(replica) ?? [];
          list.push({ topicId: topic.id, partition: p.partition });
          byBroker.set(replica, list);
        }
      }
      await Promise.all([...byBroker].map(([id, partitions]) => this.broker(id)?.call('deletePartitions', { partitions }) ?? Promise.resolve(null)));
      if (channels.topicChange.hasSubscribers) channels.topicChange.publish({ topic: name, event: 'deleted', partitions: topic.partitions.length });
    }
  }

  /**
   * Metadata for the named topics (all when none are named). A missing topic is created when
   * `allowAutoTopicCreation` and the broker's auto.create.topics.enable both allow it, else
   * UNKNOWN_TOPIC_OR_PARTITION.
   */
  async fetchMetadata(topics: readonly string[] | undefined, allowAutoTopicCreation: boolean): Promise<TopicMetadata[]> {
    const names = topics ?? this.metadata.topicNames();
    const result: TopicMetadata[] = [];
    for (const name of names) {
      let topic = this.metadata.topic(name);
      if (topic === undefined) {
        validateTopicName(name);
        if (!(allowAutoTopicCreation && this.config.autoCreateTopics)) {
          throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic-partition: topic '${name}' does not exist and auto-creation is off`);
        }
        [topic] = await this.createTopics([{ topic: name }]);
      }
      if (topic !== undefined) result.push(this.metadata.describe(topic));
    }
    return result;
  }

  async #placeReplicas(topic: TopicState): Promise<void> {
    const minInsyncReplicas = Number(topic.configs['min.insync.replicas'] ?? this.config.minInsyncReplicas);
    const byBroker = new Map<number, PartitionSpec[]>();
    for (const p of topic.partitions) {
      // Replication (followers fetching) is not running yet, so only the leader is in sync.
      p.isr = [p.leader];
      for (const replica of p.replicas) {
        const spec: PartitionSpec = {
          topicId: topic.id,
          topic: topic.name,
          partition: p.partition,
          leader: replica === p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          minInsyncReplicas,
        };
        const list = byBroker.get(replica) ?? [];
        list.push(spec);
        byBroker.set(replica, list);
      }
    }
    await Promise.all(
      [...byBroker].map(([id, partitions]) => {
        const handle = this.broker(id);
        if (handle === undefined) throw new KafkaProtocolError('BROKER_NOT_AVAILABLE', `broker ${id} is not available`);
        return handle.call('createPartitions', { partitions });
      }),
    );
  }

  // ------------------------------------------------------------------------------------- brokers

  /** A broker is gone: the partitions it led have no leader (replication brings elections). */
  brokerLost(id: number): void {
    if (!this.metadata.isLive(id)) return;
    this.metadata.setLive(id, false);
    const led: { topicId: number; partition: number }[] = [];
    for (const name of this.metadata.topicNames()) {
      const topic = this.metadata.topic(name)!;
      for (const p of topic.partitions) {
        p.isr = p.isr.filter((r) => r !== id);
        if (p.leader === id) {
          led.push({ topicId: topic.id, partition: p.partition });
          p.leader = -1;
          p.leaderEpoch += 1;
          if (channels.brokerElection.hasSubscribers) channels.brokerElection.publish({ topic: name, partition: p.partition, leader: -1, leaderEpoch: p.leaderEpoch });
        }
      }
    }
    this.#fenced.set(id, led);
    if (channels.brokerLifecycle.hasSubscribers) channels.brokerLifecycle.publish({ brokerId: id, event: 'lost' });
  }

  /**
   * A broker declared lost because its heartbeat lapsed (a thread stalled by a long call, a GC pause
   * or a busy machine) beats again. Its thread and memory survived, so it leads again the partitions
   * it led that found no other leader, as Kafka unfences a broker that heartbeats again.
   */
  #brokerResumed(id: number): void {
    this.metadata.setLive(id, true);
    for (const { topicId, partition } of this.#fenced.get(id) ?? []) {
      const topic = this.metadata.topicById(topicId);
      const p = topic?.partitions[partition];
      if (topic === undefined || p === undefined || p.leader !== -1) continue;
      p.leader = id;
      p.leaderEpoch += 1;
      p.isr = [id];
      if (channels.brokerElection.hasSubscribers) channels.brokerElection.publish({ topic: topic.name, partition, leader: id, leaderEpoch: p.leaderEpoch });
    }
    this.#fenced.delete(id);
    if (channels.brokerLifecycle.hasSubscribers) channels.brokerLifecycle.publish({ brokerId: id, event: 'resumed' });
  }

  /**
   * A broker came back with empty memory: it hosts its replicas again, and leads the partitions
   * that have no leader (their records died with the old memory, as a replication factor of 1 implies).
   */
  async brokerReturned(handle: BrokerHandle): Promise<void> {
    this.#fenced.delete(handle.id);
    this.addBroker(handle);
    const specs: PartitionSpec[] = [];
    for (const name of this.metadata.topicNames()) {
      const topic = this.metadata.topic(name)!;
      const minInsyncReplicas = Number(topic.configs['min.insync.replicas'] ?? this.config.minInsyncReplicas);
      for (const p of topic.partitions) {
        if (!p.replicas.includes(handle.id)) continue;
        if (p.leader === -1) {
          p.leader = handle.id;
          p.leaderEpoch += 1;
          p.isr = [handle.id];
          if (channels.brokerElection.hasSubscribers) channels.brokerElection.publish({ topic: name, partition: p.partition, leader: handle.id, leaderEpoch: p.leaderEpoch });
        }
        specs.push({ topicId: topic.id, topic: name, partition: p.partition, leader: p.leader === handle.id, leaderEpoch: p.leaderEpoch, replicas: p.replicas, minInsyncReplicas });
      }
    }
    if (specs.length > 0) await handle.call('createPartitions', { partitions: specs });
    if (channels.brokerLifecycle.hasSubscribers) channels.brokerLifecycle.publish({ brokerId: handle.id, event: 'restarted' });
  }

  #checkBrokers(): void {
    const now = performance.now();
    for (const handle of this.#brokers.values()) {
      const beating = handle.checkHeartbeat(now, this.config.brokerSessionTimeoutMs);
      if (this.metadata.isLive(handle.id)) {
        if (!beating) this.brokerLost(handle.id);
      } else if (beating && this.#fenced.has(handle.id)) {
        this.#brokerResumed(handle.id);
      }
    }
  }

  // ------------------------------------------------------------------------------------- groups

  /** Runs a coordinator call whose answer may be parked until the group moves on. */
  awaitGroup<T extends JoinGroupResponse | SyncGroupResponse>(run: () => GroupOutcome<T>): Promise<T> {
    try {
      const outcome = run();
      this.#scheduleGroupTick();
      if (outcome.status === 'done') return Promise.resolve(outcome.response);
      return new Promise<T>((resolve, reject) => {
        this.#waiters.set(outcome.ticket, { resolve: resolve as Waiter['resolve'], reject });
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** After any coordinator call: timers may have moved. */
  groupChanged(): void {
    this.#scheduleGroupTick();
  }

  #settle(completion: GroupCompletion): void {
    const waiter = this.#waiters.get(completion.ticket);
    if (waiter === undefined) return;
    this.#waiters.delete(completion.ticket);
    // Answer after the coordinator call returns: a waiter's continuation may call it again.
    queueMicrotask(() => {
      if (completion.error !== undefined) waiter.reject(completion.error);
      else waiter.resolve(completion.response);
    });
  }

  #scheduleGroupTick(): void {
    if (this.#closed) return;
    clearTimeout(this.#groupTimer);
    const next = this.groups.nextDeadlineMs();
    if (next === undefined) return;
    const delay = Math.max(0, next - Date.now());
    this.#groupTimer = setTimeout(() => {
      this.groups.tick(Date.now());
      this.#scheduleGroupTick();
    }, delay);
    this.#groupTimer.unref();
  }
}
