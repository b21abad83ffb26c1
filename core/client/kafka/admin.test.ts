/**
 * The kafkajs-shaped admin client against a real cluster (broker worker threads): topic creation
 * and its Kafka error codes, deletion, listing, metadata, partition offsets and group offsets.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startCluster, type Cluster, type ClusterOptions } from '../../cluster/index.js';
import { Kafka, type Admin } from './index.js';

interface Setup {
  readonly cluster: Cluster;
  readonly kafka: Kafka;
  readonly admin: Admin;
}

async function setup(options: ClusterOptions = {}): Promise<Setup> {
  const cluster = await startCluster(options);
  onTestFinished(() => cluster.close());
  const kafka = new Kafka({ clientId: 'admin-test', cluster, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  onTestFinished(() => admin.disconnect());
  return { cluster, kafka, admin };
}

function topicName(label: string): string {
  return `admin-${label}-${randomUUID()}`;
}

async function produce(kafka: Kafka, topic: string, counts: readonly number[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    const messages = counts.flatMap((n, partition) => Array.from({ length: n }, (_, i) => ({ value: `${partition}-${i}`, partition })));
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

describe('Admin topics', () => {
  it('createTopics resolves true and creates the topics as asked', async () => {
    const { admin } = await setup({ brokers: 3 });
    const a = topicName('a');
    const b = topicName('b');
    await expect(admin.createTopics({ topics: [{ topic: a, numPartitions: 3, replicationFactor: 2 }, { topic: b }] })).resolves.toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: [a, b] });
    expect(topics.map((t) => [t.name, t.partitions.length])).toEqual([
      [a, 3],
      [b, 1],
    ]);
    for (const p of topics[0]!.partitions) expect(p).toMatchObject({ partitionErrorCode: 0, leader: p.replicas[0], offlineReplicas: [] });
    expect(topics[0]!.partitions.every((p) => p.replicas.length === 2)).toBe(true);
  });

  it('createTopics of a topic that exists resolves false and leaves it as it was', async () => {
    const { admin } = await setup();
    const topic = topicName('exists');
    const fresh = topicName('fresh');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await expect(admin.createTopics({ topics: [{ topic, numPartitions: 5 }, { topic: fresh }] })).resolves.toBe(false);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic, fresh] });
    expect(topics.map((t) => t.partitions.length)).toEqual([2, 1]);
  });

  it('createTopics with validateOnly creates nothing', async () => {
    const { admin } = await setup();
    const topic = topicName('validate');
    await expect(admin.createTopics({ topics: [{ topic }], validateOnly: true })).resolves.toBe(true);
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it.each([
    ['numPartitions 0', { numPartitions: 0 }, 37, 'INVALID_PARTITIONS'],
    ['replicationFactor above the brokers', { replicationFactor: 4 }, 38, 'INVALID_REPLICATION_FACTOR'],
  ])('createTopics rejects %s with its Kafka code', async (_label, config, code, type) => {
    const { admin } = await setup({ brokers: 3 });
    const topic = topicName('bad');
    await expect(admin.createTopics({ topics: [{ topic, ...config }] })).rejects.toMatchObject({ name: 'KafkaJSProtocolError', code, type });
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('createTopics rejects an illegal topic name with INVALID_TOPIC_EXCEPTION (17)', async () => {
    const { admin } = await setup();
    await expect(admin.createTopics({ topics: [{ topic: 'bad/name' }] })).rejects.toMatchObject({ code: 17, type: 'INVALID_TOPIC_EXCEPTION' });
  });

  it('createTopics keeps the topic configs it was given', async () => {
    const { admin, cluster } = await setup();
    const topic = topicName('configs');
    await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
    expect(cluster.controller.metadata.topic(topic)?.configs).toEqual({ 'retention.ms': '1000' });
  });

  it('listTopics lists every topic, and deleteTopics removes them', async () => {
    const { admin } = await setup();
    const keep = topicName('keep');
    const drop = topicName('drop');
    await admin.createTopics({ topics: [{ topic: keep }, { topic: drop }] });
    expect((await admin.listTopics()).sort()).toEqual([keep, drop].sort());
    await admin.deleteTopics({ topics: [drop] });
    expect(await admin.listTopics()).toEqual([keep]);
    await expect(admin.fetchTopicMetadata({ topics: [drop] })).rejects.toMatchObject({ code: 3 });
    await expect(admin.deleteTopics({ topics: [drop] })).rejects.toMatchObject({ code: 3, type: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  it('a deleted topic can be created again, empty', async () => {
    const { admin, kafka } = await setup();
    const topic = topicName('again');
    await produce(kafka, topic, [3]);
    await admin.deleteTopics({ topics: [topic] });
    await produce(kafka, topic, [1]);
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '1', high: '1', low: '0' }]);
  });

  it('fetchTopicMetadata without topics describes them all, and does not create unknown ones', async () => {
    const { admin } = await setup();
    const a = topicName('m1');
    await admin.createTopics({ topics: [{ topic: a, numPartitions: 2 }] });
    const { topics } = await admin.fetchTopicMetadata();
    expect(topics).toEqual([
      {
        name: a,
        partitions: [
          { partitionErrorCode: 0, partitionId: 0, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] },
          { partitionErrorCode: 0, partitionId: 1, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] },
        ],
      },
    ]);
    const unknown = topicName('unknown');
    await expect(admin.fetchTopicMetadata({ topics: [unknown] })).rejects.toMatchObject({ code: 3 });
    expect(await admin.listTopics()).toEqual([a]);
  });

  it('fetchTopicMetadata shows a partition whose leader died as leaderless', async () => {
    const { admin, cluster } = await setup({ brokers: 2 });
    const topic = topicName('dead');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const before = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;
    const victim = before[1]!.leader;
    await cluster.kill(victim);
    const after = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;
    // Kafka keeps the last in-sync replica in the ISR of an offline partition, so it can lead again cleanly.
    expect(after[1]).toMatchObject({ leader: -1, partitionErrorCode: 5, offlineReplicas: [victim], isr: [victim] });
    expect(after[0]!.leader).toBe(before[0]!.leader);
    await expect(admin.fetchTopicOffsets(topic)).rejects.toMatchObject({ code: 5, type: 'LEADER_NOT_AVAILABLE' });
  });

  it('fetchTopicOffsets gives each partition its low (log start) and high (high watermark) offsets', async () => {
    const { admin, kafka } = await setup();
    const topic = topicName('offsets');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produce(kafka, topic, [5, 3, 0]);
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.sort((x, y) => x.partition - y.partition)).toEqual([
      { partition: 0, offset: '5', high: '5', low: '0' },
      { partition: 1, offset: '3', high: '3', low: '0' },
      { partition: 2, offset: '0', high: '0', low: '0' },
    ]);
    await expect(admin.fetchTopicOffsets(topicName('none'))).rejects.toMatchObject({ code: 3 });
  });
});

describe('Admin groups', () => {
  it("fetchOffsets gives '-1' where a group committed nothing, and the committed offsets elsewhere", async () => {
    const { admin, cluster } = await setup();
    const topic = topicName('group-offsets');
    const groupId = `group-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
      {
        topic,
        partitions: [
          { partition: 0, offset: '-1', metadata: null },
          { partition: 1, offset: '-1', metadata: null },
        ],
      },
    ]);
    // A standalone commit (no generation, no member), as a consumer using assign() makes.
    cluster.controller.offsets.commitOffsets(groupId, -1, '', [{ topic, partition: 1, offset: 7, metadata: 'note' }], Date.now());
    expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
      {
        topic,
        partitions: [
          { partition: 0, offset: '-1', metadata: null },
          { partition: 1, offset: '7', metadata: 'note' },
        ],
      },
    ]);
    expect((await admin.fetchOffsets({ groupId })).map((t) => t.topic)).toEqual([topic]);
  });

  it('describeGroups describes a group nobody joined as Dead with no members', async () => {
    const { admin } = await setup();
    const groupId = `group-${randomUUID()}`;
    const { groups } = await admin.describeGroups([groupId]);
    expect(groups).toEqual([expect.objectContaining({ groupId, state: 'Dead', members: [] })]);
  });
});

describe('Admin state', () => {
  it('every call after disconnect fails with DISCONNECTED (code 13)', async () => {
    const { admin } = await setup();
    await admin.disconnect();
    const disconnected = { name: 'KafkaJSError', code: 13, type: 'DISCONNECTED' };
    await expect(admin.createTopics({ topics: [{ topic: topicName('x') }] })).rejects.toMatchObject(disconnected);
    await expect(admin.deleteTopics({ topics: ['x'] })).rejects.toMatchObject(disconnected);
    await expect(admin.listTopics()).rejects.toMatchObject(disconnected);
    await expect(admin.fetchTopicMetadata()).rejects.toMatchObject(disconnected);
    await expect(admin.fetchTopicOffsets('x')).rejects.toMatchObject(disconnected);
    await expect(admin.fetchOffsets({ groupId: 'g' })).rejects.toMatchObject(disconnected);
    await expect(admin.describeGroups(['g'])).rejects.toMatchObject(disconnected);
    await expect(admin.connect()).rejects.toMatchObject(disconnected);
  });

  it('calls before connect fail with NOT_CONNECTED', async () => {
    const { kafka } = await setup();
    const admin = kafka.admin();
    await expect(admin.listTopics()).rejects.toMatchObject({ code: 13, type: 'NOT_CONNECTED' });
    await expect(admin.createTopics({ topics: [{ topic: topicName('x') }] })).rejects.toMatchObject({ type: 'NOT_CONNECTED' });
  });

  it('emits connect and disconnect instrumentation events', async () => {
    const { kafka } = await setup();
    const admin = kafka.admin();
    const types: string[] = [];
    admin.on(admin.events.CONNECT, (e) => void types.push(e.type));
    admin.on(admin.events.DISCONNECT, (e) => void types.push(e.type));
    await admin.connect();
    await admin.disconnect();
    await admin.disconnect();
    expect(types).toEqual(['admin.connect', 'admin.disconnect']);
  });
});
