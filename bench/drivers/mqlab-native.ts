/**
 * mqlab's native Kafka-model API: PartitionWriter encodes records straight into the leader's
 * request ring; consumers read the leader's log zero-copy.
 *
 * Placement: producers and consumers run in load-generator workers. A producer worker attaches to
 * the cluster the main thread shares (shareCluster / attachCluster) and writes into its own request
 * rings; a consumer worker attaches to the partition logs the leaders describe ('openReader'), as
 * the engine's cross-thread read path does (mqlab-native-reader.ts).
 */
import { MessageChannel } from 'node:worker_threads';
import { startCluster, type Cluster } from '../../core/cluster/index.js';
import { ClientContext } from '../../core/client/context.js';
import type { KafkaWorkload, Workload } from '../workload.js';
import { shareCluster } from '../../core/client/remote.js';
import { NativeProducer, type NativeReaderSpec, type NativeWriterSpec } from './mqlab-native-reader.js';
import type { ConsumerEndpoint, Driver, DriverSession, ProducerEndpoint, WorkerSpec } from './types.js';

/** Bounds an embedded log written at gigabytes per second: the oldest segments are reused. */
const RETENTION_BYTES = 512 * 1024 * 1024;

export function kafkaTopicNames(w: KafkaWorkload, runId: string): string[] {
  return Array.from({ length: w.topics }, (_, t) => `bench-${w.id}-${runId}-t${t}`);
}

/** Topic and partition of a target index. */
export function kafkaTarget(w: KafkaWorkload, target: number): { topic: number; partition: number } {
  return { topic: Math.floor(target / w.partitions), partition: target % w.partitions };
}

export function kafkaAcks(w: KafkaWorkload): -1 | 0 | 1 {
  return w.acks === 'all' ? -1 : w.acks;
}

/** Starts the workload's cluster and creates its topics. */
export async function startKafkaCluster(w: KafkaWorkload, runId: string): Promise<{ cluster: Cluster; topics: string[] }> {
  const partitions = w.topics * w.partitions;
  const config = { retentionBytes: Math.floor(RETENTION_BYTES / partitions), ...(w.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: w.minInsyncReplicas }) };
  const cluster = await startCluster({ brokers: w.brokers ?? w.replicationFactor, config });
  const topics = kafkaTopicNames(w, runId);
  try {
    await cluster.controller.createTopics(topics.map((topic) => ({ topic, numPartitions: w.partitions, replicationFactor: w.replicationFactor })));
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return { cluster, topics };
}

class NativeSession implements DriverSession {
  readonly targets: number;
  readonly brokerThreads: number;

  constructor(
    readonly workload: KafkaWorkload,
    readonly cluster: Cluster,
    readonly ctx: ClientContext,
    readonly topics: readonly string[],
  ) {
    this.targets = workload.topics * workload.partitions;
    this.brokerThreads = cluster.brokers.length;
  }

  /** For running a producer in this thread (tests); the runner places producers in workers. */
  openProducer(): Promise<ProducerEndpoint> {
    return NativeProducer.open(this.ctx, this.#writerSpec(), false);
  }

  #writerSpec(): Omit<NativeWriterSpec, 'port'> {
    const w = this.workload;
    const targets = Array.from({ length: this.targets }, (_, t) => {
      const { topic, partition } = kafkaTarget(w, t);
      return { topic: this.topics[topic]!, partition };
    });
    return { targets, acks: kafkaAcks(w), batchBytes: w.batchBytes };
  }

  openConsumer(): Promise<ConsumerEndpoint> {
    return Promise.reject(new Error('mqlab-native consumers run in load-generator workers'));
  }

  /** A consumer reads the partitions t with t mod consumers = index, from the log start. */
  async workerSpec(role: 'producer' | 'consumer', index: number): Promise<WorkerSpec> {
    if (role === 'producer') {
      const port = shareCluster(this.cluster);
      const spec: NativeWriterSpec = { ...this.#writerSpec(), port };
      return { spec, transfer: [port] };
    }
    const readers: NativeReaderSpec['readers'][number][] = [];
    const transfer = [];
    for (let t = index; t < this.targets; t += this.workload.consumers) {
      const { topic, partition } = kafkaTarget(this.workload, t);
      const meta = await this.ctx.topic(this.topics[topic]!, false);
      const leader = meta.partitions[partition]?.leader ?? -1;
      const broker = this.cluster.broker(leader);
      if (broker === undefined) throw new Error(`no live leader for ${meta.name}-${partition}`);
      const { port1, port2 } = new MessageChannel();
      const descriptor = await broker.call('openReader', { topicId: meta.topicId, partition, port: port2 }, [port2]);
      readers.push({ descriptor, port: port1 });
      transfer.push(port1);
    }
    const spec: NativeReaderSpec = { readers };
    return { spec, transfer };
  }

  async close(): Promise<void> {
    await this.ctx.close();
    await this.cluster.close();
  }
}

export const mqlabNativeDriver: Driver = {
  name: 'mqlab-native',
  model: 'kafka',
  system: 'mqlab',
  producersIn: 'worker',
  consumersIn: 'worker',
  unavailable: () => Promise.resolve(undefined),
  async open(workload: Workload, runId: string): Promise<DriverSession> {
    if (workload.model !== 'kafka') throw new Error(`mqlab-native drives the kafka model, not ${workload.model}`);
    const { cluster, topics } = await startKafkaCluster(workload, runId);
    return new NativeSession(workload, cluster, new ClientContext(cluster), topics);
  },
};
