/**
 * mqlab's native Kafka-model API: PartitionWriter encodes records straight into the leader's
 * request ring; consumers read the leader's log zero-copy.
 *
 * Placement: producers run in the main thread, because a PartitionWriter needs the cluster's
 * ClientContext and the engine has no way to reach a cluster's brokers from another thread for
 * writing. Consumers run in load-generator workers: the broker hands out a partition's
 * LogDescriptor and a segment port ('openReader'), which a worker attaches to
 * (mqlab-native-reader.ts), as the engine's own cross-thread read path does.
 */
import { MessageChannel } from 'node:worker_threads';
import { startCluster, type Cluster } from '../../core/cluster/index.js';
import { ClientContext } from '../../core/client/context.js';
import { PartitionWriter } from '../../core/client/native/index.js';
import type { KafkaWorkload, Workload } from '../workload.js';
import type { NativeReaderSpec } from './mqlab-native-reader.js';
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

class NativeProducer implements ProducerEndpoint {
  #blocked: PartitionWriter | undefined;

  constructor(readonly writers: readonly PartitionWriter[]) {}

  append(target: number, message: Uint8Array): boolean {
    const writer = this.writers[target]!;
    if (writer.append(null, message)) return true;
    this.#blocked = writer;
    return false;
  }

  async ready(): Promise<void> {
    const blocked = this.#blocked;
    this.#blocked = undefined;
    if (blocked !== undefined) await blocked.ready();
  }

  send(): void {
    for (const w of this.writers) w.send();
  }

  async flush(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.flush()));
  }

  async close(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.close()));
  }
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

  async openProducer(): Promise<ProducerEndpoint> {
    const w = this.workload;
    const writers: PartitionWriter[] = [];
    for (let t = 0; t < this.targets; t++) {
      const { topic, partition } = kafkaTarget(w, t);
      writers.push(await PartitionWriter.open(this.ctx, this.topics[topic]!, partition, { acks: kafkaAcks(w), batchSize: w.batchBytes }));
    }
    return new NativeProducer(writers);
  }

  openConsumer(): Promise<ConsumerEndpoint> {
    return Promise.reject(new Error('mqlab-native consumers run in load-generator workers'));
  }

  /** A consumer reads the partitions t with t mod consumers = index, from the log start. */
  async workerSpec(role: 'producer' | 'consumer', index: number): Promise<WorkerSpec> {
    if (role === 'producer') throw new Error('mqlab-native producers run in the main thread');
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
  producersIn: 'main',
  consumersIn: 'worker',
  unavailable: () => Promise.resolve(undefined),
  async open(workload: Workload, runId: string): Promise<DriverSession> {
    if (workload.model !== 'kafka') throw new Error(`mqlab-native drives the kafka model, not ${workload.model}`);
    const { cluster, topics } = await startKafkaCluster(workload, runId);
    return new NativeSession(workload, cluster, new ClientContext(cluster), topics);
  },
};
