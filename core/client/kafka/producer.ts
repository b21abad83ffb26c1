/**
 * The kafkajs-shaped producer. `send` picks each message's partition (explicit > custom partitioner
 * > murmur2 of the key > sticky, as the Java client), encodes one record batch per partition straight
 * into that leader's request ring, and resolves with kafkajs's RecordMetadata once every partition
 * answered. Retriable errors (leader moves, broker restarts) refresh metadata and retry.
 */
import { produceError, REQUEST_HEADER_BYTES, type BrokerConnection, type ProduceResult, type ProduceWaiter, type TopicMetadata } from '../../cluster/index.js';
import { tracing, operationId } from '../../diagnostics.js';
import { KafkaClientStateError, KafkaConfigError, KafkaProtocolError, MqlabError } from '../../errors/index.js';
import { RecordBatchBuilder, type RecordHeader } from '../../log/index.js';
import { NO_SPACE } from '../../memory/index.js';
import { choosePartition, DefaultPartitioner, type Partitioner } from '../../stream/partitioners/index.js';
import type { ClientContext, ContextSource } from '../context.js';
import { validateAcks } from '../native/index.js';
import { messageBound, parseTimestamp, toBytes, toRecordHeaders } from './codec.js';
import { InstrumentationEmitter, PRODUCER_EVENTS } from './instrumentation.js';
import { withRetry } from './retry.js';
import type { ICustomPartitioner, InstrumentationEvent, Message, PartitionMetadata, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata, RetryOptions } from './types.js';

export const producerDefaults = {
  allowAutoTopicCreation: true,
  idempotent: false,
  maxInFlightRequests: 5,
  acks: -1,
  timeout: 30_000,
  batchSize: 16_384,
  /** max.request.size */
  maxRequestSize: 1_048_576,
} as const;

const BATCH_OVERHEAD_BOUND = 128;
/** Sequence numbers wrap from Int32 max to 0. */
const SEQUENCE_SPAN = 0x8000_0000;

/** What an idempotent producer stamps on each batch. */
interface IdempotenceFields {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

interface EncodedMessage {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: RecordHeader[] | undefined;
  readonly timestamp: number | undefined;
  readonly bound: number;
}

/** Adapts a kafkajs custom partitioner (it sees whole messages) to the partitioner interface. */
class CustomPartitionerAdapter implements Partitioner {
  message: Message | undefined;
  metadata: PartitionMetadata[] = [];
  constructor(readonly fn: ReturnType<ICustomPartitioner>) {}
  partition(topic: string): number {
    return this.fn({ topic, partitionMetadata: this.metadata, message: this.message! });
  }
}

class SendWaiter implements ProduceWaiter {
  resolve!: (result: ProduceResult) => void;
  reject!: (error: Error) => void;
  readonly promise = new Promise<ProduceResult>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
  constructor() {
    // A send that fails part-way never awaits its earlier batches: their failure must not go unhandled.
    this.promise.catch(() => undefined);
  }
  settle(result: ProduceResult | Error): void {
    if (result instanceof Error) this.reject(result);
    else this.resolve(result);
  }
}

export class Producer {
  readonly events = PRODUCER_EVENTS;
  readonly #source: ContextSource;
  #ctx!: ClientContext;
  readonly #emitter = new InstrumentationEmitter(PRODUCER_EVENTS);
  readonly #builder = new RecordBatchBuilder();
  readonly #partitioner: Partitioner;
  readonly #custom: CustomPartitionerAdapter | null;
  readonly #retry: RetryOptions | undefined;
  readonly #allowAutoTopicCreation: boolean;
  readonly #idempotent: boolean;
  readonly #maxRequestSize = producerDefaults.maxRequestSize;
  #connected = false;
  #disconnected = false;
  #producerIdentity: Promise<{ producerId: number; producerEpoch: number }> | undefined;
  /** The next sequence number per topic-partition (idempotent producer). */
  readonly #sequences = new Map<string, number>();

