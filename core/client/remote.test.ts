/**
 * Clients in another thread (shareCluster / attachCluster): a real worker writes with the native
 * writer and reads with the native reader over the main thread's cluster; records cross no port.
 */
import { randomUUID } from 'node:crypto';
import { Worker, type MessagePort } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startCluster } from '../cluster/index.js';
import { ClientContext } from './context.js';
import { PartitionReader } from './native/index.js';
import { attachCluster, shareCluster } from './remote.js';

interface Outcome {
  readonly ok: boolean;
  readonly values?: string[];
  readonly acknowledged?: number;
  readonly error?: string;
}

async function runWorker(port: MessagePort, topic: string, count: number, acks: -1 | 1): Promise<Outcome> {
  const worker = new Worker(new URL('./remote.fixture.js', import.meta.url), { workerData: { port, topic, count, acks }, transferList: [port] });
  // A worker that dies or exits without answering fails the test with what happened, not a timeout.
  const outcome = await new Promise<Outcome>((resolve) => {
    worker.once('message', (o: Outcome) => resolve(o));
    worker.once('error', (error) => resolve({ ok: false, error: `worker error: ${error.message}` }));
    worker.once('exit', (code) => resolve({ ok: false, error: `worker exited with code ${code} before answering` }));
  });
  await worker.terminate();
  return outcome;
}

describe('clients in another thread', () => {
  it('a worker writes and reads a replicated partition through a shared cluster; the main thread reads the same records', async () => {
    const cluster = await startCluster({ brokers: 3 });
    onTestFinished(() => cluster.close());
    const topic = `remote-${randomUUID()}`;
    await cluster.controller.createTopics([{ topic, numPartitions: 1, replicationFactor: 3 }]);
    await cluster.controller.settled();
    const outcome = await runWorker(shareCluster(cluster), topic, 5_000, -1);
    expect(outcome.error).toBeUndefined();
    expect(outcome.acknowledged).toBe(5_000);
    const expected = Array.from({ length: 5_000 }, (_, i) => `w${i}`);
    expect(outcome.values).toEqual(expected);
    const ctx = new ClientContext(cluster);
    onTestFinished(() => ctx.close());
    const reader = await PartitionReader.open(ctx, topic, 0);
    const seen: string[] = [];
    while (reader.cursor.next()) seen.push(Buffer.from(reader.cursor.value()!).toString());
    reader.close();
    expect(seen).toEqual(expected);
  });

  it('an unknown topic without auto-creation, and the cluster-only API, give typed errors across the thread hop', async () => {
    const cluster = await startCluster({ config: { autoCreateTopics: false } });
    onTestFinished(() => cluster.close());
    const ctx = await attachCluster(shareCluster(cluster));
    onTestFinished(() => ctx.close());
    await expect(ctx.topic('missing', true)).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3 });
    expect(() => ctx.cluster).toThrow(/another thread/);
  });
});
