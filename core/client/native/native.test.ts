/**
 * The native fast API against a real cluster (broker worker threads): PartitionWriter encodes
 * straight into the leader's request ring, PartitionReader walks the leader's segments. Records carry
 * their sequence number, so every read checks content and order, not only counts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startCluster, type Cluster, type ClusterOptions } from '../../cluster/index.js';
import { Kafka, type PartitionReader, type PartitionWriter, type PartitionWriterOptions } from '../kafka/index.js';

/** The error `fn` throws (fails the test when it throws none). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const VALUE_BYTES = 16;

async function setup(options: ClusterOptions = {}): Promise<{ cluster: Cluster; kafka: Kafka }> {
  const cluster = await startCluster(options);
  onTestFinished(() => cluster.close());
  return { cluster, kafka: new Kafka({ clientId: 'native-test', cluster, retry: { retries: 0 } }) };
}

function topicName(label: string): string {
  return `native-${label}-${randomUUID()}`;
}

async function openWriter(kafka: Kafka, topic: string, partition: number, options?: PartitionWriterOptions): Promise<PartitionWriter> {
  const writer = await kafka.partitionWriter(topic, partition, options);
  onTestFinished(() => writer.close().catch(() => undefined));
  return writer;
}

async function openReader(kafka: Kafka, topic: string, partition: number, fromOffset?: number | 'earliest' | 'latest'): Promise<PartitionReader> {
  const reader = await kafka.partitionReader(topic, partition, fromOffset === undefined ? {} : { fromOffset });
  onTestFinished(() => reader.close());
  return reader;
}

/** Writes the sequence number and two checksums of it into `value`. */
function fillValue(value: Buffer, seq: number): Buffer {
  value.writeUInt32LE(seq, 0);
  value.writeUInt32LE((seq ^ 0x5bd1e995) >>> 0, 4);
  value.writeUInt32LE(Math.imul(seq, 2654435761) >>> 0, 8);
  value.writeUInt32LE(0xfeedface, 12);
  return value;
}

/**
 * Reads records [from, from + count) and checks that each is at its offset with its own sequence
 * number. Returns the number of records read.
 */
async function readSequence(reader: PartitionReader, from: number, count: number): Promise<number> {
  const cursor = reader.cursor;
  let expected = from;
  const end = from + count;
  while (expected < end) {
    while (cursor.next()) {
      const b = cursor.bytes;
      const view = new DataView(b.buffer, b.byteOffset + cursor.valueOffset, cursor.valueLength);
      const seq = view.getUint32(0, true);
      if (cursor.offset !== expected || seq !== expected || cursor.valueLength !== VALUE_BYTES || view.getUint32(4, true) !== ((seq ^ 0x5bd1e995) >>> 0) || view.getUint32(8, true) !== Math.imul(seq, 2654435761) >>> 0) {
        throw new Error(`record at offset ${cursor.offset}: expected sequence ${expected}, got ${seq} (${cursor.valueLength} bytes)`);
      }
      expected++;
    }
    if (expected < end && !(await reader.waitForData(5_000))) throw new Error(`no data after offset ${expected - 1}`);
  }
  return expected - from;
}

/** Appends records [from, from + count); returns how often append said the ring was full. */
async function writeSequence(writer: PartitionWriter, from: number, count: number): Promise<number> {
  const value = Buffer.alloc(VALUE_BYTES);
  let full = 0;
  for (let seq = from; seq < from + count; seq++) {
    while (!writer.append(null, fillValue(value, seq))) {
      full++;
      await writer.ready();
    }
  }
  return full;
}

function values(reader: PartitionReader): string[] {
  const out: string[] = [];
  while (reader.cursor.next()) out.push(Buffer.from(reader.cursor.value()!).toString());
  return out;
}

