/**
 * startCluster with real broker worker threads: broker ids, thread cleanup, the controller's topic
 * rules, and fault injection (kill / restart). Each test closes its cluster when it finishes.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Kafka } from '../client/kafka/index.js';
import { channels } from '../diagnostics.js';
import { startCluster, type Cluster, type ClusterOptions } from './index.js';

async function cluster(options: ClusterOptions = {}): Promise<Cluster> {
  const c = await startCluster(options);
  onTestFinished(() => c.close());
  return c;
}

function topicName(label: string): string {
  return `${label}-${randomUUID()}`;
}

/** OS threads of this process (worker threads are OS threads; Linux only). */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

/** A kafkajs client that does not retry, so that a failure shows as it happened. */
function kafkaFor(c: Cluster): Kafka {
  return new Kafka({ clientId: 'cluster-test', cluster: c, retry: { retries: 0 } });
}

async function connectedProducer(c: Cluster): Promise<ReturnType<Kafka['producer']>> {
  const producer = kafkaFor(c).producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  return producer;
}

describe('startCluster', () => {
  it('starts brokers with ids 0..n-1, all live', async () => {
    const c = await cluster({ brokers: 3 });
    expect(c.brokers).toEqual([0, 1, 2]);
    expect(c.controller.metadata.liveBrokers).toEqual([0, 1, 2]);
    for (const id of c.brokers) expect(c.broker(id)?.alive).toBe(true);
    expect(c.broker(3)).toBeUndefined();
  });

  it('starts one broker by default', async () => {
    const c = await cluster();
    expect(c.brokers).toEqual([0]);
  });

  it('rejects a broker count outside 1..64 and an invalid config', async () => {
    await expect(startCluster({ brokers: 0 })).rejects.toMatchObject({ type: 'INVALID_ARGUMENT' });
    await expect(startCluster({ brokers: 1.5 })).rejects.toMatchObject({ type: 'INVALID_ARGUMENT' });
    await expect(startCluster({ config: { numPartitions: 0 } })).rejects.toMatchObject({ type: 'INVALID_CONFIG', code: 40 });
    await expect(startCluster({ config: { messageMaxBytes: 2_000_000, segmentBytes: 1_000_000 } })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
  });

  it('close() ends every broker thread and leaves no Worker resources', async () => {
    // Warm up once, so threads the runtime starts lazily (libuv's pool) are not counted as leaks.
    await (await startCluster({ brokers: 1 })).close();
    const before = threadCount();
    const c = await startCluster({ brokers: 3 });
    onTestFinished(() => c.close());
    expect(threadCount()).toBeGreaterThanOrEqual(before + 3);
    const producer = kafkaFor(c).producer();
    await producer.connect();
    await producer.send({ topic: topicName('close'), messages: [{ value: 'v' }] });
    await producer.disconnect();
    await c.close();
    expect(c.closed).toBe(true);
    expect(threadCount()).toBe(before);
    expect(process.getActiveResourcesInfo()).not.toContain('Worker');
    // A second close is a no-op.
    await c.close();
  });

  it('kill() takes a broker out and restart() brings it back, publishing each on mqlab:broker:lifecycle', async () => {
    const c = await cluster({ brokers: 2 });
    const events: unknown[] = [];
    const listener = (message: unknown): void => void events.push(message);
    channels.brokerLifecycle.subscribe(listener);
    onTestFinished(() => void channels.brokerLifecycle.unsubscribe(listener));
    await c.kill(1);
    expect(c.broker(1)).toBeUndefined();
    expect(c.controller.metadata.liveBrokers).toEqual([0]);
    await c.restart(1);
    expect(c.broker(1)?.alive).toBe(true);
    expect(c.controller.metadata.liveBrokers).toEqual([0, 1]);
    expect(events).toEqual([
      { brokerId: 1, event: 'lost' },
      { brokerId: 1, event: 'started' },
      { brokerId: 1, event: 'restarted' },
    ]);
  });

  it('kill() of a broker id the cluster does not have throws INVALID_ARGUMENT', async () => {
    const c = await cluster({ brokers: 1 });
    await expect(c.kill(5)).rejects.toMatchObject({ type: 'INVALID_ARGUMENT' });
  });
});

describe('broker failure (replication factor 1)', () => {
  it('a killed broker leaves its partition leaderless while the other partitions keep serving', async () => {
    const c = await cluster({ brokers: 3 });
    const topic = topicName('kill');
    await c.controller.createTopics([{ topic, numPartitions: 3, replicationFactor: 1 }]);
    const producer = await connectedProducer(c);
    // The producer has been writing to every partition, so its metadata names the old leaders.
    for (let p = 0; p < 3; p++) await producer.send({ topic, messages: [{ value: `before-${p}`, partition: p }] });

    const [before] = await c.controller.fetchMetadata([topic], false);
    const victim = before!.partitions[0]!.leader;
    const epoch = before!.partitions[0]!.leaderEpoch;
    await c.kill(victim);

    const [after] = await c.controller.fetchMetadata([topic], false);
    const dead = after!.partitions[0]!;
    expect(dead.leader).toBe(-1);
    expect(dead.partitionErrorCode).toBe(5);
    expect(dead.offlineReplicas).toEqual([victim]);
    expect(dead.leaderEpoch).toBeGreaterThan(epoch);

    await expect(producer.send({ topic, messages: [{ value: 'lost', partition: 0 }] })).rejects.toMatchObject({
      name: 'KafkaJSProtocolError',
      type: 'LEADER_NOT_AVAILABLE',
      code: 5,
      retriable: true,
    });

    for (const p of [1, 2]) {
      const [meta] = await producer.send({ topic, messages: [{ value: `after-${p}`, partition: p }] });
      expect(meta).toMatchObject({ partition: p, errorCode: 0, baseOffset: '1' });
    }
  });

  it('a restarted broker leads its partitions again, with the records it held lost', async () => {
    const c = await cluster({ brokers: 3 });
    const topic = topicName('restart');
    await c.controller.createTopics([{ topic, numPartitions: 3, replicationFactor: 1 }]);
    const producer = await connectedProducer(c);
    await producer.send({ topic, messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 0 }] });
    const [before] = await c.controller.fetchMetadata([topic], false);
    const victim = before!.partitions[0]!.leader;

    await c.kill(victim);
    await c.restart(victim);

    const [after] = await c.controller.fetchMetadata([topic], false);
    expect(after!.partitions[0]).toMatchObject({ leader: victim, partitionErrorCode: 0, offlineReplicas: [] });
    const [meta] = await producer.send({ topic, messages: [{ value: 'c', partition: 0 }] });
    expect(meta).toMatchObject({ partition: 0, errorCode: 0, baseOffset: '0' });
  });

  it('a producer that retries rides out its leader being killed and restarted', async () => {
    const c = await cluster({ brokers: 2 });
    const topic = topicName('ride-out');
    await c.controller.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
    const producer = new Kafka({ cluster: c, retry: { initialRetryTime: 50, retries: 10 } }).producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    await producer.send({ topic, messages: [{ value: 'first', partition: 0 }] });
    const [meta] = await c.controller.fetchMetadata([topic], false);
    const victim = meta!.partitions[0]!.leader;
    await c.kill(victim);
    const sending = producer.send({ topic, messages: [{ value: 'second', partition: 0 }] });
    await c.restart(victim);
    await expect(sending).resolves.toEqual([expect.objectContaining({ partition: 0, errorCode: 0, baseOffset: '0' })]);
  });

  it('restart() of a running broker replaces it with an empty one', async () => {
    const c = await cluster({ brokers: 1 });
    const topic = topicName('hot-restart');
    const producer = await connectedProducer(c);
    await producer.send({ topic, messages: [{ value: 'a' }] });
    await c.restart(0);
    const [meta] = await producer.send({ topic, messages: [{ value: 'b' }] });
    expect(meta).toMatchObject({ errorCode: 0, baseOffset: '0' });
  });
});

