/**
 * Kafka-model macro scenarios on an embedded cluster: the native API (PartitionWriter /
 * PartitionReader) and the kafkajs-shaped one, 200-byte values. Each returns raw counts and times;
 * nothing here prints.
 */
import { Worker } from 'node:worker_threads';
import { startCluster, type Cluster } from '../../core/cluster/index.js';
import { ClientContext } from '../../core/client/context.js';
import { Kafka } from '../../core/client/kafka/index.js';
import { PartitionReader, PartitionWriter } from '../../core/client/native/index.js';
import type { Measurement, MicroOptions } from '../micro/types.js';
import { PAYLOAD_BYTES } from '../micro/types.js';
import { decodeHistogram, summarizeLatency } from '../stats/latency.js';
import type { E2eConsumerData, E2eConsumerResult } from './kafka-e2e-consumer.js';

/** Bytes of records per produce frame for the native writer. */
const NATIVE_BATCH_BYTES = 256 * 1024;
/** Keep the embedded log bounded while producing at gigabytes per second: retired segments are reused. */
const RETENTION_BYTES = 512 * 1024 * 1024;
const COMPAT_BATCH = 1_000;
/** The e2e producer's send interval. */
const PACE_MS = 0.1;
const pacer = new Int32Array(new SharedArrayBuffer(4));

function payload(): Uint8Array {
  const value = new Uint8Array(PAYLOAD_BYTES);
  for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff;
  return value;
}

async function withCluster<T>(brokers: number, run: (cluster: Cluster, ctx: ClientContext) => Promise<T>, partitions = 1): Promise<T> {
  const cluster = await startCluster({ brokers, config: { retentionBytes: Math.floor(RETENTION_BYTES / partitions) } });
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

/**
 * End-to-end latency at a constant offered rate: the main thread produces on a 100 µs schedule (open
 * loop; each message carries its intended send time), a consumer worker reads the leader's log and
 * records now - intended, so a late tick counts against latency (no coordinated omission).
 */
export async function kafkaE2e(options: MicroOptions, ratePerS: number): Promise<Measurement> {
  return withCluster(1, async (_cluster, ctx) => {
    const topic = 'bench-e2e';
    const writer = await PartitionWriter.open(ctx, topic, 0, { acks: 1, batchSize: NATIVE_BATCH_BYTES });
    const topicMeta = await ctx.topic(topic, false);
    const { port1, port2 } = new (await import('node:worker_threads')).MessageChannel();
    const broker = ctx.cluster.broker(topicMeta.partitions[0]!.leader)!;
    const descriptor = await broker.call('openReader', { topicId: topicMeta.topicId, partition: 0, port: port2 }, [port2]);
    const warmupMs = Math.min(500, options.durationMs / 2);
    const data: E2eConsumerData = { descriptor, port: port1, skipBeforeNs: 0 };
    const worker = new Worker(new URL('./kafka-e2e-consumer.js', import.meta.url), { workerData: data, transferList: [port1] });
    const result = new Promise<E2eConsumerResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await new Promise<void>((resolve) => worker.once('online', () => resolve()));
    const value = new Uint8Array(PAYLOAD_BYTES);
    const view = new DataView(value.buffer);
    const perMs = ratePerS / 1000;
    // Times are monotonic nanoseconds (process.hrtime, shared by all threads) as float64: exact to
    // 2^53 ns, and no BigInt per message, so the measurement adds no garbage of its own.
    const t0 = Number(process.hrtime.bigint());
    const total = Math.round(((options.durationMs + warmupMs) / 1000) * ratePerS);
    view.setFloat64(8, t0 + warmupMs * 1e6, true);
    const nsPerMessage = 1e9 / ratePerS;
    let sent = 0;
    while (sent < total) {
      const elapsedMs = (Number(process.hrtime.bigint()) - t0) / 1e6;
      const due = Math.min(total, Math.floor(elapsedMs * perMs));
      while (sent < due) {
        // The intended send time of message k is t0 + k / rate.
        view.setFloat64(0, t0 + sent * nsPerMessage, true);
        while (!writer.append(null, value)) await writer.ready();
        sent++;
      }
      writer.send();
      // Pace at ~100 µs: a bounded sleep, then one turn of the event loop so acks are read.
      Atomics.wait(pacer, 0, 0, PACE_MS);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The end marker: a zero intended time.
    view.setFloat64(0, 0, true);
    writer.append(null, value);
    await writer.flush();
    const r = await result;
    await worker.terminate();
    const h = decodeHistogram(r.histogram);
    const latency = summarizeLatency(h);
    return {
      id: 'kafka.e2e.200B',
      target: 'mqlab',
      params: { api: 'native', brokers: 1, partitions: 1, acks: 1, rate_msgs_per_s: ratePerS, payload_bytes: PAYLOAD_BYTES },
      messages: r.count,
      payloadBytes: r.count * PAYLOAD_BYTES,
      elapsedNs: options.durationMs * 1e6,
      threads: 3,
      latency: { p50_us: latency.p50_us, p90_us: latency.p90_us, p99_us: latency.p99_us, p999_us: latency.p999_us, max_us: latency.max_us, mean_us: latency.mean_us, hdr: latency.hdr },
    };
  });
}
