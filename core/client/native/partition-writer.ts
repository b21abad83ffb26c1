/**
 * The native fast producer for one partition: records are encoded straight into a produce frame of
 * the leader's request ring (no object per record, no postMessage), and a frame goes out when its
 * batch is full (batchSize), when linger.ms passes, or on flush(). The broker appends each batch to
 * its log with one copy.
 *
 *   const writer = await PartitionWriter.open(ctx, 'events', 0, { acks: 1 });
 *   for (const value of values) if (!writer.append(null, value)) await writer.ready();
 *   await writer.flush();
 *
 * Invariants: batches go out in append order; `flush()` resolves only after every batch before it
 * was answered (acks != 0), and rejects with the first error any of them got.
 */
import { produceError, type BrokerConnection, type ProduceResult, type ProduceWaiter, type TopicMetadata } from '../../cluster/index.js';
import { KafkaConfigError, KafkaProtocolError } from '../../errors/index.js';
import { RecordBatchBuilder, type RecordHeader } from '../../log/index.js';
import { NO_SPACE } from '../../memory/index.js';
import type { ClientContext } from '../context.js';

export interface PartitionWriterOptions {
  /** -1 (all), 0 or 1. Default -1, as Kafka producers default to acks=all. */
  readonly acks?: number;
  /** batch.size: bytes of records per produce frame. */
  readonly batchSize?: number;
  /** linger.ms: how long a partly filled batch waits before it goes out; 0 sends at flush or when full. */
  readonly lingerMs?: number;
  /** request.timeout.ms sent to the broker. */
  readonly timeoutMs?: number;
  /** max.request.size: the largest batch this producer sends (Kafka's default 1048576). */
  readonly maxRequestSize?: number;
  /**
   * Compute each batch's CRC32C, as Kafka producers do. Off by default here: a batch in shared memory
   * crosses no wire and no disk, which is what the CRC guards, and computing it costs about as much
   * as encoding the records. Batches without one are flagged so (ATTR_CRC_ABSENT), never left wrong.
   */
  readonly crc?: boolean;
}

export const partitionWriterDefaults = {
  acks: -1,
  batchSize: 16_384,
  lingerMs: 0,
  timeoutMs: 30_000,
  maxRequestSize: 1_048_576,
  crc: false,
} as const;

/** Per-record framing a batch may need beyond key, value and headers (varints, alignment). */
const RECORD_OVERHEAD_BOUND = 48;
const BATCH_OVERHEAD_BOUND = 128;

export function validateAcks(acks: unknown): -1 | 0 | 1 {
  if (acks === -1 || acks === 0 || acks === 1) return acks;
  if (acks === 'all') return -1;
  throw new KafkaProtocolError('INVALID_REQUIRED_ACKS', `Invalid acks value ${JSON.stringify(acks)}: acks must be one of all, -1, 0 or 1`);
}

class BatchWaiter implements ProduceWaiter {
  constructor(
    readonly writer: PartitionWriter,
    readonly records: number,
  ) {}

  settle(result: ProduceResult | Error): void {
    this.writer.settled(this, result);
  }
}

export class PartitionWriter {
  readonly acks: -1 | 0 | 1;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly timeoutMs: number;
  readonly maxRequestSize: number;
  readonly crc: boolean;
  /** Records acknowledged by the broker (or sent, with acks=0). */
  acknowledged = 0;
  /** Offset of the last acknowledged record, -1 before the first (acks != 0 only). */
  lastOffset = -1;

