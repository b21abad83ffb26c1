/**
 * A broker: the partitions it hosts and the client connections it serves. Pure logic over shared
 * memory — broker.worker.ts runs it in a worker thread, and tests may drive it in one thread.
 *
 * The data path: each client connection owns a request ring (client -> broker) and a response ring
 * (broker -> client), framed as wire.ts says. `pump()` drains every connection once: a produce
 * request's record batch goes from the request ring into the partition log with one copy, and the
 * answer goes into the response ring. Indices are published once per drain, not per frame.
 *
 * Invariants:
 * - Requests of one connection are answered in order, each exactly once (none for acks = 0).
 * - A request is taken off its ring only when the response ring has room for its answer, so a slow
 *   client backs up its own ring and never makes the broker drop an answer.
 * - Bad input (unknown partition, oversized or corrupt batch) is answered with its Kafka error code
 *   and leaves the log as it was.
 */
import type { MessagePort } from 'node:worker_threads';
import { KafkaProtocolError, kafkaErrorCode, MqlabError } from '../errors/index.js';
import { announceSegments, PartitionLog, type LogDescriptor } from '../log/index.js';
import { ByteRing, NO_SPACE, RING_END, frameBytes } from '../memory/index.js';
import type { BrokerConfig } from './config.js';
import { partitionLogSettings } from './log-settings.js';
import { BROKER_BELL_WORD, HEARTBEAT_WORD } from './layout.js';
import type { PartitionSpec } from './messages.js';
import {
  API_PRODUCE,
  REQ_ACKS,
  REQ_API_KEY,
  REQ_BATCH_LENGTH,
  REQ_CORRELATION_ID,
  REQ_PARTITION,
  REQ_TOPIC_ID,
  REQUEST_HEADER_BYTES,
  RES_API_KEY,
  RES_BASE_OFFSET_LOW,
  RES_CORRELATION_ID,
  RES_ERROR_CODE,
  RES_LOG_START_LOW,
  RES_RECORD_COUNT,
  RESPONSE_BYTES,
  writeOffset,
} from './wire.js';

const ERR_UNKNOWN_TOPIC_OR_PARTITION = kafkaErrorCode('UNKNOWN_TOPIC_OR_PARTITION');
const ERR_NOT_LEADER_OR_FOLLOWER = kafkaErrorCode('NOT_LEADER_OR_FOLLOWER');
const ERR_NOT_ENOUGH_REPLICAS = kafkaErrorCode('NOT_ENOUGH_REPLICAS');
const ERR_INVALID_REQUEST = kafkaErrorCode('INVALID_REQUEST');
const ERR_UNKNOWN_SERVER_ERROR = kafkaErrorCode('UNKNOWN_SERVER_ERROR');
const ERR_INVALID_REQUIRED_ACKS = kafkaErrorCode('INVALID_REQUIRED_ACKS');
const ACKS_NONE = 0;
const ACKS_LEADER = 1;
const ACKS_ALL = -1;
const RESPONSE_FRAME_BYTES = frameBytes(RESPONSE_BYTES);
/** log.retention.check.interval.ms, for age-based retention (size-based runs on every roll). */
const RETENTION_CHECK_INTERVAL_MS = 1_000;

/** Number keys for the partition map: no string building on the hot path. */
const PARTITIONS_PER_TOPIC_KEY = 1 << 20;
export function partitionKey(topicId: number, partition: number): number {
  return topicId * PARTITIONS_PER_TOPIC_KEY + partition;
}

/** One replica of a partition, hosted by this broker. */
export class HostedPartition {
  readonly log: PartitionLog;
  leader: boolean;
  leaderEpoch: number;
  /** In-sync replicas the leader counts (replication, issue 4, moves this). */
  isrSize: number;
  readonly minInsyncReplicas: number;
  /** Set by an append in this drain; the high watermark moves once per drain. */
  dirty = false;
  /** Segments after the last retention check: a roll triggers the next one. */
  checkedSegments = 1;

  constructor(readonly spec: PartitionSpec, config: BrokerConfig) {
    this.log = new PartitionLog({ ...partitionLogSettings(config), leaderEpoch: spec.leaderEpoch }, true);
    this.leader = spec.leader;
    this.leaderEpoch = spec.leaderEpoch;
    this.isrSize = 1;
    this.minInsyncReplicas = spec.minInsyncReplicas;
  }
}

