/**
 * The broker's data path at the wire level: a Broker driven in this thread over real ByteRings, fed
 * hand-built produce frames (wire.ts), good and bad. Every answer is read back from the response ring;
 * bad input must get its Kafka error code and leave the log as it was.
 */
import { describe, expect, it } from 'vitest';
import { kafkaErrorCode } from '../errors/index.js';
import { RecordBatchBuilder } from '../log/index.js';
import { ByteRing, NO_SPACE } from '../memory/index.js';
import { Broker } from './broker.js';
import { resolveBrokerConfig, type BrokerConfigInput } from './config.js';
import { BROKER_CONTROL_BYTES } from './layout.js';
import type { PartitionSpec } from './messages.js';
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
  RES_API_KEY,
  RES_BASE_OFFSET_LOW,
  RES_CORRELATION_ID,
  RES_ERROR_CODE,
  RES_LOG_START_LOW,
  RES_RECORD_COUNT,
} from './wire.js';

/** The error `fn` throws (fails the test when it throws none). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const TOPIC_ID = 7;
const CONNECTION_ID = 1;

interface Answer {
  readonly apiKey: number;
  readonly correlationId: number;
  readonly errorCode: number;
  readonly recordCount: number;
  readonly baseOffset: number;
  readonly logStartOffset: number;
}

interface FrameFields {
  readonly apiKey?: number;
  readonly topicId?: number;
  readonly partition?: number;
  readonly acks?: number;
  /** Overrides the batch length word (the real length is what was encoded). */
  readonly batchLength?: number;
}

/** One broker, one client connection to it, and helpers that speak the wire format. */
class WireClient {
  readonly broker: Broker;
  readonly requests: ByteRing;
  readonly responses: ByteRing;
  readonly #builder = new RecordBatchBuilder();
  #correlationId = 0;

  constructor(config: BrokerConfigInput = {}, options: { requestRingBytes?: number; responseRingBytes?: number; maxFrameBytes?: number } = {}) {
    this.broker = new Broker(0, resolveBrokerConfig(config), new SharedArrayBuffer(BROKER_CONTROL_BYTES));
    this.requests = ByteRing.create(options.requestRingBytes ?? 1 << 20, { maxFrameBytes: options.maxFrameBytes });
    this.responses = ByteRing.create(options.responseRingBytes ?? 64 * 1024);
    this.broker.attachConnection(CONNECTION_ID, this.requests.buffer, this.responses.buffer);
  }

  host(partition: number, overrides: Partial<PartitionSpec> = {}): void {
    this.broker.createPartition({ topicId: TOPIC_ID, topic: 'wire', partition, leader: true, leaderEpoch: 0, replicas: [0], minInsyncReplicas: 1, ...overrides });
  }

  /** Commits one produce frame holding `values` as one record batch; returns its correlation id. */
  produce(values: readonly string[], fields: FrameFields = {}): number {
    const batchBytes = 128 + values.reduce((n, v) => n + 48 + v.length, 0);
    const at = this.requests.reserve(REQUEST_HEADER_BYTES + batchBytes);
    if (at === NO_SPACE) throw new Error('request ring full');
    const b = this.#builder;
    b.begin(this.requests.data, at + REQUEST_HEADER_BYTES, at + REQUEST_HEADER_BYTES + batchBytes);
    for (const v of values) if (!b.append(null, Buffer.from(v))) throw new Error('record did not fit');
    const length = b.finish(true);
    return this.#frame(at, length, fields);
  }

  /** Commits a frame whose batch area holds `bytes` as they are. */
  produceRaw(bytes: Uint8Array, fields: FrameFields = {}): number {
    const at = this.requests.reserve(REQUEST_HEADER_BYTES + bytes.length);
    if (at === NO_SPACE) throw new Error('request ring full');
    this.requests.data.set(bytes, at + REQUEST_HEADER_BYTES);
    return this.#frame(at, bytes.length, fields);
  }

  /** Commits a frame of `length` bytes with only an api key and a correlation id. */
  produceShort(length: number): number {
    const at = this.requests.reserve(length);
    if (at === NO_SPACE) throw new Error('request ring full');
    const id = ++this.#correlationId;
    const w = this.requests.dataWords;
    w[(at >> 2) + REQ_API_KEY] = API_PRODUCE;
    w[(at >> 2) + REQ_CORRELATION_ID] = id;
    this.requests.shrinkLast(at, length);
    this.requests.commit();
    return id;
  }

