/**
 * Quorum queues on the replication layer: each quorum queue's entries go to a replicated partition
 * of its own (topic `__amqp_quorum.<vhost>.<queue>`, one partition, RF = min(3, live brokers),
 * min.insync.replicas = a majority of RF), written with acks=all by a native PartitionWriter.
 *
 * What is replicated: the queue's commands, in order (quorum-record.ts): a declare record, one
 * enqueue record per entry (body, exchange, routing key, properties) and settle records for entries
 * that left (acked, dead-lettered, dropped, purged). A replay from the log start gives the queue's
 * entries: a new host over the same cluster restores each quorum queue of its vhost from its log
 * ({@link ClusterQueueStores.recover}, quorum-replay.ts) before its first connection opens. One host
 * serves a vhost's quorum queues at a time: two live hosts writing one queue's log are not supported.
 *
 * What the model keeps: the queue's ready and unacked state, and each body by reference, live in
 * the model on this thread; deliveries come from there, not from the log. The log is what
 * outlives this host, and what a broker kill cannot take: it holds every confirmed entry on a
 * majority of replicas.
 *
 * What a confirm waits for: the store writes in rounds. A round takes every command queued since
 * the last one, appends it, and awaits the answer of acks=all: every ISR member has it, and the ISR
 * is at least min.insync.replicas. Only then does the model mark the round's entries committed, so
 * they become deliverable and their publishers get basic.ack. A round that keeps failing past
 * `commitTimeoutMs` (no leader, ISR below min.insync.replicas, a non-retriable error such as a
 * body over the batch limit) fails its entries: they leave the queue undelivered and their
 * publishers get basic.nack, as RabbitMQ nacks what a quorum queue could not commit.
 *
 * What a broker kill does: the partition leader's death fails the round in flight with a retriable
 * error (NETWORK_EXCEPTION, NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, NOT_ENOUGH_REPLICAS...);
 * the store drops its writer, waits for the controller to elect a new leader from the ISR, reopens
 * on it and appends the round again. Nothing confirmed is lost: a confirmed entry was on every ISR
 * member, and the new leader comes from the ISR. The retried round may reach the log twice (the
 * first attempt may have been replicated before the leader died); records name entries by the
 * queue's sequence number, so a replay keeps the first of each. Consumers are not interrupted: the
 * queue's ready and unacked state lives in the model on this thread, not on a broker.
 *
 * Invariants: one round in flight per queue; rounds are answered to the model in order, from the
 * event loop (never inside a model call); after delete() the store answers nothing more.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Cluster } from '../../cluster/index.js';
import type { RecordHeader } from '../../log/index.js';
import { Message, type Queue, type QueueStore, type QueueStoreProvider, type RestoredEntry, type VirtualHost } from '../../routing/index.js';
import { ClientContext } from '../context.js';
import { PartitionWriter } from '../native/index.js';
import { declareKey, declareValue, enqueueHeaders, enqueueKey, settleKey, settleValue } from './quorum-record.js';
import { replayQueueLog, ttlOf, type QueueReplay } from './quorum-replay.js';

export const QUORUM_TOPIC_PREFIX = '__amqp_quorum.';

export const quorumStoreDefaults = {
  /** Largest replication factor a quorum queue gets (RabbitMQ's default quorum group size is 3). */
  maxReplicationFactor: 3,
  /** How long a round may keep retrying (failover, ISR too small) before its entries are nacked. */
  commitTimeoutMs: 30_000,
  /** request.timeout.ms of each produce. */
  requestTimeoutMs: 10_000,
  /** batch.size of the writer. */
  batchSize: 65_536,
  /** First and largest pause between retries of a round. */
  retryBackoffMs: 10,
  maxRetryBackoffMs: 200,
} as const;