describe('controller topics', () => {
  it('auto-creates a topic on metadata with num.partitions and default.replication.factor', async () => {
    const c = await cluster({ brokers: 3 });
    const topic = topicName('auto');
    const [meta] = await c.controller.fetchMetadata([topic], true);
    expect(meta).toMatchObject({ name: topic, isInternal: false });
    expect(meta!.partitions).toHaveLength(1);
    expect(meta!.partitions[0]!.replicas).toHaveLength(1);
  });

  it('uses the configured numPartitions and defaultReplicationFactor, placing replicas on distinct brokers', async () => {
    const c = await cluster({ brokers: 3, config: { numPartitions: 4, defaultReplicationFactor: 2 } });
    const [meta] = await c.controller.fetchMetadata([topicName('defaults')], true);
    expect(meta!.partitions.map((p) => p.partitionId)).toEqual([0, 1, 2, 3]);
    for (const p of meta!.partitions) {
      expect(p.replicas).toHaveLength(2);
      expect(new Set(p.replicas).size).toBe(2);
      expect(p.leader).toBe(p.replicas[0]);
    }
    // Leaders spread over the brokers.
    expect(new Set(meta!.partitions.map((p) => p.leader)).size).toBe(3);
  });

  it('does not auto-create when autoCreateTopics is false: UNKNOWN_TOPIC_OR_PARTITION (3)', async () => {
    const c = await cluster({ config: { autoCreateTopics: false } });
    const topic = topicName('no-auto');
    await expect(c.controller.fetchMetadata([topic], true)).rejects.toMatchObject({ code: 3, type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(c.controller.metadata.topicNames()).not.toContain(topic);
  });

  it('rejects a topic that exists with TOPIC_ALREADY_EXISTS (36)', async () => {
    const c = await cluster();
    const topic = topicName('dup');
    await c.controller.createTopics([{ topic, numPartitions: 2 }]);
    await expect(c.controller.createTopics([{ topic, numPartitions: 5 }])).rejects.toMatchObject({ code: 36, type: 'TOPIC_ALREADY_EXISTS' });
    const [meta] = await c.controller.fetchMetadata([topic], false);
    expect(meta!.partitions).toHaveLength(2);
  });

  describe('bad requests (one three-broker cluster for all: nothing they do may change it)', () => {
    let shared: Cluster;
    beforeAll(async () => {
      shared = await startCluster({ brokers: 3 });
    });
    afterAll(() => shared.close());

    it.each([
      ['numPartitions 0', { numPartitions: 0 }, 37, 'INVALID_PARTITIONS'],
      ['numPartitions -2', { numPartitions: -2 }, 37, 'INVALID_PARTITIONS'],
      ['numPartitions 1.5', { numPartitions: 1.5 }, 37, 'INVALID_PARTITIONS'],
      ['replicationFactor above the live brokers', { replicationFactor: 4 }, 38, 'INVALID_REPLICATION_FACTOR'],
      ['replicationFactor 0', { replicationFactor: 0 }, 38, 'INVALID_REPLICATION_FACTOR'],
    ])('rejects %s with its Kafka code and creates nothing', async (_label, request, errorCode, type) => {
      const topic = topicName('bad');
      await expect(shared.controller.createTopics([{ topic, ...request }])).rejects.toMatchObject({ code: errorCode, type });
      expect(shared.controller.metadata.topicNames()).toEqual([]);
    });

    it.each(['has space', '', '..', 'x'.repeat(250), 'ü'])('rejects the illegal topic name %j with INVALID_TOPIC_EXCEPTION (17)', async (name) => {
      await expect(shared.controller.createTopics([{ topic: name }])).rejects.toMatchObject({ code: 17, type: 'INVALID_TOPIC_EXCEPTION' });
      await expect(shared.controller.fetchMetadata([name], true)).rejects.toMatchObject({ code: 17 });
      expect(shared.controller.metadata.topicNames()).toEqual([]);
    });
  });

  it('rejects an unknown topic config or a bad value with INVALID_CONFIG (40), and creates nothing', async () => {
    const c = await cluster();
    const name = topicName('configs');
    for (const entry of [{ name: 'retention.bytes', value: 'lots' }, { name: 'retention.ms', value: '-2' }, { name: 'min.insync.replicas', value: '0' }, { name: 'no.such.config', value: '1' }]) {
      await expect(c.controller.createTopics([{ topic: name, configEntries: [entry] }])).rejects.toMatchObject({ type: 'INVALID_CONFIG', code: 40 });
    }
    expect(c.controller.metadata.topic(name)).toBeUndefined();
    const [created] = await c.controller.createTopics([{ topic: name, configEntries: [{ name: 'retention.ms', value: '60000' }, { name: 'retention.bytes', value: '-1' }] }]);
    expect(created?.configs).toEqual({ 'retention.ms': '60000', 'retention.bytes': '-1' });
  });

  it('cannot place a topic on fewer live brokers than its replication factor', async () => {
    const c = await cluster({ brokers: 2 });
    await c.kill(1);
    await expect(c.controller.createTopics([{ topic: topicName('rf'), replicationFactor: 2 }])).rejects.toMatchObject({ code: 38 });
    const [meta] = await c.controller.fetchMetadata([topicName('rf1')], true);
    expect(meta!.partitions[0]!.leader).toBe(0);
  });

  it('deletes a topic: it leaves the metadata and its partitions stop serving', async () => {
    const c = await cluster();
    const topic = topicName('delete');
    await c.controller.createTopics([{ topic, numPartitions: 2 }]);
    const [meta] = await c.controller.fetchMetadata([topic], false);
    await c.controller.deleteTopics([topic]);
    expect(c.controller.metadata.topicNames()).not.toContain(topic);
    await expect(c.broker(0)!.call('partitionOffsets', { topicId: meta!.topicId, partition: 0 })).rejects.toMatchObject({ code: 3 });
    await expect(c.controller.deleteTopics([topic])).rejects.toMatchObject({ code: 3 });
  });

  it('never reuses a deleted topic id', async () => {
    const c = await cluster();
    const topic = topicName('reuse');
    const [first] = await c.controller.createTopics([{ topic }]);
    await c.controller.deleteTopics([topic]);
    const [second] = await c.controller.createTopics([{ topic }]);
    expect(second!.id).not.toBe(first!.id);
  });
});