  /** Reads every answer the broker wrote so far. */
  answers(): Answer[] {
    const out: Answer[] = [];
    this.responses.read((_bytes, offset) => {
      const w = this.responses.dataWords;
      const i = offset >> 2;
      out.push({
        apiKey: w[i + RES_API_KEY]!,
        correlationId: w[i + RES_CORRELATION_ID]!,
        errorCode: w[i + RES_ERROR_CODE]!,
        recordCount: w[i + RES_RECORD_COUNT]!,
        baseOffset: readOffset(w, i + RES_BASE_OFFSET_LOW),
        logStartOffset: readOffset(w, i + RES_LOG_START_LOW),
      });
    });
    return out;
  }

  logEnd(partition = 0): number {
    return this.broker.partitionOffsets(TOPIC_ID, partition).logEndOffset;
  }

  #frame(at: number, batchLength: number, fields: FrameFields): number {
    const id = ++this.#correlationId;
    const w = this.requests.dataWords;
    const i = at >> 2;
    w[i + REQ_API_KEY] = fields.apiKey ?? API_PRODUCE;
    w[i + REQ_CORRELATION_ID] = id;
    w[i + REQ_TOPIC_ID] = fields.topicId ?? TOPIC_ID;
    w[i + REQ_PARTITION] = fields.partition ?? 0;
    w[i + REQ_ACKS] = fields.acks ?? 1;
    w[i + REQ_TIMEOUT_MS] = 30_000;
    w[i + REQ_BATCH_LENGTH] = fields.batchLength ?? batchLength;
    this.requests.shrinkLast(at, REQUEST_HEADER_BYTES + batchLength);
    this.requests.commit();
    return id;
  }
}

const code = kafkaErrorCode;

