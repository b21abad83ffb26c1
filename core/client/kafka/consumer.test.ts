/**
 * The kafkajs-shaped consumer against a real cluster (broker worker threads) and the controller's
 * group coordinator: delivery order, offset reset, commits, group membership and rebalances (a member
 * joining, leaving and dying), the assignors, seek, pause, eachBatch, state errors and the
 * instrumentation events. Members heartbeat every 100-200 ms; the session timeout is the
 * coordinator's minimum (group.min.session.timeout.ms, 6 s).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startCluster, type Cluster, type ClusterOptions } from '../../cluster/index.js';
import { BATCH_HEADER_BYTES, RecordBatchBuilder } from '../../log/index.js';
import { ClientContext } from '../context.js';
import { Kafka, PartitionAssigners, type Consumer, type ConsumerConfig, type ConsumerRunConfig, type EachMessagePayload, type InstrumentationEvent, type Message } from './index.js';
import { kCrash } from './symbols.js';

/** The error `fn` throws (fails the test when it throws none). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Fast group timing: the session timeout is the coordinator's minimum. */
const FAST: Partial<ConsumerConfig> = { heartbeatInterval: 100, sessionTimeout: 6_000, maxWaitTimeInMs: 100 };
const WAIT = { timeout: 10_000, interval: 20 };

interface Received {
  readonly member: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/** Everything the members of one test consumed, in arrival order. */
class Inbox {
  readonly records: Received[] = [];

  handler(member: string): (payload: EachMessagePayload) => Promise<void> {
    return ({ topic, partition, message }) => {
      this.records.push({ member, topic, partition, offset: Number(message.offset), value: message.value?.toString() ?? '' });
      return Promise.resolve();
    };
  }

  of(member: string): Received[] {
    return this.records.filter((r) => r.member === member);
  }

  /** "partition:offset" of every record, sorted and without repeats. */
  unique(): string[] {
    return [...new Set(this.records.map((r) => `${r.partition}:${r.offset}`))].sort();
  }