describe('PartitionWriter and PartitionReader', () => {
  it('writes 200,000 records that a reader reads back in order with their values', async () => {
    const { kafka } = await setup();
    const topic = topicName('bulk');
    const writer = await openWriter(kafka, topic, 0, { acks: 1 });
    const reader = await openReader(kafka, topic, 0, 'earliest');
    const reading = readSequence(reader, 0, 200_000);
    await writeSequence(writer, 0, 200_000);
    await writer.flush();
    expect(writer.acknowledged).toBe(200_000);
    expect(writer.lastOffset).toBe(199_999);
    await expect(reading).resolves.toBe(200_000);
    expect(reader.highWatermark).toBe(200_000);
    expect(reader.position).toBe(200_000);
  });

  it('append returns false when the request ring is full, and ready() resolves once it has room', async () => {
    // The smallest request ring (64 KiB holds a few 16 KiB batches) and response ring (4 KiB, about a
    // hundred answers): a writer that never yields fills both, and must wait.
    const { kafka } = await setup({ config: { requestRingBytes: 64 * 1024, responseRingBytes: 4096, messageMaxBytes: 30_000 } });
    const topic = topicName('backpressure');
    const writer = await openWriter(kafka, topic, 0, { acks: 1, batchSize: 16_384 });
    const full = await writeSequence(writer, 0, 100_000);
    await writer.flush();
    expect(full).toBeGreaterThan(0);
    expect(writer.acknowledged).toBe(100_000);
    const reader = await openReader(kafka, topic, 0, 'earliest');
    await expect(readSequence(reader, 0, 100_000)).resolves.toBe(100_000);
  });

  it('sends a partly filled batch after linger.ms without a flush', async () => {
    const { kafka } = await setup();
    const topic = topicName('linger');
    const writer = await openWriter(kafka, topic, 0, { acks: 1, lingerMs: 20 });
    const reader = await openReader(kafka, topic, 0, 'earliest');
    await writeSequence(writer, 0, 3);
    await expect(readSequence(reader, 0, 3)).resolves.toBe(3);
    await vi.waitFor(() => expect(writer.acknowledged).toBe(3));
  });

  it('holds a partly filled batch until flush() when linger.ms is 0', async () => {
    const { kafka } = await setup();
    const topic = topicName('no-linger');
    const writer = await openWriter(kafka, topic, 0, { acks: 1, lingerMs: 0 });
    const reader = await openReader(kafka, topic, 0, 'earliest');
    await writeSequence(writer, 0, 3);
    expect(await reader.waitForData(100)).toBe(false);
    expect(reader.highWatermark).toBe(0);
    await writer.flush();
    await expect(readSequence(reader, 0, 3)).resolves.toBe(3);
  });

  it('sends a record larger than batch.size in a batch of its own', async () => {
    const { kafka } = await setup();
    const topic = topicName('big');
    const writer = await openWriter(kafka, topic, 0, { acks: -1, batchSize: 1024 });
    const big = Buffer.alloc(50_000, 7);
    expect(writer.append(null, Buffer.from('small'))).toBe(true);
    expect(writer.append(Buffer.from('k'), big)).toBe(true);
    expect(writer.append(null, Buffer.from('after'))).toBe(true);
    await writer.flush();
    const reader = await openReader(kafka, topic, 0, 'earliest');
    const c = reader.cursor;
    expect(c.next()).toBe(true);
    expect(Buffer.from(c.value()!).toString()).toBe('small');
    expect(c.next()).toBe(true);
    expect(Buffer.from(c.key()!).toString()).toBe('k');
    expect(Buffer.compare(Buffer.from(c.value()!), big)).toBe(0);
    expect(c.next()).toBe(true);
    expect(Buffer.from(c.value()!).toString()).toBe('after');
    expect(c.next()).toBe(false);
  });

  it('with acks=0 counts records as sent and they still arrive', async () => {
    const { kafka } = await setup();
    const topic = topicName('acks0');
    const writer = await openWriter(kafka, topic, 0, { acks: 0 });
    await writeSequence(writer, 0, 1000);
    await writer.flush();
    expect(writer.acknowledged).toBe(1000);
    expect(writer.lastOffset).toBe(-1);
    const reader = await openReader(kafka, topic, 0, 'earliest');
    await expect(readSequence(reader, 0, 1000)).resolves.toBe(1000);
  });

  it('waitForData wakes a reader when a producer writes', async () => {
    const { kafka } = await setup();
    const topic = topicName('wake');
    const reader = await openReader(kafka, topic, 0, 'latest');
    expect(reader.cursor.next()).toBe(false);
    // Far longer than the test's timeout: only a wake-up can resolve it in time.
    const woken = reader.waitForData(120_000);
    const producer = kafka.producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    await producer.send({ topic, messages: [{ value: 'hello' }] });
    await expect(woken).resolves.toBe(true);
    expect(values(reader)).toEqual(['hello']);
  }, 15_000);

  it('waitForData resolves false after its timeout when nothing arrives', async () => {
    const { kafka } = await setup();
    const reader = await openReader(kafka, topicName('quiet'), 0, 'earliest');
    await expect(reader.waitForData(30)).resolves.toBe(false);
  });

  it("a reader from 'latest' sees only records written after it opened", async () => {
    const { kafka } = await setup();
    const topic = topicName('latest');
    const producer = kafka.producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    await producer.send({ topic, messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });
    const reader = await openReader(kafka, topic, 0, 'latest');
    expect(reader.position).toBe(5);
    expect(reader.cursor.next()).toBe(false);
    await producer.send({ topic, messages: ['f', 'g', 'h'].map((value) => ({ value })) });
    await vi.waitFor(() => expect(reader.highWatermark).toBe(8));
    const seen: [number, string][] = [];
    while (reader.cursor.next()) seen.push([reader.cursor.offset, Buffer.from(reader.cursor.value()!).toString()]);
    expect(seen).toEqual([
      [5, 'f'],
      [6, 'g'],
      [7, 'h'],
    ]);
  });

  it('a reader opened at an offset starts there, and seek moves it', async () => {
    const { kafka } = await setup();
    const topic = topicName('offset');
    const writer = await openWriter(kafka, topic, 0);
    await writeSequence(writer, 0, 10);
    await writer.flush();
    const reader = await openReader(kafka, topic, 0, 4);
    await expect(readSequence(reader, 4, 6)).resolves.toBe(6);
    reader.seek(2);
    await expect(readSequence(reader, 2, 8)).resolves.toBe(8);
  });

  it('a writer rejects invalid acks with INVALID_REQUIRED_ACKS (21) and bad sizes with INVALID_CONFIG', async () => {
    const { kafka } = await setup();
    const topic = topicName('config');
    await expect(kafka.partitionWriter(topic, 0, { acks: 2 })).rejects.toMatchObject({ code: 21, type: 'INVALID_REQUIRED_ACKS' });
    await expect(kafka.partitionWriter(topic, 0, { batchSize: 0 })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    await expect(kafka.partitionWriter(topic, 0, { lingerMs: -1 })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
  });

  it('a writer or reader of a partition the topic lacks fails with UNKNOWN_TOPIC_OR_PARTITION (3)', async () => {
    const { kafka } = await setup();
    const topic = topicName('missing');
    await expect(kafka.partitionWriter(topic, 3)).rejects.toMatchObject({ code: 3 });
    await expect(kafka.partitionReader(topic, 3)).rejects.toMatchObject({ code: 3 });
  });

  it('a record over max.request.size is refused with MESSAGE_TOO_LARGE (10) and the writer keeps working', async () => {
    const { kafka } = await setup();
    const topic = topicName('too-large');
    const writer = await openWriter(kafka, topic, 0, { maxRequestSize: 10_000 });
    expect(thrownBy(() => writer.append(null, Buffer.alloc(20_000)))).toMatchObject({ code: 10, type: 'MESSAGE_TOO_LARGE' });
    await writeSequence(writer, 0, 5);
    await writer.flush();
    const reader = await openReader(kafka, topic, 0, 'earliest');
    await expect(readSequence(reader, 0, 5)).resolves.toBe(5);
  });

  it("flush rejects with the broker's error when the partition is gone, then the writer's error is cleared", async () => {
    const { cluster, kafka } = await setup();
    const topic = topicName('deleted');
    const writer = await openWriter(kafka, topic, 0, { acks: 1 });
    await cluster.controller.deleteTopics([topic]);
    await writeSequence(writer, 0, 3);
    await expect(writer.flush()).rejects.toMatchObject({ code: 3, type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(writer.flush()).resolves.toBeUndefined();
  });

  it('a closed reader refuses to wait', async () => {
    const { kafka } = await setup();
    const reader = await kafka.partitionReader(topicName('closed'), 0);
    reader.close();
    await expect(reader.waitForData(10)).rejects.toMatchObject({ model: 'kafka' });
  });
});
