/**
 * A broker: the partitions it hosts and the client connections it serves. Pure logic over shared
 * memory — broker.worker.ts runs it in a worker thread, and tests may drive it in one thread.
 *
 * The data path: each client connection owns a request ring (client -> broker) and a response ring
 * (broker -> client), framed as wire.ts says. `pump()` drains every connection once: a produce
 * request's record batch goes from the request ring into the partition log with one copy, and the
 * answer goes into the response ring. Indices are published once per drain, not per frame.
 *
 * Replication: a partition with several replicas has one leader and followers. A follower copies
 * whole batches from the leader's segments (PartitionLogReader.fetchBatches) into its own log in its
 * own pump, and reports its log end offset in the leader's FollowerOffsets. The leader's high
 * watermark is the smallest log end offset over the ISR; acks=all answers wait for it. The leader
 * shrinks and expands the ISR on replica lag and asks the controller to make each change, counting
 * both the old and the proposed members until the controller answered (Kafka's maximal ISR).
 *
 * Invariants:
 * - Every request with acks != 0 is answered exactly once; answers of one partition go out in
 *   offset order (an acks=all answer waits for the high watermark, so answers to different
 *   partitions may pass each other; correlation ids match them up).
 * - A request is taken off its ring only when the response ring has room for its answer, so a slow
 *   client backs up its own ring and never makes the broker drop an answer.
 * - Bad input (unknown partition, oversized or corrupt batch) is answered with its Kafka error code
 *   and leaves the log as it was.
 */
