/**
 * Kafka-model macro scenarios on an embedded cluster: the native API (PartitionWriter /
 * PartitionReader) and the kafkajs-shaped one, 200-byte values. Each returns raw counts and times;
 * nothing here prints.
 */
import { startCluster, type Cluster } from '../../core/cluster/index.js';
import { ClientContext } from '../../core/client/context.js';
import { Kafka } from '../../core/client/kafka/index.js';
import { PartitionReader, PartitionWriter } from '../../core/client/native/index.js';
import type { Measurement, MicroOptions } from '../micro/types.js';
import { PAYLOAD_BYTES } from '../micro/types.js';

/** Bytes of records per produce frame for the native writer. */
const NATIVE_BATCH_BYTES = 256 * 1024;
/** Keep the embedded log bounded while producing at gigabytes per second: retired segments are reused. */
const RETENTION_BYTES = 512 * 1024 * 1024;
const COMPAT_BATCH = 1_000;
/** Per replica, for the replicated scenarios. */
const REPLICATED_RETENTION_BYTES = 64 * 1024 * 1024;

function payload(): Uint8Array {
  const value = new Uint8Array(PAYLOAD_BYTES);
  for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff;
  return value;
}

async function withCluster<T>(brokers: number, run: (cluster: Cluster, ctx: ClientContext) => Promise<T>, partitions = 1, retentionBytes = RETENTION_BYTES): Promise<T> {
  const cluster = await startCluster({ brokers, config: { retentionBytes: Math.floor(retentionBytes / partitions) } });
  const ctx = new ClientContext(cluster);
  try {
    return await run(cluster, ctx);
  } finally {
    await ctx.close();
    await cluster.close();
  }
}

/** Appends for `durationMs` (after a warm-up) to the given writers in turn; returns records and ns. */
async function produceFor(writers: readonly PartitionWriter[], durationMs: number): Promise<{ messages: number; elapsedNs: number }> {
  const value = payload();
  const chunk = 4096;
  const warmupEnd = performance.now() + Math.min(300, durationMs / 3);
  let w = 0;
  const pump = async (until: number): Promise<number> => {
    let sent = 0;
    while (performance.now() < until) {
      const writer = writers[w]!;
      w = (w + 1) % writers.length;
      for (let i = 0; i < chunk; i++) {
        while (!writer.append(null, value)) await writer.ready();
      }
      sent += chunk;
    }
    return sent;
  };
  await pump(warmupEnd);
  await Promise.all(writers.map((x) => x.flush()));
  const start = process.hrtime.bigint();
  const sent = await pump(performance.now() + durationMs);
  await Promise.all(writers.map((x) => x.flush()));
  return { messages: sent, elapsedNs: Number(process.hrtime.bigint() - start) };
}

export async function kafkaProduce(options: MicroOptions, partitions: number): Promise<Measurement> {
  return withCluster(1, async (cluster, ctx) => {
    const topic = `bench-produce-p${partitions}`;
    await cluster.controller.createTopics([{ topic, numPartitions: partitions }]);
    const writers = await Promise.all(Array.from({ length: partitions }, (_, p) => PartitionWriter.open(ctx, topic, p, { acks: 1, batchSize: NATIVE_BATCH_BYTES })));
    const { messages, elapsedNs } = await produceFor(writers, options.durationMs);
    return {
      id: partitions === 1 ? 'kafka.produce.200B' : `kafka.produce.200B.p${partitions}`,
      target: 'mqlab',
      params: { api: 'native', brokers: 1, partitions, acks: 1, batch_bytes: NATIVE_BATCH_BYTES, payload_bytes: PAYLOAD_BYTES },
      messages,
      payloadBytes: messages * PAYLOAD_BYTES,
      elapsedNs,
      threads: 2,
    };
  }, partitions);
}

/**
 * kafka.produce.rf3.acksall.200B and kafka.produce.rf3.acks1.200B: the native writer on a 3-broker
 * cluster, one partition with 3 replicas and min.insync.replicas=2. With acks=all every batch is
 * answered only once both followers copied it into their own memory (followers copy in their own
 * broker threads: 4 threads on 2 cores).
 */
export async function kafkaProduceReplicated(options: MicroOptions, acks: -1 | 1): Promise<Measurement> {
  return withCluster(3, async (cluster, ctx) => {
    const topic = `bench-produce-rf3-acks${acks === -1 ? 'all' : '1'}`;
    await cluster.controller.createTopics([{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }]);
    await cluster.controller.settled();
    const writer = await PartitionWriter.open(ctx, topic, 0, { acks, batchSize: NATIVE_BATCH_BYTES });
    const { messages, elapsedNs } = await produceFor([writer], options.durationMs);
    const isr = cluster.controller.metadata.topic(topic)!.partitions[0]!.isr.length;
    return {
      id: acks === -1 ? 'kafka.produce.rf3.acksall.200B' : 'kafka.produce.rf3.acks1.200B',
      target: 'mqlab',
      params: { api: 'native', brokers: 3, partitions: 1, replication_factor: 3, min_insync_replicas: 2, acks: acks === -1 ? 'all' : 1, batch_bytes: NATIVE_BATCH_BYTES, payload_bytes: PAYLOAD_BYTES },
      messages,
      payloadBytes: messages * PAYLOAD_BYTES,
      elapsedNs,
      threads: 4,
      extra: { isr_at_end: isr },
    };
    // Three replicas each keep their own copy: a smaller retention reuses segment memory sooner
    // instead of faulting in fresh pages for three logs.
  }, 1, REPLICATED_RETENTION_BYTES);
}