  async waitForCount(n: number): Promise<void> {
    await vi.waitFor(() => expect(this.records.length).toBeGreaterThanOrEqual(n), WAIT);
  }
}

interface Setup {
  readonly cluster: Cluster;
  readonly kafka: Kafka;
  produce(topic: string, messages: readonly Message[]): Promise<void>;
  /** A connected consumer, disconnected when the test ends (before its cluster closes). */
  consumer(config: Partial<ConsumerConfig> & { groupId: string }): Promise<Consumer>;
  /** A connected consumer, subscribed and running. */
  running(groupId: string, topics: readonly string[], run: ConsumerRunConfig, options?: { fromBeginning?: boolean; config?: Partial<ConsumerConfig> }): Promise<Consumer>;
}

async function setup(options: ClusterOptions = {}): Promise<Setup> {
  const cluster = await startCluster(options);
  onTestFinished(() => cluster.close());
  const kafka = new Kafka({ clientId: 'consumer-test', cluster, retry: { retries: 0 } });
  const producer = kafka.producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  const s: Setup = {
    cluster,
    kafka,
    async produce(topic, messages) {
      await producer.send({ topic, messages });
    },
    async consumer(config) {
      const consumer = kafka.consumer({ ...FAST, ...config });
      await consumer.connect();
      onTestFinished(() => consumer.disconnect());
      return consumer;
    },
    async running(groupId, topics, run, options = {}) {
      const consumer = await s.consumer({ groupId, ...options.config });
      await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run(run);
      return consumer;
    },
  };
  return s;
}

/**
 * Appends a batch whose header is sound and whose record is not, through a raw connection. The
 * broker checks batch headers only (Kafka also checks each record), so it takes the batch today.
 */
async function produceCorruptRecord(cluster: Cluster, topic: string): Promise<void> {
  const ctx = new ClientContext(cluster);
  try {
    const meta = await ctx.topic(topic, false);
    const connection = await ctx.connection(meta.partitions[0]!.leader);
    const at = connection.beginProduce(1024);
    const builder = new RecordBatchBuilder();
    builder.begin(connection.requests.data, at, at + 1024);
    builder.append(null, Buffer.from('unreadable'));
    const length = builder.finish(false);
    // The record's length varint now claims more bytes than the batch holds.
    connection.requests.data[at + BATCH_HEADER_BYTES] = 0x7e;
    const answer = await new Promise<unknown>((resolve) => connection.endProduce(meta.topicId, 0, 1, 1_000, length, { settle: resolve }));
    expect(answer).toMatchObject({ errorCode: 0 });
  } finally {
    await ctx.close();
  }
}

function topicName(label: string): string {
  return `consumer-${label}-${randomUUID()}`;
}

function groupName(label: string): string {
  return `group-${label}-${randomUUID()}`;
}

/** `count` messages per partition, valued "p<partition>-<i>". */
function perPartition(partitions: number, count: number, from = 0): Message[] {
  const out: Message[] = [];
  for (let i = from; i < from + count; i++) for (let p = 0; p < partitions; p++) out.push({ value: `p${p}-${i}`, partition: p });
  return out;
}

function partitionsOf(consumer: Consumer, topic: string): number[] {
  return consumer.assignment()[topic] ?? [];
}

/** Waits until the members' assignments of `topic` are disjoint, cover every partition, and each member with `mustOwn` owns some. */
async function waitForSplit(members: readonly Consumer[], topic: string, partitions: number, mustOwn: readonly Consumer[] = members): Promise<void> {
  await vi.waitFor(() => {
    const owned = members.flatMap((m) => partitionsOf(m, topic));
    expect(owned.sort()).toEqual(Array.from({ length: partitions }, (_, i) => i));
    for (const m of mustOwn) expect(partitionsOf(m, topic).length).toBeGreaterThan(0);
  }, WAIT);
}

async function committed(kafka: Kafka, groupId: string, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (t?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
  } finally {
    await admin.disconnect();
  }
}

describe('Consumer delivery', () => {
  it('eachMessage receives every record, in offset order within each partition', async () => {
    const s = await setup();
    const topic = topicName('order');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 3 }]);
    await s.produce(topic, perPartition(3, 20));
    const inbox = new Inbox();
    await s.running(groupName('order'), [topic], { eachMessage: inbox.handler('a') });
    await inbox.waitForCount(60);
    for (let p = 0; p < 3; p++) {
      const records = inbox.records.filter((r) => r.partition === p);
      expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(records.map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `p${p}-${i}`));
    }
    expect(inbox.records).toHaveLength(60);
  });

  it('receives records produced while it runs', async () => {
    const s = await setup();
    const topic = topicName('live');
    const inbox = new Inbox();
    await s.running(groupName('live'), [topic], { eachMessage: inbox.handler('a') });
    for (let i = 0; i < 5; i++) await s.produce(topic, [{ value: `m${i}` }]);
    await inbox.waitForCount(5);
    expect(inbox.records.map((r) => r.value)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('fromBeginning: true starts a new group at the log start', async () => {
    const s = await setup();
    const topic = topicName('from-beginning');
    await s.produce(topic, [{ value: 'old-1' }, { value: 'old-2' }]);
    const inbox = new Inbox();
    await s.running(groupName('fb'), [topic], { eachMessage: inbox.handler('a') }, { fromBeginning: true });
    await s.produce(topic, [{ value: 'new' }]);
    await inbox.waitForCount(3);
    expect(inbox.records.map((r) => r.value)).toEqual(['old-1', 'old-2', 'new']);
  });

  it('fromBeginning: false starts a new group at the end: only records produced after it joined arrive', async () => {
    const s = await setup();
    const topic = topicName('latest');
    await s.produce(topic, [{ value: 'old-1' }, { value: 'old-2' }]);
    const inbox = new Inbox();
    const consumer = await s.consumer({ groupId: groupName('latest') });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({ eachMessage: inbox.handler('a') });
    await joined;
    await s.produce(topic, [{ value: 'new-1' }, { value: 'new-2' }]);
    await inbox.waitForCount(2);
    // Old records, had they been delivered, would have come first.
    expect(inbox.records.map((r) => [r.offset, r.value])).toEqual([
      [2, 'new-1'],
      [3, 'new-2'],
    ]);
  });

  it('commits the offset after the last processed record (last + 1)', async () => {
    const s = await setup();
    const topic = topicName('commit');
    const groupId = groupName('commit');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
    await s.produce(topic, [...perPartition(1, 5), { value: 'x', partition: 1 }]);
    const inbox = new Inbox();
    await s.running(groupId, [topic], { eachMessage: inbox.handler('a') });
    await inbox.waitForCount(6);
    await vi.waitFor(async () => expect(await committed(s.kafka, groupId, topic)).toEqual(['5', '1']), WAIT);
  });

  it('a new member of the group resumes at the committed offset after the previous one disconnects', async () => {
    const s = await setup();
    const topic = topicName('resume');
    const groupId = groupName('resume');
    await s.produce(topic, perPartition(1, 5));
    const first = new Inbox();
    const c1 = await s.running(groupId, [topic], { eachMessage: first.handler('first') });
    await first.waitForCount(5);
    await c1.disconnect();
    expect(await committed(s.kafka, groupId, topic)).toEqual(['5']);

    await s.produce(topic, perPartition(1, 3, 5));
    const second = new Inbox();
    // fromBeginning applies only where the group has no committed offset.
    await s.running(groupId, [topic], { eachMessage: second.handler('second') }, { fromBeginning: true });
    await second.waitForCount(3);
    expect(second.records.map((r) => r.offset)).toEqual([5, 6, 7]);
  });

  it('a handler that throws gets the same message again, and the consumer goes on', async () => {
    const s = await setup();
    const topic = topicName('retry');
    await s.produce(topic, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    const seen: string[] = [];
    let failed = false;
    const consumer = await s.consumer({ groupId: groupName('retry') });
    const crashes: InstrumentationEvent<{ error: unknown; restart: boolean }>[] = [];
    consumer.on(consumer.events.CRASH, (e) => void crashes.push(e));
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const value = message.value!.toString();
        seen.push(value);
        if (value === 'b' && !failed) {
          failed = true;
          return Promise.reject(new Error('handler failed once'));
        }
        return Promise.resolve();
      },
    });
    await vi.waitFor(() => expect(seen).toEqual(['a', 'b', 'b', 'c']), WAIT);
    expect(crashes.map((e) => (e.payload.error as Error).message)).toEqual(['handler failed once']);
  });

  it('a record it cannot read crashes the consumer after the records before it, and the member leaves the group', async () => {
    const s = await setup();
    const topic = topicName('corrupt');
    await s.produce(topic, [{ value: 'good-0' }]);
    await produceCorruptRecord(s.cluster, topic);
    await s.produce(topic, [{ value: 'good-2' }]);
    const inbox = new Inbox();
    const consumer = await s.consumer({ groupId: groupName('corrupt') });
    const crashed = new Promise<unknown>((resolve) => consumer.on(consumer.events.CRASH, (e: InstrumentationEvent<{ error: unknown }>) => resolve(e.payload.error)));
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: inbox.handler('a') });
    await expect(crashed).resolves.toMatchObject({ code: 2, type: 'CORRUPT_MESSAGE' });
    expect(inbox.records.map((r) => r.value)).toEqual(['good-0']);
    expect(consumer.assignment()).toEqual({});
    expect((await consumer.describeGroup()).members).toEqual([]);
  });

  it('subscribes to the existing topics a RegExp matches', async () => {
    const s = await setup();
    const prefix = `re-${randomUUID()}`;
    await s.produce(`${prefix}.a`, [{ value: 'a' }]);
    await s.produce(`${prefix}.b`, [{ value: 'b' }]);
    await s.produce(topicName('other'), [{ value: 'other' }]);
    const inbox = new Inbox();
    const consumer = await s.consumer({ groupId: groupName('regexp') });
    await consumer.subscribe({ topics: [new RegExp(`^${prefix}\\.`)], fromBeginning: true });
    await consumer.run({ eachMessage: inbox.handler('a') });
    await inbox.waitForCount(2);
    expect(inbox.records.map((r) => r.value).sort()).toEqual(['a', 'b']);
  });
});

