import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { mqlabAmqplibDriver } from '../drivers/mqlab-amqplib.js';
import type { Driver, MessageSink } from '../drivers/types.js';
import { captureEnv } from '../env.js';
import type { Measurement } from '../micro/types.js';
import { buildResults, readResults, scenarioFromMeasurement, writeResults } from '../results.js';
import { parseWorkload } from '../workload.js';
import { searchMaxRate } from './max-rate.js';
import { OFF_SEQUENCE } from './payload.js';
import { runWorkload, type ProgressSample } from './run-workload.js';

const work = parseWorkload(
  {
    id: 'test.amqp.work',
    model: 'amqp',
    queues: [{ name: 'jobs' }],
    publish: { exchange: '', routingKeys: ['jobs'] },
    producers: 1,
    consumers: 2,
    messageSize: 64,
    rate: 20_000,
    durationS: 0.3,
    warmupS: 0.1,
  },
  'test',
);

/** mqlab's amqplib-shaped driver with a consumer that drops, repeats and swaps chosen messages. */
function faultyDriver(): Driver {
  return {
    ...mqlabAmqplibDriver,
    // The wrapped consumer sink lives in this thread, so both ends open here (in-process transport).
    producersIn: 'main',
    consumersIn: 'main',
    async open(workload, runId) {
      const session = await mqlabAmqplibDriver.open(workload, runId);
      return {
        targets: session.targets,
        brokerThreads: session.brokerThreads,
        openProducer: (i) => session.openProducer(i),
        workerSpec: (role, i) => session.workerSpec(role, i),
        close: () => session.close(),
        openConsumer: (i, sink) => {
          let held: Uint8Array | undefined;
          const faulty: MessageSink = (bytes, offset, length) => {
            const seq = new DataView(bytes.buffer, bytes.byteOffset + offset, length).getUint32(OFF_SEQUENCE, true);
            if (seq === 100) return; // lost
            if (seq === 200) sink(bytes, offset, length); // duplicated
            if (seq === 300) {
              held = bytes.slice(offset, offset + length); // delivered after 301: reordered
              return;
            }
            sink(bytes, offset, length);
            if (seq === 301 && held !== undefined) sink(held, 0, held.length);
          };
          return session.openConsumer(i, faulty);
        },
      };
    },
  };
}

