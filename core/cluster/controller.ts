/**
 * The controller: cluster membership (broker heartbeats), topic creation and deletion, metadata,
 * and the group coordinator with its offset store. It runs on the thread that started the cluster;
 * brokers are told what to host through their handles.
 *
 * The group coordinator lives here rather than on a broker, so a group survives broker kills (in
 * Kafka it moves with its __consumer_offsets partition's leader); its offsets are kept per
 * __consumer_offsets partition, as Kafka keeps them.
 */
import { MessageChannel } from 'node:worker_threads';
import { channels } from '../diagnostics.js';
import { KafkaProtocolError } from '../errors/index.js';
import { GroupCoordinator, OffsetStore, type GroupCompletion, type GroupOutcome, type JoinGroupResponse, type SyncGroupResponse } from '../stream/group/index.js';
import { validateTopicName } from '../stream/topic-name.js';
import type { BrokerHandle } from './broker-handle.js';
import type { BrokerConfig } from './config.js';
import { ClusterMetadata, type PartitionState, type TopicMetadata, type TopicState } from './metadata.js';
import type { BrokerEvent, LeadershipInfo, PartitionSpec } from './messages.js';

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
  /** Brokers declared lost on a lapsed heartbeat whose thread still runs: they may beat again. */
  readonly #fenced = new Set<number>();
  /** Per partition, the chain of leadership changes being sent to brokers (one at a time, in epoch order). */
  readonly #installs = new Map<string, Promise<void>>();
  #nextProducerId = 1000;
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
    handle.onEvent = (event) => this.#onBrokerEvent(event);
    this.#sendPeers();
  }

  /** Every live broker learns every broker's control block (doorbells, liveness). */
  #sendPeers(): void {
    const peers = [...this.#brokers.values()].map((h) => ({ id: h.id, control: h.controlBuffer }));
    for (const handle of this.#brokers.values()) if (handle.alive) void handle.call('setPeers', { peers }).catch(() => undefined);
  }

  /**
   * InitProducerId for an idempotent producer: a cluster-unique producer id with epoch 0 (Kafka
   * hands out ids in blocks; one counter on the controller does the same here).
   */
  initProducerId(): { producerId: number; producerEpoch: number } {
    return { producerId: this.#nextProducerId++, producerEpoch: 0 };
  }

  /** Resolves when every leadership change sent so far reached its brokers (or timed out). */
  async settled(): Promise<void> {
    await Promise.all([...this.#installs.values()]);
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
      validateTopicConfigs(request.topic, configs);
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

  #minInsyncReplicas(topic: TopicState): number {
    return Number(topic.configs['min.insync.replicas'] ?? this.config.minInsyncReplicas);
  }

  #uncleanElection(topic: TopicState): boolean {
    const value = topic.configs['unclean.leader.election.enable'];
    return value === undefined ? this.config.uncleanLeaderElection : value === 'true';
  }

  #spec(topic: TopicState, p: PartitionState, replica: number): PartitionSpec {
    // A single replica leads at once; with followers, becomeLeader makes the leader (see #install).
    const leader = p.replicas.length === 1 && replica === p.leader;
    const retention: { retentionMs?: number; retentionBytes?: number } = {};
    if (topic.configs['retention.ms'] !== undefined) retention.retentionMs = Number(topic.configs['retention.ms']);
    if (topic.configs['retention.bytes'] !== undefined) retention.retentionBytes = Number(topic.configs['retention.bytes']);
    return { topicId: topic.id, topic: topic.name, partition: p.partition, leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, minInsyncReplicas: this.#minInsyncReplicas(topic), retention };
  }

  async #placeReplicas(topic: TopicState): Promise<void> {
    const byBroker = new Map<number, PartitionSpec[]>();
    for (const p of topic.partitions) {
      for (const replica of p.replicas) {
        const list = byBroker.get(replica) ?? [];
        list.push(this.#spec(topic, p, replica));
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
    await Promise.all(topic.partitions.filter((p) => p.replicas.length > 1).map((p) => this.#schedule(topic, p, () => this.#install(topic, p))));
  }

  // ---------------------------------------------------------------------------------- leadership

  /** Runs `step` after the partition's earlier leadership changes; never rejects. */
  #schedule(topic: TopicState, p: PartitionState, step: () => Promise<void>): Promise<void> {
    const key = `${topic.id}:${p.partition}`;
    const next = (this.#installs.get(key) ?? Promise.resolve()).then(step).catch(() => undefined);
    this.#installs.set(key, next);
    void next.then(() => {
      if (this.#installs.get(key) === next) this.#installs.delete(key);
    });
    return next;
  }

  /** A call that gives up after a while: a stalled broker must not hold up later changes. */
  #within<T>(promise: Promise<T>): Promise<T> {
    const ms = Math.max(1_000, 4 * this.config.brokerSessionTimeoutMs);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new KafkaProtocolError('REQUEST_TIMED_OUT', `a broker did not answer within ${ms} ms`)), ms);
      timer.unref();
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Sends the partition's current leadership (Kafka's LeaderAndIsr) to its leader, then to each live follower. */
  async #install(topic: TopicState, p: PartitionState, only?: number): Promise<void> {
    const epoch = p.leaderEpoch;
    const leader = p.leader >= 0 ? this.broker(p.leader) : undefined;
    if (leader === undefined || this.metadata.topicById(topic.id) !== topic) return;
    const info = await this.#within(leader.call('becomeLeader', { topicId: topic.id, partition: p.partition, leaderEpoch: epoch, replicas: p.replicas, isr: p.isr }));
    const followers = p.replicas.filter((r) => r !== p.leader && (only === undefined || r === only) && this.metadata.isLive(r));
    await Promise.all(followers.map((f) => this.#follow(topic, p, epoch, leader, f, info).catch(() => undefined)));
  }

  async #follow(topic: TopicState, p: PartitionState, epoch: number, leader: BrokerHandle, followerId: number, info: LeadershipInfo): Promise<void> {
    const follower = this.broker(followerId);
    if (follower === undefined || p.leaderEpoch !== epoch) return;
    const { port1, port2 } = new MessageChannel();
    let descriptor;
    try {
      descriptor = await this.#within(leader.call('openReader', { topicId: topic.id, partition: p.partition, port: port2 }, [port2]));
    } catch (error) {
      port1.close();
      throw error;
    }
    await this.#within(
      follower.call('becomeFollower', { topicId: topic.id, partition: p.partition, leaderEpoch: epoch, leaderId: leader.id, leader: info, descriptor, port: port1 }, [port1]),
    );
  }

  /** Makes `leader` (or nobody: -1) the partition's leader in a new epoch, and tells the brokers. */
  #elect(topic: TopicState, p: PartitionState, leader: number, isr: number[]): void {
    p.leader = leader;
    p.leaderEpoch += 1;
    p.isr = isr;
    if (channels.brokerElection.hasSubscribers) channels.brokerElection.publish({ topic: topic.name, partition: p.partition, leader, leaderEpoch: p.leaderEpoch });
    if (leader >= 0) void this.#schedule(topic, p, () => this.#install(topic, p));
  }

  /**
   * The partition lost its leader `lost`: the first live ISR member in replica order takes over.
   * With none, an out-of-sync live replica does only under unclean.leader.election.enable (it lacks
   * records the old ISR had, which are lost); otherwise the partition goes offline and keeps its last
   * ISR, so that a member coming back leads again.
   */
  #failOver(topic: TopicState, p: PartitionState, lost: number): void {
    const remaining = p.isr.filter((r) => r !== lost && this.metadata.isLive(r));
    const clean = p.replicas.find((r) => remaining.includes(r));
    if (clean !== undefined) return this.#elect(topic, p, clean, remaining);
    const unclean = this.#uncleanElection(topic) ? p.replicas.find((r) => r !== lost && this.metadata.isLive(r)) : undefined;
    if (unclean !== undefined) return this.#elect(topic, p, unclean, [unclean]);
    const last = p.isr.filter((r) => r !== lost);
    this.#elect(topic, p, -1, last.length > 0 ? last : [lost]);
  }

  /** A broker is back (restarted empty, or beating again with its memory): it rejoins each partition it hosts. */
  #rejoin(id: number): void {
    for (const name of this.metadata.topicNames()) {
      const topic = this.metadata.topic(name)!;
      for (const p of topic.partitions) {
        if (!p.replicas.includes(id)) continue;
        if (p.leader === id) {
          void this.#schedule(topic, p, () => this.#install(topic, p));
        } else if (p.leader < 0) {
          if (p.isr.includes(id) || this.#uncleanElection(topic)) this.#elect(topic, p, id, [id]);
        } else {
          void this.#schedule(topic, p, () => this.#install(topic, p, id));
        }
      }
    }
  }

  /** A leader asks to change its ISR (Kafka's AlterPartition): accepted when it still leads that epoch. */
  #onBrokerEvent(event: BrokerEvent): void {
    if (event.kind !== 'isr') return;
    const topic = this.metadata.topicById(event.topicId);
    const p = topic?.partitions[event.partition];
    if (topic === undefined || p === undefined || p.leader !== event.brokerId || p.leaderEpoch !== event.leaderEpoch) return;
    const isr = event.isr.filter((r) => r === p.leader || this.metadata.isLive(r));
    p.isr = isr;
    if (channels.isrChange.hasSubscribers) channels.isrChange.publish({ topic: topic.name, partition: p.partition, leaderEpoch: p.leaderEpoch, isr: [...isr] });
    void this.broker(p.leader)?.call('isrChanged', { topicId: topic.id, partition: p.partition, leaderEpoch: p.leaderEpoch, isr }).catch(() => undefined);
  }

  // ------------------------------------------------------------------------------------- brokers

  /**
   * A broker is gone (its thread ended, or its heartbeat lapsed): each partition it led fails over
   * to a new leader in a new epoch, and it leaves every ISR it was in.
   */
  brokerLost(id: number): void {
    if (!this.metadata.isLive(id)) return;
    this.metadata.setLive(id, false);
    for (const name of this.metadata.topicNames()) {
      const topic = this.metadata.topic(name)!;
      for (const p of topic.partitions) {
        if (p.leader === id) this.#failOver(topic, p, id);
        else if (p.leader >= 0 && p.isr.includes(id)) {
          p.isr = p.isr.filter((r) => r !== id);
          const isr = p.isr;
          void this.broker(p.leader)?.call('isrChanged', { topicId: topic.id, partition: p.partition, leaderEpoch: p.leaderEpoch, isr }).catch(() => undefined);
        }
      }
    }
    if (this.#brokers.get(id)?.alive === true) this.#fenced.add(id);
    if (channels.brokerLifecycle.hasSubscribers) channels.brokerLifecycle.publish({ brokerId: id, event: 'lost' });
  }

  /**
   * A broker declared lost because its heartbeat lapsed (a paused thread, a long call, a busy
   * machine) beats again with its memory: it follows the current leaders, truncating where its log
   * diverged, and leads again where the partition had no leader and it was the last in sync.
   */
  #brokerResumed(id: number): void {
    this.#fenced.delete(id);
    this.metadata.setLive(id, true);
    this.#sendPeers();
    this.#rejoin(id);
    if (channels.brokerLifecycle.hasSubscribers) channels.brokerLifecycle.publish({ brokerId: id, event: 'resumed' });
  }

  /** A broker came back with empty memory: it hosts its replicas again and copies them from their leaders. */
  async brokerReturned(handle: BrokerHandle): Promise<void> {
    this.#fenced.delete(handle.id);
    this.addBroker(handle);
    const specs: PartitionSpec[] = [];
    for (const name of this.metadata.topicNames()) {
      const topic = this.metadata.topic(name)!;
      for (const p of topic.partitions) {
        if (p.replicas.includes(handle.id)) specs.push({ ...this.#spec(topic, p, handle.id), leader: false });
      }
    }
    if (specs.length > 0) await handle.call('createPartitions', { partitions: specs });
    this.#rejoin(handle.id);
    await this.settled();
    if (channels.brokerLifecycle.hasSubscribers) channels.brokerLifecycle.publish({ brokerId: handle.id, event: 'restarted' });
  }

  #checkBrokers(): void {
    const now = performance.now();
    for (const handle of this.#brokers.values()) {
      const beating = handle.checkHeartbeat(now, this.config.brokerSessionTimeoutMs);
      if (this.metadata.isLive(handle.id)) {
        if (!beating) this.brokerLost(handle.id);
      } else if (beating && this.#fenced.has(handle.id) && !handle.paused) {
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

/** Topic configs mqlab applies, with their checks (Kafka answers INVALID_CONFIG, 40, for a bad value). */
const TOPIC_CONFIGS: Readonly<Record<string, (value: string) => boolean>> = {
  'retention.ms': (v) => /^-?\d+$/.test(v) && Number(v) >= -1,
  'retention.bytes': (v) => /^-?\d+$/.test(v) && Number(v) >= -1,
  'min.insync.replicas': (v) => /^\d+$/.test(v) && Number(v) >= 1,
  'unclean.leader.election.enable': (v) => v === 'true' || v === 'false',
  'cleanup.policy': (v) => v === 'delete',
};

function validateTopicConfigs(topic: string, configs: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(configs)) {
    const check = TOPIC_CONFIGS[name];
    if (check === undefined) throw new KafkaProtocolError('INVALID_CONFIG', `Unknown topic config name: ${name} (topic '${topic}'; mqlab applies ${Object.keys(TOPIC_CONFIGS).join(', ')})`);
    if (typeof value !== 'string' || !check(value)) throw new KafkaProtocolError('INVALID_CONFIG', `Invalid value ${JSON.stringify(value)} for configuration ${name} (topic '${topic}')`);
  }
}
