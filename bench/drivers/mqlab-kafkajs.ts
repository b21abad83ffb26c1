/**
 * mqlab's kafkajs-shaped API (`mqlab/kafka`): producer.send() with explicit partitions, and a
 * consumer group with eachMessage, as an application ported from kafkajs would use them.
 *
 * Placement: producers and consumers run in load-generator workers, each on a `Kafka` client over
 * the cluster the main thread shares (attachCluster); a consumer's group calls reach the coordinator
 * in the cluster's thread through that link. The session can also open both in the main thread
 * (tests wrap drivers there).
 */
import { Kafka } from '../../core/client/kafka/index.js';
import type { Consumer } from '../../core/client/kafka/index.js';
import type { Producer } from '../../core/client/kafka/index.js';
import type { Cluster } from '../../core/cluster/index.js';
import { attachCluster, shareCluster } from '../../core/client/remote.js';
import type { MessagePort } from 'node:worker_threads';
import type { KafkaWorkload, Workload } from '../workload.js';
import { kafkaAcks, kafkaTarget, startKafkaCluster } from './mqlab-native.js';
import type { ConsumerEndpoint, Driver, DriverSession, MessageSink, ProducerEndpoint, WorkerDriver, WorkerSpec } from './types.js';

/** Sends in flight per producer before append() pushes back. */
const MAX_IN_FLIGHT = 2;

interface Pending {
  value: Buffer;
  partition: number;
}

class KafkajsProducer implements ProducerEndpoint {
  readonly #pending: Pending[][];
  #count = 0;
  readonly #inFlight = new Set<Promise<void>>();
  #error: Error | undefined;

  constructor(
    readonly producer: Producer,
    readonly workload: KafkaWorkload,
    readonly topics: readonly string[],
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.#pending = topics.map(() => []);
  }

  append(target: number, message: Uint8Array): boolean {
    if (this.#error !== undefined) throw this.#error;
    if (this.#count >= this.workload.messagesPerSend) {
      if (this.#inFlight.size >= MAX_IN_FLIGHT) return false;
      this.send();
    }
    const { topic, partition } = kafkaTarget(this.workload, target);
    this.#pending[topic]!.push({ value: Buffer.from(message), partition });
    this.#count++;
    return true;
  }

  async ready(): Promise<void> {
    if (this.#inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.#inFlight);
  }

  send(): void {
    if (this.#count === 0) return;
    this.#count = 0;
    this.#pending.forEach((messages, t) => {
      if (messages.length === 0) return;
      this.#pending[t] = [];
      const sending = this.producer
        .send({ topic: this.topics[t]!, messages, acks: kafkaAcks(this.workload) })
        .then(
          () => undefined,
          (error: unknown) => {
            this.#error ??= error instanceof Error ? error : new Error(JSON.stringify(error));
          },
        )
        .finally(() => this.#inFlight.delete(sending));
      this.#inFlight.add(sending);
    });
  }

  async flush(): Promise<void> {
    this.send();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    if (this.#error !== undefined) throw this.#error;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.producer.disconnect();
    await this.onClose();
  }
}

class KafkajsConsumer implements ConsumerEndpoint {
  constructor(
    readonly consumer: Consumer,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {}

  poll(): number {
    return 0;
  }

  idle(maxMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.min(maxMs, 5)));
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
    await this.onClose();
  }
}

/** The group every consumer of one run joins. */
function groupIdOf(workload: KafkaWorkload, runId: string): string {
  return `bench-${workload.id}-${runId}`;
}

/** A running group member that hands each message's value to the sink. */
async function openGroupConsumer(kafka: Kafka, groupId: string, topics: readonly string[], sink: MessageSink, onClose?: () => Promise<void>): Promise<KafkajsConsumer> {
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 1_000, sessionTimeout: 10_000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      const v = message.value;
      if (v !== null) sink(v, 0, v.length);
      return Promise.resolve();
    },
  });
  return new KafkajsConsumer(consumer, onClose);
}

class KafkajsSession implements DriverSession {
  readonly targets: number;
  readonly brokerThreads: number;
  readonly kafka: Kafka;
  readonly groupId: string;

  constructor(
    readonly workload: KafkaWorkload,
    readonly cluster: Cluster,
    readonly topics: readonly string[],
    runId: string,
  ) {
    this.targets = workload.topics * workload.partitions;
    this.brokerThreads = cluster.brokers.length;
    this.kafka = new Kafka({ clientId: 'mqlab-bench', cluster });
    this.groupId = groupIdOf(workload, runId);
  }

  async openProducer(): Promise<ProducerEndpoint> {
    const producer = this.kafka.producer();
    await producer.connect();
    return new KafkajsProducer(producer, this.workload, this.topics);
  }

  openConsumer(_index: number, sink: MessageSink): Promise<ConsumerEndpoint> {
    return openGroupConsumer(this.kafka, this.groupId, this.topics, sink);
  }

  /** Producers and consumers alike get a port of their own on the shared cluster. */
  workerSpec(role: 'producer' | 'consumer'): Promise<WorkerSpec> {
    const port = shareCluster(this.cluster);
    const spec: KafkajsWorkerSpec = role === 'producer' ? { port, workload: this.workload, topics: this.topics } : { port, workload: this.workload, topics: this.topics, groupId: this.groupId };
    return Promise.resolve({ spec, transfer: [port] });
  }

  async close(): Promise<void> {
    await this.cluster.close();
  }
}

export const mqlabKafkajsDriver: Driver = {
  name: 'mqlab-kafkajs',
  model: 'kafka',
  system: 'mqlab',
  producersIn: 'worker',
  consumersIn: 'worker',
  unavailable: () => Promise.resolve(undefined),
  async open(workload: Workload, runId: string): Promise<DriverSession> {
    if (workload.model !== 'kafka') throw new Error(`mqlab-kafkajs drives the kafka model, not ${workload.model}`);
    const { cluster, topics } = await startKafkaCluster(workload, runId);
    return new KafkajsSession(workload, cluster, topics, runId);
  },
};

/** What a generator worker needs: the shared cluster's port, the workload, its topics, and a consumer's group. */
interface KafkajsWorkerSpec {
  readonly port: MessagePort;
  readonly workload: KafkaWorkload;
  readonly topics: readonly string[];
  readonly groupId?: string;
}

/** The worker side: a kafkajs-shaped producer, or consumer group member, over the shared cluster. */
export const mqlabKafkajsWorkerDriver: WorkerDriver = {
  async openProducer(spec: unknown): Promise<ProducerEndpoint> {
    const s = spec as KafkajsWorkerSpec;
    const ctx = await attachCluster(s.port);
    const producer = new Kafka({ clientId: 'mqlab-bench', cluster: ctx }).producer();
    await producer.connect();
    return new KafkajsProducer(producer, s.workload, s.topics, () => ctx.close());
  },
  async openConsumer(spec: unknown, sink: MessageSink): Promise<ConsumerEndpoint> {
    const s = spec as KafkajsWorkerSpec;
    if (s.groupId === undefined) throw new Error('mqlab-kafkajs: a consumer spec names its group');
    const ctx = await attachCluster(s.port);
    try {
      return await openGroupConsumer(new Kafka({ clientId: 'mqlab-bench', cluster: ctx }), s.groupId, s.topics, sink, () => ctx.close());
    } catch (error) {
      await ctx.close();
      throw error;
    }
  },
};
