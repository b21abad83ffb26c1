/**
 * The kafkajs-shaped types: the same names and fields as kafkajs's own, so code written for
 * kafkajs moves over by changing its import. Offsets travel as strings, as in kafkajs.
 */
import type { Cluster } from '../../cluster/index.js';
import type { ClientContext } from '../context.js';

export interface KafkaConfig {
  readonly clientId?: string;
  /**
   * The in-process cluster to use; without one, the embedded default one-broker cluster. In a worker
   * thread, the ClientContext that attachCluster() gave (producers only: groups and admin need the
   * cluster's own thread).
   */
  readonly cluster?: Cluster | ClientContext;
  /** Accepted for kafkajs compatibility; an embedded cluster needs no addresses. */
  readonly brokers?: readonly string[];
  readonly retry?: RetryOptions;
}

export interface RetryOptions {
  readonly maxRetryTime?: number;
  readonly initialRetryTime?: number;
  readonly factor?: number;
  readonly multiplier?: number;
  readonly retries?: number;
}

export interface IHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

export interface Message {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly partition?: number;
  readonly headers?: IHeaders;
  readonly timestamp?: string;
}

export interface PartitionMetadata {
  readonly partitionErrorCode: number;
  readonly partitionId: number;
  readonly leader: number;
  readonly replicas: number[];
  readonly isr: number[];
  readonly offlineReplicas?: number[];
}

export interface PartitionerArgs {
  readonly topic: string;
  readonly partitionMetadata: PartitionMetadata[];
  readonly message: Message;
}

export type ICustomPartitioner = () => (args: PartitionerArgs) => number;

export interface ProducerConfig {
  readonly createPartitioner?: ICustomPartitioner;
  readonly retry?: RetryOptions;
  readonly allowAutoTopicCreation?: boolean;
  readonly idempotent?: boolean;
  readonly transactionalId?: string;
  readonly maxInFlightRequests?: number;
  /** batch.size, bytes: also the sticky partitioner's switch size. */
  readonly batchSize?: number;
}

export interface ProducerRecord {
  readonly topic: string;
  readonly messages: readonly Message[];
  readonly acks?: number;
  readonly timeout?: number;
  readonly compression?: number;
}

export interface TopicMessages {
  readonly topic: string;
  readonly messages: readonly Message[];
}

export interface ProducerBatch {
  readonly acks?: number;
  readonly timeout?: number;
  readonly compression?: number;
  readonly topicMessages?: readonly TopicMessages[];
}

export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  offset?: string;
  timestamp?: string;
  baseOffset?: string;
  logAppendTime?: string;
  logStartOffset?: string;
}

export interface KafkaMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  attributes: number;
  offset: string;
  size?: number;
  headers?: IHeaders;
}

export interface InstrumentationEvent<T> {
  readonly id: number;
  readonly type: string;
  readonly timestamp: number;
  readonly payload: T;
}

export type CompressionTypes = 0;
export const CompressionTypes = { None: 0 } as const;
