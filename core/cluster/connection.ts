/**
 * A client's connection to one broker: a request ring it produces into and a response ring it
 * consumes, attached to the broker once. Producers encode record batches straight into request
 * frames (`beginProduce` / `endProduce`), so a batch is copied once more only, by the broker into
 * its log. Answers are matched to requests by correlation id, in order.
 *
 * Invariants:
 * - At most one produce frame is open (reserved, not committed) at a time.
 * - Every request with acks != 0 settles exactly once: with its answer, or with
 *   NETWORK_EXCEPTION (retriable, as a dropped Kafka connection) when the broker dies or the
 *   connection closes first.
 */
import { KafkaProtocolError, kafkaErrorType, MqlabInternalError } from '../errors/index.js';
import { ByteRing, NO_SPACE, RING_END, ringIfAsleep } from '../memory/index.js';
import type { BrokerLink } from './broker-handle.js';
import type { BrokerConfig } from './config.js';
import { BROKER_BELL_WORD } from './layout.js';
import {
  API_PRODUCE,
  readOffset,
  REQ_ACKS,
  REQ_API_KEY,
  REQ_BATCH_LENGTH,
  REQ_CORRELATION_ID,
  REQ_PARTITION,
  REQ_TIMEOUT_MS,
  REQ_TOPIC_ID,
  REQUEST_HEADER_BYTES,
  RES_BASE_OFFSET_LOW,
  RES_CORRELATION_ID,
  RES_ERROR_CODE,
  RES_LOG_START_LOW,
  RES_RECORD_COUNT,
} from './wire.js';

/** The broker's answer to one produce request. */
export interface ProduceResult {
  readonly errorCode: number;
  readonly baseOffset: number;
  readonly recordCount: number;
  readonly logStartOffset: number;
}

export interface ProduceWaiter {
  /** Called once with the answer (errorCode may be non-zero) or with a transport failure. */
  settle(result: ProduceResult | Error): void;
}

/** How long the response pump parks between liveness checks of the broker. */
const RESPONSE_POLL_MS = 20;

let nextConnectionId = 1;

export class BrokerConnection {
  readonly id = nextConnectionId++;
  readonly requests: ByteRing;
  readonly responses: ByteRing;
  readonly #handle: BrokerLink;
  readonly #waiters = new Map<number, ProduceWaiter>();
  readonly #onResponse: (bytes: Uint8Array, offset: number, length: number) => void;
  #nextCorrelationId = 1;
  #openFrame = -1;
  #pumping = false;
  #closed = false;

  private constructor(handle: BrokerLink, config: BrokerConfig) {
    this.#handle = handle;
    this.requests = ByteRing.create(config.requestRingBytes, { maxFrameBytes: config.messageMaxBytes + REQUEST_HEADER_BYTES });
    this.responses = ByteRing.create(config.responseRingBytes);
    this.#onResponse = (_bytes, offset) => this.#handleResponse(offset);
  }

  static async open(handle: BrokerLink, config: BrokerConfig): Promise<BrokerConnection> {
    const connection = new BrokerConnection(handle, config);
    await handle.call('attachConnection', { connectionId: connection.id, requests: connection.requests.buffer, responses: connection.responses.buffer });
    return connection;
  }

  get brokerId(): number {
    return this.#handle.id;
  }

  get alive(): boolean {
    return !this.#closed && this.#handle.alive;
  }

  /** The largest record batch one produce frame carries (the broker's message.max.bytes). */
  get maxBatchBytes(): number {
    return this.requests.maxFrameBytes - REQUEST_HEADER_BYTES;
  }

  get inFlight(): number {
    return this.#waiters.size;
  }