describe('Consumer groups', () => {
  it('two members split the partitions: each partition has one owner and every record is seen once', async () => {
    const s = await setup({ brokers: 2 });
    const topic = topicName('split');
    const groupId = groupName('split');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 4 }]);
    const inbox = new Inbox();
    const a = await s.running(groupId, [topic], { eachMessage: inbox.handler('a') });
    const b = await s.running(groupId, [topic], { eachMessage: inbox.handler('b') });
    await waitForSplit([a, b], topic, 4);
    await s.produce(topic, perPartition(4, 10));
    await inbox.waitForCount(40);
    expect(inbox.records).toHaveLength(40);
    expect(inbox.unique()).toHaveLength(40);
    for (const r of inbox.records) expect(partitionsOf(r.member === 'a' ? a : b, topic)).toContain(r.partition);
    const { members } = await a.describeGroup();
    expect(members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort());
  });

  it('a member beyond the partition count gets nothing and stays a member', async () => {
    const s = await setup();
    const topic = topicName('extra');
    const groupId = groupName('extra');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
    const inbox = new Inbox();
    const members = [
      await s.running(groupId, [topic], { eachMessage: inbox.handler('m0') }),
      await s.running(groupId, [topic], { eachMessage: inbox.handler('m1') }),
      await s.running(groupId, [topic], { eachMessage: inbox.handler('m2') }),
    ];
    await vi.waitFor(async () => {
      const group = await members[0]!.describeGroup();
      expect(group.state).toBe('Stable');
      expect(group.members).toHaveLength(3);
      expect(members.flatMap((m) => partitionsOf(m, topic)).sort()).toEqual([0, 1]);
      expect(members.filter((m) => partitionsOf(m, topic).length === 0)).toHaveLength(1);
    }, WAIT);
    const idle = members.findIndex((m) => partitionsOf(m, topic).length === 0);
    await s.produce(topic, perPartition(2, 5));
    await inbox.waitForCount(10);
    expect(inbox.of(`m${idle}`)).toEqual([]);
    const group = await members[0]!.describeGroup();
    expect(group.members.map((m) => m.memberId)).toContain(members[idle]!.memberId);
  });

  it('when a member leaves, the others take over its partitions from its committed offsets', async () => {
    const s = await setup();
    const topic = topicName('leave');
    const groupId = groupName('leave');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
    const inbox = new Inbox();
    const a = await s.running(groupId, [topic], { eachMessage: inbox.handler('a') });
    const b = await s.running(groupId, [topic], { eachMessage: inbox.handler('b') });
    await waitForSplit([a, b], topic, 2);
    await s.produce(topic, perPartition(2, 5));
    await inbox.waitForCount(10);
    await b.disconnect();
    await s.produce(topic, perPartition(2, 5, 5));
    await inbox.waitForCount(20);
    expect(partitionsOf(a, topic)).toEqual([0, 1]);
    expect(inbox.records).toHaveLength(20);
    expect(inbox.unique()).toHaveLength(20);
  });

  it('when a member dies without leaving, the survivor takes its partitions after the session timeout and no record is lost', async () => {
    // group.min.session.timeout.ms lowered so the dead member expires in a second, not six.
    const s = await setup({ config: { groupMinSessionTimeoutMs: 500 } });
    const topic = topicName('death');
    const groupId = groupName('death');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
    const inbox = new Inbox();
    const timing = { heartbeatInterval: 100, sessionTimeout: 1_000 };
    const a = await s.running(groupId, [topic], { eachMessage: inbox.handler('a') }, { config: timing });
    const b = await s.running(groupId, [topic], { eachMessage: inbox.handler('b') }, { config: timing });
    await waitForSplit([a, b], topic, 2);
    await s.produce(topic, perPartition(2, 10));
    await inbox.waitForCount(20);

    b[kCrash]();
    await s.produce(topic, perPartition(2, 10, 10));
    await vi.waitFor(() => expect(inbox.unique()).toHaveLength(40), { timeout: 20_000, interval: 50 });
    expect(partitionsOf(a, topic)).toEqual([0, 1]);
    const group = await a.describeGroup();
    expect(group.members.map((m) => m.memberId)).toEqual([a.memberId]);
    // At least once: a record may come twice, but every one arrives.
    const expected = perPartition(2, 20).map((m) => m.value as string).sort();
    expect([...new Set(inbox.records.map((r) => r.value))].sort()).toEqual(expected);
  }, 30_000);

  it.each([
    [PartitionAssigners.range, [[0, 1], [2, 3]]],
    [PartitionAssigners.roundrobin, [[0, 2], [1, 3]]],
    [PartitionAssigners.cooperativeSticky, undefined],
  ])('the %s assignor is chosen through partitionAssigners and splits the partitions', async (assignor, shape) => {
    const s = await setup();
    const topic = topicName('assignor');
    const groupId = groupName('assignor');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 4 }]);
    const inbox = new Inbox();
    const config = { partitionAssigners: [assignor] };
    const a = await s.running(groupId, [topic], { eachMessage: inbox.handler('a') }, { config });
    const b = await s.running(groupId, [topic], { eachMessage: inbox.handler('b') }, { config });
    await waitForSplit([a, b], topic, 4);
    const group = await a.describeGroup();
    expect(group.protocolName).toBe(assignor);
    if (shape !== undefined) expect([partitionsOf(a, topic), partitionsOf(b, topic)].sort()).toEqual(shape);
    else expect([partitionsOf(a, topic).length, partitionsOf(b, topic).length]).toEqual([2, 2]);
    await s.produce(topic, perPartition(4, 5));
    await inbox.waitForCount(20);
    expect(inbox.unique()).toHaveLength(20);
  });

  it("uses kafkajs's RoundRobinAssigner by default", async () => {
    const s = await setup();
    const topic = topicName('default-assignor');
    const consumer = await s.running(groupName('default'), [topic], { eachMessage: () => Promise.resolve() });
    await vi.waitFor(async () => expect((await consumer.describeGroup()).protocolName).toBe('RoundRobinAssigner'), WAIT);
  });

  it('a session timeout below group.min.session.timeout.ms fails the join with INVALID_SESSION_TIMEOUT (26)', async () => {
    const s = await setup();
    const consumer = await s.consumer({ groupId: groupName('session'), sessionTimeout: 1_000 });
    const crashed = new Promise<unknown>((resolve) => consumer.on(consumer.events.CRASH, (e: InstrumentationEvent<{ error: unknown }>) => resolve(e.payload.error)));
    await consumer.subscribe({ topic: topicName('session') });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    await expect(crashed).resolves.toMatchObject({ code: 26, type: 'INVALID_SESSION_TIMEOUT' });
  });
});