  readonly #builder = new RecordBatchBuilder();
  readonly #connection: BrokerConnection;
  #frameBytes = 0;
  /** The frame size the last append asked for: what ready() waits to fit. */
  #wanted = 0;
  #open = false;
  #outstanding = 0;
  #error: Error | undefined;
  #drained: (() => void)[] = [];
  #linger: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    readonly topic: TopicMetadata,
    readonly partition: number,
    connection: BrokerConnection,
    options: PartitionWriterOptions,
  ) {
    this.#connection = connection;
    this.acks = validateAcks(options.acks ?? partitionWriterDefaults.acks);
    this.batchSize = options.batchSize ?? partitionWriterDefaults.batchSize;
    this.lingerMs = options.lingerMs ?? partitionWriterDefaults.lingerMs;
    this.timeoutMs = options.timeoutMs ?? partitionWriterDefaults.timeoutMs;
    this.maxRequestSize = options.maxRequestSize ?? partitionWriterDefaults.maxRequestSize;
    this.crc = options.crc ?? partitionWriterDefaults.crc;
    this.#wanted = Math.min(this.batchSize, connection.maxBatchBytes);
    for (const [name, value] of [['batchSize', this.batchSize], ['lingerMs', this.lingerMs], ['timeoutMs', this.timeoutMs], ['maxRequestSize', this.maxRequestSize]] as const) {
      if (!Number.isInteger(value) || value < 0 || (name !== 'lingerMs' && value === 0)) throw new KafkaConfigError(`${name} must be a ${name === 'lingerMs' ? 'non-negative' : 'positive'} integer, got ${String(value)}`);
    }
  }

  static async open(ctx: ClientContext, topicName: string, partition: number, options: PartitionWriterOptions = {}): Promise<PartitionWriter> {
    const topic = await ctx.topic(topicName, true);
    const connection = await ctx.openLeaderConnection(topic, partition);
    return new PartitionWriter(topic, partition, connection, options);
  }

  /**
   * Encodes one record into the current batch. Returns false when the request ring is full: the
   * record was not taken, and the caller awaits `ready()` before trying again.
   */
  append(key: Uint8Array | null, value: Uint8Array | null, headers?: readonly RecordHeader[], timestamp?: number): boolean {
    if (this.#error !== undefined) throw this.#error;
    if (this.#open) {
      if (this.#builder.append(key, value, headers, timestamp)) return true;
      this.#seal();
    }
    const bound = this.#recordBound(key, value, headers);
    const limit = this.#connection.maxBatchBytes;
    if (bound + BATCH_OVERHEAD_BOUND > limit) {
      throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `The message is ${bound} bytes when serialized, more than the ${limit} bytes of message.max.bytes a batch may take`);
    }
    const frameBytes = Math.min(limit, Math.max(this.batchSize, bound + BATCH_OVERHEAD_BOUND));
    this.#wanted = frameBytes;
    if (!this.#begin(frameBytes)) return false;
    if (!this.#builder.append(key, value, headers, timestamp)) {
      this.#connection.abortProduce();
      this.#open = false;
      throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `The message is ${bound} bytes when serialized, which is larger than what one batch of ${this.#frameBytes} bytes holds`);
    }
    if (this.lingerMs > 0) this.#linger = setTimeout(() => this.#lingerExpired(), this.lingerMs);
    return true;
  }

  /** Resolves when the ring has room for another batch. */
  ready(): Promise<void> {
    return this.#connection.waitForSpace(this.#wanted);
  }

  /** Sends the open batch now, without waiting for its answer (flush() waits). */
  send(): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#open) this.#seal();
    this.#connection.flush();
  }

  /** Sends the open batch and resolves when every batch sent so far is answered. */
  async flush(): Promise<void> {
    if (this.#open) this.#seal();
    this.#connection.flush();
    if (this.#outstanding > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
    const error = this.#error;
    if (error !== undefined) {
      this.#error = undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      clearTimeout(this.#linger);
      this.#connection.close();
    }
  }

  /** For BatchWaiter only. */
  settled(waiter: BatchWaiter, result: ProduceResult | Error): void {
    this.#outstanding -= 1;
    if (result instanceof Error) this.#error ??= result;
    else if (result.errorCode !== 0) this.#error ??= produceError(result.errorCode, this.topic.name, this.partition);
    else {
      this.acknowledged += waiter.records;
      this.lastOffset = result.baseOffset + result.recordCount - 1;
    }
    if (this.#outstanding === 0) {
      const drained = this.#drained;
      this.#drained = [];
      for (const resolve of drained) resolve();
    }
  }

  #recordBound(key: Uint8Array | null, value: Uint8Array | null, headers: readonly RecordHeader[] | undefined): number {
    let bytes = RECORD_OVERHEAD_BOUND + (key?.length ?? 0) + (value?.length ?? 0);
    if (headers !== undefined) for (const h of headers) bytes += 3 * h.key.length + (h.value?.length ?? 0) + 20;
    if (bytes + BATCH_OVERHEAD_BOUND > this.maxRequestSize + BATCH_OVERHEAD_BOUND) {
      throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `The message is ${bytes} bytes when serialized which is larger than ${this.maxRequestSize}, which is the value of the max.request.size configuration.`);
    }
    return bytes;
  }

  #begin(frameBytes: number): boolean {
    const connection = this.#connection;
    const at = connection.beginProduce(frameBytes);
    if (at === NO_SPACE) {
      connection.flush();
      return false;
    }
    this.#builder.begin(connection.requests.data, at, at + frameBytes);
    this.#frameBytes = frameBytes;
    this.#open = true;
    return true;
  }

  #seal(): void {
    clearTimeout(this.#linger);
    this.#linger = undefined;
    const builder = this.#builder;
    const records = builder.count;
    const length = builder.finish(this.crc);
    this.#open = false;
    if (this.acks === 0) {
      this.#connection.endProduce(this.topic.topicId, this.partition, 0, this.timeoutMs, length, null, true);
      this.acknowledged += records;
      return;
    }
    this.#outstanding += 1;
    this.#connection.endProduce(this.topic.topicId, this.partition, this.acks, this.timeoutMs, length, new BatchWaiter(this, records), true);
  }

  #lingerExpired(): void {
    this.#linger = undefined;
    if (this.#open) {
      this.#seal();
      this.#connection.flush();
    }
  }
}

