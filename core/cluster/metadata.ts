/**
 * The controller's view of the cluster: live brokers, topics, and each partition's replicas, leader,
 * ISR and leader epoch. Pure state, no threads: the controller changes it, clients read snapshots.
 *
 * Invariants: replicas of one partition are on distinct brokers; a topic's id never changes and is
 * never reused while the cluster runs (the data path names topics by id, not by string).
 */
import { KafkaProtocolError, kafkaErrorCode } from '../errors/index.js';

export interface PartitionState {
  readonly partition: number;
  /** Broker ids, the first being the preferred leader. */
  readonly replicas: readonly number[];
  /** -1 when the partition is offline. */
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

export interface TopicState {
  readonly name: string;
  readonly id: number;
  readonly partitions: PartitionState[];
  readonly configs: Readonly<Record<string, string>>;
  readonly internal: boolean;
}

export interface PartitionMetadata {
  readonly partitionId: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
  readonly partitionErrorCode: number;
}

export interface TopicMetadata {
  readonly name: string;
  readonly topicId: number;
  readonly isInternal: boolean;
  readonly partitions: readonly PartitionMetadata[];
}

export class ClusterMetadata {
  readonly #topics = new Map<string, TopicState>();
  readonly #byId = new Map<number, TopicState>();
  readonly #live = new Set<number>();
  #nextTopicId = 1;
  #placementCursor = 0;

  constructor(readonly brokerIds: readonly number[]) {
    for (const id of brokerIds) this.#live.add(id);
  }

  get liveBrokers(): number[] {
    return this.brokerIds.filter((id) => this.#live.has(id));
  }

  isLive(brokerId: number): boolean {
    return this.#live.has(brokerId);
  }

  setLive(brokerId: number, live: boolean): void {
    if (live) this.#live.add(brokerId);
    else this.#live.delete(brokerId);
  }

  topic(name: string): TopicState | undefined {
    return this.#topics.get(name);
  }

  topicById(id: number): TopicState | undefined {
    return this.#byId.get(id);
  }

  topicNames(): string[] {
    return [...this.#topics.keys()];
  }

  /**
   * Places a new topic: replica lists start on successive brokers (Kafka's round-robin placement),
   * so leaders spread over the cluster. Validation of name, counts and duplicates is the caller's.
   */
  addTopic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string> = {}, internal = false): TopicState {
    if (this.#topics.has(name)) throw new KafkaProtocolError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
    const live = this.liveBrokers;
    if (replicationFactor > live.length) {
      throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', `Replication factor: ${replicationFactor} larger than available brokers: ${live.length}.`);
    }
    const partitions: PartitionState[] = [];
    for (let p = 0; p < numPartitions; p++) {
      const start = (this.#placementCursor + p) % live.length;
      const replicas: number[] = [];
      for (let r = 0; r < replicationFactor; r++) replicas.push(live[(start + r) % live.length]!);
      partitions.push({ partition: p, replicas, leader: replicas[0]!, leaderEpoch: 0, isr: [...replicas] });
    }
    this.#placementCursor = (this.#placementCursor + 1) % Math.max(1, live.length);
    const topic: TopicState = { name, id: this.#nextTopicId++, partitions, configs: { ...configs }, internal };
    this.#topics.set(name, topic);
    this.#byId.set(topic.id, topic);
    return topic;
  }

  removeTopic(name: string): TopicState {
    const topic = this.#topics.get(name);
    if (topic === undefined) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic-partition: topic '${name}' does not exist`);
    this.#topics.delete(name);
    this.#byId.delete(topic.id);
    return topic;
  }

  describe(topic: TopicState): TopicMetadata {
    return {
      name: topic.name,
      topicId: topic.id,
      isInternal: topic.internal,
      partitions: topic.partitions.map((p) => ({
        partitionId: p.partition,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: [...p.replicas],
        isr: [...p.isr],
        offlineReplicas: p.replicas.filter((r) => !this.#live.has(r)),
        partitionErrorCode: p.leader < 0 ? kafkaErrorCode('LEADER_NOT_AVAILABLE') : 0,
      })),
    };
  }
}