import type { MessagePort } from 'node:worker_threads';
import { KafkaProtocolError, kafkaErrorCode, MqlabError } from '../errors/index.js';
import {
  announceSegments,
  BATCH_BASE_OFFSET,
  BATCH_BASE_SEQUENCE,
  BATCH_PARTITION_LEADER_EPOCH,
  BATCH_PRODUCER_EPOCH,
  BATCH_PRODUCER_ID,
  BATCH_RECORDS_COUNT,
  PartitionLog,
  PartitionLogReader,
  pullSegmentsFrom,
  readInt16BE,
  readInt32BE,
  readInt64BE,
  type LogDescriptor,
} from '../log/index.js';
import { ByteRing, NO_SPACE, RING_END, frameBytes, ringIfAsleep } from '../memory/index.js';
import { ProducerStateTable } from '../stream/producer-state.js';
import type { BrokerConfig } from './config.js';
import { partitionLogSettings } from './log-settings.js';
import { BROKER_BELL_WORD, BrokerState, FETCH_DELAY_EPOCH_WORD, FETCH_DELAY_SEEN_WORD, FETCH_DELAY_WORD, HEARTBEAT_WORD, PAUSE_WORD, STATE_WORD } from './layout.js';
import type { BecomeFollowerArgs, BecomeLeaderArgs, BrokerEvent, LeadershipInfo, PartitionSpec } from './messages.js';
import { divergenceOffset, EpochCache, FollowerOffsets } from './replication.js';
import {
  API_PRODUCE,
  REQ_ACKS,
  REQ_API_KEY,
  REQ_BATCH_LENGTH,
  REQ_CORRELATION_ID,
  REQ_PARTITION,
  REQ_TIMEOUT_MS,
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
const ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND = kafkaErrorCode('NOT_ENOUGH_REPLICAS_AFTER_APPEND');
const ERR_REQUEST_TIMED_OUT = kafkaErrorCode('REQUEST_TIMED_OUT');
const ERR_INVALID_REQUEST = kafkaErrorCode('INVALID_REQUEST');
const ERR_UNKNOWN_SERVER_ERROR = kafkaErrorCode('UNKNOWN_SERVER_ERROR');
const ERR_INVALID_REQUIRED_ACKS = kafkaErrorCode('INVALID_REQUIRED_ACKS');
const ACKS_NONE = 0;
const ACKS_LEADER = 1;
const ACKS_ALL = -1;
const RESPONSE_FRAME_BYTES = frameBytes(RESPONSE_BYTES);
/** log.retention.check.interval.ms, for age-based retention (size-based runs on every roll). */
const RETENTION_CHECK_INTERVAL_MS = 1_000;
/** How often a leader looks at replica lag (ISR shrink and expand). */
const ISR_CHECK_INTERVAL_MS = 10;
/** An ISR change the controller has not answered within this is proposed again. */
const ISR_CHANGE_RETRY_MS = 1_000;
/** replica.fetch.max.bytes: about how much one fetch copies before the pump moves on. */
const FETCH_MAX_BYTES = 1_048_576;

/** Number keys for the partition map: no string building on the hot path. */
const PARTITIONS_PER_TOPIC_KEY = 1 << 20;
export function partitionKey(topicId: number, partition: number): number {
  return topicId * PARTITIONS_PER_TOPIC_KEY + partition;
}

/** An acks=all answer waiting for the high watermark to reach `end`. */
interface PendingAck {
  readonly connection: ClientConnection;
  readonly correlationId: number;
  readonly base: number;
  readonly count: number;
  readonly end: number;
  readonly deadline: number;
}

/** One replica of a partition, hosted by this broker. */
export class HostedPartition {
  log: PartitionLog;
  leader: boolean;
  leaderEpoch: number;
  readonly replicas: readonly number[];
  /** The ISR as the controller last confirmed it (leader only). */
  isr: readonly number[];
  /** The ISR with a proposed change included: what the high watermark waits for. */
  maximalIsr: readonly number[];
  pendingIsr: readonly number[] | null = null;
  pendingIsrSince = 0;
  readonly minInsyncReplicas: number;
  readonly epochs = new EpochCache();
  readonly producers = new ProducerStateTable();
  /** Set by an append in this drain; the high watermark moves once per drain. */
  dirty = false;
  /** Segments after the last retention check: a roll triggers the next one. */
  checkedSegments = 1;

  // Leader side.
  followerOffsets: FollowerOffsets | null = null;
  /** Per replica slot: when the follower last had everything the leader had (replica.lag.time.max.ms). */
  caughtUpMs: number[] = [];
  leoAtLastCheck = 0;
  lastCheckMs = 0;
  readonly pending: PendingAck[] = [];
  pendingHead = 0;

  // Follower side.
  leaderId = -1;
  fetcher: PartitionLogReader | null = null;
  fetchPort: MessagePort | null = null;
  leaderOffsets: FollowerOffsets | null = null;
  slot = -1;
  lastFetchMs = 0;
  /** Copies one fetched batch into this replica's log (set while following). */
  sink: ((bytes: Uint8Array, start: number, length: number) => void) | null = null;

  constructor(readonly spec: PartitionSpec, readonly config: BrokerConfig) {
    this.log = new PartitionLog({ ...partitionLogSettings(config), ...spec.retention, leaderEpoch: spec.leaderEpoch }, true);
    this.leader = spec.leader;
    this.leaderEpoch = spec.leaderEpoch;
    this.replicas = spec.replicas;
    this.isr = spec.leader ? (spec.isr ?? spec.replicas) : [];
    this.maximalIsr = this.isr;
    this.minInsyncReplicas = spec.minInsyncReplicas;
    if (spec.leader) this.epochs.assign(spec.leaderEpoch, 0);
  }

  get pendingCount(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Starts the log over, empty, at `offset` (a follower behind its leader's log start). */
  resetLog(offset: number): void {
    this.log = new PartitionLog({ ...partitionLogSettings(this.config), ...this.spec.retention, leaderEpoch: this.leaderEpoch, startOffset: offset }, true);
    this.epochs.clear();
    this.producers.truncateTo(0);
    this.checkedSegments = 1;
  }
}

/** What a leader tells its followers: where to report, its epochs, and its log's bounds. */
function leadershipInfo(hosted: HostedPartition, offsets: FollowerOffsets): LeadershipInfo {
  const log = hosted.log;
  return { followerOffsets: offsets.buffer, epochs: [...hosted.epochs.entries], logEndOffset: log.logEndOffset, logStartOffset: log.logStartOffset };
}

class ClientConnection {
  readonly requests: ByteRing;
  readonly responses: ByteRing;
  readonly handler: (bytes: Uint8Array, offset: number, length: number) => void;
  closed = false;
  /** acks=all answers owed: room for them stays reserved in the response ring. */
  pendingAnswers = 0;

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
  /** Partitions this broker leads that have followers, and those it follows. */
  #replicatedLeaders: HostedPartition[] = [];
  #followers: HostedPartition[] = [];
  readonly #peers = new Map<number, Int32Array>();
  readonly #emit: (event: BrokerEvent) => void;
  #heartbeat = 0;
  #lastRetentionMs = 0;
  #lastIsrCheckMs = 0;

  constructor(
    readonly id: number,
    readonly config: BrokerConfig,
    controlBuffer: SharedArrayBuffer,
    emit: (event: BrokerEvent) => void = () => undefined,
  ) {
    this.control = new Int32Array(controlBuffer);
    this.#emit = emit;
  }

  get partitionCount(): number {
    return this.#partitions.size;
  }

  createPartition(spec: PartitionSpec): void {
    const key = partitionKey(spec.topicId, spec.partition);
    if (this.#partitions.has(key)) return;
    const hosted = new HostedPartition(spec, this.config);
    this.#partitions.set(key, hosted);
    if (hosted.leader) hosted.log.highWatermark = hosted.log.logEndOffset;
  }

  deletePartition(topicId: number, partition: number): void {
    const key = partitionKey(topicId, partition);
    const hosted = this.#partitions.get(key);
    if (hosted === undefined) return;
    this.#resign(hosted, ERR_UNKNOWN_TOPIC_OR_PARTITION);
    this.#stopFollowing(hosted);
    this.#partitions.delete(key);
  }

  partition(topicId: number, partition: number): HostedPartition | undefined {
    return this.#partitions.get(partitionKey(topicId, partition));
  }

  /** Every broker's control block: for ringing a peer's doorbell and seeing a leader stop. */
  setPeers(peers: readonly { id: number; control: SharedArrayBuffer }[]): void {
    for (const peer of peers) this.#peers.set(peer.id, new Int32Array(peer.control));
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

  // ----------------------------------------------------------------------------------- leadership

  /**
   * Takes over as leader in `leaderEpoch`: records where the epoch starts, opens a fresh
   * FollowerOffsets for this leadership and starts counting replica lag from now. A stale epoch is
   * refused with FENCED_LEADER_EPOCH.
   */
  becomeLeader(args: BecomeLeaderArgs): LeadershipInfo {
    const hosted = this.#hosted(args.topicId, args.partition);
    this.#checkEpoch(hosted, args.leaderEpoch);
    const log = hosted.log;
    // The same leadership again (a follower joins later): nothing changes.
    if (hosted.leader && hosted.leaderEpoch === args.leaderEpoch && hosted.followerOffsets !== null) return leadershipInfo(hosted, hosted.followerOffsets);
    this.#stopFollowing(hosted);
    hosted.leader = true;
    hosted.leaderEpoch = args.leaderEpoch;
    hosted.leaderId = this.id;
    log.leaderEpoch = args.leaderEpoch;
    hosted.isr = args.isr;
    hosted.maximalIsr = args.isr;
    hosted.pendingIsr = null;
    hosted.epochs.assign(args.leaderEpoch, log.logEndOffset);
    log.flush();
    log.publishLogEnd();
    const now = Date.now();
    hosted.followerOffsets = FollowerOffsets.create(hosted.replicas.length);
    hosted.caughtUpMs = hosted.replicas.map(() => now);
    hosted.leoAtLastCheck = log.logEndOffset;
    hosted.lastCheckMs = now;
    if (hosted.replicas.length > 1 && !this.#replicatedLeaders.includes(hosted)) this.#replicatedLeaders.push(hosted);
    this.#advanceHighWatermark(hosted);
    return leadershipInfo(hosted, hosted.followerOffsets);
  }

  /**
   * Follows `leaderId` in `leaderEpoch`: a leader steps down (its waiting acks=all answers get
   * NOT_LEADER_OR_FOLLOWER), the log is truncated where it diverges from the leader's by leader
   * epochs, and copying starts from there.
   */
  becomeFollower(args: BecomeFollowerArgs): void {
    const hosted = this.#hosted(args.topicId, args.partition);
    try {
      this.#checkEpoch(hosted, args.leaderEpoch);
    } catch (error) {
      args.port.close();
      throw error;
    }
    this.#resign(hosted, ERR_NOT_LEADER_OR_FOLLOWER);
    this.#stopFollowing(hosted);
    hosted.leaderEpoch = args.leaderEpoch;
    hosted.leaderId = args.leaderId;
    hosted.log.leaderEpoch = args.leaderEpoch;
    const leader = args.leader;
    let log = hosted.log;
    const end = log.logEndOffset;
    const divergence = divergenceOffset(hosted.epochs.entries, end, leader.epochs, leader.logEndOffset);
    if (divergence < log.logStartOffset || (end === log.logStartOffset && leader.logStartOffset > end)) {
      hosted.resetLog(Math.max(leader.logStartOffset, 0));
      log = hosted.log;
    } else if (divergence < end) {
      log.truncateTo(divergence);
      hosted.epochs.truncateTo(divergence);
      hosted.producers.truncateTo(divergence);
    }
    hosted.fetcher = PartitionLogReader.attach(args.descriptor, { pullSegment: pullSegmentsFrom(args.port) });
    hosted.fetchPort = args.port;
    args.port.unref();
    hosted.leaderOffsets = FollowerOffsets.attach(leader.followerOffsets);
    hosted.slot = hosted.replicas.indexOf(this.id);
    hosted.leaderOffsets.write(hosted.slot, log.logEndOffset);
    hosted.sink = (bytes, start, length) => this.#copyBatch(hosted, bytes, start, length);
    this.#followers.push(hosted);
    this.#ringPeer(args.leaderId);
  }

  /** The controller confirmed an ISR (a change this leader proposed, or one it made on a broker loss). */
  isrChanged(topicId: number, partition: number, leaderEpoch: number, isr: readonly number[]): void {
    const hosted = this.#partitions.get(partitionKey(topicId, partition));
    if (hosted === undefined || !hosted.leader || hosted.leaderEpoch !== leaderEpoch) return;
    // A member that left may come back as a new, empty incarnation: its old report no longer holds.
    for (const id of hosted.isr) if (!isr.includes(id)) hosted.followerOffsets?.write(hosted.replicas.indexOf(id), -1);
    hosted.isr = isr;
    hosted.maximalIsr = isr;
    hosted.pendingIsr = null;
    this.#advanceHighWatermark(hosted);
    this.#completePending(hosted);
  }

  #checkEpoch(hosted: HostedPartition, leaderEpoch: number): void {
    if (leaderEpoch < hosted.leaderEpoch) {
      throw new KafkaProtocolError('FENCED_LEADER_EPOCH', `broker ${this.id}: leader epoch ${leaderEpoch} of ${hosted.spec.topic}-${hosted.spec.partition} is older than its current epoch ${hosted.leaderEpoch}`);
    }
  }

  /** A leader steps down: every answer it owes fails with `error`. */
  #resign(hosted: HostedPartition, error: number): void {
    if (!hosted.leader) return;
    hosted.leader = false;
    hosted.followerOffsets = null;
    hosted.pendingIsr = null;
    this.#replicatedLeaders = this.#replicatedLeaders.filter((h) => h !== hosted);
    const pending = hosted.pending;
    for (let i = hosted.pendingHead; i < pending.length; i++) this.#answerPending(pending[i]!, error, hosted.log.logStartOffset);
    pending.length = 0;
    hosted.pendingHead = 0;
  }

  #stopFollowing(hosted: HostedPartition): void {
    if (hosted.fetcher === null) return;
    hosted.fetcher.close();
    hosted.fetchPort?.close();
    hosted.fetcher = null;
    hosted.fetchPort = null;
    hosted.leaderOffsets = null;
    hosted.sink = null;
    this.#followers = this.#followers.filter((h) => h !== hosted);
  }

  // ---------------------------------------------------------------------------------- connections

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

  /**
   * Publishes liveness for the controller; applies age-based retention now and then; and as a
   * leader, checks replica lag and times out acks=all answers that waited too long.
   */
  beat(nowMs = Date.now()): void {
    this.#heartbeat = (this.#heartbeat + 1) | 0;
    Atomics.store(this.control, HEARTBEAT_WORD, this.#heartbeat);
    if (nowMs - this.#lastRetentionMs >= RETENTION_CHECK_INTERVAL_MS) {
      this.#lastRetentionMs = nowMs;
      for (const hosted of this.#partitions.values()) this.#retain(hosted);
    }
    if (this.#replicatedLeaders.length > 0 && nowMs - this.#lastIsrCheckMs >= ISR_CHECK_INTERVAL_MS) {
      this.#lastIsrCheckMs = nowMs;
      for (const hosted of this.#replicatedLeaders) {
        this.#checkReplicaLag(hosted, nowMs);
        this.#advanceHighWatermark(hosted);
        this.#completePending(hosted);
        this.#expirePending(hosted, nowMs);
      }
    }
  }

  #retain(hosted: HostedPartition): void {
    hosted.log.deleteOldSegments();
    hosted.checkedSegments = hosted.log.segmentCount;
  }

  /** True when the fault injection word pauses this broker. */
  get paused(): boolean {
    return Atomics.load(this.control, PAUSE_WORD) !== 0;
  }

  /** Drains every connection once, then copies from leaders and settles acks=all answers. Returns the work done. */
  pump(): number {
    let handled = 0;
    const list = this.#connectionList;
    for (let i = 0; i < list.length; i++) {
      const connection = list[i]!;
      const room = this.#responseRoom(connection);
      if (room <= 0) continue;
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
    // The epoch is read before #fetchAll reads the delay, and published once the pass is over: a
    // setter that sees its epoch published knows no fetch under the old delay is still running.
    const delayEpoch = Atomics.load(this.control, FETCH_DELAY_EPOCH_WORD);
    if (this.#followers.length > 0) handled += this.#fetchAll();
    if (Atomics.load(this.control, FETCH_DELAY_SEEN_WORD) !== delayEpoch) {
      Atomics.store(this.control, FETCH_DELAY_SEEN_WORD, delayEpoch);
      Atomics.notify(this.control, FETCH_DELAY_SEEN_WORD);
    }
    const dirty = this.#dirty;
    for (let i = 0; i < dirty.length; i++) {
      const hosted = dirty[i]!;
      hosted.dirty = false;
      if (hosted.followerOffsets !== null && hosted.replicas.length > 1) {
        hosted.log.publishLogEnd();
        this.#ringFollowers(hosted);
      }
      this.#advanceHighWatermark(hosted);
      this.#completePending(hosted);
      // Retention runs as soon as a segment rolls, so a fast producer reuses retired segment memory
      // (fresh SharedArrayBuffer pages cost the kernel's zeroing on first touch) instead of growing.
      if (hosted.log.segmentCount !== hosted.checkedSegments) this.#retain(hosted);
    }
    dirty.length = 0;
    // Followers report as they copy, with or without new appends here: the high watermark follows.
    const leaders = this.#replicatedLeaders;
    for (let i = 0; i < leaders.length; i++) {
      const hosted = leaders[i]!;
      const before = hosted.log.highWatermark;
      if (before === hosted.log.logEndOffset) continue;
      this.#advanceHighWatermark(hosted);
      if (hosted.log.highWatermark !== before) {
        handled += 1 + this.#completePending(hosted);
        // Followers take the high watermark from the leader as they fetch: wake idle ones.
        this.#ringFollowers(hosted);
      }
    }
    return handled;
  }

  /** True when some request ring holds a committed frame, or a leader has records to copy (checked before parking). */
  hasWork(): boolean {
    const list = this.#connectionList;
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.requests.hasData()) return true;
    }
    if (Atomics.load(this.control, FETCH_DELAY_WORD) === 0) {
      for (const hosted of this.#followers) {
        const fetcher = hosted.fetcher;
        if (fetcher === null || !this.#leaderServes(hosted)) continue;
        const log = hosted.log;
        if (fetcher.logEndOffset > log.logEndOffset) return true;
        if (log.highWatermark < log.logEndOffset && fetcher.highWatermark > log.highWatermark) return true;
      }
    }
    for (const hosted of this.#replicatedLeaders) {
      if (hosted.log.highWatermark !== hosted.log.logEndOffset && this.#isrLogEnd(hosted) > hosted.log.highWatermark && !this.#frozen(hosted)) return true;
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
    else if (acks === ACKS_ALL && hosted.isr.length < hosted.minInsyncReplicas) error = ERR_NOT_ENOUGH_REPLICAS;
    else if (batchLength < 0 || batchLength > length - REQUEST_HEADER_BYTES) error = ERR_INVALID_REQUEST;
    else {
      const log = hosted.log;
      const start = offset + REQUEST_HEADER_BYTES;
      try {
        // An idempotent batch (producer id >= 0: its first byte is not the sign of -1) is checked first.
        const idempotent = batchLength > BATCH_PRODUCER_ID && bytes[start + BATCH_PRODUCER_ID] !== 0xff;
        const duplicateOf = idempotent ? this.#checkSequence(hosted, bytes, start) : -1;
        if (duplicateOf >= 0) {
          base = duplicateOf;
          count = readInt32BE(bytes, start + BATCH_RECORDS_COUNT);
        } else {
          base = log.appendBatch(bytes, start, batchLength);
          count = log.logEndOffset - base;
          if (idempotent) this.#recordSequence(hosted, bytes, start, base, count);
        }
        if (!hosted.dirty) {
          hosted.dirty = true;
          this.#dirty.push(hosted);
        }
      } catch (e) {
        error = e instanceof MqlabError && e.model === 'kafka' ? e.code : ERR_UNKNOWN_SERVER_ERROR;
      }
    }
    if (acks === ACKS_NONE) return;
    if (error === 0 && acks === ACKS_ALL) {
      hosted!.pending.push({ connection, correlationId, base, count, end: base + count, deadline: Date.now() + w[i + REQ_TIMEOUT_MS]! });
      connection.pendingAnswers++;
      return;
    }
    this.#respond(connection, correlationId, error, error === 0 ? base : -1, count, hosted === undefined ? -1 : hosted.log.logStartOffset);
  }

  #checkSequence(hosted: HostedPartition, bytes: Uint8Array, start: number): number {
    return hosted.producers.check(
      readInt64BE(bytes, start + BATCH_PRODUCER_ID),
      readInt16BE(bytes, start + BATCH_PRODUCER_EPOCH),
      readInt32BE(bytes, start + BATCH_BASE_SEQUENCE),
      readInt32BE(bytes, start + BATCH_RECORDS_COUNT),
    );
  }

  #recordSequence(hosted: HostedPartition, bytes: Uint8Array, start: number, base: number, count: number): void {
    hosted.producers.record(readInt64BE(bytes, start + BATCH_PRODUCER_ID), readInt16BE(bytes, start + BATCH_PRODUCER_EPOCH), readInt32BE(bytes, start + BATCH_BASE_SEQUENCE), count, base);
  }

  // ---------------------------------------------------------------------------------- replication

  /** A follower copies from its leader: every followed partition once. Returns batches copied. */
  #fetchAll(): number {
    const delay = Atomics.load(this.control, FETCH_DELAY_WORD);
    if (delay < 0) return 0;
    const now = delay > 0 ? performance.now() : 0;
    let copied = 0;
    const followers = this.#followers;
    for (let i = 0; i < followers.length; i++) {
      const hosted = followers[i]!;
      const fetcher = hosted.fetcher!;
      if (delay > 0) {
        if (now - hosted.lastFetchMs < delay) continue;
        hosted.lastFetchMs = now;
      }
      if (!this.#leaderServes(hosted)) continue;
      const log = hosted.log;
      const before = log.logEndOffset;
      try {
        fetcher.fetchBatches(before, FETCH_MAX_BYTES, hosted.sink!);
      } catch (error) {
        if (error instanceof MqlabError && error.type === 'OFFSET_OUT_OF_RANGE') {
          // Retention on the leader deleted what this follower lacks: start over at its log start.
          hosted.resetLog(fetcher.logStartOffset);
          hosted.leaderOffsets!.write(hosted.slot, hosted.log.logEndOffset);
        } else {
          // The leader's log changed under this follower (it stepped down): the controller's next
          // leadership message re-points this replica; until then it copies nothing.
          this.#stopFollowing(hosted);
        }
        continue;
      }
      const after = log.logEndOffset;
      const leaderHighWatermark = fetcher.highWatermark;
      const hw = Math.min(leaderHighWatermark, after);
      if (hw > log.highWatermark) log.highWatermark = hw;
      if (after !== before) {
        hosted.leaderOffsets!.write(hosted.slot, after);
        this.#ringPeer(hosted.leaderId);
        if (log.segmentCount !== hosted.checkedSegments) this.#retain(hosted);
        copied++;
      } else if (hosted.leaderOffsets!.read(hosted.slot) !== after) {
        // The leader forgot this replica's report (it left the ISR): report again.
        hosted.leaderOffsets!.write(hosted.slot, after);
      }
    }
    return copied;
  }

  #copyBatch(hosted: HostedPartition, bytes: Uint8Array, start: number, length: number): void {
    const base = readInt64BE(bytes, start + BATCH_BASE_OFFSET);
    const count = hosted.log.appendReplica(bytes, start, length);
    hosted.epochs.assign(readInt32BE(bytes, start + BATCH_PARTITION_LEADER_EPOCH), base);
    if (bytes[start + BATCH_PRODUCER_ID] !== 0xff) this.#recordSequence(hosted, bytes, start, base, count);
  }

  /** Whether a follower's leader is up: a stopped or paused broker serves no fetch. */
  #leaderServes(hosted: HostedPartition): boolean {
    const control = this.#peers.get(hosted.leaderId);
    return control === undefined || (Atomics.load(control, STATE_WORD) === BrokerState.RUNNING && Atomics.load(control, PAUSE_WORD) === 0);
  }

  #ringPeer(id: number): void {
    const control = this.#peers.get(id);
    if (control !== undefined) ringIfAsleep(control, BROKER_BELL_WORD);
  }

  #ringFollowers(hosted: HostedPartition): void {
    for (const id of hosted.replicas) if (id !== this.id) this.#ringPeer(id);
  }

  /** The smallest log end offset over the (maximal) ISR. */
  #isrLogEnd(hosted: HostedPartition): number {
    let end = hosted.log.logEndOffset;
    const offsets = hosted.followerOffsets;
    if (offsets === null) return end;
    const isr = hosted.maximalIsr;
    for (let i = 0; i < isr.length; i++) {
      const id = isr[i]!;
      if (id === this.id) continue;
      const reported = offsets.read(hosted.replicas.indexOf(id));
      if (reported < end) end = Math.max(reported, 0);
    }
    return end;
  }

  /**
   * HW = min LEO over the ISR; it stays where it is while the ISR is smaller than
   * min.insync.replicas (Kafka 3.7+, KAFKA-15583).
   */
  #advanceHighWatermark(hosted: HostedPartition): void {
    if (!hosted.leader || this.#frozen(hosted)) return;
    const hw = this.#isrLogEnd(hosted);
    if (hw > hosted.log.highWatermark) hosted.log.highWatermark = hw;
  }

  /** Under min.insync.replicas the high watermark stays where it is. */
  #frozen(hosted: HostedPartition): boolean {
    return hosted.replicas.length > 1 && hosted.isr.length < hosted.minInsyncReplicas;
  }

  /** Answers acks=all requests the high watermark has passed. Returns how many. */
  #completePending(hosted: HostedPartition): number {
    const pending = hosted.pending;
    if (hosted.pendingHead === pending.length) return 0;
    const hw = hosted.log.highWatermark;
    const underMinIsr = hosted.replicas.length > 1 && hosted.isr.length < hosted.minInsyncReplicas;
    const logStart = hosted.log.logStartOffset;
    let n = 0;
    while (hosted.pendingHead < pending.length) {
      const entry = pending[hosted.pendingHead]!;
      if (entry.end <= hw) this.#answerPending(entry, 0, logStart);
      else if (underMinIsr) this.#answerPending(entry, ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, logStart);
      else break;
      hosted.pendingHead++;
      n++;
    }
    if (hosted.pendingHead === pending.length) {
      pending.length = 0;
      hosted.pendingHead = 0;
    }
    return n;
  }

  #expirePending(hosted: HostedPartition, nowMs: number): void {
    const pending = hosted.pending;
    const logStart = hosted.log.logStartOffset;
    while (hosted.pendingHead < pending.length && pending[hosted.pendingHead]!.deadline < nowMs) {
      this.#answerPending(pending[hosted.pendingHead]!, ERR_REQUEST_TIMED_OUT, logStart);
      hosted.pendingHead++;
    }
  }

  #answerPending(entry: PendingAck, error: number, logStart: number): void {
    const connection = entry.connection;
    connection.pendingAnswers--;
    if (connection.closed) return;
    this.#respond(connection, entry.correlationId, error, error === 0 ? entry.base : -1, error === 0 ? entry.count : 0, logStart);
    connection.responses.commit();
  }

  /**
   * Replica lag (Kafka's replica.lag.time.max.ms): a follower is caught up when it has the leader's
   * log end offset, or had the end offset of the previous check by now. One not caught up for the
   * lag time leaves the ISR; one outside that reached the high watermark rejoins. The change goes to
   * the controller; until it answers, the high watermark counts old and new members.
   */
  #checkReplicaLag(hosted: HostedPartition, nowMs: number): void {
    const offsets = hosted.followerOffsets;
    if (offsets === null) return;
    const replicas = hosted.replicas;
    const leo = hosted.log.logEndOffset;
    for (let slot = 0; slot < replicas.length; slot++) {
      if (replicas[slot] === this.id) continue;
      const reported = offsets.read(slot);
      if (reported >= leo) hosted.caughtUpMs[slot] = nowMs;
      else if (reported >= hosted.leoAtLastCheck && hosted.lastCheckMs > hosted.caughtUpMs[slot]!) hosted.caughtUpMs[slot] = hosted.lastCheckMs;
    }
    hosted.leoAtLastCheck = leo;
    hosted.lastCheckMs = nowMs;
    if (hosted.pendingIsr !== null && nowMs - hosted.pendingIsrSince < ISR_CHANGE_RETRY_MS) return;
    const lag = this.config.replicaLagTimeMaxMs;
    const hw = hosted.log.highWatermark;
    const epochStart = hosted.epochs.entries[hosted.epochs.entries.length - 1]?.[1] ?? 0;
    const next = replicas.filter((id, slot) => {
      if (id === this.id) return true;
      if (hosted.isr.includes(id)) return nowMs - hosted.caughtUpMs[slot]! <= lag;
      const reported = offsets.read(slot);
      return reported >= hw && reported >= epochStart && nowMs - hosted.caughtUpMs[slot]! <= lag;
    });
    if (next.length === hosted.isr.length && next.every((id) => hosted.isr.includes(id))) {
      hosted.pendingIsr = null;
      return;
    }
    hosted.pendingIsr = next;
    hosted.pendingIsrSince = nowMs;
    hosted.maximalIsr = [...new Set([...hosted.isr, ...next])];
    this.#emit({ kind: 'isr', brokerId: this.id, topicId: hosted.spec.topicId, partition: hosted.spec.partition, leaderEpoch: hosted.leaderEpoch, isr: next });
  }

  // ------------------------------------------------------------------------------------- answers

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

  #hosted(topicId: number, partition: number): HostedPartition {
    const hosted = this.#partitions.get(partitionKey(topicId, partition));
    if (hosted === undefined) throw this.#notHosted(topicId, partition);
    return hosted;
  }

  #notHosted(topicId: number, partition: number): KafkaProtocolError {
    return new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic-partition: broker ${this.id} has no partition ${partition} of topic id ${topicId}`);
  }

  /** How many more answers fit the response ring now, beyond those already owed (one frame may be lost to the wrap padding). */
  #responseRoom(connection: ClientConnection): number {
    const ring = connection.responses;
    const free = ring.capacity - ring.usedBytes - RESPONSE_FRAME_BYTES;
    return free <= 0 ? 0 : Math.floor(free / RESPONSE_FRAME_BYTES) - connection.pendingAnswers;
  }
}
