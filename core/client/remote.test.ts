/**
 * Clients in another thread (shareCluster / attachCluster): a real worker writes with the native
 * writer and reads with the native reader over the main thread's cluster; records cross no port. A
 * kafkajs-shaped consumer in a worker is a member of a group like one in the cluster's thread: it
 * shares the partitions, commits, leaves, and when its thread dies expires by session timeout.
 */
import { randomUUID } from 'node:crypto';
import { Worker, type MessagePort } from 'node:worker_threads';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startCluster, type Cluster } from '../cluster/index.js';
import { ClientContext } from './context.js';
import { Kafka, type Consumer } from './kafka/index.js';
import { PartitionReader } from './native/index.js';
import type { ConsumerJob, ConsumerReport } from './remote-consumer.fixture.js';
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

/** One record as a member processed it. */
interface Seen {
  readonly member: 'main' | 'worker';
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/** A consumer group member in a worker thread (remote-consumer.fixture.ts), and what it reported. */
class WorkerMember {
  readonly worker: Worker;
  memberId = '';
  partitions: readonly number[] = [];
  disconnected = false;
  readonly failures: string[] = [];

  constructor(cluster: Cluster, job: Omit<ConsumerJob, 'port'>, seen: Seen[]) {
    const port = shareCluster(cluster);
    this.worker = new Worker(new URL('./remote-consumer.fixture.js', import.meta.url), { workerData: { ...job, port } satisfies ConsumerJob, transferList: [port] });
    this.worker.on('message', (r: ConsumerReport) => {
      switch (r.kind) {
        case 'joined':
          this.memberId = r.memberId;
          this.partitions = r.partitions;
          break;
        case 'record':
          seen.push({ member: 'worker', partition: r.partition, offset: r.offset, value: r.value });
          break;
        case 'disconnected':
          this.disconnected = true;
          break;
        case 'failed':
          this.failures.push(r.error);
          break;
        default: {
          const unknown: never = r;
          this.failures.push(`unknown report ${JSON.stringify(unknown)}`);
        }
      }
    });
    this.worker.on('error', (error) => this.failures.push(`worker error: ${error.message}`));
    onTestFinished(async () => {
      await this.worker.terminate();
    });
  }
}

const WAIT = { timeout: 15_000, interval: 20 };

async function groupSetup(config: { groupMinSessionTimeoutMs?: number } = {}): Promise<{ cluster: Cluster; kafka: Kafka; topic: string; groupId: string; produce(from: number, count: number): Promise<void> }> {
  const cluster = await startCluster({ config });
  onTestFinished(() => cluster.close());
  const topic = `remote-group-${randomUUID()}`;
  await cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
  const kafka = new Kafka({ clientId: 'remote-test', cluster });
  const producer = kafka.producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  return {
    cluster,
    kafka,
    topic,
    groupId: `remote-group-${randomUUID()}`,
    async produce(from, count) {
      const messages = [];
      for (let i = from; i < from + count; i++) for (const partition of [0, 1]) messages.push({ partition, value: `p${partition}-${i}` });
      await producer.send({ topic, messages });
    },
  };
}

async function mainMember(kafka: Kafka, groupId: string, topic: string, seen: Seen[], timing: { heartbeatInterval: number; sessionTimeout: number }): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, ...timing, maxWaitTimeInMs: 100 });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      seen.push({ member: 'main', partition, offset: Number(message.offset), value: message.value?.toString() ?? '' });
      return Promise.resolve();
    },
  });
  return consumer;
}

/** "partition:offset" of every record seen, sorted (repeats kept: a duplicate shows twice). */
function positions(seen: readonly Seen[]): string[] {
  return seen.map((r) => `${r.partition}:${String(r.offset).padStart(4, '0')}`).sort();
}

function expectedPositions(count: number): string[] {
  return [0, 1].flatMap((p) => Array.from({ length: count }, (_, i) => `${p}:${String(i).padStart(4, '0')}`)).sort();
}