class ClientConnection {
  readonly requests: ByteRing;
  readonly responses: ByteRing;
  readonly handler: (bytes: Uint8Array, offset: number, length: number) => void;
  closed = false;

  constructor(readonly id: number, requestBuffer: SharedArrayBuffer, responseBuffer: SharedArrayBuffer, broker: Broker) {
    this.requests = ByteRing.attach(requestBuffer);
    this.responses = ByteRing.attach(responseBuffer);
    this.handler = (bytes, offset, length) => broker.handleRequest(this, bytes, offset, length);
  }
}

export class Broker {
  readonly control: Int32Array;
  readonly #partitions = new Map<number, HostedPartition>();
  readonly #connections = new Map<number, ClientConnection>();
  /** The same connections as an array: the polling loop walks it without allocating an iterator. */
  #connectionList: ClientConnection[] = [];
  readonly #dirty: HostedPartition[] = [];
  #heartbeat = 0;
  #lastRetentionMs = 0;

  constructor(
    readonly id: number,
    readonly config: BrokerConfig,
    controlBuffer: SharedArrayBuffer,
  ) {
    this.control = new Int32Array(controlBuffer);
  }

  get partitionCount(): number {
    return this.#partitions.size;
  }

  createPartition(spec: PartitionSpec): void {
    const key = partitionKey(spec.topicId, spec.partition);
    if (this.#partitions.has(key)) return;
    this.#partitions.set(key, new HostedPartition(spec, this.config));
  }

  deletePartition(topicId: number, partition: number): void {
    this.#partitions.delete(partitionKey(topicId, partition));
  }

  partition(topicId: number, partition: number): HostedPartition | undefined {
    return this.#partitions.get(partitionKey(topicId, partition));
  }

  /** A reader in another thread: its descriptor now, and each later segment through `port`. */
  openReader(topicId: number, partition: number, port: MessagePort): LogDescriptor {
    const hosted = this.#partitions.get(partitionKey(topicId, partition));
    if (hosted === undefined) throw this.#notHosted(topicId, partition);
    const descriptor = hosted.log.describe();
    const stop = announceSegments(hosted.log, port);
    port.once('close', stop);
    return descriptor;
  }

  partitionOffsets(topicId: number, partition: number): { logStartOffset: number; logEndOffset: number; highWatermark: number } {
    const hosted = this.#partitions.get(partitionKey(topicId, partition));
    if (hosted === undefined) throw this.#notHosted(topicId, partition);
    const log = hosted.log;
    return { logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, highWatermark: log.highWatermark };
  }

  attachConnection(connectionId: number, requestBuffer: SharedArrayBuffer, responseBuffer: SharedArrayBuffer): void {
    this.#connections.set(connectionId, new ClientConnection(connectionId, requestBuffer, responseBuffer, this));
    this.#connectionList = [...this.#connections.values()];
  }

  detachConnection(connectionId: number): void {
    const connection = this.#connections.get(connectionId);
    if (connection === undefined) return;
    connection.closed = true;
    this.#connections.delete(connectionId);
    this.#connectionList = [...this.#connections.values()];
  }

  /** Publishes liveness for the controller, and applies age-based retention now and then. */
  beat(nowMs = Date.now()): void {
    this.#heartbeat = (this.#heartbeat + 1) | 0;
    Atomics.store(this.control, HEARTBEAT_WORD, this.#heartbeat);
    if (nowMs - this.#lastRetentionMs >= RETENTION_CHECK_INTERVAL_MS) {
      this.#lastRetentionMs = nowMs;
      for (const hosted of this.#partitions.values()) this.#retain(hosted);
    }
  }

  #retain(hosted: HostedPartition): void {
    hosted.log.deleteOldSegments();
    hosted.checkedSegments = hosted.log.segmentCount;
  }

  /** Drains every connection once. Returns the number of requests handled. */
  pump(): number {
    let handled = 0;
    const list = this.#connectionList;
    for (let i = 0; i < list.length; i++) {
      const connection = list[i]!;
      const room = this.#responseRoom(connection);
      if (room === 0) continue;
      const n = connection.requests.read(connection.handler, room);
      if (n === RING_END) {
        this.detachConnection(connection.id);
        continue;
      }
      if (n > 0) {
        connection.responses.commit();
        handled += n;
      }
    }
    const dirty = this.#dirty;
    for (let i = 0; i < dirty.length; i++) {
      const hosted = dirty[i]!;
      hosted.dirty = false;
      // Without followers in the ISR the leader alone decides the high watermark.
      if (hosted.isrSize <= 1) hosted.log.highWatermark = hosted.log.logEndOffset;
      // Retention runs as soon as a segment rolls, so a fast producer reuses retired segment memory
      // (fresh SharedArrayBuffer pages cost the kernel's zeroing on first touch) instead of growing.
      if (hosted.log.segmentCount !== hosted.checkedSegments) this.#retain(hosted);
    }
    dirty.length = 0;
    return handled;
  }

  /** True when some request ring holds a committed frame (checked before parking). */
  hasWork(): boolean {
    const list = this.#connectionList;
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.requests.hasData()) return true;
    }
    return false;
  }