  /**
   * Reserves a produce frame with room for a `maxBatchBytes` record batch and returns the offset in
   * `requests.data` where the batch goes, or NO_SPACE when the ring is full now.
   */
  beginProduce(maxBatchBytes: number): number {
    if (this.#closed) throw new MqlabInternalError('CLOSED', `connection to broker ${this.#handle.id} is closed`);
    if (this.#openFrame !== NO_SPACE) throw new MqlabInternalError('INVALID_ARGUMENT', 'a produce frame is already open on this connection');
    const at = this.requests.reserve(REQUEST_HEADER_BYTES + maxBatchBytes);
    if (at === NO_SPACE) return NO_SPACE;
    this.#openFrame = at;
    return at + REQUEST_HEADER_BYTES;
  }

  /**
   * Finishes the open frame: `batchLength` bytes were written at the offset beginProduce gave. With
   * acks != 0 the waiter is settled by the answer. The frame is published by `flush()` (or at once
   * with `publish`), so many frames can go out with one index store.
   */
  endProduce(topicId: number, partition: number, acks: number, timeoutMs: number, batchLength: number, waiter: ProduceWaiter | null, publish = true): void {
    const at = this.#openFrame;
    if (at === NO_SPACE) throw new MqlabInternalError('INVALID_ARGUMENT', 'no produce frame is open');
    this.#openFrame = NO_SPACE;
    this.requests.shrinkLast(at, REQUEST_HEADER_BYTES + batchLength);
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = (correlationId + 1) | 0;
    const w = this.requests.dataWords;
    const i = at >> 2;
    w[i + REQ_API_KEY] = API_PRODUCE;
    w[i + REQ_CORRELATION_ID] = correlationId;
    w[i + REQ_TOPIC_ID] = topicId;
    w[i + REQ_PARTITION] = partition;
    w[i + REQ_ACKS] = acks;
    w[i + REQ_TIMEOUT_MS] = timeoutMs;
    w[i + REQ_BATCH_LENGTH] = batchLength;
    if (acks !== 0 && waiter !== null) this.#waiters.set(correlationId, waiter);
    if (publish) this.flush();
  }

  /** Drops the open frame without sending it. */
  abortProduce(): void {
    if (this.#openFrame === NO_SPACE) return;
    this.requests.shrinkLast(this.#openFrame, REQUEST_HEADER_BYTES);
    const w = this.requests.dataWords;
    const i = this.#openFrame >> 2;
    w[i + REQ_API_KEY] = API_PRODUCE;
    w[i + REQ_ACKS] = 0;
    w[i + REQ_TOPIC_ID] = -1;
    w[i + REQ_BATCH_LENGTH] = 0;
    this.#openFrame = NO_SPACE;
  }

  /** Publishes committed frames and wakes the broker if it sleeps; starts reading answers. */
  flush(): void {
    this.requests.commit();
    ringIfAsleep(this.#handle.control, BROKER_BELL_WORD);
    if (this.#waiters.size > 0 && !this.#pumping) void this.#pumpResponses();
  }

  /** Resolves when a frame of `maxBatchBytes` fits the request ring (or after a poll interval). */
  async waitForSpace(maxBatchBytes: number): Promise<void> {
    this.#assertAlive();
    await this.requests.waitForSpaceAsync(REQUEST_HEADER_BYTES + maxBatchBytes, RESPONSE_POLL_MS);
    this.#assertAlive();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.abortProduce();
    try {
      this.requests.closeProducer();
    } catch {
      // A ring whose consumer is gone is closed already.
    }
    ringIfAsleep(this.#handle.control, BROKER_BELL_WORD);
    this.#failAll(`connection to broker ${this.#handle.id} closed`);
    if (this.#handle.alive) void this.#handle.call('detachConnection', { connectionId: this.id }).catch(() => undefined);
  }

  #assertAlive(): void {
    if (this.#closed) throw new MqlabInternalError('CLOSED', `connection to broker ${this.#handle.id} is closed`);
    if (!this.#handle.alive) throw new KafkaProtocolError('NETWORK_EXCEPTION', `The server disconnected before a response was received: broker ${this.#handle.id} is not available`);
  }

  async #pumpResponses(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#waiters.size > 0 && !this.#closed) {
        const n = this.responses.read(this.#onResponse);
        if (n === RING_END) break;
        if (n > 0) continue;
        if (!this.#handle.alive) {
          this.#failAll(`broker ${this.#handle.id} is not available`);
          break;
        }
        await this.responses.waitForDataAsync(RESPONSE_POLL_MS);
      }
    } catch (error) {
      this.#failAll(error instanceof Error ? error.message : String(error));
    } finally {
      this.#pumping = false;
    }
  }

  #handleResponse(offset: number): void {
    const w = this.responses.dataWords;
    const i = offset >> 2;
    const correlationId = w[i + RES_CORRELATION_ID]!;
    const waiter = this.#waiters.get(correlationId);
    if (waiter === undefined) return;
    this.#waiters.delete(correlationId);
    waiter.settle({
      errorCode: w[i + RES_ERROR_CODE]!,
      recordCount: w[i + RES_RECORD_COUNT]!,
      baseOffset: readOffset(w, i + RES_BASE_OFFSET_LOW),
      logStartOffset: readOffset(w, i + RES_LOG_START_LOW),
    });
  }

  #failAll(reason: string): void {
    if (this.#waiters.size === 0) return;
    const error = new KafkaProtocolError('NETWORK_EXCEPTION', `The server disconnected before a response was received: ${reason}`);
    const waiters = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.settle(error);
  }
}

/** The typed error for a non-zero error code in a produce answer. */
export function produceError(errorCode: number, topic: string, partition: number): KafkaProtocolError {
  const type = kafkaErrorType(errorCode) ?? 'UNKNOWN_SERVER_ERROR';
  return new KafkaProtocolError(type, `${PRODUCE_ERROR_TEXT[type] ?? type} (topic '${topic}', partition ${partition})`);
}

const PRODUCE_ERROR_TEXT: Partial<Record<string, string>> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'This server does not host this topic-partition',
  NOT_LEADER_OR_FOLLOWER: 'This server is not the leader for that topic-partition',
  MESSAGE_TOO_LARGE: 'The request included a message larger than the max message size the server will accept',
  CORRUPT_MESSAGE: 'This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt',
  NOT_ENOUGH_REPLICAS: 'Messages are rejected since there are fewer in-sync replicas than required',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'Messages are written to the log, but to fewer in-sync replicas than required',
  INVALID_REQUEST: 'This most likely occurs because of a request being malformed by the client library',
};
