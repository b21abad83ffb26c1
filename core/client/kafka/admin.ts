/** The kafkajs-shaped admin client: topics, metadata and offsets, answered by the controller. */
import { KafkaClientStateError, KafkaProtocolError, MqlabError } from '../../errors/index.js';
import type { ClientContext, ContextSource } from '../context.js';
import { ADMIN_EVENTS, InstrumentationEmitter } from './instrumentation.js';
import type { InstrumentationEvent, PartitionMetadata } from './types.js';

export interface ITopicConfig {
  readonly topic: string;
  readonly numPartitions?: number;
  readonly replicationFactor?: number;
  readonly configEntries?: readonly { readonly name: string; readonly value: string }[];
}

export class Admin {
  readonly events = ADMIN_EVENTS;
  readonly #source: ContextSource;
  #ctx!: ClientContext;
  readonly #emitter = new InstrumentationEmitter(ADMIN_EVENTS);
  #state: 'created' | 'connected' | 'disconnected' = 'created';

  constructor(source: ContextSource) {
    this.#source = source;
  }

  on(eventName: (typeof ADMIN_EVENTS)[keyof typeof ADMIN_EVENTS], listener: (event: InstrumentationEvent<never>) => void): () => void {
    return this.#emitter.on(eventName, listener);
  }

  async connect(): Promise<void> {
    if (this.#state === 'disconnected') throw new KafkaClientStateError('DISCONNECTED', 'The admin client is disconnected; create a new one');
    this.#ctx = await this.#source.get();
    this.#state = 'connected';
    this.#emitter.emit(ADMIN_EVENTS.CONNECT, {});
  }

  disconnect(): Promise<void> {
    if (this.#state === 'connected') this.#emitter.emit(ADMIN_EVENTS.DISCONNECT, {});
    this.#state = 'disconnected';
    return Promise.resolve();
  }

  /** Resolves true when every topic was created, false when some already existed (as kafkajs). */
  async createTopics(options: { topics: readonly ITopicConfig[]; validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number }): Promise<boolean> {
    this.#assertConnected('createTopics');
    const controller = this.#ctx.cluster.controller;
    let allCreated = true;
    for (const topic of options.topics) {
      if (controller.metadata.topic(topic.topic) !== undefined) {
        allCreated = false;
        continue;
      }
      if (options.validateOnly === true) continue;
      try {
        await controller.createTopics([topic]);
      } catch (error) {
        if (error instanceof MqlabError && error.type === 'TOPIC_ALREADY_EXISTS') allCreated = false;
        else throw error;
      }
    }
    return allCreated;
  }

  async deleteTopics(options: { topics: readonly string[]; timeout?: number }): Promise<void> {
    this.#assertConnected('deleteTopics');
    for (const name of options.topics) this.#ctx.forget(name);
    await this.#ctx.cluster.controller.deleteTopics(options.topics);
  }

  listTopics(): Promise<string[]> {
    const refused = this.#refusal('listTopics');
    if (refused !== undefined) return Promise.reject(refused);
    return Promise.resolve(this.#ctx.cluster.controller.metadata.topicNames());
  }

  async fetchTopicMetadata(options: { topics?: readonly string[] } = {}): Promise<{ topics: { name: string; partitions: PartitionMetadata[] }[] }> {
    this.#assertConnected('fetchTopicMetadata');
    const metadata = await this.#ctx.cluster.controller.fetchMetadata(options.topics, false);
    return {
      topics: metadata.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionErrorCode: p.partitionErrorCode,
          partitionId: p.partitionId,
          leader: p.leader,
          replicas: [...p.replicas],
          isr: [...p.isr],
          offlineReplicas: [...p.offlineReplicas],
        })),
      })),
    };
  }

  /** The low (log start) and high (high watermark) offsets of every partition of a topic. */
  async fetchTopicOffsets(topicName: string): Promise<{ partition: number; offset: string; high: string; low: string }[]> {
    this.#assertConnected('fetchTopicOffsets');
    const [topic] = await this.#ctx.cluster.controller.fetchMetadata([topicName], false);
    if (topic === undefined) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic-partition: topic '${topicName}'`);
    return Promise.all(
      topic.partitions.map(async (p) => {
        const broker = p.leader < 0 ? undefined : this.#ctx.cluster.broker(p.leader);
        if (broker === undefined) throw new KafkaProtocolError('LEADER_NOT_AVAILABLE', `There is no leader for partition ${p.partitionId} of topic '${topicName}'`);
        const o = await broker.call('partitionOffsets', { topicId: topic.topicId, partition: p.partitionId });
        return { partition: p.partitionId, offset: String(o.highWatermark), high: String(o.highWatermark), low: String(o.logStartOffset) };
      }),
    );
  }

  /** Committed offsets of a group, per topic ('-1' where nothing is committed), as kafkajs. */
  fetchOffsets(options: { groupId: string; topics?: readonly string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]> {
    const refused = this.#refusal('fetchOffsets');
    if (refused !== undefined) return Promise.reject(refused);
    const controller = this.#ctx.cluster.controller;
    const topics = options.topics ?? controller.offsets.fetchOffsets(options.groupId).map((t) => t.topic);
    const wanted = topics.map((topic) => ({ topic, partitions: controller.metadata.topic(topic)?.partitions.map((p) => p.partition) ?? [] }));
    const fetched = controller.offsets.fetchOffsets(options.groupId, wanted);
    return Promise.resolve(
      fetched.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, offset: String(p.offset), metadata: p.metadata === '' ? null : p.metadata })) })),
    );
  }

  describeGroups(groupIds: readonly string[]): Promise<{ groups: ReturnType<ClientContext['cluster']['controller']['groups']['describeGroup']>[] }> {
    const refused = this.#refusal('describeGroups');
    if (refused !== undefined) return Promise.reject(refused);
    return Promise.resolve({ groups: groupIds.map((id) => this.#ctx.cluster.controller.groups.describeGroup(id)) });
  }

  #assertConnected(call: string): void {
    const refused = this.#refusal(call);
    if (refused !== undefined) throw refused;
  }

  /** Why `call` cannot run now; the methods that are not async reject with it rather than throw. */
  #refusal(call: string): KafkaClientStateError | undefined {
    if (this.#state === 'disconnected') return new KafkaClientStateError('DISCONNECTED', `Cannot ${call}: the admin client is disconnected`);
    if (this.#state === 'created') return new KafkaClientStateError('NOT_CONNECTED', `Cannot ${call}: the admin client is not connected; call connect() first`);
    return undefined;
  }
}