export async function kafkaConsume(options: MicroOptions): Promise<Measurement> {
  return withCluster(1, async (_cluster, ctx) => {
    const topic = 'bench-consume';
    const writer = await PartitionWriter.open(ctx, topic, 0, { acks: 1, batchSize: NATIVE_BATCH_BYTES });
    // Enough records for about the measured time at the target rate, within retention.
    const total = Math.min(2_000_000, Math.max(200_000, Math.round((options.durationMs / 1000) * 2_000_000)));
    const value = payload();
    for (let i = 0; i < total; i++) while (!writer.append(null, value)) await writer.ready();
    await writer.flush();
    const reader = await PartitionReader.open(ctx, topic, 0, { fromOffset: 'earliest' });
    const c = reader.cursor;
    let messages = 0;
    let bytes = 0;
    let elapsedNs = 0;
    // Several passes over the log: each pass re-reads every record from shared memory.
    const passes = Math.max(1, Math.round(options.durationMs / 200));
    for (let pass = 0; pass < passes; pass++) {
      reader.seek(reader.logStartOffset);
      const start = process.hrtime.bigint();
      while (c.next()) {
        messages++;
        bytes += c.valueLength;
      }
      elapsedNs += Number(process.hrtime.bigint() - start);
    }
    reader.close();
    return {
      id: 'kafka.consume.200B',
      target: 'mqlab',
      params: { api: 'native', brokers: 1, partitions: 1, payload_bytes: PAYLOAD_BYTES, records: total },
      messages,
      payloadBytes: bytes,
      elapsedNs,
      threads: 1,
    };
  });
}

export async function kafkaCompatProduce(options: MicroOptions): Promise<Measurement> {
  return withCluster(1, async (cluster) => {
    const kafka = new Kafka({ clientId: 'bench', cluster });
    const producer = kafka.producer();
    await producer.connect();
    const value = Buffer.from(payload());
    const messages = Array.from({ length: COMPAT_BATCH }, () => ({ value }));
    const topic = 'bench-compat-produce';
    await producer.send({ topic, messages, acks: 1 });
    let sent = 0;
    const start = process.hrtime.bigint();
    const until = performance.now() + options.durationMs;
    while (performance.now() < until) {
      await producer.send({ topic, messages, acks: 1 });
      sent += COMPAT_BATCH;
    }
    const elapsedNs = Number(process.hrtime.bigint() - start);
    await producer.disconnect();
    return {
      id: 'kafka.compat.produce.200B',
      target: 'mqlab',
      params: { api: 'kafkajs-shaped', brokers: 1, partitions: 1, acks: 1, messages_per_send: COMPAT_BATCH, payload_bytes: PAYLOAD_BYTES },
      messages: sent,
      payloadBytes: sent * PAYLOAD_BYTES,
      elapsedNs,
      threads: 2,
    };
  });
}

export async function kafkaCompatConsume(options: MicroOptions): Promise<Measurement> {
  return withCluster(1, async (cluster, ctx) => {
    const topic = 'bench-compat-consume';
    const total = Math.min(1_000_000, Math.max(100_000, Math.round((options.durationMs / 1000) * 1_000_000)));
    const writer = await PartitionWriter.open(ctx, topic, 0, { acks: 1, batchSize: NATIVE_BATCH_BYTES });
    const value = payload();
    for (let i = 0; i < total; i++) while (!writer.append(null, value)) await writer.ready();
    await writer.flush();
    const kafka = new Kafka({ clientId: 'bench', cluster });
    const consumer = kafka.consumer({ groupId: 'bench-compat', heartbeatInterval: 1_000, sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    let bytes = 0;
    let start = 0n;
    const done = new Promise<bigint>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          if (seen === 0) start = process.hrtime.bigint();
          seen++;
          bytes += message.value?.length ?? 0;
          if (seen === total) resolve(process.hrtime.bigint());
          return Promise.resolve();
        },
      });
    });
    const end = await done;
    await consumer.disconnect();
    return {
      id: 'kafka.compat.consume.200B',
      target: 'mqlab',
      params: { api: 'kafkajs-shaped', handler: 'eachMessage', brokers: 1, partitions: 1, payload_bytes: PAYLOAD_BYTES, records: total },
      messages: seen - 1,
      payloadBytes: bytes,
      elapsedNs: Number(end - start),
      threads: 2,
    };
  });
}