describe('workload runner', () => {
  it('a short native Kafka run with producer and consumer workers writes a valid results file', async () => {
    const workload = parseWorkload(
      { id: 'test.kafka.e2e', model: 'kafka', driver: 'mqlab-native', partitions: 2, acks: 1, producers: 1, consumers: 1, messageSize: 200, rate: 20_000, durationS: 1.2, warmupS: 0.1 },
      'test',
    );
    const progress: ProgressSample[] = [];
    const m = await runWorkload(workload, { onProgress: (p) => progress.push(p) });
    expect(m.error).toBeUndefined();
    expect(m.delivery).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
    expect(m.messages).toBeGreaterThan(0);
    // The main thread, one broker, and two generator workers (the producer and the consumer).
    expect(m.threads).toBe(4);
    expect(m.latency?.hdr?.length ?? 0).toBeGreaterThan(0);
    expect(m.latencyActual).toBeDefined();
    expect(progress.length).toBeGreaterThan(0);
    const env = captureEnv();
    const dir = mkdtempSync(join(tmpdir(), 'mqlab-runner-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'results.json');
    writeResults(file, buildResults('workload', env, [scenarioFromMeasurement(m, env.cores)]));
    const s = readResults(file).scenarios[0]!;
    expect(s).toMatchObject({ id: 'test.kafka.e2e', status: 'ok', lost: 0, duplicated: 0, reordered: 0 });
    expect(s.latency?.p999_us).toBeGreaterThanOrEqual(s.latency?.p50_us ?? Infinity);
  }, 30_000);

  it('a clean AMQP work-queue run passes its delivery checks', async () => {
    const m = await runWorkload(work);
    expect(m.error).toBeUndefined();
    expect(m.delivery).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
  }, 20_000);

  it('a consumer that drops, repeats and swaps messages fails the scenario', async () => {
    // One consumer, so the swapped pair reaches the same one.
    const m = await runWorkload({ ...work, consumers: 1 }, { driverImpl: faultyDriver() });
    expect(m.delivery).toEqual({ lost: 1, duplicated: 1, reordered: 1 });
    expect(m.error).toMatch(/1 lost, 1 duplicated, 1 reordered/);
    const env = captureEnv();
    expect(scenarioFromMeasurement(m, env.cores).status).toBe('failed');
  }, 20_000);
});

describe('RPC workloads', () => {
  const rpc = parseWorkload(
    {
      id: 'test.amqp.rpc',
      model: 'amqp',
      queues: [{ name: 'rpc_queue' }],
      publish: { exchange: '', routingKeys: ['rpc_queue'] },
      rpc: { replyTo: 'direct' },
      producers: 2,
      consumers: 2,
      messageSize: 64,
      rate: 2_000,
      durationS: 0.4,
      warmupS: 0.1,
    },
    'test',
  );

  const rpcOverQueue = parseWorkload({ ...rpc, id: 'test.amqp.rpc.queue', rpc: { replyTo: 'queue' } }, 'test');

  it('on mqlab-amqplib, clients and servers in workers reach the host through ports; replies match by correlation id', async () => {
    const m = await runWorkload(rpcOverQueue, { driver: 'mqlab-amqplib' });
    expect(m.error).toBeUndefined();
    expect(m.delivery).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
    expect(m.messages).toBeGreaterThan(0.5 * 2_000 * 0.4);
    expect(m.params).toMatchObject({ rpc_reply_to: 'queue' });
    // The main thread (host) and four generator workers (two clients, two servers).
    expect(m.threads).toBe(5);
  }, 30_000);

  it('on mqlab-amqplib placed in the main thread, clients and servers share the in-process host', async () => {
    const inMain: Driver = { ...mqlabAmqplibDriver, producersIn: 'main', consumersIn: 'main' };
    for (const [workload, replyTo] of [[rpc, 'direct'], [rpcOverQueue, 'queue']] as const) {
      const m = await runWorkload(workload, { driverImpl: inMain });
      expect(m.skipped).toBeUndefined();
      expect(m.error).toBeUndefined();
      expect(m.delivery).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
      expect(m.messages).toBeGreaterThan(0.5 * 2_000 * 0.4);
      expect(m.latency?.p50_us ?? 0).toBeGreaterThan(0);
      expect(m.params).toMatchObject({ rpc_reply_to: replyTo });
      // No generator worker: the host and every client and server run in this thread.
      expect(m.threads).toBe(1);
    }
  }, 30_000);

  it('against RabbitMQ, every request of each client gets its reply once, timed as a round trip', async () => {
    const m = await runWorkload(rpc, { driver: 'rabbitmq' });
    expect(m.skipped).toBeUndefined();
    expect(m.error).toBeUndefined();
    expect(m.delivery).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
    expect(m.id).toBe('peer.rabbitmq.test.amqp.rpc');
    expect(m.messages).toBeGreaterThan(0.5 * 2_000 * 0.4);
    expect(m.latency?.p50_us ?? 0).toBeGreaterThan(0);
    expect(m.params).toMatchObject({ rpc_reply_to: 'direct', rpc_reply_order: 'not checked (competing servers)' });
  }, 30_000);
});

describe('max sustainable rate search', () => {
  it('bisects to the highest rate that keeps p99 under the bound and records the curve', async () => {
    // A fake system: p99 grows past 1 ms above 300k msgs/s.
    const trial = (rate: number): Promise<Measurement> =>
      Promise.resolve({
        id: 'fake',
        target: 'fake',
        params: { rate_msgs_per_s: rate },
        messages: rate,
        payloadBytes: 0,
        elapsedNs: 1e9,
        threads: 1,
        latency: { p50_us: 10, p90_us: 20, p99_us: rate > 300_000 ? 5_000 : 100, p999_us: 0, max_us: 0, mean_us: 0, hdr: '' },
      });
    const { best, curve } = await searchMaxRate({ p99Us: 1_000, trialS: 1, warmupS: 0, minRate: 10_000, maxRate: 10_000_000, steps: 8 }, trial);
    const found = Number(best?.params.rate_msgs_per_s);
    expect(found).toBeLessThanOrEqual(300_000);
    expect(found).toBeGreaterThan(250_000);
    expect(curve.length).toBe(10);
    expect(curve.map((c) => c.rate_msgs_per_s)).toEqual([...curve.map((c) => c.rate_msgs_per_s)].sort((a, b) => a - b));
  });
});