export interface QuorumStoreOptions {
  readonly maxReplicationFactor?: number;
  readonly commitTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

const TOPIC_NAME_MAX = 249;
const HASH_CHARS = 40;

/** UTF-8 bytes outside [A-Za-z0-9-] as `_hh`: injective, and '.' stays free as the separator. */
function topicPart(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(c) ? c : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The topic of a quorum queue: `__amqp_quorum.<vhost>.<queue>`, escaped to Kafka's topic characters. */
export function quorumTopicName(vhost: string, queue: string): string {
  const name = `${QUORUM_TOPIC_PREFIX}${topicPart(vhost)}.${topicPart(queue)}`;
  if (name.length <= TOPIC_NAME_MAX) return name;
  const hash = createHash('sha1').update(vhost).update('\0').update(queue).digest('hex');
  return `${name.slice(0, TOPIC_NAME_MAX - HASH_CHARS - 1)}.${hash}`;
}

function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The quorum-queue stores of one AMQP host, over one cluster. */
export class ClusterQueueStores implements QueueStoreProvider {
  readonly options: Required<QuorumStoreOptions>;
  readonly #cluster: () => Promise<Cluster>;
  readonly #answered: () => void;
  readonly #stores = new Set<ReplicatedQueueStore>();
  #context: Promise<ClientContext> | undefined;
  #closed = false;

  /**
   * `cluster` is resolved on the first quorum declare; `answered` runs after each answer reaches
   * the model (the host re-arms its timer there).
   */
  constructor(cluster: () => Promise<Cluster>, answered: () => void, options: QuorumStoreOptions = {}) {
    this.#cluster = cluster;
    this.#answered = answered;
    this.options = {
      maxReplicationFactor: options.maxReplicationFactor ?? quorumStoreDefaults.maxReplicationFactor,
      commitTimeoutMs: options.commitTimeoutMs ?? quorumStoreDefaults.commitTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? quorumStoreDefaults.requestTimeoutMs,
    };
  }

  open(vhost: VirtualHost, queue: Queue): QueueStore | null {
    if (this.#closed) return null;
    const store = new ReplicatedQueueStore(this, vhost, queue, quorumTopicName(vhost.name, queue.name));
    this.#stores.add(store);
    return store;
  }

  context(): Promise<ClientContext> {
    this.#context ??= this.#cluster().then((cluster) => {
      const ctx = new ClientContext(cluster);
      cluster.onClose(() => this.close());
      return ctx;
    });
    return this.#context;
  }

  get closed(): boolean {
    return this.#closed;
  }

  answered(): void {
    this.#answered();
  }

  forget(store: ReplicatedQueueStore): void {
    this.#stores.delete(store);
  }

  /**
   * Restores every quorum queue of `vhost` kept on the cluster (a previous host's), with its
   * committed, unsettled entries in order. Queues that exist in the vhost already are left alone.
   */
  async recover(vhost: VirtualHost): Promise<void> {
    const ctx = await this.context();
    const prefix = `${QUORUM_TOPIC_PREFIX}${topicPart(vhost.name)}.`;
    await ctx.cluster.controller.settled();
    for (const topic of ctx.cluster.controller.metadata.topicNames()) {
      if (!topic.startsWith(prefix)) continue;
      const replay = await this.#replay(ctx, topic);
      if (replay === undefined) continue;
      const nowMs = Date.now();
      const entries: RestoredEntry[] = [];
      for (const [seq, e] of replay.entries) {
        entries.push({ seq, msg: new Message(vhost.stats, e.exchange, e.routingKey, null, 0, e.properties, e.body, ttlOf(e.properties.expiration)) });
      }
      vhost.restoreQueue(replay.queue, replay.args, entries, nowMs);
      this.#answered();
    }
  }

  /** Replays one log, retrying while its partition has no leader (a failover in progress). */
  async #replay(ctx: ClientContext, topic: string): Promise<QueueReplay | undefined> {
    const deadline = Date.now() + this.options.commitTimeoutMs;
    let backoff: number = quorumStoreDefaults.retryBackoffMs;
    for (;;) {
      try {
        return await replayQueueLog(ctx, topic, this.options.requestTimeoutMs);
      } catch (error) {
        if (!isRetriable(error) || Date.now() + backoff > deadline) throw error;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, quorumStoreDefaults.maxRetryBackoffMs);
      }
    }
  }

  /** Stops every store (their pending rounds are never answered) and closes the client context. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const store of [...this.#stores]) store.stop();
    this.#stores.clear();
    const ctx = await this.#context?.catch(() => undefined);
    await ctx?.close();
  }
}

const KIND_ENQUEUE = 0;
const KIND_SETTLE = 1;

/** One quorum queue's store: rounds of appends to its partition, answered to the model in order. */
export class ReplicatedQueueStore implements QueueStore {
  // Commands queued for the next round, in order: enqueue (message, seq) or settle (seq).
  #kinds: number[] = [];
  #msgs: (Message | null)[] = [];
  #seqs: number[] = [];
  #writer: PartitionWriter | undefined;
  #topicReady: Promise<void> | undefined;
  #declared = false;
  #running = false;
  #stopped = false;
  #deleted = false;

  constructor(
    private readonly stores: ClusterQueueStores,
    private readonly vhost: VirtualHost,
    private readonly queue: Queue,
    readonly topic: string,
  ) {}

