/**
 * Every control message between the main thread (controller, cluster handle, clients) and a broker
 * worker, as typed plain data. The data path never uses these: it runs over ByteRings (wire.ts).
 * Failures travel as ErrorRecords (core/errors) and are rebuilt as typed errors on arrival.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorRecord } from '../errors/index.js';
import type { LogDescriptor } from '../log/index.js';
import type { BrokerConfig } from './config.js';
import type { EpochEntry } from './replication.js';

/** What a broker needs to host one replica of a partition. */
export interface PartitionSpec {
  readonly topicId: number;
  readonly topic: string;
  readonly partition: number;
  readonly leader: boolean;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  /** The in-sync replicas when `leader` (a partition with one replica leads at once). */
  readonly isr?: readonly number[];
  readonly minInsyncReplicas: number;
  /** The topic's retention.ms / retention.bytes, where it overrides the broker's. */
  readonly retention?: { readonly retentionMs?: number; readonly retentionBytes?: number };
}

/** Makes a replica the partition's leader for `leaderEpoch`. */
export interface BecomeLeaderArgs {
  readonly topicId: number;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** What a new leader tells its followers: where to report, and its epochs for truncation. */
export interface LeadershipInfo {
  readonly followerOffsets: SharedArrayBuffer;
  readonly epochs: readonly EpochEntry[];
  readonly logEndOffset: number;
  readonly logStartOffset: number;
}

/** Makes a replica follow `leaderId` in `leaderEpoch`: it truncates where its log diverges, then copies. */
export interface BecomeFollowerArgs {
  readonly topicId: number;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly leaderId: number;
  readonly leader: LeadershipInfo;
  /** The leader's log, to copy from (one reader slot of it), and the port its new segments come on. */
  readonly descriptor: LogDescriptor;
  readonly port: MessagePort;
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
  becomeLeader: { args: BecomeLeaderArgs; result: LeadershipInfo };
  becomeFollower: { args: BecomeFollowerArgs; result: null };
  /** The controller accepted (or itself made) an ISR change in `leaderEpoch`. */
  isrChanged: { args: { topicId: number; partition: number; leaderEpoch: number; isr: readonly number[] }; result: null };
  /** Every broker's control block, by id, for ringing a peer's doorbell and seeing it stop. */
  setPeers: { args: { peers: readonly { id: number; control: SharedArrayBuffer }[] }; result: null };
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
export type BrokerEvent =
  | { readonly kind: 'ready'; readonly brokerId: number }
  /** A leader asks the controller to change a partition's ISR (Kafka's AlterPartition). */
  | { readonly kind: 'isr'; readonly brokerId: number; readonly topicId: number; readonly partition: number; readonly leaderEpoch: number; readonly isr: readonly number[] };

export type FromBroker = ReplyMessage | BrokerEvent;
