/**
 * Quorum queues on real broker worker threads: entries replicate to an RF-3 partition with acks=all,
 * confirms wait for the ISR, a killed (or killed and restarted) partition leader loses no confirmed
 * message, a commit that cannot happen is nacked, and deliveries keep their AMQP semantics.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startCluster, type Cluster } from '../../cluster/index.js';
import { ClientContext } from '../context.js';
import { PartitionReader } from '../native/index.js';
import type { ConfirmChannel } from './confirm-channel.js';
import { connect } from './connect.js';
import { AmqpHost, createAmqpHost } from './host.js';
import { decodeQuorumRecord, type QuorumRecord } from './quorum-record.js';
import { quorumTopicName } from './quorum-store.js';
import type { ConsumeMessage } from './types.js';

const FAST = { heartbeatIntervalMs: 20, brokerSessionTimeoutMs: 150, replicaLagTimeMaxMs: 200 };
const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum' } };

async function cluster(brokers: number): Promise<Cluster> {
  const c = await startCluster({ brokers, config: FAST });
  onTestFinished(() => c.close());
  return c;
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function partition(c: Cluster, queue: string): { leader: number; leaderEpoch: number; isr: number[]; replicas: readonly number[] } {
  const topic = c.controller.metadata.topic(quorumTopicName('/', queue));
  if (topic === undefined) throw new Error(`no topic for quorum queue ${queue}`);
  return topic.partitions[0]!;
}

/** Publishes `from..to-1` as bodies, recording which were confirmed and which nacked. */
function publishRange(ch: ConfirmChannel, queue: string, from: number, to: number, confirmed: number[], nacked: number[]): void {
  for (let i = from; i < to; i++) {
    ch.sendToQueue(queue, Buffer.from(String(i)), { persistent: true }, (error) => (error === null || error === undefined ? confirmed : nacked).push(i));
  }
}

async function settle(ch: ConfirmChannel): Promise<void> {
  await ch.waitForConfirms().catch(() => undefined);
}

