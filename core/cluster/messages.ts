/**
 * Every control message between the main thread (controller, cluster handle, clients) and a broker
 * worker, as typed plain data. The data path never uses these: it runs over ByteRings (wire.ts).
 * Failures travel as ErrorRecords (core/errors) and are rebuilt as typed errors on arrival.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorRecord } from '../errors/index.js';
import type { LogDescriptor } from '../log/index.js';
import type { BrokerConfig } from './config.js';

/** What a broker needs to host one replica of a partition. */
export interface PartitionSpec {
  readonly topicId: number;
  readonly topic: string;
  readonly partition: number;
  readonly leader: boolean;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly minInsyncReplicas: number;
}

export interface BrokerWorkerData {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  readonly control: SharedArrayBuffer;
}

/** Calls the main thread makes on a broker, with their results. */
export interface BrokerCalls {
  createPartitions: { args: { partitions: readonly PartitionSpec[] }; result: null };
  deletePartitions: { args: { partitions: readonly { topicId: number; partition: number }[] }; result: null };
  attachConnection: { args: { connectionId: number; requests: SharedArrayBuffer; responses: SharedArrayBuffer }; result: null };
  detachConnection: { args: { connectionId: number }; result: null };
  openReader: { args: { topicId: number; partition: number; port: MessagePort }; result: LogDescriptor };
  partitionOffsets: { args: { topicId: number; partition: number }; result: { logStartOffset: number; logEndOffset: number; highWatermark: number } };
  shutdown: { args: Record<string, never>; result: null };
}
export type BrokerCallName = keyof BrokerCalls;

export interface CallMessage<K extends BrokerCallName = BrokerCallName> {
  readonly kind: 'call';
  readonly id: number;
  readonly method: K;
  readonly args: BrokerCalls[K]['args'];
}

export type ReplyMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: ErrorRecord };

/** Broker -> main thread, unprompted. */
export type BrokerEvent = { readonly kind: 'ready'; readonly brokerId: number };

export type FromBroker = ReplyMessage | BrokerEvent;