  constructor(source: ContextSource, config: ProducerConfig = {}, clientRetry?: RetryOptions) {
    this.#source = source;
    this.#retry = config.retry ?? clientRetry;
    this.#allowAutoTopicCreation = config.allowAutoTopicCreation ?? producerDefaults.allowAutoTopicCreation;
    this.#idempotent = config.idempotent ?? producerDefaults.idempotent;
    const inFlight = config.maxInFlightRequests ?? producerDefaults.maxInFlightRequests;
    if (this.#idempotent && inFlight > 5) {
      throw new KafkaConfigError(`Idempotent producer requires maxInFlightRequests <= 5, got ${inFlight}`);
    }
    if (config.transactionalId !== undefined) throw new KafkaConfigError('transactions (transactionalId) are not supported by mqlab yet');
    this.#partitioner = new DefaultPartitioner({ batchSize: config.batchSize ?? producerDefaults.batchSize });
    this.#custom = config.createPartitioner === undefined ? null : new CustomPartitionerAdapter(config.createPartitioner());
  }

  isIdempotent(): boolean {
    return this.#idempotent;
  }

  on(eventName: (typeof PRODUCER_EVENTS)[keyof typeof PRODUCER_EVENTS], listener: (event: InstrumentationEvent<never>) => void): () => void {
    return this.#emitter.on(eventName, listener);
  }