describe('Broker data path (one thread, real rings)', () => {
  it('appends a produce batch and answers with its base offset, record count and log start offset', () => {
    const client = new WireClient();
    client.host(0);
    const first = client.produce(['a', 'b', 'c']);
    const second = client.produce(['d', 'e']);
    expect(client.broker.pump()).toBe(2);
    expect(client.answers()).toEqual([
      { apiKey: API_PRODUCE, correlationId: first, errorCode: 0, recordCount: 3, baseOffset: 0, logStartOffset: 0 },
      { apiKey: API_PRODUCE, correlationId: second, errorCode: 0, recordCount: 2, baseOffset: 3, logStartOffset: 0 },
    ]);
    expect(client.broker.partitionOffsets(TOPIC_ID, 0)).toEqual({ logStartOffset: 0, logEndOffset: 5, highWatermark: 5 });
  });

  it('stores the records as they were sent', () => {
    const client = new WireClient();
    client.host(0);
    client.produce(['one', 'two']);
    client.broker.pump();
    const cursor = client.broker.partition(TOPIC_ID, 0)!.log.cursor(0);
    const values: string[] = [];
    while (cursor.next()) values.push(Buffer.from(cursor.value()!).toString());
    expect(values).toEqual(['one', 'two']);
  });

  it('answers requests of one connection in order, each exactly once', () => {
    const client = new WireClient();
    client.host(0);
    client.host(1);
    const ids = [client.produce(['x']), client.produce(['y'], { partition: 1 }), client.produce(['z'], { topicId: 999 }), client.produce(['w'])];
    client.broker.pump();
    const answers = client.answers();
    expect(answers.map((a) => a.correlationId)).toEqual(ids);
    expect(answers.map((a) => a.errorCode)).toEqual([0, 0, code('UNKNOWN_TOPIC_OR_PARTITION'), 0]);
    expect(client.broker.pump()).toBe(0);
    expect(client.answers()).toEqual([]);
  });

  it('does not answer acks=0 requests but still appends them', () => {
    const client = new WireClient();
    client.host(0);
    client.produce(['quiet'], { acks: 0 });
    const loud = client.produce(['loud'], { acks: 1 });
    client.broker.pump();
    expect(client.answers().map((a) => [a.correlationId, a.baseOffset])).toEqual([[loud, 1]]);
    expect(client.logEnd()).toBe(2);
  });

  it('answers a partition it does not host with UNKNOWN_TOPIC_OR_PARTITION (3)', () => {
    const client = new WireClient();
    client.host(0);
    client.produce(['a'], { partition: 5 });
    client.broker.pump();
    expect(client.answers()).toEqual([expect.objectContaining({ errorCode: 3, baseOffset: -1, recordCount: 0, logStartOffset: -1 })]);
  });

  it('answers a follower replica with NOT_LEADER_OR_FOLLOWER (6) and leaves its log empty', () => {
    const client = new WireClient();
    client.host(0, { leader: false });
    client.produce(['a']);
    client.broker.pump();
    expect(client.answers()[0]?.errorCode).toBe(code('NOT_LEADER_OR_FOLLOWER'));
    expect(client.logEnd()).toBe(0);
  });

  it('answers acks=all with NOT_ENOUGH_REPLICAS (19) when the ISR is below min.insync.replicas, but takes acks=1', () => {
    const client = new WireClient();
    client.host(0, { minInsyncReplicas: 2, replicas: [0, 1], isr: [0] });
    client.produce(['all'], { acks: -1 });
    client.produce(['one'], { acks: 1 });
    client.broker.pump();
    expect(client.answers().map((a) => a.errorCode)).toEqual([code('NOT_ENOUGH_REPLICAS'), 0]);
    expect(client.logEnd()).toBe(1);
  });

  it('answers a batch larger than message.max.bytes with MESSAGE_TOO_LARGE (10) and leaves the log unchanged', () => {
    // The client ring allows bigger frames than the broker accepts, so the broker's own check answers.
    const client = new WireClient({ messageMaxBytes: 10_000 }, { maxFrameBytes: 64 * 1024 });
    client.host(0);
    client.produce(['before']);
    client.produce(['x'.repeat(20_000)]);
    client.produce(['after']);
    client.broker.pump();
    const answers = client.answers();
    expect(answers.map((a) => a.errorCode)).toEqual([0, code('MESSAGE_TOO_LARGE'), 0]);
    expect(answers[2]?.baseOffset).toBe(1);
    expect(client.logEnd()).toBe(2);
  });

  it('answers a batch length beyond its frame with INVALID_REQUEST (42)', () => {
    const client = new WireClient();
    client.host(0);
    client.produce(['a'], { batchLength: 1_000_000 });
    client.produce(['b'], { batchLength: -5 });
    client.broker.pump();
    expect(client.answers().map((a) => a.errorCode)).toEqual([code('INVALID_REQUEST'), code('INVALID_REQUEST')]);
    expect(client.logEnd()).toBe(0);
  });

  it('answers an unknown api key and a frame shorter than its header with INVALID_REQUEST (42)', () => {
    const client = new WireClient();
    client.host(0);
    const unknown = client.produce(['a'], { apiKey: 99 });
    const short = client.produceShort(8);
    client.broker.pump();
    expect(client.answers().map((a) => [a.correlationId, a.errorCode])).toEqual([
      [unknown, code('INVALID_REQUEST')],
      [short, code('INVALID_REQUEST')],
    ]);
    expect(client.logEnd()).toBe(0);
  });

  it('answers garbage bytes with CORRUPT_MESSAGE (2) and keeps serving the connection', () => {
    const client = new WireClient();
    client.host(0);
    client.produce(['good']);
    client.produceRaw(new Uint8Array(200).fill(0xab));
    client.produceRaw(new Uint8Array(3));
    client.produce(['still good']);
    client.broker.pump();
    const answers = client.answers();
    expect(answers.map((a) => a.errorCode)).toEqual([0, code('CORRUPT_MESSAGE'), code('CORRUPT_MESSAGE'), 0]);
    expect(answers[3]?.baseOffset).toBe(1);
    const cursor = client.broker.partition(TOPIC_ID, 0)!.log.cursor(0);
    const values: string[] = [];
    while (cursor.next()) values.push(Buffer.from(cursor.value()!).toString());
    expect(values).toEqual(['good', 'still good']);
  });

  it('leaves requests in the ring while the response ring is full, and answers them once the client reads', () => {
    // A 4 KiB response ring holds about a hundred answers.
    const client = new WireClient({}, { responseRingBytes: 4096 });
    client.host(0);
    const sent: number[] = [];
    for (let i = 0; i < 300; i++) sent.push(client.produce([`m${i}`]));
    const answered: number[] = [];
    let rounds = 0;
    while (answered.length < sent.length) {
      const handled = client.broker.pump();
      const answers = client.answers();
      expect(answers.length).toBe(handled);
      answered.push(...answers.map((a) => a.correlationId));
      rounds++;
      expect(rounds).toBeLessThan(100);
    }
    expect(rounds).toBeGreaterThan(1);
    expect(answered).toEqual(sent);
    expect(client.logEnd()).toBe(300);
  });

  it('detaches a connection whose client closed its request ring', () => {
    const client = new WireClient();
    client.host(0);
    client.produce(['last']);
    client.requests.closeProducer();
    expect(client.broker.pump()).toBe(1);
    expect(client.broker.hasWork()).toBe(false);
    client.broker.pump();
    expect(client.answers()).toHaveLength(1);
  });

  it('serves reads of a partition it hosts and rejects others with UNKNOWN_TOPIC_OR_PARTITION', () => {
    const client = new WireClient();
    client.host(0);
    expect(thrownBy(() => client.broker.partitionOffsets(TOPIC_ID, 3))).toMatchObject({ code: 3, type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    client.broker.deletePartition(TOPIC_ID, 0);
    client.produce(['gone']);
    client.broker.pump();
    expect(client.answers()[0]?.errorCode).toBe(3);
  });
});
