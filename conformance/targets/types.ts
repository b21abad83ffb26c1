/**
 * What a conformance target is: something the checks can reach through a client API, with the
 * capabilities it declares. A check needing a capability the target lacks is reported n/a, never
 * passed. The AMQP checks are written against amqplib's promise API; a later `kafka` target adds
 * a kafkajs-shaped entry point beside `amqpConnect`.
 */
import type { Channel, ConfirmChannel } from 'amqplib';
import type { Cluster, ClusterOptions, Kafka } from '../../core/client/kafka/index.js';

/** The part of amqplib's ChannelModel the checks use (mqlab's Connection has the same shape). */
export interface AmqpConnection {
  createChannel(): Promise<Channel>;
  createConfirmChannel(): Promise<ConfirmChannel>;
  close(): Promise<void>;
  on(event: 'error' | 'close' | 'blocked' | 'unblocked', listener: (arg?: unknown) => void): unknown;
}

export const CAPABILITIES = ['amqp', 'kafka', 'faultInjection', 'replication', 'firehose'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const TARGET_NAMES = ['core', 'rabbitmq'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface Target {
  readonly name: TargetName;
  readonly capabilities: ReadonlySet<Capability>;
  /** A new connection, as amqplib's `connect()` resolves it. Only when `capabilities` has amqp. */
  amqpConnect(): Promise<AmqpConnection>;
  /**
   * A kafkajs-shaped client over the target's cluster (one broker unless asked). Only when
   * `capabilities` has kafka. A later `kafka` target returns kafkajs's own client here.
   */
  kafkaClient(options?: { readonly brokers?: number; readonly autoCreateTopics?: boolean }): Promise<Kafka>;
  /**
   * A fresh multi-broker cluster handle the checks may break (kill, restart, pause, slow a
   * follower). Only when `capabilities` has replication and faultInjection.
   */
  kafkaCluster(options: ClusterOptions): Promise<Cluster>;
  /** The product and version the checks ran against, e.g. "RabbitMQ 3.10.8". */
  version(): Promise<string>;
  /** Firehose on or off (rabbitmqctl trace_on / trace_off). Only when `capabilities` has firehose. */
  setTracing(enabled: boolean): Promise<void>;
  /** Releases what the target holds (an embedded broker, probe connections). */
  close(): Promise<void>;
}
