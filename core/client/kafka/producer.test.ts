/**
 * The kafkajs-shaped producer against a real cluster (broker worker threads): RecordMetadata,
 * partition choice, size limits, acks, state errors and the idempotence rules. What a send stored is
 * read back from the leader's log with the native reader.
 */
import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { defaultCluster, startCluster, type Cluster, type ClusterOptions } from '../../cluster/index.js';
import { partitionForKey } from '../../stream/partitioners/index.js';
import { messageFromCursor } from './codec.js';
import { Kafka, Partitioners, type KafkaMessage, type Producer, type ProducerConfig } from './index.js';

/** The error `fn` throws (fails the test when it throws none). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

interface Setup {
  readonly cluster: Cluster;
  readonly kafka: Kafka;
  producer(config?: ProducerConfig): Promise<Producer>;
}

/** A cluster and a kafkajs client that does not retry, so a failure shows as it happened. */
async function setup(options: ClusterOptions = {}): Promise<Setup> {
  const cluster = await startCluster(options);
  onTestFinished(() => cluster.close());
  const kafka = new Kafka({ clientId: 'producer-test', cluster, retry: { retries: 0 } });
  return {
    cluster,
    kafka,
    async producer(config?: ProducerConfig): Promise<Producer> {
      const producer = kafka.producer(config);
      await producer.connect();
      onTestFinished(() => producer.disconnect());
      return producer;
    },
  };
}

function topicName(label: string): string {
  return `producer-${label}-${randomUUID()}`;
}

/** Every record of a partition, as the consumer would hand it out. */
async function readAll(kafka: Kafka, topic: string, partition: number): Promise<KafkaMessage[]> {
  const reader = await kafka.partitionReader(topic, partition, { fromOffset: 'earliest' });
  try {
    const out: KafkaMessage[] = [];
    while (reader.cursor.next()) out.push(messageFromCursor(reader.cursor));
    return out;
  } finally {
    reader.close();
  }
}

async function highWatermarks(s: Setup, topic: string): Promise<number[]> {
  const admin = s.kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
  } finally {
    await admin.disconnect();
  }
}

const byPartition = (a: { partition: number }, b: { partition: number }): number => a.partition - b.partition;