  async connect(): Promise<void> {
    if (this.#disconnected) throw new KafkaClientStateError('DISCONNECTED', 'The producer is disconnected; create a new one');
    this.#ctx = await this.#source.get();
    this.#connected = true;
    this.#emitter.emit(PRODUCER_EVENTS.CONNECT, {});
  }

  disconnect(): Promise<void> {
    if (this.#connected) this.#emitter.emit(PRODUCER_EVENTS.DISCONNECT, {});
    this.#connected = false;
    this.#disconnected = true;
    return Promise.resolve();
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sendBatch({ acks: record.acks, timeout: record.timeout, compression: record.compression, topicMessages: [{ topic: record.topic, messages: record.messages }] });
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.#assertConnected();
    const acks = validateAcks(batch.acks ?? producerDefaults.acks);
    if (this.#idempotent && acks !== -1) throw new KafkaConfigError(`Not requiring ack for all messages invalidates the idempotent producer (acks=${acks}); use acks=-1`);
    if (batch.compression !== undefined && batch.compression !== 0) throw new KafkaConfigError(`compression codec ${batch.compression} is not supported; mqlab stores batches uncompressed`);
    const timeout = batch.timeout ?? producerDefaults.timeout;
    const topicMessages = batch.topicMessages ?? [];
    const id = operationId();
    const context = { operationId: id, topics: topicMessages.map((t) => t.topic), messages: topicMessages.reduce((n, t) => n + t.messages.length, 0) };
    const run = async (): Promise<RecordMetadata[]> => {
      const results: RecordMetadata[] = [];
      for (const { topic, messages } of topicMessages) {
        if (this.#idempotent) results.push(...(await this.#sendIdempotent(topic, messages, timeout)));
        else results.push(...(await withRetry(this.#retry, (retry) => this.#sendTopic(topic, messages, acks, timeout, retry > 0))));
      }
      return results;
    };
    return tracing.producerSends.hasSubscribers ? tracing.producerSends.tracePromise(run, context) : run();
  }

  #assertConnected(): void {
    if (this.#disconnected) throw new KafkaClientStateError('DISCONNECTED', 'The producer is disconnected; create a new one');
    if (!this.#connected) throw new KafkaClientStateError('NOT_CONNECTED', 'The producer is not connected; call connect() first');
  }

  async #sendTopic(topicName: string, messages: readonly Message[], acks: -1 | 0 | 1, timeout: number, refresh: boolean): Promise<RecordMetadata[]> {
    if (typeof topicName !== 'string') throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', `Invalid topic ${JSON.stringify(topicName)}`);
    const topic = await this.#ctx.topic(topicName, this.#allowAutoTopicCreation, refresh);
    const byPartition = this.#partition(topic, messages);
    const sends: Promise<RecordMetadata>[] = [];
    for (const [partition, encoded] of byPartition) {
      sends.push(this.#sendPartition(topic, partition, encoded, acks, timeout).catch((error: unknown) => this.#leaderLost(error, topic, partition)));
    }
    return this.#allPartitions(topicName, sends);
  }

  /**
   * The idempotent path: messages are given their partitions and sequence numbers once, and every
   * retry of a partition's batch resends the same producer id, epoch and sequences, so the broker
   * stores it once (a retried duplicate gets the original offset back).
   */
  async #sendIdempotent(topicName: string, messages: readonly Message[], timeout: number): Promise<RecordMetadata[]> {
    if (typeof topicName !== 'string') throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', `Invalid topic ${JSON.stringify(topicName)}`);
    // One id per producer, even for concurrent first sends.
    const identity = await (this.#producerIdentity ??= this.#ctx.link.initProducerId());
    const topic = await withRetry(this.#retry, () => this.#ctx.topic(topicName, this.#allowAutoTopicCreation));
    const byPartition = this.#partition(topic, messages);
    const sends: Promise<RecordMetadata>[] = [];
    for (const [partition, encoded] of byPartition) {
      const key = `${topicName}:${partition}`;
      const baseSequence = this.#sequences.get(key) ?? 0;
      this.#sequences.set(key, (baseSequence + encoded.length) % SEQUENCE_SPAN);
      const fields = { ...identity, baseSequence };
      sends.push(
        withRetry(this.#retry, async (retry) => {
          const fresh = retry > 0 ? await this.#ctx.topic(topicName, false, true) : topic;
          return this.#sendPartition(fresh, partition, encoded, -1, timeout, fields).catch((error: unknown) => this.#leaderLost(error, fresh, partition));
        }),
      );
    }
    return this.#allPartitions(topicName, sends);
  }

  /**
   * Waits for every partition's send; on any failure forgets the topic's metadata (the next attempt
   * looks again) and throws the first error.
   */
  async #allPartitions(topicName: string, sends: readonly Promise<RecordMetadata>[]): Promise<RecordMetadata[]> {
    const settled = await Promise.allSettled(sends);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      this.#ctx.forget(topicName);
      throw failed.reason;
    }
    return settled.map((s) => (s as PromiseFulfilledResult<RecordMetadata>).value);
  }

  #partition(topic: TopicMetadata, messages: readonly Message[]): Map<number, EncodedMessage[]> {
    const n = topic.partitions.length;
    const available = topic.partitions.filter((p) => p.leader >= 0).map((p) => p.partitionId);
    if (this.#custom !== null) this.#custom.metadata = topic.partitions.map((p) => ({ ...p, replicas: [...p.replicas], isr: [...p.isr], offlineReplicas: [...p.offlineReplicas] }));
    const out = new Map<number, EncodedMessage[]>();
    const messageMaxBytes = this.#ctx.link.config.messageMaxBytes;
    for (const message of messages) {
      if (message === null || typeof message !== 'object') throw new KafkaConfigError(`Invalid message ${JSON.stringify(message)}: expected { key?, value, partition?, headers?, timestamp? }`);
      const key = toBytes(message.key);
      const value = toBytes(message.value);
      const headers = toRecordHeaders(message.headers);
      const bound = messageBound(key, value, headers);
      // Checked for every message before any is encoded, so a send that fails here stores nothing.
      const size = bound + BATCH_OVERHEAD_BOUND;
      if (size > this.#maxRequestSize) {
        throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `The message is ${size} bytes when serialized which is larger than ${this.#maxRequestSize}, which is the value of the max.request.size configuration.`);
      }
      if (size > messageMaxBytes) {
        throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `The request included a message larger than the max message size the server will accept: ${size} bytes when serialized, message.max.bytes is ${messageMaxBytes} (topic '${topic.name}')`);
      }
      if (this.#custom !== null) this.#custom.message = message;
      const partition = choosePartition(message.partition, this.#custom, this.#partitioner, topic.name, n, available, key, bound);
      if (partition >= n) {
        throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic-partition: partition ${partition} of topic '${topic.name}' (it has ${n})`);
      }
      const list = out.get(partition) ?? [];
      list.push({ key, value, headers, timestamp: parseTimestamp(message), bound });
      out.set(partition, list);
    }
    return out;
  }

  async #sendPartition(topic: TopicMetadata, partition: number, messages: readonly EncodedMessage[], acks: -1 | 0 | 1, timeout: number, idempotence?: IdempotenceFields): Promise<RecordMetadata> {
    const connection = await this.#ctx.leaderConnection(topic, partition);
    // A frame holds at most what the broker accepts (message.max.bytes): larger ones cannot enter its
    // ring. #partition checked that every message fits a frame of its own.
    const maxBatchBytes = Math.min(this.#maxRequestSize, connection.requests.maxFrameBytes - REQUEST_HEADER_BYTES);
    let firstOffset = -1;
    let logStart = -1;
    let waiters: SendWaiter[] = [];
    let i = 0;
    while (i < messages.length) {
      let bytes = BATCH_OVERHEAD_BOUND;
      let j = i;
      while (j < messages.length && (j === i || bytes + messages[j]!.bound <= maxBatchBytes)) bytes += messages[j++]!.bound;
      const waiter = acks === 0 ? null : new SendWaiter();
      const fields = idempotence === undefined ? undefined : { ...idempotence, baseSequence: (idempotence.baseSequence + i) % SEQUENCE_SPAN };
      await this.#encode(connection, topic, partition, messages, i, j, bytes, acks, timeout, waiter, fields);
      if (waiter !== null) waiters.push(waiter);
      i = j;
    }
    connection.flush();
    for (const result of await Promise.all(waiters.map((w) => w.promise))) {
      if (result.errorCode !== 0) throw produceError(result.errorCode, topic.name, partition);
      if (firstOffset < 0) firstOffset = result.baseOffset;
      logStart = result.logStartOffset;
    }
    waiters = [];
    return { topicName: topic.name, partition, errorCode: 0, baseOffset: String(firstOffset), logAppendTime: '-1', logStartOffset: String(logStart) };
  }

  /**
   * A send whose leader's connection was lost (a killed broker: NETWORK_EXCEPTION) looks at fresh
   * metadata, as a Kafka client does: a partition left without a leader fails with
   * LEADER_NOT_AVAILABLE, which says more than a lost connection. Both are retriable, and a retry
   * runs on the fresh metadata.
   */
  async #leaderLost(error: unknown, topic: TopicMetadata, partition: number): Promise<never> {
    if (!(error instanceof MqlabError && error.model === 'kafka' && (error.type === 'NETWORK_EXCEPTION' || error.type === 'BROKER_NOT_AVAILABLE'))) throw error;
    const fresh = await this.#ctx.topic(topic.name, false, true).catch(() => undefined);
    if (fresh?.partitions[partition]?.leader === -1) throw new KafkaProtocolError('LEADER_NOT_AVAILABLE', `There is no leader for partition ${partition} of topic '${topic.name}' (${error.message})`);
    throw error;
  }

  async #encode(
    connection: BrokerConnection,
    topic: TopicMetadata,
    partition: number,
    messages: readonly EncodedMessage[],
    from: number,
    to: number,
    bytes: number,
    acks: -1 | 0 | 1,
    timeout: number,
    waiter: SendWaiter | null,
    fields?: IdempotenceFields,
  ): Promise<void> {
    let at = connection.beginProduce(bytes);
    while (at === NO_SPACE) {
      await connection.waitForSpace(bytes);
      at = connection.beginProduce(bytes);
    }
    const builder = this.#builder;
    builder.begin(connection.requests.data, at, at + bytes, fields);
    for (let k = from; k < to; k++) {
      const m = messages[k]!;
      if (!builder.append(m.key, m.value, m.headers, m.timestamp)) {
        connection.abortProduce();
        throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `a batch of ${to - from} messages did not fit its ${bytes}-byte frame`);
      }
    }
    const length = builder.finish(false);
    connection.endProduce(topic.topicId, partition, acks, timeout, length, waiter, false);
  }
}
