/**
 * The kafkajs-shaped consumer: joins its group through the coordinator, reads each assigned
 * partition straight from the leader's log (a RecordCursor over shared memory, up to the high
 * watermark), hands messages to `eachMessage` or `eachBatch`, and commits what was processed
 * (the last processed offset + 1) after each batch when autoCommit is on, as kafkajs does.
 *
 * Positions live on the client (DESIGN.md): the cluster only stores committed offsets. A heartbeat
 * timer keeps the member alive; a rebalance answer makes the loop rejoin. With the eager assignors
 * every partition is given up on a rebalance; with cooperative-sticky only the ones that move.
 *
 * Every group call goes through the context's link (context.ts), so a consumer runs the same in the
 * cluster's thread and in a worker. The answers are asynchronous: an answer to a heartbeat or a
 * commit sent by an earlier membership (before a leave or a rejoin) is stale and changes nothing.
 */
import { channels } from '../../diagnostics.js';
import { KafkaClientStateError, KafkaConfigError, KafkaProtocolError, MqlabError } from '../../errors/index.js';
import type { RecordCursor } from '../../log/index.js';
import { MemberIdRequiredError, type GroupDescription, type JoinGroupResponse, type SyncGroupResponse, type TopicOffsets, type TopicPartitions } from '../../stream/group/index.js';
import type { ClientContext, ContextSource, OpenedReader } from '../context.js';
import { messageFromCursor } from './codec.js';
import { CONSUMER_EVENTS, InstrumentationEmitter } from './instrumentation.js';
import { kCrash } from './symbols.js';
import type { InstrumentationEvent, KafkaMessage } from './types.js';

export const PartitionAssigners = {
  roundRobin: 'RoundRobinAssigner',
  range: 'range',
  roundrobin: 'roundrobin',
  sticky: 'sticky',
  cooperativeSticky: 'cooperative-sticky',
} as const;

export interface ConsumerConfig {
  readonly groupId: string;
  /** Assignor names in preference order (PartitionAssigners.*); default kafkajs's round-robin. */
  readonly partitionAssigners?: readonly string[];
  readonly sessionTimeout?: number;
  readonly rebalanceTimeout?: number;
  readonly heartbeatInterval?: number;
  readonly maxBytesPerPartition?: number;
  readonly maxWaitTimeInMs?: number;
  readonly allowAutoTopicCreation?: boolean;
  /** What to do without a committed offset when fromBeginning is not given: kafkajs uses latest. */
  readonly autoOffsetReset?: 'earliest' | 'latest' | 'none';
  readonly retry?: { readonly initialRetryTime?: number };
}

export const consumerDefaults = {
  sessionTimeout: 30_000,
  rebalanceTimeout: 60_000,
  heartbeatInterval: 3_000,
  maxBytesPerPartition: 1_048_576,
  maxWaitTimeInMs: 5_000,
  allowAutoTopicCreation: true,
  maxRecordsPerBatch: 5_000,
} as const;

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  pause(): () => void;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  commitOffsetsIfNecessary(): Promise<void>;
  uncommittedOffsets(): { topics: { topic: string; partitions: { partition: number; offset: string }[] }[] };
  isRunning(): boolean;
  isStale(): boolean;
}

export interface ConsumerRunConfig {
  readonly autoCommit?: boolean;
  readonly autoCommitInterval?: number | null;
  readonly autoCommitThreshold?: number | null;
  readonly eachBatchAutoResolve?: boolean;
  readonly partitionsConsumedConcurrently?: number;
  readonly eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  readonly eachBatch?: (payload: EachBatchPayload) => Promise<void>;
}

interface Assigned {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** Set when the partition is taken away: a handler loop in flight stops at the next message. */
  revoked: boolean;
  /** The leader's log this partition is read from; replaced when leadership moves. */
  opened: OpenedReader;
  cursor: RecordCursor;
  /** The next offset to process: what a commit stores. */
  resolved: number;
  committed: number;
}

type State = 'created' | 'connected' | 'running' | 'disconnected';