describe('Producer.send', () => {
  it('resolves with one RecordMetadata per partition written, offsets as strings', async () => {
    const s = await setup();
    const topic = topicName('metadata');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 3 }]);
    const producer = await s.producer();
    const first = await producer.send({ topic, messages: [0, 1, 2, 0, 1, 0].map((partition, i) => ({ value: `v${i}`, partition })) });
    expect(first.sort(byPartition)).toEqual([
      { topicName: topic, partition: 0, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' },
      { topicName: topic, partition: 1, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' },
      { topicName: topic, partition: 2, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' },
    ]);
    const second = await producer.send({ topic, messages: [{ value: 'x', partition: 0 }, { value: 'y', partition: 2 }] });
    expect(second.sort(byPartition).map((m) => [m.partition, m.baseOffset])).toEqual([
      [0, '3'],
      [2, '1'],
    ]);
    expect(await highWatermarks(s, topic)).toEqual([4, 2, 2]);
  });

  it('concurrent sends each get offsets of their own, and every message is stored once', async () => {
    const s = await setup();
    const topic = topicName('concurrent');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
    const producer = await s.producer();
    const sends = Array.from({ length: 40 }, (_, i) => producer.send({ topic, messages: [{ value: `a${i}`, partition: i % 2 }, { value: `b${i}`, partition: i % 2 }] }));
    const metas = (await Promise.all(sends)).map(([m]) => m!);
    for (const p of [0, 1]) {
      const offsets = metas.filter((m) => m.partition === p).map((m) => Number(m.baseOffset));
      expect(offsets.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
      const stored = await readAll(s.kafka, topic, p);
      expect(stored).toHaveLength(40);
      // The two messages of one send stay together, in order.
      for (let i = 0; i < stored.length; i += 2) expect(stored[i + 1]!.value!.toString()).toBe(`b${stored[i]!.value!.toString().slice(1)}`);
    }
  });

  it('stores messages in send order with their keys and values', async () => {
    const s = await setup();
    const topic = topicName('order');
    const producer = await s.producer();
    const sent = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `value-${i}`, partition: 0 }));
    await producer.send({ topic, messages: sent });
    const stored = await readAll(s.kafka, topic, 0);
    expect(stored.map((m) => [m.offset, m.key?.toString(), m.value?.toString()])).toEqual(sent.map((m, i) => [String(i), m.key, m.value]));
  });

  it('puts each keyed message on the murmur2 partition of its key', async () => {
    const s = await setup();
    const topic = topicName('keys');
    const partitions = 5;
    await s.cluster.controller.createTopics([{ topic, numPartitions: partitions }]);
    const producer = await s.producer();
    const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    await producer.send({ topic, messages: keys.map((key) => ({ key, value: key })) });
    const seen = new Set<string>();
    for (let p = 0; p < partitions; p++) {
      for (const m of await readAll(s.kafka, topic, p)) {
        const key = m.key!.toString();
        expect(partitionForKey(Buffer.from(key), partitions), key).toBe(p);
        seen.add(key);
      }
    }
    expect(seen.size).toBe(keys.length);
    const [one] = await producer.send({ topic, messages: [{ key: 'user-7', value: 'again' }] });
    expect(one!.partition).toBe(partitionForKey(Buffer.from('user-7'), partitions));
  });

  it('puts a message with an explicit partition there, whatever its key', async () => {
    const s = await setup();
    const topic = topicName('explicit');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 4 }]);
    const producer = await s.producer();
    const key = 'some-key';
    const other = (partitionForKey(Buffer.from(key), 4) + 1) % 4;
    const [meta] = await producer.send({ topic, messages: [{ key, value: 'v', partition: other }] });
    expect(meta!.partition).toBe(other);
    expect((await readAll(s.kafka, topic, other)).map((m) => m.key?.toString())).toEqual([key]);
  });

  it('uses a custom partitioner, and kafkajs round-robin spreads keyless messages over every partition', async () => {
    const s = await setup();
    const topic = topicName('custom');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 3 }]);
    const always2 = await s.producer({ createPartitioner: () => () => 2 });
    const [meta] = await always2.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    expect(meta).toMatchObject({ partition: 2, baseOffset: '0' });
    const roundRobin = await s.producer({ createPartitioner: Partitioners.RoundRobinPartitioner });
    const metas = await roundRobin.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ value: `m${i}` })) });
    expect(metas.map((m) => m.partition).sort()).toEqual([0, 1, 2]);
    expect(await highWatermarks(s, topic)).toEqual([2, 2, 4]);
  });

  it('fails a partition beyond the topic with UNKNOWN_TOPIC_OR_PARTITION (3), storing nothing', async () => {
    const s = await setup();
    const topic = topicName('range');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
    const producer = await s.producer();
    await expect(producer.send({ topic, messages: [{ value: 'ok', partition: 0 }, { value: 'bad', partition: 2 }] })).rejects.toMatchObject({
      name: 'KafkaJSProtocolError',
      code: 3,
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    await expect(producer.send({ topic, messages: [{ value: 'neg', partition: -1 }] })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    expect(await highWatermarks(s, topic)).toEqual([0, 0]);
  });

  it('refuses a message over max.request.size with MESSAGE_TOO_LARGE (10), not retriable', async () => {
    const s = await setup();
    const topic = topicName('too-large');
    const producer = await s.producer();
    await expect(producer.send({ topic, messages: [{ value: Buffer.alloc(1_048_577) }] })).rejects.toMatchObject({ code: 10, type: 'MESSAGE_TOO_LARGE', retriable: false });
    expect(await highWatermarks(s, topic)).toEqual([0]);
  });

  it('stores a message just under max.request.size intact', async () => {
    const s = await setup();
    const topic = topicName('just-under');
    const producer = await s.producer();
    const value = Buffer.alloc(1_048_400);
    for (let i = 0; i < value.length; i += 4096) value[i] = i & 0xff;
    await producer.send({ topic, messages: [{ value }] });
    const [stored] = await readAll(s.kafka, topic, 0);
    expect(Buffer.compare(stored!.value!, value)).toBe(0);
  });

  it("answers a message over the broker's message.max.bytes with MESSAGE_TOO_LARGE (10) and leaves the log unchanged", async () => {
    const s = await setup({ config: { messageMaxBytes: 10_000 } });
    const topic = topicName('broker-limit');
    const producer = await s.producer();
    await producer.send({ topic, messages: [{ value: 'before' }] });
    await expect(producer.send({ topic, messages: [{ value: 'with-it' }, { value: Buffer.alloc(20_000) }] })).rejects.toMatchObject({ code: 10, type: 'MESSAGE_TOO_LARGE' });
    expect(await highWatermarks(s, topic)).toEqual([1]);
    const [after] = await producer.send({ topic, messages: [{ value: 'after' }] });
    expect(after!.baseOffset).toBe('1');
    expect((await readAll(s.kafka, topic, 0)).map((m) => m.value?.toString())).toEqual(['before', 'after']);
  });

  it("splits a send larger than the broker's message.max.bytes into batches it accepts", async () => {
    const s = await setup({ config: { messageMaxBytes: 10_000 } });
    const topic = topicName('split');
    const producer = await s.producer();
    const messages = Array.from({ length: 40 }, (_, i) => ({ value: `${i}:`.padEnd(1000, '.') }));
    const [meta] = await producer.send({ topic, messages });
    expect(meta).toMatchObject({ errorCode: 0, baseOffset: '0' });
    expect((await readAll(s.kafka, topic, 0)).map((m) => m.value?.toString())).toEqual(messages.map((m) => m.value));
  });

  it.each([2, 'x', -2])('rejects acks=%j with INVALID_REQUIRED_ACKS (21)', async (acks) => {
    const s = await setup();
    const producer = await s.producer();
    const topic = topicName('bad-acks');
    await expect(producer.send({ topic, acks: acks as number, messages: [{ value: 'v' }] })).rejects.toMatchObject({ code: 21, type: 'INVALID_REQUIRED_ACKS' });
  });

  it.each([-1, 1, 0])('stores messages sent with acks=%i', async (acks) => {
    const s = await setup();
    const producer = await s.producer();
    const topic = topicName(`acks${acks}`);
    const [meta] = await producer.send({ topic, acks, messages: [{ value: 'a' }, { value: 'b' }] });
    expect(meta).toMatchObject({ topicName: topic, partition: 0, errorCode: 0 });
    if (acks !== 0) expect(meta!.baseOffset).toBe('0');
    await vi.waitFor(async () => expect(await highWatermarks(s, topic)).toEqual([2]));
  });

  it('round-trips headers, null keys, null values and timestamps', async () => {
    const s = await setup();
    const topic = topicName('headers');
    const producer = await s.producer();
    await producer.send({
      topic,
      messages: [
        { key: 'k', value: 'v', timestamp: '1700000000123', headers: { text: 'x', bytes: Buffer.from([1, 2, 3]), multi: ['one', 'two'] } },
        { key: null, value: null },
      ],
    });
    const [first, second] = await readAll(s.kafka, topic, 0);
    expect(first!.timestamp).toBe('1700000000123');
    expect(first!.headers).toEqual({ text: Buffer.from('x'), bytes: Buffer.from([1, 2, 3]), multi: [Buffer.from('one'), Buffer.from('two')] });
    expect(second).toMatchObject({ key: null, value: null, offset: '1', headers: {} });
  });

  it('sendBatch writes to several topics and answers for each', async () => {
    const s = await setup();
    const producer = await s.producer();
    const a = topicName('batch-a');
    const b = topicName('batch-b');
    const metas = await producer.sendBatch({ topicMessages: [{ topic: a, messages: [{ value: '1' }] }, { topic: b, messages: [{ value: '2' }, { value: '3' }] }] });
    expect(metas.map((m) => [m.topicName, m.partition, m.baseOffset])).toEqual([
      [a, 0, '0'],
      [b, 0, '0'],
    ]);
    expect(await highWatermarks(s, b)).toEqual([2]);
  });

  it('auto-creates the topic on first send with one partition', async () => {
    const s = await setup({ brokers: 2 });
    const producer = await s.producer();
    const topic = topicName('auto');
    await producer.send({ topic, messages: [{ value: 'v' }] });
    const [meta] = await s.cluster.controller.fetchMetadata([topic], false);
    expect(meta!.partitions).toHaveLength(1);
    expect(meta!.partitions[0]!.replicas).toHaveLength(1);
  });

  it('fails with UNKNOWN_TOPIC_OR_PARTITION (3) when topic auto-creation is off, in the producer or the cluster', async () => {
    const s = await setup();
    const producer = await s.producer({ allowAutoTopicCreation: false });
    await expect(producer.send({ topic: topicName('off'), messages: [{ value: 'v' }] })).rejects.toMatchObject({ code: 3 });
    const off = await setup({ config: { autoCreateTopics: false } });
    const other = await off.producer();
    await expect(other.send({ topic: topicName('off'), messages: [{ value: 'v' }] })).rejects.toMatchObject({ code: 3 });
    expect(off.cluster.controller.metadata.topicNames()).toEqual([]);
  });

  it('fails an illegal topic name with INVALID_TOPIC_EXCEPTION (17)', async () => {
    const s = await setup();
    const producer = await s.producer();
    await expect(producer.send({ topic: 'no spaces allowed', messages: [{ value: 'v' }] })).rejects.toMatchObject({ code: 17 });
  });

  it('traces each send on mqlab:producer:sends with one operation id', async () => {
    const s = await setup();
    const producer = await s.producer();
    const seen: string[] = [];
    const ids = new Set<number>();
    const handlers = {
      start: (m: unknown) => {
        seen.push('start');
        ids.add((m as { operationId: number }).operationId);
      },
      end: () => void seen.push('end'),
      asyncStart: () => void seen.push('asyncStart'),
      asyncEnd: (m: unknown) => {
        seen.push('asyncEnd');
        ids.add((m as { operationId: number }).operationId);
      },
      error: () => void seen.push('error'),
    };
    const channel = diagnostics.tracingChannel('mqlab:producer:sends');
    channel.subscribe(handlers);
    onTestFinished(() => channel.unsubscribe(handlers));
    await producer.send({ topic: topicName('trace'), messages: [{ value: 'v' }] });
    expect(seen).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(ids.size).toBe(1);
  });
});

describe('Producer state and configuration', () => {
  it('without a cluster, a Kafka client uses the embedded default cluster', async () => {
    const producer = new Kafka({ clientId: 'default-cluster' }).producer();
    await producer.connect();
    onTestFinished(async () => {
      await producer.disconnect();
      await (await defaultCluster()).close();
    });
    const [meta] = await producer.send({ topic: topicName('default'), messages: [{ value: 'v' }] });
    expect(meta).toMatchObject({ errorCode: 0, baseOffset: '0' });
    expect((await defaultCluster()).brokers).toEqual([0]);
  });

  it('send after disconnect fails with KafkaJSError code 13, type DISCONNECTED', async () => {
    const s = await setup();
    const producer = await s.producer();
    await producer.disconnect();
    await expect(producer.send({ topic: topicName('after'), messages: [{ value: 'v' }] })).rejects.toMatchObject({ name: 'KafkaJSError', code: 13, type: 'DISCONNECTED' });
    await expect(producer.sendBatch({ topicMessages: [] })).rejects.toMatchObject({ type: 'DISCONNECTED' });
    await expect(producer.connect()).rejects.toMatchObject({ type: 'DISCONNECTED' });
  });

  it('send before connect fails with NOT_CONNECTED', async () => {
    const s = await setup();
    const producer = s.kafka.producer();
    await expect(producer.send({ topic: topicName('early'), messages: [{ value: 'v' }] })).rejects.toMatchObject({ code: 13, type: 'NOT_CONNECTED' });
  });

  it('emits connect and disconnect instrumentation events', async () => {
    const s = await setup();
    const producer = s.kafka.producer();
    const types: string[] = [];
    producer.on(producer.events.CONNECT, (e) => void types.push(e.type));
    producer.on(producer.events.DISCONNECT, (e) => void types.push(e.type));
    await producer.connect();
    await producer.disconnect();
    expect(types).toEqual(['producer.connect', 'producer.disconnect']);
  });

  it('an idempotent producer with maxInFlightRequests above 5 is a configuration error', async () => {
    const s = await setup();
    expect(thrownBy(() => s.kafka.producer({ idempotent: true, maxInFlightRequests: 6 }))).toMatchObject({ name: 'KafkaJSNonRetriableError', type: 'INVALID_CONFIG' });
    expect(s.kafka.producer({ idempotent: true, maxInFlightRequests: 5 }).isIdempotent()).toBe(true);
  });

  it('an idempotent producer refuses acks other than all, and sends with acks=all', async () => {
    const s = await setup();
    const producer = await s.producer({ idempotent: true });
    const topic = topicName('idempotent');
    await expect(producer.send({ topic, acks: 1, messages: [{ value: 'v' }] })).rejects.toMatchObject({ name: 'KafkaJSNonRetriableError', type: 'INVALID_CONFIG' });
    await expect(producer.send({ topic, acks: 0, messages: [{ value: 'v' }] })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    await expect(producer.send({ topic, messages: [{ value: 'v' }] })).resolves.toEqual([expect.objectContaining({ errorCode: 0, baseOffset: '0' })]);
  });

  it('refuses transactions and compression it does not support', async () => {
    const s = await setup();
    expect(thrownBy(() => s.kafka.producer({ transactionalId: 'tx' }))).toMatchObject({ type: 'INVALID_CONFIG' });
    const producer = await s.producer();
    await expect(producer.send({ topic: topicName('gzip'), compression: 1, messages: [{ value: 'v' }] })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
  });
});