  /** The broker doorbell's first word, for the run loop. */
  get bellWord(): number {
    return BROKER_BELL_WORD;
  }

  /** Called by a ring read for each request frame. Public for the ring handler only. */
  handleRequest(connection: ClientConnection, bytes: Uint8Array, offset: number, length: number): void {
    const w = connection.requests.dataWords;
    const i = offset >> 2;
    const correlationId = w[i + REQ_CORRELATION_ID]!;
    if (w[i + REQ_API_KEY] !== API_PRODUCE || length < REQUEST_HEADER_BYTES) {
      this.#respond(connection, correlationId, ERR_INVALID_REQUEST, -1, 0, -1);
      return;
    }
    const acks = w[i + REQ_ACKS]!;
    const batchLength = w[i + REQ_BATCH_LENGTH]!;
    const hosted = this.#partitions.get(partitionKey(w[i + REQ_TOPIC_ID]!, w[i + REQ_PARTITION]!));
    let error = 0;
    let base = -1;
    let count = 0;
    if (acks !== ACKS_ALL && acks !== ACKS_NONE && acks !== ACKS_LEADER) error = ERR_INVALID_REQUIRED_ACKS;
    else if (hosted === undefined) error = ERR_UNKNOWN_TOPIC_OR_PARTITION;
    else if (!hosted.leader) error = ERR_NOT_LEADER_OR_FOLLOWER;
    else if (acks === ACKS_ALL && hosted.isrSize < hosted.minInsyncReplicas) error = ERR_NOT_ENOUGH_REPLICAS;
    else if (batchLength < 0 || batchLength > length - REQUEST_HEADER_BYTES) error = ERR_INVALID_REQUEST;
    else {
      const log = hosted.log;
      try {
        base = log.appendBatch(bytes, offset + REQUEST_HEADER_BYTES, batchLength);
        count = log.logEndOffset - base;
        if (!hosted.dirty) {
          hosted.dirty = true;
          this.#dirty.push(hosted);
        }
      } catch (e) {
        error = e instanceof MqlabError && e.model === 'kafka' ? e.code : ERR_UNKNOWN_SERVER_ERROR;
      }
    }
    if (acks === ACKS_NONE) return;
    this.#respond(connection, correlationId, error, error === 0 ? base : -1, count, hosted === undefined ? -1 : hosted.log.logStartOffset);
  }

  #respond(connection: ClientConnection, correlationId: number, error: number, base: number, count: number, logStart: number): void {
    const ring = connection.responses;
    const at = ring.reserve(RESPONSE_BYTES);
    if (at === NO_SPACE) throw new Error('response ring overflow: pump() reserves room before reading');
    const w = ring.dataWords;
    const i = at >> 2;
    w[i + RES_API_KEY] = API_PRODUCE;
    w[i + RES_CORRELATION_ID] = correlationId;
    w[i + RES_ERROR_CODE] = error;
    w[i + RES_RECORD_COUNT] = count;
    writeOffset(w, i + RES_BASE_OFFSET_LOW, base);
    writeOffset(w, i + RES_LOG_START_LOW, logStart);
  }

  #notHosted(topicId: number, partition: number): KafkaProtocolError {
    return new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic-partition: broker ${this.id} has no partition ${partition} of topic id ${topicId}`);
  }

  /** How many answers fit the response ring now (one frame may be lost to the wrap padding). */
  #responseRoom(connection: ClientConnection): number {
    const ring = connection.responses;
    const free = ring.capacity - ring.usedBytes - RESPONSE_FRAME_BYTES;
    return free <= 0 ? 0 : Math.floor(free / RESPONSE_FRAME_BYTES);
  }
}