/** Consumes until `count` messages arrived (manual ack, prefetch 50); returns their bodies. */
async function consumeAll(c: Cluster | AmqpHost, queue: string, count: number): Promise<number[]> {
  const conn = await connect(c instanceof AmqpHost ? { host: c } : { cluster: c });
  onTestFinished(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  await ch.prefetch(50);
  const got: number[] = [];
  await ch.consume(queue, (msg) => {
    if (msg === null) return;
    got.push(Number(msg.content.toString()));
    ch.ack(msg);
  });
  await until(`${count} deliveries`, () => got.length >= count);
  // Anything more than `count` would be a duplicate or a message that was never confirmed.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return got;
}

/** The records of a quorum queue's partition up to the high watermark, as its current leader has them. */
async function logRecords(c: Cluster, queue: string): Promise<QuorumRecord[]> {
  const ctx = new ClientContext(c);
  const reader = await PartitionReader.open(ctx, quorumTopicName('/', queue), 0, { fromOffset: 'earliest' });
  const records: QuorumRecord[] = [];
  try {
    const cursor = reader.cursor;
    while (cursor.next()) records.push(decodeQuorumRecord(cursor.key(), cursor.value(), cursor.headers()));
  } finally {
    reader.close();
    await ctx.close();
  }
  return records;
}

/** The queue sequence numbers of the enqueue records in the partition (first of each). */
async function loggedSeqs(c: Cluster, queue: string): Promise<number[]> {
  const seqs: number[] = [];
  for (const record of await logRecords(c, queue)) if (record.kind === 'enqueue' && !seqs.includes(record.seq)) seqs.push(record.seq);
  return seqs;
}

describe('quorum queues', () => {
  it('replicate to RF 3 with min.insync.replicas 2, and a killed partition leader loses no confirmed message', async () => {
    const c = await cluster(3);
    const conn = await connect({ cluster: c });
    onTestFinished(() => conn.close().catch(() => undefined));
    const ch = await conn.createConfirmChannel();
    const queue = `qq-${randomUUID()}`;
    await ch.assertQueue(queue, QUORUM);
    const confirmed: number[] = [];
    const nacked: number[] = [];
    const N = 3_000;
    publishRange(ch, queue, 0, 1_000, confirmed, nacked);
    await settle(ch);
    const before = { ...partition(c, queue) };
    expect(before.replicas).toHaveLength(3);
    expect(c.controller.metadata.topic(quorumTopicName('/', queue))!.configs['min.insync.replicas']).toBe('2');
    // Kill the leader with publishes in flight, then keep publishing through the failover.
    publishRange(ch, queue, 1_000, 2_000, confirmed, nacked);
    await c.kill(before.leader);
    publishRange(ch, queue, 2_000, N, confirmed, nacked);
    await settle(ch);
    const after = partition(c, queue);
    expect(after.leader).not.toBe(before.leader);
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    expect(nacked).toEqual([]);
    expect(confirmed).toHaveLength(N);
    const delivered = await consumeAll(c, queue, confirmed.length);
    expect(delivered).toEqual([...confirmed].sort((a, b) => a - b));
    // The new leader's log holds every confirmed entry, in publish order (seq i+1 is body i).
    expect(await loggedSeqs(c, queue)).toEqual(confirmed.map((i) => i + 1));
  });

  it('keeps every confirmed message through a kill, a restart of the old leader, and a kill of the new one', async () => {
    const c = await cluster(3);
    const conn = await connect({ cluster: c });
    onTestFinished(() => conn.close().catch(() => undefined));
    const ch = await conn.createConfirmChannel();
    const queue = `qq-${randomUUID()}`;
    await ch.assertQueue(queue, QUORUM);
    const confirmed: number[] = [];
    const nacked: number[] = [];
    publishRange(ch, queue, 0, 500, confirmed, nacked);
    await settle(ch);
    const first = partition(c, queue).leader;
    await c.kill(first);
    publishRange(ch, queue, 500, 1_000, confirmed, nacked);
    await settle(ch);
    await c.restart(first);
    await until('the restarted broker to rejoin the ISR', () => partition(c, queue).isr.length === 3);
    const second = partition(c, queue).leader;
    publishRange(ch, queue, 1_000, 1_500, confirmed, nacked);
    await c.kill(second);
    publishRange(ch, queue, 1_500, 2_000, confirmed, nacked);
    await settle(ch);
    expect(nacked).toEqual([]);
    expect(confirmed).toHaveLength(2_000);
    expect(await consumeAll(c, queue, confirmed.length)).toEqual([...confirmed].sort((a, b) => a - b));
  });

  it('a new host on the cluster restores a quorum queue from its log, after the leader died: every confirmed, unacked message, in order', async () => {
    const c = await cluster(3);
    const first = createAmqpHost({ cluster: c });
    onTestFinished(() => first.close());
    const conn = await connect({ host: first });
    const ch = await conn.createConfirmChannel();
    const queue = `qq-${randomUUID()}`;
    await ch.assertQueue(queue, { ...QUORUM, arguments: { ...QUORUM.arguments, 'x-max-length': 10_000 } });
    const confirmed: number[] = [];
    const nacked: number[] = [];
    publishRange(ch, queue, 0, 200, confirmed, nacked);
    await settle(ch);
    for (let i = 0; i < 50; i++) {
      const got = await ch.get(queue);
      if (got === false) throw new Error('expected a message');
      ch.ack(got);
    }
    const settledCount = async (): Promise<number> => (await logRecords(c, queue)).reduce((n, r) => n + (r.kind === 'settle' ? r.seqs.length : 0), 0);
    const deadline = Date.now() + 5_000;
    while ((await settledCount()) < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await c.kill(partition(c, queue).leader);
    first.close();

    const second = createAmqpHost({ cluster: c });
    onTestFinished(() => second.close());
    const delivered = await consumeAll(second, queue, 150);
    expect(delivered).toEqual(confirmed.filter((i) => i >= 50).sort((a, b) => a - b));
    expect(second.vhost.queueInfo(queue)).toMatchObject({ type: 'quorum', durable: true, messages: 0 });
    // The restored queue keeps its arguments and goes on numbering after the restored entries.
    const conn2 = await connect({ host: second });
    const ch2 = await conn2.createConfirmChannel();
    await ch2.assertQueue(queue, { ...QUORUM, arguments: { ...QUORUM.arguments, 'x-max-length': 10_000 } });
    ch2.sendToQueue(queue, Buffer.from('next'));
    await ch2.waitForConfirms();
    const enqueued = (await logRecords(c, queue)).filter((r) => r.kind === 'enqueue');
    expect(enqueued.at(-1)).toMatchObject({ seq: 201 });
  });

  it('a publish the ISR cannot commit (ISR below min.insync.replicas) is nacked and never delivered', async () => {
    const c = await cluster(3);
    const host = createAmqpHost({ cluster: c, quorum: { commitTimeoutMs: 300, requestTimeoutMs: 1_000 } });
    onTestFinished(() => host.close());
    const conn = await connect({ host });
    const ch = await conn.createConfirmChannel();
    const queue = `qq-${randomUUID()}`;
    await ch.assertQueue(queue, QUORUM);
    const confirmed: number[] = [];
    const nacked: number[] = [];
    publishRange(ch, queue, 0, 1, confirmed, nacked);
    await settle(ch);
    const { leader, replicas } = partition(c, queue);
    for (const follower of replicas.filter((r) => r !== leader)) await c.kill(follower);
    await until('the ISR to shrink to the leader', () => partition(c, queue).isr.length === 1);
    publishRange(ch, queue, 1, 2, confirmed, nacked);
    await settle(ch);
    expect(confirmed).toEqual([0]);
    expect(nacked).toEqual([1]);
    const got = await ch.get(queue, { noAck: true });
    expect(got === false ? undefined : got.content.toString()).toBe('0');
    expect(await ch.get(queue)).toBe(false);
  });

  it('deliver with AMQP semantics: prefetch, requeue with redelivered and x-delivery-count, dead-lettering, confirm order with classic queues', async () => {
    const c = await cluster(1);
    const conn = await connect({ cluster: c });
    onTestFinished(() => conn.close().catch(() => undefined));
    const ch = await conn.createConfirmChannel();
    const queue = `qq-${randomUUID()}`;
    const classic = `classic-${randomUUID()}`;
    const dead = `dead-${randomUUID()}`;
    await ch.assertQueue(dead);
    await ch.assertQueue(classic);
    await ch.assertQueue(queue, { ...QUORUM, arguments: { ...QUORUM.arguments, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead } });
    const order: string[] = [];
    for (const [q, b] of [[queue, 'q1'], [classic, 'c1'], [queue, 'q2'], [classic, 'c2'], [queue, 'q3']] as const) {
      ch.sendToQueue(q, Buffer.from(b), {}, () => order.push(b));
    }
    await ch.waitForConfirms();
    expect(order).toEqual(['q1', 'c1', 'q2', 'c2', 'q3']);

    const sub = await conn.createChannel();
    await sub.prefetch(2);
    const got: ConsumeMessage[] = [];
    await sub.consume(queue, (msg) => {
      if (msg !== null) got.push(msg);
    });
    await until('two deliveries', () => got.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(got.map((m) => m.content.toString())).toEqual(['q1', 'q2']);
    sub.nack(got[0]!, false, true);
    await until('the redelivery', () => got.length === 3);
    expect(got[2]!.content.toString()).toBe('q1');
    expect(got[2]!.fields.redelivered).toBe(true);
    expect(got[2]!.properties.headers?.['x-delivery-count']).toBe(1);
    sub.reject(got[1]!, false);
    await until('q3', () => got.length === 4);
    const deadLettered = await ch.get(dead, { noAck: true });
    expect(deadLettered === false ? undefined : deadLettered.content.toString()).toBe('q2');
    sub.ack(got[2]!);
    sub.ack(got[3]!);
    await until('the queue to empty', () => c.controller.metadata.topic(quorumTopicName('/', queue)) !== undefined);
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    await ch.deleteQueue(queue);
    await until('the queue topic to be deleted', () => c.controller.metadata.topic(quorumTopicName('/', queue)) === undefined);
  });
});