  append(msg: Message, seq: number): void {
    if (this.#stopped) return;
    this.#kinds.push(KIND_ENQUEUE);
    this.#msgs.push(msg);
    this.#seqs.push(seq);
    this.#kick();
  }

  settle(seq: number): void {
    if (this.#stopped) return;
    this.#kinds.push(KIND_SETTLE);
    this.#msgs.push(null);
    this.#seqs.push(seq);
    this.#kick();
  }

  delete(): void {
    if (this.#stopped) return;
    this.#deleted = true;
    this.stop();
  }

  /** Answers nothing more; a deleted queue's topic goes too. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#kinds = [];
    this.#msgs = [];
    this.#seqs = [];
    this.stores.forget(this);
    if (!this.#running) void this.#release();
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    // Start on the next turn of the event loop, so a burst of publishes makes one round.
    setImmediate(() => void this.#run());
  }

  async #run(): Promise<void> {
    try {
      while (this.#kinds.length > 0 && !this.#stopped) {
        const kinds = this.#kinds;
        const msgs = this.#msgs;
        const seqs = this.#seqs;
        this.#kinds = [];
        this.#msgs = [];
        this.#seqs = [];
        let through = 0;
        for (let i = 0; i < kinds.length; i++) if (kinds[i] === KIND_ENQUEUE) through = seqs[i]!;
        const committed = await this.#write(kinds, msgs, seqs);
        if (this.#stopped) break;
        if (through > 0) {
          if (committed) this.vhost.storeCommitted(this.queue, through, Date.now());
          else this.vhost.storeFailed(this.queue, through, Date.now());
          this.stores.answered();
        }
      }
    } finally {
      this.#running = false;
      if (this.#stopped) void this.#release();
      else if (this.#kinds.length > 0) this.#kick();
    }
  }

  /** Appends one round with acks=all, retrying through failovers until commitTimeoutMs. */
  async #write(kinds: readonly number[], msgs: readonly (Message | null)[], seqs: readonly number[]): Promise<boolean> {
    const { commitTimeoutMs } = this.stores.options;
    const deadline = Date.now() + commitTimeoutMs;
    let backoff: number = quorumStoreDefaults.retryBackoffMs;
    for (;;) {
      try {
        const writer = await this.#openWriter();
        if (!this.#declared) {
          await this.#appendRecord(writer, declareKey(), declareValue(this.queue.name, this.queue.args), undefined);
        }
        const settled: number[] = [];
        for (let i = 0; i < kinds.length; i++) {
          if (kinds[i] === KIND_SETTLE) {
            settled.push(seqs[i]!);
            continue;
          }
          const msg = msgs[i]!;
          await this.#appendRecord(writer, enqueueKey(seqs[i]!), msg.body, enqueueHeaders(msg.exchange, msg.routingKey, msg.properties));
        }
        if (settled.length > 0) await this.#appendRecord(writer, settleKey(), settleValue(settled), undefined);
        await writer.flush();
        this.#declared = true;
        return true;
      } catch (error) {
        this.#dropWriter();
        if (this.#stopped || !isRetriable(error) || Date.now() + backoff > deadline) return false;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, quorumStoreDefaults.maxRetryBackoffMs);
      }
    }
  }

  async #appendRecord(writer: PartitionWriter, key: Uint8Array, value: Uint8Array, headers: readonly RecordHeader[] | undefined): Promise<void> {
    while (!writer.append(key, value, headers)) await writer.ready();
  }

  async #openWriter(): Promise<PartitionWriter> {
    if (this.#writer !== undefined) return this.#writer;
    const ctx = await this.stores.context();
    this.#topicReady ??= this.#createTopic(ctx);
    try {
      await this.#topicReady;
    } catch (error) {
      this.#topicReady = undefined;
      throw error;
    }
    // The controller runs on this thread: a fresh lookup finds the leader elected after a failover.
    ctx.forget(this.topic);
    const { requestTimeoutMs } = this.stores.options;
    this.#writer = await PartitionWriter.open(ctx, this.topic, 0, { acks: -1, batchSize: quorumStoreDefaults.batchSize, timeoutMs: requestTimeoutMs });
    return this.#writer;
  }

  async #createTopic(ctx: ClientContext): Promise<void> {
    const controller = ctx.cluster.controller;
    if (controller.metadata.topic(this.topic) === undefined) {
      const replicationFactor = Math.max(1, Math.min(this.stores.options.maxReplicationFactor, controller.metadata.liveBrokers.length));
      const minInsync = Math.floor(replicationFactor / 2) + 1;
      try {
        await controller.createTopics([
          { topic: this.topic, numPartitions: 1, replicationFactor, configEntries: [{ name: 'min.insync.replicas', value: String(minInsync) }] },
        ]);
      } catch (error) {
        // Declared twice at once (two hosts on one cluster): the other one created it.
        if (controller.metadata.topic(this.topic) === undefined) throw error;
      }
    }
    await controller.settled();
  }

  #dropWriter(): void {
    const writer = this.#writer;
    this.#writer = undefined;
    // Its batches have failed already; closing it only frees the connection.
    if (writer !== undefined) void writer.close().catch(() => undefined);
  }

  async #release(): Promise<void> {
    this.#dropWriter();
    if (!this.#deleted || this.#topicReady === undefined) return;
    try {
      const ctx = await this.stores.context();
      if (ctx.cluster.closed) return;
      await this.#topicReady?.catch(() => undefined);
      if (ctx.cluster.controller.metadata.topic(this.topic) !== undefined) await ctx.cluster.controller.deleteTopics([this.topic]);
    } catch {
      // The cluster is closing; its topics go with it.
    }
  }
}