describe('Consumer positions', () => {
  it('seek moves a partition back, and its records are delivered again from there', async () => {
    const s = await setup();
    const topic = topicName('seek');
    await s.produce(topic, perPartition(1, 10));
    const inbox = new Inbox();
    const consumer = await s.running(groupName('seek'), [topic], { eachMessage: inbox.handler('a') });
    await inbox.waitForCount(10);
    consumer.seek({ topic, partition: 0, offset: '3' });
    await inbox.waitForCount(17);
    expect(inbox.records.slice(10).map((r) => r.offset)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(thrownBy(() => consumer.seek({ topic, partition: 0, offset: 'abc' }))).toMatchObject({ type: 'INVALID_CONFIG' });
  });

  it('seek before run fails with NOT_RUNNING', async () => {
    const s = await setup();
    const consumer = await s.consumer({ groupId: groupName('seek-early') });
    expect(thrownBy(() => consumer.seek({ topic: 't', partition: 0, offset: '0' }))).toMatchObject({ type: 'NOT_RUNNING' });
  });

  it('a paused partition delivers nothing until it is resumed; the others go on', async () => {
    const s = await setup();
    const topic = topicName('pause');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
    const inbox = new Inbox();
    const consumer = await s.running(groupName('pause'), [topic], { eachMessage: inbox.handler('a') });
    consumer.pause([{ topic, partitions: [0] }]);
    expect(consumer.paused()).toEqual([{ topic, partitions: [0] }]);
    await s.produce(topic, perPartition(2, 5));
    await inbox.waitForCount(5);
    expect(inbox.records.map((r) => r.partition)).toEqual([1, 1, 1, 1, 1]);
    consumer.resume([{ topic, partitions: [0] }]);
    expect(consumer.paused()).toEqual([]);
    await inbox.waitForCount(10);
    expect(inbox.records.slice(5).map((r) => [r.partition, r.offset])).toEqual([0, 1, 2, 3, 4].map((o) => [0, o]));
  });

  it('pause() from inside eachMessage stops the partition after that message, and its resume function restarts it', async () => {
    const s = await setup();
    const topic = topicName('pause-inside');
    await s.produce(topic, perPartition(1, 6));
    const seen: number[] = [];
    let resume: (() => void) | undefined;
    const consumer = await s.running(groupName('pause-inside'), [topic], {
      eachMessage: (payload) => {
        seen.push(Number(payload.message.offset));
        if (payload.message.offset === '2' && resume === undefined) resume = payload.pause();
        return Promise.resolve();
      },
    });
    await vi.waitFor(() => expect(consumer.paused()).toEqual([{ topic, partitions: [0] }]), WAIT);
    expect(seen).toEqual([0, 1, 2]);
    resume!();
    await vi.waitFor(() => expect(seen).toEqual([0, 1, 2, 3, 4, 5]), WAIT);
  });

  it('eachBatch gets batches with their high watermark, and only resolved offsets count as processed', async () => {
    const s = await setup();
    const topic = topicName('batch');
    const groupId = groupName('batch');
    await s.produce(topic, perPartition(1, 10));
    const processed: number[] = [];
    const batches: { first: string | null; last: string; highWatermark: string; size: number }[] = [];
    await s.running(groupId, [topic], {
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const batch = payload.batch;
        batches.push({ first: batch.firstOffset(), last: batch.lastOffset(), highWatermark: batch.highWatermark, size: batch.messages.length });
        expect(batch.isEmpty()).toBe(false);
        // Take at most three per batch: the rest must come again in the next one.
        for (const message of batch.messages.slice(0, 3)) {
          if (!payload.isRunning() || payload.isStale()) break;
          processed.push(Number(message.offset));
          payload.resolveOffset(message.offset);
        }
        await Promise.resolve();
      },
    });
    await vi.waitFor(() => expect(processed).toHaveLength(10), WAIT);
    expect(processed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches[0]).toEqual({ first: '0', last: '9', highWatermark: '10', size: 10 });
    expect(batches.map((b) => b.first)).toEqual(['0', '3', '6', '9']);
    await vi.waitFor(async () => expect(await committed(s.kafka, groupId, topic)).toEqual(['10']), WAIT);
  });

  it('with autoCommit off, only commitOffsets commits: what it is given, for partitions the member owns', async () => {
    const s = await setup();
    const topic = topicName('manual');
    const groupId = groupName('manual');
    await s.produce(topic, perPartition(1, 5));
    const inbox = new Inbox();
    const consumer = await s.running(groupId, [topic], { autoCommit: false, eachMessage: inbox.handler('a') });
    await inbox.waitForCount(5);
    expect(await committed(s.kafka, groupId, topic)).toEqual(['-1']);
    await consumer.commitOffsets([{ topic, partition: 0, offset: '3' }]);
    expect(await committed(s.kafka, groupId, topic)).toEqual(['3']);
    // With autoCommit off, stopping commits nothing on the application's behalf.
    await consumer.disconnect();
    expect(await committed(s.kafka, groupId, topic)).toEqual(['3']);
  });

  it('autoCommitInterval holds commits back until the interval passes; stopping commits what was processed', async () => {
    const s = await setup();
    const topic = topicName('interval');
    const groupId = groupName('interval');
    await s.produce(topic, perPartition(1, 5));
    const inbox = new Inbox();
    const consumer = await s.running(groupId, [topic], { autoCommitInterval: 60_000, eachMessage: inbox.handler('a') });
    await inbox.waitForCount(5);
    expect(await committed(s.kafka, groupId, topic)).toEqual(['-1']);
    await consumer.disconnect();
    expect(await committed(s.kafka, groupId, topic)).toEqual(['5']);
  });

  it('autoCommitThreshold commits once that many messages were processed', async () => {
    const s = await setup();
    const topic = topicName('threshold');
    const groupId = groupName('threshold');
    const inbox = new Inbox();
    await s.running(groupId, [topic], { autoCommitInterval: 60_000, autoCommitThreshold: 3, eachMessage: inbox.handler('a') }, { fromBeginning: true });
    await s.produce(topic, perPartition(1, 2));
    await inbox.waitForCount(2);
    expect(await committed(s.kafka, groupId, topic)).toEqual(['-1']);
    await s.produce(topic, [{ value: 'third', partition: 0 }]);
    await inbox.waitForCount(3);
    await vi.waitFor(async () => expect(await committed(s.kafka, groupId, topic)).toEqual(['3']), WAIT);
  });

  it('commitOffsets for a partition the member does not own fails with ILLEGAL_GENERATION (22)', async () => {
    const s = await setup();
    const topic = topicName('owned');
    const other = topicName('not-owned');
    const groupId = groupName('foreign');
    await s.produce(other, [{ value: 'x' }]);
    const consumer = await s.running(groupId, [topic], { eachMessage: () => Promise.resolve() });
    await vi.waitFor(() => expect(partitionsOf(consumer, topic)).toEqual([0]), WAIT);
    await expect(consumer.commitOffsets([{ topic: other, partition: 0, offset: '1' }])).rejects.toMatchObject({ name: 'KafkaJSProtocolError', code: 22, type: 'ILLEGAL_GENERATION' });
    expect(await committed(s.kafka, groupId, other)).toEqual(['-1']);
  });
});