/** Group errors that a fresh JoinGroup resolves. */
const REJOIN_ERRORS: ReadonlySet<string> = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'MEMBER_ID_REQUIRED', 'FENCED_INSTANCE_ID']);

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class Consumer {
  readonly events = CONSUMER_EVENTS;
  readonly groupId: string;
  readonly #source: ContextSource;
  #ctx!: ClientContext;
  readonly #clientId: string;
  readonly #config: Required<Omit<ConsumerConfig, 'retry' | 'autoOffsetReset'>> & { autoOffsetReset: 'earliest' | 'latest' | 'none' | undefined };
  readonly #emitter = new InstrumentationEmitter(CONSUMER_EVENTS);
  readonly #topics = new Set<string>();
  readonly #fromBeginning = new Map<string, boolean>();
  readonly #assigned = new Map<string, Assigned>();
  readonly #paused = new Set<string>();
  readonly #seeks = new Map<string, number>();
  #state: State = 'created';
  #run: ConsumerRunConfig = {};
  #memberId = '';
  #generationId = -1;
  #protocol = '';
  #needsJoin = true;
  #heartbeat: NodeJS.Timeout | undefined;
  /** The heartbeat awaiting its answer: the timer sends no other meanwhile. */
  #beating: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  /** Messages processed since the last commit, and when that was (autoCommitThreshold/Interval). */
  #sinceCommit = 0;
  #lastCommitMs = Date.now();
  #unhookClose: (() => void) | undefined;

  constructor(source: ContextSource, clientId: string, config: ConsumerConfig) {
    if (config === undefined || typeof config.groupId !== 'string' || config.groupId.length === 0) {
      throw new KafkaConfigError('Consumer groupId must be a non-empty string');
    }
    this.#source = source;
    this.#clientId = clientId;
    this.groupId = config.groupId;
    this.#config = {
      groupId: config.groupId,
      partitionAssigners: config.partitionAssigners ?? [PartitionAssigners.roundRobin],
      sessionTimeout: config.sessionTimeout ?? consumerDefaults.sessionTimeout,
      rebalanceTimeout: config.rebalanceTimeout ?? consumerDefaults.rebalanceTimeout,
      heartbeatInterval: config.heartbeatInterval ?? consumerDefaults.heartbeatInterval,
      maxBytesPerPartition: config.maxBytesPerPartition ?? consumerDefaults.maxBytesPerPartition,
      maxWaitTimeInMs: config.maxWaitTimeInMs ?? consumerDefaults.maxWaitTimeInMs,
      allowAutoTopicCreation: config.allowAutoTopicCreation ?? consumerDefaults.allowAutoTopicCreation,
      autoOffsetReset: config.autoOffsetReset,
    };
    if (this.#config.partitionAssigners.length === 0) throw new KafkaConfigError('partitionAssigners must name at least one assignor');
  }

  get memberId(): string {
    return this.#memberId;
  }

  /** The partitions this member owns now, by topic. */
  assignment(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const a of this.#assigned.values()) (out[a.topic] ??= []).push(a.partition);
    for (const list of Object.values(out)) list.sort((x, y) => x - y);
    return out;
  }

  on(eventName: (typeof CONSUMER_EVENTS)[keyof typeof CONSUMER_EVENTS], listener: (event: InstrumentationEvent<never>) => void): () => void {
    return this.#emitter.on(eventName, listener);
  }

  async connect(): Promise<void> {
    if (this.#state === 'disconnected') throw new KafkaClientStateError('DISCONNECTED', 'The consumer is disconnected; create a new one');
    if (this.#state === 'created') {
      this.#ctx = await this.#source.get();
      this.#state = 'connected';
      // Closing the cluster stops this consumer: its heartbeat timer would otherwise outlive it. The
      // hook does not wait for the loop, which ends once the controller stops answering the group.
      this.#unhookClose = this.#ctx.link.onClose(() => void this.disconnect().catch(() => undefined));
      this.#emitter.emit(CONSUMER_EVENTS.CONNECT, {});
    }
  }

  async subscribe(subscription: { topics?: readonly (string | RegExp)[]; topic?: string | RegExp; fromBeginning?: boolean }): Promise<void> {
    this.#assertState('subscribe', ['connected']);
    const wanted = subscription.topics ?? (subscription.topic === undefined ? [] : [subscription.topic]);
    if (wanted.length === 0) throw new KafkaConfigError('subscribe needs a topic or topics');
    for (const t of wanted) {
      const names = typeof t === 'string' ? [t] : (await this.#ctx.link.group('topicNames', {})).filter((n) => t.test(n));
      for (const name of names) {
        await this.#ctx.topic(name, this.#config.allowAutoTopicCreation);
        this.#topics.add(name);
        this.#fromBeginning.set(name, subscription.fromBeginning ?? false);
      }
    }
  }

  run(config: ConsumerRunConfig = {}): Promise<void> {
    const refused = this.#refusal('run', ['connected']);
    if (refused !== undefined) return Promise.reject(refused);
    if (this.#topics.size === 0) return Promise.reject(new KafkaConfigError('subscribe to at least one topic before run'));
    if (config.eachMessage === undefined && config.eachBatch === undefined) return Promise.reject(new KafkaConfigError('run needs eachMessage or eachBatch'));
    this.#run = config;
    this.#state = 'running';
    this.#heartbeat = setInterval(() => void this.#beat().catch(() => undefined), this.#config.heartbeatInterval);
    this.#loop = this.#consume().catch((error: unknown) => {
      // As kafkajs does on a crash: stop and leave the group first, so that the partitions go to the
      // other members instead of staying with a member that heartbeats but no longer consumes.
      this.#state = 'connected';
      this.#needsJoin = true;
      void this.#leave();
      this.#emitter.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this.groupId, restart: false });
    });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'connected';
    clearInterval(this.#heartbeat);
    this.#wake?.();
    await this.#loop;
    // With autoCommit off the application commits, as in kafkajs: stopping commits nothing for it.
    if (this.#run.autoCommit !== false) await this.#commitResolved().catch(() => undefined);
    this.#emitter.emit(CONSUMER_EVENTS.STOP, {});
  }

  async disconnect(): Promise<void> {
    if (this.#state === 'disconnected') return;
    this.#unhookClose?.();
    await this.stop();
    await this.#leave();
    this.#state = 'disconnected';
    this.#emitter.emit(CONSUMER_EVENTS.DISCONNECT, {});
  }

  async commitOffsets(offsets: readonly { topic: string; partition: number; offset: string; metadata?: string | null }[]): Promise<void> {
    this.#assertState('commitOffsets', ['connected', 'running']);
    const parsed = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset), metadata: o.metadata ?? null }));
    await this.#ctx.link.group('commitOffsets', { groupId: this.groupId, generationId: this.#generationId, memberId: this.#memberId, offsets: parsed });
    for (const o of parsed) {
      const a = this.#assigned.get(tpKey(o.topic, o.partition));
      if (a !== undefined) a.committed = o.offset;
    }
    if (this.#emitter.hasListeners(CONSUMER_EVENTS.COMMIT_OFFSETS)) {
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
      const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
      this.#emitter.emit(CONSUMER_EVENTS.COMMIT_OFFSETS, { groupId: this.groupId, memberId: this.#memberId, groupGenerationId: this.#generationId, topics });
    }
  }

  seek({ topic, partition, offset }: { topic: string; partition: number; offset: string }): void {
    this.#assertState('seek', ['running']);
    const n = Number(offset);
    if (!Number.isInteger(n) || n < -2) throw new KafkaConfigError(`Offset must be a non-negative integer string, -1 (latest) or -2 (earliest), got ${JSON.stringify(offset)}`);
    this.#seeks.set(tpKey(topic, partition), n);
    this.#wake?.();
  }

  pause(topics: readonly { topic: string; partitions?: readonly number[] }[]): void {
    for (const { topic, partitions } of topics) {
      const list = partitions ?? this.#ctx.link.knownPartitions(topic) ?? [];
      for (const p of list) this.#paused.add(tpKey(topic, p));
    }
  }

  resume(topics: readonly { topic: string; partitions?: readonly number[] }[]): void {
    for (const { topic, partitions } of topics) {
      for (const key of [...this.#paused]) {
        const [t, p] = key.split('\u0000') as [string, string];
        if (t === topic && (partitions === undefined || partitions.includes(Number(p)))) this.#paused.delete(key);
      }
    }
    this.#wake?.();
  }

  paused(): { topic: string; partitions: number[] }[] {
    const byTopic = new Map<string, number[]>();
    for (const key of this.#paused) {
      const [t, p] = key.split('\u0000') as [string, string];
      const list = byTopic.get(t) ?? [];
      list.push(Number(p));
      byTopic.set(t, list);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
  }

  describeGroup(): Promise<GroupDescription> {
    const refused = this.#refusal('describeGroup', ['connected', 'running']);
    if (refused !== undefined) return Promise.reject(refused);
    return this.#ctx.link.group('describeGroup', { groupId: this.groupId });
  }

  /** Ends this member as a crash would: no LeaveGroup, no commit; the coordinator finds out by session timeout. */
  [kCrash](): void {
    this.#state = 'disconnected';
    clearInterval(this.#heartbeat);
    this.#wake?.();
    this.#closeReaders([...this.#assigned.keys()]);
  }

  // ---------------------------------------------------------------------------------------- loop

  #assertState(call: string, allowed: readonly State[]): void {
    const refused = this.#refusal(call, allowed);
    if (refused !== undefined) throw refused;
  }

  /** Why `call` cannot run in this state; the methods that are not async reject with it rather than throw. */
  #refusal(call: string, allowed: readonly State[]): KafkaClientStateError | undefined {
    if (allowed.includes(this.#state)) return undefined;
    if (this.#state === 'disconnected') return new KafkaClientStateError('DISCONNECTED', `Cannot ${call}: the consumer is disconnected`);
    if (this.#state === 'created') return new KafkaClientStateError('NOT_CONNECTED', `Cannot ${call}: the consumer is not connected; call connect() first`);
    return new KafkaClientStateError('NOT_RUNNING', `Cannot ${call} while the consumer is ${this.#state}; ${call === 'seek' ? 'call run() first' : 'stop it first'}`);
  }

  async #consume(): Promise<void> {
    while (this.#state === 'running') {
      if (this.#needsJoin) {
        try {
          await this.#join();
        } catch (error) {
          if (this.#state !== 'running') return;
          // As kafkajs: a join that cannot succeed by retrying (an invalid session timeout, an
          // inconsistent protocol, a full group) crashes the consumer instead of looping.
          if (!(error instanceof MqlabError && error.model === 'kafka' && (error.retriable || REJOIN_ERRORS.has(error.type)))) throw error;
          if (error.type === 'UNKNOWN_MEMBER_ID') this.#memberId = '';
          this.#needsJoin = true;
          this.#emitter.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this.groupId, restart: true });
          await sleep(100);
          continue;
        }
      }
      let processed = 0;
      for (const a of [...this.#assigned.values()]) {
        if (this.#state !== 'running' || this.#needsJoin) break;
        const key = tpKey(a.topic, a.partition);
        this.#applySeek(key, a);
        if (this.#paused.has(key)) continue;
        processed += await this.#fetchAndProcess(a);
      }
      if (processed === 0 && this.#state === 'running' && !this.#needsJoin) await this.#waitForData();
    }
  }

  #applySeek(key: string, a: Assigned): void {
    const target = this.#seeks.get(key);
    if (target === undefined) return;
    this.#seeks.delete(key);
    const reader = a.opened.reader;
    const offset = target === -2 ? reader.logStartOffset : target === -1 ? reader.highWatermark : Math.min(Math.max(target, reader.logStartOffset), reader.highWatermark);
    a.cursor.seek(offset);
    a.resolved = offset;
  }

  async #fetchAndProcess(a: Assigned): Promise<number> {
    const c = a.cursor;
    const messages: KafkaMessage[] = [];
    let bytes = 0;
    try {
      while (messages.length < consumerDefaults.maxRecordsPerBatch && bytes < this.#config.maxBytesPerPartition && c.next()) {
        messages.push(messageFromCursor(c));
        bytes += Math.max(0, c.valueLength) + Math.max(0, c.keyLength);
      }
    } catch (error) {
      // A record that cannot be read (CORRUPT_MESSAGE) ends the batch: the records before it are
      // handed out first, and the next fetch meets it again and fails.
      if (messages.length === 0) throw error;
    }
    if (messages.length === 0) return 0;
    const run = this.#run;
    const highWatermark = a.opened.reader.highWatermark;
    const firstOffset = Number(messages[0]!.offset);
    this.#emitter.emit(CONSUMER_EVENTS.START_BATCH_PROCESS, { topic: a.topic, partition: a.partition, highWatermark: String(highWatermark), offsetLag: String(highWatermark - 1 - Number(messages[messages.length - 1]!.offset)), offsetLagLow: String(highWatermark - 1 - firstOffset), batchSize: messages.length, firstOffset: String(firstOffset), lastOffset: messages[messages.length - 1]!.offset });
    const started = Date.now();
    try {
      if (run.eachBatch !== undefined) await this.#runEachBatch(a, messages, highWatermark, run);
      else {
        const eachMessage = run.eachMessage!;
        const heartbeat = (): Promise<void> => this.#beat();
        const pause = (): (() => void) => this.#pauseOne(a);
        const paused = this.#paused;
        let offset = firstOffset;
        for (const message of messages) {
          if (this.#state !== 'running' || this.#needsJoin || a.revoked) break;
          await eachMessage({ topic: a.topic, partition: a.partition, message, heartbeat, pause });
          a.resolved = ++offset;
          if (paused.size > 0 && paused.has(a.key)) break;
        }
      }
    } catch (error) {
      this.#emitter.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this.groupId, restart: true });
      // Process the failed message again: rewind to the first one not resolved.
      if (!a.revoked) c.seek(a.resolved);
      await sleep(100);
      return messages.length;
    }
    if (!a.revoked && a.resolved < Number(messages[messages.length - 1]!.offset) + 1) c.seek(a.resolved);
    this.#emitter.emit(CONSUMER_EVENTS.END_BATCH_PROCESS, { topic: a.topic, partition: a.partition, highWatermark: String(highWatermark), batchSize: messages.length, firstOffset: String(firstOffset), lastOffset: messages[messages.length - 1]!.offset, duration: Date.now() - started });
    this.#sinceCommit += messages.length;
    if (run.autoCommit !== false && this.#commitDue(run)) {
      const member = this.#membership();
      await this.#commitResolved().catch((error: unknown) => this.#onGroupError(error, member));
    }
    return messages.length;
  }

  async #runEachBatch(a: Assigned, messages: KafkaMessage[], highWatermark: number, run: ConsumerRunConfig): Promise<void> {
    const last = messages[messages.length - 1]!.offset;
    const batch: Batch = {
      topic: a.topic,
      partition: a.partition,
      highWatermark: String(highWatermark),
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => last,
      offsetLag: () => String(highWatermark - 1 - Number(last)),
      offsetLagLow: () => String(highWatermark - 1 - Number(messages[0]!.offset)),
    };
    await run.eachBatch!({
      batch,
      resolveOffset: (offset) => {
        a.resolved = Math.max(a.resolved, Number(offset) + 1);
      },
      heartbeat: () => this.#beat(),
      pause: () => this.#pauseOne(a),
      commitOffsetsIfNecessary: () => (this.#commitDue(run) ? this.#commitResolved() : Promise.resolve()),
      uncommittedOffsets: () => ({ topics: this.#uncommitted() }),
      isRunning: () => this.#state === 'running',
      isStale: () => this.#needsJoin || a.revoked,
    });
    if (run.eachBatchAutoResolve !== false) a.resolved = Math.max(a.resolved, Number(last) + 1);
  }

  #pauseOne(a: Assigned): () => void {
    const key = a.key;
    this.#paused.add(key);
    return () => {
      this.#paused.delete(key);
      this.#wake?.();
    };
  }

  #uncommitted(): { topic: string; partitions: { partition: number; offset: string }[] }[] {
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const a of this.#assigned.values()) {
      if (a.resolved === a.committed) continue;
      const list = byTopic.get(a.topic) ?? [];
      list.push({ partition: a.partition, offset: String(a.resolved) });
      byTopic.set(a.topic, list);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /**
   * kafkajs's rule: with neither autoCommitInterval nor autoCommitThreshold set, commit after every
   * batch; otherwise when the interval has passed since the last commit or the threshold of
   * processed messages is reached, whichever comes first.
   */
  #commitDue(run: ConsumerRunConfig): boolean {
    const interval = run.autoCommitInterval ?? null;
    const threshold = run.autoCommitThreshold ?? null;
    if (interval === null && threshold === null) return true;
    return (interval !== null && Date.now() - this.#lastCommitMs >= interval) || (threshold !== null && this.#sinceCommit >= threshold);
  }

  async #commitResolved(): Promise<void> {
    this.#sinceCommit = 0;
    this.#lastCommitMs = Date.now();
    const topics = this.#uncommitted();
    if (topics.length === 0 || this.#generationId < 0) return;
    const offsets = topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
    const { memberId, generationId } = this.#membership();
    await this.#ctx.link.group('commitOffsets', { groupId: this.groupId, generationId, memberId, offsets });
    for (const o of offsets) {
      const a = this.#assigned.get(tpKey(o.topic, o.partition));
      if (a !== undefined) a.committed = o.offset;
    }
    this.#emitter.emit(CONSUMER_EVENTS.COMMIT_OFFSETS, { groupId: this.groupId, memberId, groupGenerationId: generationId, topics });
  }

  async #waitForData(): Promise<void> {
    const readers = [...this.#assigned.entries()].filter(([key]) => !this.#paused.has(key)).map(([, a]) => a);
    for (const a of readers) if (!this.#ctx.isCurrent(a.opened, a.topic, a.partition)) await this.#followLeader(a);
    const timeout = Math.min(this.#config.maxWaitTimeInMs, this.#config.heartbeatInterval);
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    this.#wake = wake;
    const waits: Promise<unknown>[] = [woken, sleep(timeout)];
    for (const a of readers) {
      const reader = a.opened.reader;
      const signal = reader.signal();
      if (reader.highWatermark > a.cursor.position) return;
      waits.push(reader.waitAsync(signal, timeout));
    }
    await Promise.race(waits);
    this.#wake = undefined;
    wake();
  }

  // --------------------------------------------------------------------------------------- group

  /** Who this member is now: what a group call is sent as, and what its answer is checked against. */
  #membership(): { readonly memberId: string; readonly generationId: number } {
    return { memberId: this.#memberId, generationId: this.#generationId };
  }

  /** Sends a heartbeat unless one is awaiting its answer (then that one stands for both). */
  #beat(): Promise<void> {
    if (this.#state !== 'running' || this.#needsJoin || this.#generationId < 0) return Promise.resolve();
    if (this.#beating !== undefined) return this.#beating;
    const member = this.#membership();
    const beating = this.#ctx.link.group('heartbeat', { groupId: this.groupId, ...member }).then(
      () => {
        if (this.#isCurrent(member)) this.#emitter.emit(CONSUMER_EVENTS.HEARTBEAT, { groupId: this.groupId, memberId: member.memberId, groupGenerationId: member.generationId });
      },
      (error: unknown) => this.#onGroupError(error, member),
    );
    // One heartbeat at a time, so this one is the one in flight until it settles.
    this.#beating = beating.finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  /** Whether `member` is still this consumer's membership (an answer to it is not stale). */
  #isCurrent(member: { readonly memberId: string; readonly generationId: number }): boolean {
    return member.memberId === this.#memberId && member.generationId === this.#generationId;
  }

  /**
   * A heartbeat or commit failed: a rebalance, or an unknown member or generation, makes the loop
   * rejoin. An answer about an earlier membership (the member left or rejoined since) is ignored.
   */
  #onGroupError(error: unknown, member: { readonly memberId: string; readonly generationId: number }): void {
    if (!(error instanceof MqlabError) || error.model !== 'kafka') throw error;
    if (!this.#isCurrent(member)) return;
    if (error.type === 'UNKNOWN_MEMBER_ID') this.#memberId = '';
    if (['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID'].includes(error.type)) {
      if (!this.#needsJoin) this.#emitter.emit(CONSUMER_EVENTS.REBALANCING, { groupId: this.groupId, memberId: this.#memberId });
      this.#needsJoin = true;
      this.#wake?.();
    }
  }

  async #join(): Promise<void> {
    const link = this.#ctx.link;
    const started = Date.now();
    const cooperative = this.#config.partitionAssigners[0] === PartitionAssigners.cooperativeSticky;
    if (!cooperative) {
      if (this.#run.autoCommit !== false) await this.#commitResolved().catch(() => undefined);
      this.#closeReaders([...this.#assigned.keys()]);
    }
    const owned: TopicPartitions[] = Object.entries(this.assignment()).map(([topic, partitions]) => ({ topic, partitions }));
    const topics = [...this.#topics];
    const request = () => ({
      groupId: this.groupId,
      memberId: this.#memberId,
      clientId: this.#clientId,
      sessionTimeoutMs: this.#config.sessionTimeout,
      rebalanceTimeoutMs: this.#config.rebalanceTimeout,
      protocolType: 'consumer',
      protocols: this.#config.partitionAssigners.map((name) => ({ name, metadata: { topics, ownedPartitions: owned, generationId: this.#generationId } })),
    });
    let joined: JoinGroupResponse;
    try {
      joined = await link.group('joinGroup', request());
    } catch (error) {
      // Rebuilt in this thread from its record when the coordinator runs in another (remote.ts).
      if (!(error instanceof MemberIdRequiredError)) throw error;
      this.#memberId = error.memberId;
      joined = await link.group('joinGroup', request());
    }
    this.#memberId = joined.memberId;
    this.#generationId = joined.generationId;
    this.#protocol = joined.protocolName ?? '';
    const synced: SyncGroupResponse = await link.group('syncGroup', { groupId: this.groupId, generationId: joined.generationId, memberId: joined.memberId, protocolType: 'consumer', protocolName: joined.protocolName });
    this.#needsJoin = false;
    const next = new Set<string>();
    for (const tp of synced.assignment) for (const p of tp.partitions) next.add(tpKey(tp.topic, p));
    const revoked = [...this.#assigned.keys()].filter((key) => !next.has(key));
    if (revoked.length > 0) {
      if (this.#run.autoCommit !== false) await this.#commitResolved().catch(() => undefined);
      this.#closeReaders(revoked);
      // Cooperative: partitions given up in this round go to their new owners in the next one.
      if (cooperative) this.#needsJoin = true;
    }
    for (const tp of synced.assignment) {
      for (const p of tp.partitions) if (!this.#assigned.has(tpKey(tp.topic, p))) await this.#assign(tp.topic, p);
    }
    const memberAssignment = this.assignment();
    this.#emitter.emit(CONSUMER_EVENTS.GROUP_JOIN, { duration: Date.now() - started, groupId: this.groupId, isLeader: joined.leaderId === joined.memberId, leaderId: joined.leaderId, groupProtocol: this.#protocol, memberId: this.#memberId, memberAssignment });
    if (channels.consumerGroup.hasSubscribers) channels.consumerGroup.publish({ groupId: this.groupId, generationId: this.#generationId, state: 'Stable', memberId: this.#memberId, assignment: memberAssignment });
  }

  async #assign(topicName: string, partition: number): Promise<void> {
    const topic = await this.#ctx.topic(topicName, false);
    const opened = await this.#ctx.openReader(topic, partition);
    const reader = opened.reader;
    let committed: TopicOffsets | undefined;
    try {
      [committed] = await this.#ctx.link.group('fetchOffsets', { groupId: this.groupId, topics: [{ topic: topicName, partitions: [partition] }] });
    } catch (error) {
      opened.close();
      throw error;
    }
    let offset = committed?.partitions[0]?.offset ?? -1;
    const start = reader.logStartOffset;
    const end = reader.highWatermark;
    if (offset < 0 || offset < start || offset > end) {
      const reset = this.#fromBeginning.get(topicName) === true ? 'earliest' : (this.#config.autoOffsetReset ?? 'latest');
      if (reset === 'none') {
        opened.close();
        throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `No valid committed offset for ${topicName}-${partition} in group '${this.groupId}' and auto.offset.reset is none`);
      }
      offset = reset === 'earliest' ? start : end;
    }
    const cursor = reader.cursor(offset);
    const key = tpKey(topicName, partition);
    this.#assigned.set(key, { topic: topicName, partition, key, revoked: false, opened, cursor, resolved: offset, committed: committed?.partitions[0]?.offset ?? -1 });
  }

  /**
   * The partition's leadership moved (failover): go on reading at the same position from the new
   * leader's log. While the partition has no leader, the old reader stays (it sees no new records).
   */
  async #followLeader(a: Assigned): Promise<void> {
    let opened: OpenedReader;
    try {
      opened = await this.#ctx.openReader(await this.#ctx.topic(a.topic, false, true), a.partition);
    } catch {
      return;
    }
    if (a.revoked) {
      opened.close();
      return;
    }
    const position = a.cursor.position;
    a.opened.close();
    a.opened = opened;
    a.cursor = opened.reader.cursor(Math.max(position, opened.reader.logStartOffset));
  }

  #closeReaders(keys: readonly string[]): void {
    for (const key of keys) {
      const a = this.#assigned.get(key);
      if (a === undefined) continue;
      a.revoked = true;
      a.opened.close();
      this.#assigned.delete(key);
    }
  }

  /**
   * LeaveGroup. The membership ends here at once, so that any answer still on its way to an earlier
   * heartbeat or commit is stale (#isCurrent); the coordinator acts on the LeaveGroup after them.
   */
  async #leave(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#closeReaders([...this.#assigned.keys()]);
    const memberId = this.#memberId;
    this.#memberId = '';
    this.#generationId = -1;
    if (memberId === '') return;
    try {
      await this.#ctx.link.group('leaveGroup', { groupId: this.groupId, memberId });
    } catch {
      // Already gone from the group (session expired), or the cluster is gone: nothing to leave.
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