describe('consumer groups across threads', () => {
  it('a worker member and a main-thread member split two partitions, each record is consumed once, and after the worker commits and leaves the main member resumes both from the committed offsets', async () => {
    const s = await groupSetup();
    const timing = { heartbeatInterval: 100, sessionTimeout: 6_000 };
    const seen: Seen[] = [];
    const remote = new WorkerMember(s.cluster, { topic: s.topic, groupId: s.groupId, ...timing }, seen);
    await vi.waitFor(() => expect(remote.partitions).toEqual([0, 1]), WAIT);
    const local = await mainMember(s.kafka, s.groupId, s.topic, seen, timing);
    await vi.waitFor(() => {
      const mine = local.assignment()[s.topic] ?? [];
      expect(mine).toHaveLength(1);
      expect(remote.partitions).toHaveLength(1);
      expect([...mine, ...remote.partitions].sort()).toEqual([0, 1]);
    }, WAIT);
    const group = await local.describeGroup();
    expect(group.members.map((m) => m.memberId).sort()).toEqual([local.memberId, remote.memberId].sort());

    await s.produce(0, 50);
    await vi.waitFor(() => expect(seen).toHaveLength(100), WAIT);
    expect(positions(seen)).toEqual(expectedPositions(50));
    // Each partition went to one member only.
    for (const partition of [0, 1]) expect(new Set(seen.filter((r) => r.partition === partition).map((r) => r.member)).size).toBe(1);
    const workerPartition = remote.partitions[0]!;
    expect(seen.filter((r) => r.member === 'worker').every((r) => r.partition === workerPartition)).toBe(true);

    remote.worker.postMessage('disconnect');
    await vi.waitFor(() => expect(remote.disconnected).toBe(true), WAIT);
    const admin = s.kafka.admin();
    await admin.connect();
    onTestFinished(() => admin.disconnect());
    const [offsets] = await admin.fetchOffsets({ groupId: s.groupId, topics: [s.topic] });
    expect(offsets?.partitions.find((p) => p.partition === workerPartition)?.offset).toBe('50');

    await vi.waitFor(() => expect(local.assignment()[s.topic]).toEqual([0, 1]), WAIT);
    expect((await local.describeGroup()).members.map((m) => m.memberId)).toEqual([local.memberId]);
    await s.produce(50, 50);
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(200), WAIT);
    // Resumed at the worker's committed offset: nothing it processed comes again, nothing is skipped.
    expect(positions(seen)).toEqual(expectedPositions(100));
    expect(seen.filter((r) => r.member === 'main' && r.partition === workerPartition).map((r) => r.offset)).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect(remote.failures).toEqual([]);
  }, 40_000);

  it('a worker member whose thread is terminated stays in the group until its session times out, then its partition is reassigned', async () => {
    // group.min.session.timeout.ms lowered so the dead member expires in about a second.
    const s = await groupSetup({ groupMinSessionTimeoutMs: 500 });
    const timing = { heartbeatInterval: 100, sessionTimeout: 1_500 };
    const seen: Seen[] = [];
    const remote = new WorkerMember(s.cluster, { topic: s.topic, groupId: s.groupId, ...timing }, seen);
    await vi.waitFor(() => expect(remote.partitions).toEqual([0, 1]), WAIT);
    const local = await mainMember(s.kafka, s.groupId, s.topic, seen, timing);
    await vi.waitFor(() => {
      expect(local.assignment()[s.topic]).toHaveLength(1);
      expect(remote.partitions).toHaveLength(1);
    }, WAIT);
    const workerPartition = remote.partitions[0]!;
    await s.produce(0, 10);
    await vi.waitFor(() => expect(seen).toHaveLength(20), WAIT);

    await remote.worker.terminate();
    const terminatedAt = Date.now();
    // No LeaveGroup came from the dead thread: it is still a member, holding its partition.
    expect((await local.describeGroup()).members.map((m) => m.memberId).sort()).toEqual([local.memberId, remote.memberId].sort());
    expect(local.assignment()[s.topic]).toEqual([1 - workerPartition]);

    await vi.waitFor(() => expect(local.assignment()[s.topic]).toEqual([0, 1]), WAIT);
    expect(Date.now() - terminatedAt).toBeGreaterThanOrEqual(timing.sessionTimeout / 2);
    expect((await local.describeGroup()).members.map((m) => m.memberId)).toEqual([local.memberId]);
    await s.produce(10, 10);
    // At least once: what the dead member processed but had not committed may come again.
    await vi.waitFor(() => expect(new Set(positions(seen))).toEqual(new Set(expectedPositions(20))), WAIT);
    expect(remote.failures).toEqual([]);
  }, 40_000);
});