describe('Consumer state and events', () => {
  it('subscribe, run and commitOffsets after disconnect fail with DISCONNECTED (code 13)', async () => {
    const s = await setup();
    const consumer = await s.consumer({ groupId: groupName('gone') });
    await consumer.disconnect();
    const disconnected = { name: 'KafkaJSError', code: 13, type: 'DISCONNECTED' };
    await expect(consumer.subscribe({ topic: topicName('gone') })).rejects.toMatchObject(disconnected);
    await expect(consumer.run({ eachMessage: () => Promise.resolve() })).rejects.toMatchObject(disconnected);
    await expect(consumer.commitOffsets([{ topic: 't', partition: 0, offset: '1' }])).rejects.toMatchObject(disconnected);
    await expect(consumer.describeGroup()).rejects.toMatchObject(disconnected);
    await expect(consumer.connect()).rejects.toMatchObject(disconnected);
  });

  it('calls before connect fail with NOT_CONNECTED, and run before subscribe is a config error', async () => {
    const s = await setup();
    const consumer = s.kafka.consumer({ groupId: groupName('early'), ...FAST });
    await expect(consumer.subscribe({ topic: topicName('early') })).rejects.toMatchObject({ code: 13, type: 'NOT_CONNECTED' });
    await expect(consumer.run({ eachMessage: () => Promise.resolve() })).rejects.toMatchObject({ type: 'NOT_CONNECTED' });
    await consumer.connect();
    onTestFinished(() => consumer.disconnect());
    await expect(consumer.run({ eachMessage: () => Promise.resolve() })).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
  });

  it('a consumer needs a groupId', async () => {
    const s = await setup();
    expect(thrownBy(() => s.kafka.consumer({ groupId: '' }))).toMatchObject({ type: 'INVALID_CONFIG' });
  });

  it('emits GROUP_JOIN, START_BATCH_PROCESS, END_BATCH_PROCESS and COMMIT_OFFSETS with kafkajs payloads', async () => {
    const s = await setup();
    const topic = topicName('events');
    const groupId = groupName('events');
    await s.produce(topic, perPartition(1, 3));
    const consumer = await s.consumer({ groupId });
    const events: InstrumentationEvent<Record<string, unknown>>[] = [];
    const record = (e: InstrumentationEvent<Record<string, unknown>>): void => void events.push(e);
    for (const name of [consumer.events.GROUP_JOIN, consumer.events.START_BATCH_PROCESS, consumer.events.END_BATCH_PROCESS, consumer.events.COMMIT_OFFSETS, consumer.events.STOP, consumer.events.DISCONNECT]) {
      consumer.on(name, record);
    }
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('consumer.commit_offsets'), WAIT);
    const memberId = consumer.memberId;
    await consumer.disconnect();

    const byType = (type: string): Record<string, unknown>[] => events.filter((e) => e.type === type).map((e) => e.payload);
    expect(byType('consumer.group_join')[0]).toMatchObject({ groupId, memberId, isLeader: true, groupProtocol: 'RoundRobinAssigner', memberAssignment: { [topic]: [0] } });
    expect(byType('consumer.start_batch_process')[0]).toMatchObject({ topic, partition: 0, batchSize: 3, firstOffset: '0', lastOffset: '2', highWatermark: '3', offsetLag: '0' });
    expect(byType('consumer.end_batch_process')[0]).toMatchObject({ topic, partition: 0, batchSize: 3, firstOffset: '0', lastOffset: '2' });
    expect(byType('consumer.commit_offsets')[0]).toMatchObject({ groupId, memberId, topics: [{ topic, partitions: [{ partition: 0, offset: '3' }] }] });
    const types = events.map((e) => e.type);
    expect(types.indexOf('consumer.group_join')).toBeLessThan(types.indexOf('consumer.start_batch_process'));
    expect(types.slice(-2)).toEqual(['consumer.stop', 'consumer.disconnect']);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('commitOffsets reports its commit with the same payload shape as automatic commits', async () => {
    const s = await setup();
    const topic = topicName('manual-event');
    await s.produce(topic, [{ value: 'x' }]);
    const consumer = await s.running(groupName('manual-event'), [topic], { autoCommit: false, eachMessage: () => Promise.resolve() });
    await vi.waitFor(() => expect(partitionsOf(consumer, topic)).toEqual([0]), WAIT);
    const payloads: unknown[] = [];
    consumer.on(consumer.events.COMMIT_OFFSETS, (e: InstrumentationEvent<{ topics: unknown }>) => void payloads.push(e.payload.topics));
    await consumer.commitOffsets([{ topic, partition: 0, offset: '1' }]);
    expect(payloads).toEqual([[{ topic, partitions: [{ partition: 0, offset: '1' }] }]]);
  });

  it('closing the cluster stops its running consumers and leaves no timers behind', async () => {
    const cluster = await startCluster();
    onTestFinished(() => cluster.close());
    const kafka = new Kafka({ cluster });
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const consumer = kafka.consumer({ groupId: groupName('close'), ...FAST });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('close') });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    await vi.waitFor(() => expect(Object.keys(consumer.assignment())).toHaveLength(1), WAIT);
    const disconnected = new Promise((resolve) => consumer.on(consumer.events.DISCONNECT, resolve));
    await cluster.close();
    await disconnected;
    // Longer than any wait the consumer's loop makes (maxWaitTimeInMs).
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(timers()).toBeLessThanOrEqual(before);
    await expect(consumer.subscribe({ topic: 'x' })).rejects.toMatchObject({ type: 'DISCONNECTED' });
  });

  it('disconnect leaves the group at once, so the remaining member rebalances without waiting for a session timeout', async () => {
    const s = await setup();
    const topic = topicName('leave-now');
    const groupId = groupName('leave-now');
    await s.cluster.controller.createTopics([{ topic, numPartitions: 2 }]);
    const a = await s.running(groupId, [topic], { eachMessage: () => Promise.resolve() });
    const b = await s.running(groupId, [topic], { eachMessage: () => Promise.resolve() });
    await waitForSplit([a, b], topic, 2);
    await b.disconnect();
    expect((await a.describeGroup()).members.map((m) => m.memberId)).toEqual([a.memberId]);
    // Well inside the 6 s session timeout: only a LeaveGroup explains it.
    await vi.waitFor(() => expect(partitionsOf(a, topic)).toEqual([0, 1]), { timeout: 3_000, interval: 20 });
  });
});
