/**
 * A test's replicated cluster on the selected target: n/a unless the target can run several
 * brokers and break them (capabilities kafka, replication, faultInjection). The helpers read each
 * replica's own state (log end offset, high watermark, records) from that broker, so a check sees
 * what every replica holds, not only what a client is shown.
 *
 * Every wait is for a condition with a deadline, polled at a few ms: never a busy spin.
 */
import { randomBytes } from 'node:crypto';
import { onTestFinished, type TestContext } from 'vitest';
import { ClientContext } from '../../core/client/context.js';
import { Kafka, type Cluster, type Producer } from '../../core/client/kafka/index.js';
import type { BrokerConfigInput } from '../../core/cluster/index.js';
import { readReplica } from './replica-log.js';
import { requires } from './target.js';

export { readReplica } from './replica-log.js';

/** Failure detection in tens of ms, so a failover check takes well under a second. */
export const FAST_FAILOVER: BrokerConfigInput = { heartbeatIntervalMs: 20, brokerSessionTimeoutMs: 150, replicaLagTimeMaxMs: 200 };

/** A partition as the controller sees it now. */
export interface PartitionView {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
}

export interface ReplicaOffsets {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
}

export interface TopicOptions {
  readonly replicationFactor: number;
  readonly partitions?: number;
  readonly minInsyncReplicas?: number;
  readonly uncleanLeaderElection?: boolean;
}

export interface ProducerOptions {
  readonly idempotent?: boolean;
  readonly retries?: number;
}

export interface ReplicationSession {
  readonly cluster: Cluster;
  /** A client context of this test (closed when it ends), for the native API and raw connections. */
  readonly context: ClientContext;
  createTopic(label: string, options: TopicOptions): Promise<string>;
  view(topic: string, partition?: number): PartitionView;
  /** Replicas other than the current leader, in replica order. */
  followers(topic: string, partition?: number): number[];
  offsets(brokerId: number, topic: string, partition?: number): Promise<ReplicaOffsets>;
  /** Every record value of one replica's log, read from that broker's memory up to its high watermark. */
  replicaValues(brokerId: number, topic: string, partition?: number): Promise<string[]>;
  /** A connected kafkajs-shaped producer (retrying quickly when `retries` > 0), disconnected at the end. */
  producer(options?: ProducerOptions): Promise<Producer>;
  kafka(retries: number): Kafka;
  /**
   * Resolves once the controller shows `isr` for the partition and its leader has applied it: a call
   * to the leader answers after every control message sent to it before.
   */
  isrApplied(topic: string, isr: readonly number[], partition?: number): Promise<void>;
}

export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const sameMembers = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

export async function replicationSession(ctx: TestContext, options: { readonly brokers: number; readonly config?: BrokerConfigInput }): Promise<ReplicationSession> {
  const target = requires(ctx, 'kafka', 'replication', 'faultInjection');
  const cluster = await target.kafkaCluster({ brokers: options.brokers, config: { ...FAST_FAILOVER, ...options.config } });
  onTestFinished(() => cluster.close());
  const context = new ClientContext(cluster);
  onTestFinished(() => context.close());
  const suffix = randomBytes(5).toString('hex');

  const topicId = (topic: string): number => {
    const state = cluster.controller.metadata.topic(topic);
    if (state === undefined) throw new Error(`no topic ${topic}`);
    return state.id;
  };
  const view = (topic: string, partition = 0): PartitionView => {
    const p = cluster.controller.metadata.topic(topic)?.partitions[partition];
    if (p === undefined) throw new Error(`no partition ${partition} of ${topic}`);
    return { leader: p.leader, leaderEpoch: p.leaderEpoch, isr: [...p.isr], replicas: [...p.replicas] };
  };
  const broker = (id: number): NonNullable<ReturnType<Cluster['broker']>> => {
    const handle = cluster.broker(id);
    if (handle === undefined) throw new Error(`broker ${id} is not running`);
    return handle;
  };
  const offsets = (brokerId: number, topic: string, partition = 0): Promise<ReplicaOffsets> => broker(brokerId).call('partitionOffsets', { topicId: topicId(topic), partition });
  const kafka = (retries: number): Kafka => new Kafka({ clientId: 'mqlab-conformance-replication', cluster, retry: { retries, initialRetryTime: 20, maxRetryTime: 200 } });

  return {
    cluster,
    context,
    async createTopic(label, o) {
      const name = `conf-${label}-${suffix}`;
      const configEntries = [
        ...(o.minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(o.minInsyncReplicas) }]),
        ...(o.uncleanLeaderElection === undefined ? [] : [{ name: 'unclean.leader.election.enable', value: String(o.uncleanLeaderElection) }]),
      ];
      await cluster.controller.createTopics([{ topic: name, numPartitions: o.partitions ?? 1, replicationFactor: o.replicationFactor, configEntries }]);
      await cluster.controller.settled();
      return name;
    },
    view,
    followers: (topic, partition = 0) => {
      const v = view(topic, partition);
      return v.replicas.filter((r) => r !== v.leader);
    },
    offsets,
    replicaValues: (brokerId, topic, partition = 0) => readReplica(cluster, brokerId, topicId(topic), partition),
    async producer(o = {}) {
      const producer = kafka(o.retries ?? 0).producer({ idempotent: o.idempotent ?? false });
      await producer.connect();
      onTestFinished(() => producer.disconnect());
      return producer;
    },
    kafka,
    async isrApplied(topic, isr, partition = 0) {
      await until(`ISR ${JSON.stringify(isr)} of ${topic}-${partition}`, () => sameMembers(view(topic, partition).isr, isr));
      await offsets(view(topic, partition).leader, topic, partition);
    },
  };
}

/** Values `prefix0` .. `prefix{n-1}` as kafkajs messages. */
export function numbered(prefix: string, n: number, from = 0): { value: string }[] {
  return Array.from({ length: n }, (_, i) => ({ value: `${prefix}${from + i}` }));
}
