/**
 * `new Kafka({ clientId, cluster? })`: the kafkajs entry point. Without a cluster it uses the
 * embedded default one-broker cluster, started on first use.
 */
import { defaultCluster, type Cluster } from '../../cluster/index.js';
import { ClientContext, type ContextSource } from '../context.js';
import { PartitionReader, PartitionWriter, type PartitionReaderOptions, type PartitionWriterOptions } from '../native/index.js';
import { Admin } from './admin.js';
import { Consumer, type ConsumerConfig } from './consumer.js';
import { Producer } from './producer.js';
import type { KafkaConfig, ProducerConfig, RetryOptions } from './types.js';

/** Resolves the cluster lazily, so `new Kafka()` stays synchronous as in kafkajs. */
class LazyContext implements ContextSource {
  #ctx: ClientContext | undefined;
  #pending: Promise<ClientContext> | undefined;
  constructor(readonly cluster: Cluster | ClientContext | undefined) {
    if (cluster instanceof ClientContext) this.#ctx = cluster;
  }
  get(): Promise<ClientContext> {
    if (this.#ctx !== undefined) return Promise.resolve(this.#ctx);
    const given = this.cluster instanceof ClientContext ? undefined : this.cluster;
    this.#pending ??= (given !== undefined ? Promise.resolve(given) : defaultCluster()).then((cluster) => {
      this.#ctx = new ClientContext(cluster);
      return this.#ctx;
    });
    return this.#pending;
  }
}

export class Kafka {
  readonly clientId: string;
  readonly #lazy: LazyContext;
  readonly #retry: RetryOptions | undefined;

  constructor(config: KafkaConfig = {}) {
    this.clientId = config.clientId ?? 'mqlab';
    this.#lazy = new LazyContext(config.cluster);
    this.#retry = config.retry;
  }

  producer(config: ProducerConfig = {}): Producer {
    return new Producer(this.#lazy, config, this.#retry);
  }

  consumer(config: ConsumerConfig): Consumer {
    return new Consumer(this.#lazy, this.clientId, config);
  }

  admin(): Admin {
    return new Admin(this.#lazy);
  }

  /** The native fast API: a writer that encodes records straight into shared memory. */
  async partitionWriter(topic: string, partition: number, options?: PartitionWriterOptions): Promise<PartitionWriter> {
    return PartitionWriter.open(await this.#lazy.get(), topic, partition, options);
  }

  /** The native fast API: a zero-copy reader over a partition's log. */
  async partitionReader(topic: string, partition: number, options?: PartitionReaderOptions): Promise<PartitionReader> {
    return PartitionReader.open(await this.#lazy.get(), topic, partition, options);
  }
}

