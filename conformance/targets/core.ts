/**
 * The `core` target: mqlab embedded in this process, one isolated AMQP host per target. By default
 * the host is set up like the RabbitMQ 3.10 oracle (no x-last-death headers, direct replies outside
 * mandatory routing, 503 for an unknown exchange type, 128 MiB max message size), so one assertion
 * holds on both targets; `profile: 'current'` keeps mqlab's documented defaults.
 */
import { connect, createAmqpHost, type AmqpHost } from '../../core/client/amqp/index.js';
import { Kafka, startCluster, type Cluster, type ClusterOptions } from '../../core/client/kafka/index.js';
import { ExchangeTypeRegistry, type VirtualHostOptions } from '../../core/routing/index.js';
import type { AmqpConnection, Capability, Target } from './types.js';

export type CoreProfile = '3.10' | 'current';

export interface CoreTargetOptions {
  readonly profile?: CoreProfile;
}

function vhostOptions(profile: CoreProfile): VirtualHostOptions {
  switch (profile) {
    case '3.10':
      return {
        lastDeathHeaders: false,
        directReplyCountsAsRouted: false,
        maxMessageSize: 128 * 1024 * 1024,
        globalQos: true,
        exchangeTypes: new ExchangeTypeRegistry({ unknownType: 'COMMAND_INVALID' }),
      };
    case 'current':
      return {};
    default: {
      const unknown: never = profile;
      throw new Error(`unknown core profile ${String(unknown)}`);
    }
  }
}

const CORE_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['amqp', 'kafka', 'replication', 'faultInjection', 'firehose']);

export class CoreTarget implements Target {
  readonly name = 'core' as const;
  readonly capabilities = CORE_CAPABILITIES;
  readonly profile: CoreProfile;
  readonly host: AmqpHost;
  readonly #clusters: Cluster[] = [];

  constructor(options: CoreTargetOptions = {}) {
    this.profile = options.profile ?? '3.10';
    this.host = createAmqpHost({ vhost: vhostOptions(this.profile) });
  }

  async amqpConnect(): Promise<AmqpConnection> {
    const connection = await connect({ host: this.host });
    // mqlab's Connection and Channel have amqplib's methods; they lack only amqplib's socket-level
    // `connection` field, which no check reads. The checks are written against amqplib's types.
    return connection as unknown as AmqpConnection;
  }

  /** A fresh embedded cluster per call (closed with the target), with a client that does not retry. */
  async kafkaClient(options: { readonly brokers?: number; readonly autoCreateTopics?: boolean } = {}): Promise<Kafka> {
    const cluster = await startCluster({
      ...(options.brokers === undefined ? {} : { brokers: options.brokers }),
      ...(options.autoCreateTopics === undefined ? {} : { config: { autoCreateTopics: options.autoCreateTopics } }),
    });
    this.#clusters.push(cluster);
    return new Kafka({ clientId: 'mqlab-conformance', cluster, retry: { retries: 0 } });
  }

  /** A fresh embedded cluster whose brokers the checks kill, pause and slow (closed with the target). */
  async kafkaCluster(options: ClusterOptions): Promise<Cluster> {
    const cluster = await startCluster(options);
    this.#clusters.push(cluster);
    return cluster;
  }

  version(): Promise<string> {
    return Promise.resolve(`mqlab core (RabbitMQ ${this.profile} profile)`);
  }

  setTracing(enabled: boolean): Promise<void> {
    this.host.vhost.setTracing(enabled);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.host.close();
    for (const cluster of this.#clusters.splice(0)) await cluster.close();
  }
}
