/**
 * Replication across real broker worker threads: followers copy the leader's batches, the high
 * watermark follows the ISR, acks=all waits for it, the controller fails over in a new epoch, and a
 * returning ex-leader truncates to where its log diverged. Fault injection: kill, pause, fetch delay.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ClientContext } from '../client/context.js';
import { Kafka } from '../client/kafka/index.js';
import { PartitionWriter } from '../client/native/index.js';
import { startCluster, type Cluster, type ClusterOptions } from './index.js';
import type { PartitionState } from './metadata.js';

const FAST = { heartbeatIntervalMs: 20, brokerSessionTimeoutMs: 150, replicaLagTimeMaxMs: 200 };

async function cluster(options: ClusterOptions = {}): Promise<Cluster> {
  const c = await startCluster({ brokers: 3, ...options, config: { ...FAST, ...options.config } });
  onTestFinished(() => c.close());
  return c;
}

async function topic(c: Cluster, replicationFactor: number, configs: Record<string, string> = {}): Promise<string> {
  const name = `replicated-${randomUUID()}`;
  await c.controller.createTopics([{ topic: name, numPartitions: 1, replicationFactor, configEntries: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }]);
  return name;
}

function state(c: Cluster, name: string): PartitionState {
  return c.controller.metadata.topic(name)!.partitions[0]!;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Every record value of one replica's log (read from that broker's own memory), up to its high watermark. */
async function replicaValues(c: Cluster, brokerId: number, name: string): Promise<string[]> {
  const ctx = new ClientContext(c);
  try {
    const { reader } = await ctx.openReplicaReader(brokerId, c.controller.metadata.topic(name)!.id, 0);
    const cursor = reader.cursor(reader.logStartOffset, {});
    const values: string[] = [];
    while (cursor.next()) values.push(Buffer.from(cursor.value()!).toString());
    return values;
  } finally {
    await ctx.close();
  }
}

async function offsets(c: Cluster, brokerId: number, name: string): Promise<{ logEndOffset: number; highWatermark: number }> {
  return c.broker(brokerId)!.call('partitionOffsets', { topicId: c.controller.metadata.topic(name)!.id, partition: 0 });
}

function kafka(c: Cluster, retries = 10): Kafka {
  return new Kafka({ clientId: 'replication-test', cluster: c, retry: { retries, initialRetryTime: 20, maxRetryTime: 200 } });
}

async function producer(c: Cluster, options: { idempotent?: boolean; retries?: number } = {}): Promise<ReturnType<Kafka['producer']>> {
  const p = kafka(c, options.retries).producer({ idempotent: options.idempotent ?? false });
  await p.connect();
  onTestFinished(() => p.disconnect());
  return p;
}

describe('replication', () => {
  it('followers copy every batch byte for byte; acks=all answers once every ISR member has it', async () => {
    const c = await cluster();
    const name = await topic(c, 3);
    await c.controller.settled();
    const ctx = new ClientContext(c);
    onTestFinished(() => ctx.close());
    const writer = await PartitionWriter.open(ctx, name, 0, { acks: -1, batchSize: 4096 });
    for (let i = 0; i < 20_000; i++) while (!writer.append(null, Buffer.from(`v${i}`))) await writer.ready();
    await writer.flush();
    expect(writer.acknowledged).toBe(20_000);
    const p = state(c, name);
    expect(p.isr.sort()).toEqual([0, 1, 2]);
    // acks=all answered: every replica's log end had reached 20,000 by then.
    for (const id of p.replicas) expect((await offsets(c, id, name)).logEndOffset).toBe(20_000);
    expect((await offsets(c, p.leader, name)).highWatermark).toBe(20_000);
    await until('followers to learn the high watermark', async () => {
      for (const id of p.replicas) if ((await offsets(c, id, name)).highWatermark !== 20_000) return false;
      return true;
    });
    const expected = Array.from({ length: 20_000 }, (_, i) => `v${i}`);
    for (const id of p.replicas) expect(await replicaValues(c, id, name)).toEqual(expected);
    await writer.close();
  });

  it('a killed leader fails over to an ISR member in a new epoch that has every acknowledged record', async () => {
    const c = await cluster();
    const name = await topic(c, 3, { 'min.insync.replicas': '2' });
    await c.controller.settled();
    const p = await producer(c, { idempotent: true });
    const acked: number[] = [];
    const before = { ...state(c, name) };
    for (let i = 0; i < 300; i++) {
      if (i === 150) await c.kill(before.leader);
      await p.send({ topic: name, messages: [{ value: String(i) }] });
      acked.push(i);
    }
    const after = state(c, name);
    expect(after.leader).not.toBe(before.leader);
    expect(after.leader).toBeGreaterThanOrEqual(0);
    expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
    expect(after.isr).not.toContain(before.leader);
    await until('the new leader to commit', async () => (await offsets(c, after.leader, name)).highWatermark === 300);
    expect(await replicaValues(c, after.leader, name)).toEqual(acked.map(String));
  });

  it('acks=all with the ISR below min.insync.replicas is refused with NOT_ENOUGH_REPLICAS (19) and appends nothing; acks=1 still appends', async () => {
    const c = await cluster({ brokers: 2 });
    const name = await topic(c, 2, { 'min.insync.replicas': '2' });
    await c.controller.settled();
    const p = await producer(c, { retries: 0 });
    await p.send({ topic: name, messages: [{ value: 'both' }], acks: -1 });
    const { leader, replicas } = state(c, name);
    await c.kill(replicas.find((r) => r !== leader)!);
    expect(state(c, name).isr).toEqual([leader]);
    await until('the leader to learn its ISR', async () => {
      try {
        await p.send({ topic: name, messages: [{ value: 'refused' }], acks: -1 });
        return false;
      } catch (error) {
        expect(error).toMatchObject({ type: 'NOT_ENOUGH_REPLICAS', code: 19 });
        return true;
      }
    });
    const end = (await offsets(c, leader, name)).logEndOffset;
    await expect(p.send({ topic: name, messages: [{ value: 'refused' }], acks: -1 })).rejects.toMatchObject({ code: 19 });
    expect((await offsets(c, leader, name)).logEndOffset).toBe(end);
    await p.send({ topic: name, messages: [{ value: 'leader only' }], acks: 1 });
    expect((await offsets(c, leader, name)).logEndOffset).toBe(end + 1);
    // Under min ISR the high watermark stays (Kafka 3.7+): the acks=1 record is not visible yet.
    expect((await offsets(c, leader, name)).highWatermark).toBe(1);
  });

  it('a follower that stops fetching leaves the ISR after replica.lag.time.max.ms and rejoins once caught up', async () => {
    const c = await cluster();
    const name = await topic(c, 3);
    await c.controller.settled();
    const p = await producer(c, { retries: 0 });
    const { leader, replicas } = state(c, name);
    const slow = replicas.find((r) => r !== leader)!;
    c.setFetchDelay(slow, -1);
    const stopped = Date.now();
    await until('the ISR to shrink', async () => {
      await p.send({ topic: name, messages: [{ value: 'x' }], acks: 1 });
      return !state(c, name).isr.includes(slow);
    });
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(FAST.replicaLagTimeMaxMs - 20);
    // With the slow follower out, acks=all is answered by the two left.
    await p.send({ topic: name, messages: [{ value: 'y' }], acks: -1 });
    c.setFetchDelay(slow, 0);
    await until('the follower to rejoin', () => state(c, name).isr.includes(slow));
    const leaderEnd = (await offsets(c, leader, name)).logEndOffset;
    expect((await offsets(c, slow, name)).logEndOffset).toBe(leaderEnd);
  });

  it('an ISR that shrinks below min.insync.replicas while acks=all waits answers NOT_ENOUGH_REPLICAS_AFTER_APPEND (20); the record stays in the log', async () => {
    const c = await cluster({ brokers: 2 });
    const name = await topic(c, 2, { 'min.insync.replicas': '2' });
    await c.controller.settled();
    const p = await producer(c, { retries: 0 });
    const { leader, replicas } = state(c, name);
    const follower = replicas.find((r) => r !== leader)!;
    c.setFetchDelay(follower, -1);
    await expect(p.send({ topic: name, messages: [{ value: 'stuck' }], acks: -1 })).rejects.toMatchObject({ type: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', code: 20 });
    expect(state(c, name).isr).toEqual([leader]);
    expect((await offsets(c, leader, name)).logEndOffset).toBe(1);
  });

  it('a paused leader loses its leadership; resumed, it truncates the records only it had, by leader epoch', async () => {
    const c = await cluster();
    const name = await topic(c, 3);
    await c.controller.settled();
    const p = await producer(c, { retries: 0 });
    await p.send({ topic: name, messages: [{ value: 'a' }, { value: 'b' }], acks: -1 });
    const old = { ...state(c, name) };
    const followers = old.replicas.filter((r) => r !== old.leader);
    for (const f of followers) c.setFetchDelay(f, -1);
    // Acknowledged by the leader alone (acks=1): Kafka may lose these, and here it will.
    await p.send({ topic: name, messages: [{ value: 'only-on-old-1' }, { value: 'only-on-old-2' }], acks: 1 });
    expect((await offsets(c, old.leader, name)).logEndOffset).toBe(4);
    c.pause(old.leader);
    for (const f of followers) c.setFetchDelay(f, 0);
    await until('a new leader', () => state(c, name).leader >= 0 && state(c, name).leader !== old.leader);
    expect(state(c, name).leaderEpoch).toBe(old.leaderEpoch + 1);
    await c.controller.settled();
    const p2 = await producer(c, { retries: 10 });
    await p2.send({ topic: name, messages: [{ value: 'c' }], acks: -1 });
    c.resume(old.leader);
    await until('the old leader to rejoin the ISR', () => state(c, name).isr.includes(old.leader));
    expect(await replicaValues(c, state(c, name).leader, name)).toEqual(['a', 'b', 'c']);
    await until('the old leader to copy the new leader', async () => (await offsets(c, old.leader, name)).highWatermark === 3);
    expect(await replicaValues(c, old.leader, name)).toEqual(['a', 'b', 'c']);
  });

  it('with no ISR member alive the partition goes offline; unclean.leader.election.enable elects an out-of-sync replica, losing what it lacks', async () => {
    for (const unclean of [false, true]) {
      const c = await cluster({ brokers: 2 });
      const name = await topic(c, 2, { 'unclean.leader.election.enable': String(unclean) });
      await c.controller.settled();
      const p = await producer(c, { retries: 0 });
      await p.send({ topic: name, messages: [{ value: 'shared' }], acks: -1 });
      const { leader, replicas } = state(c, name);
      const follower = replicas.find((r) => r !== leader)!;
      c.setFetchDelay(follower, -1);
      await until('the follower to leave the ISR', async () => {
        await p.send({ topic: name, messages: [{ value: 'leader-only' }], acks: 1 });
        return !state(c, name).isr.includes(follower);
      });
      await c.kill(leader);
      c.setFetchDelay(follower, 0);
      if (!unclean) {
        expect(state(c, name)).toMatchObject({ leader: -1, isr: [leader] });
        continue;
      }
      expect(state(c, name)).toMatchObject({ leader: follower, isr: [follower] });
      await c.controller.settled();
      const p2 = await producer(c, { retries: 5 });
      const [meta] = await p2.send({ topic: name, messages: [{ value: 'after' }], acks: -1 });
      // The records only the dead leader had are gone, and their offsets are reused.
      expect(meta!.baseOffset).toBe('1');
      expect(await replicaValues(c, follower, name)).toEqual(['shared', 'after']);
    }
  });

  it('a consumer follows its partition to the new leader and reads every acknowledged record once, in order', async () => {
    const c = await cluster();
    const name = await topic(c, 3, { 'min.insync.replicas': '2' });
    await c.controller.settled();
    const k = kafka(c);
    const consumer = k.consumer({ groupId: `g-${randomUUID()}` });
    await consumer.connect();
    onTestFinished(() => consumer.disconnect());
    await consumer.subscribe({ topics: [name], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachMessage: ({ message }) => {
        seen.push(message.value!.toString());
        return Promise.resolve();
      },
    });
    const p = await producer(c, { idempotent: true });
    const leader = state(c, name).leader;
    for (let i = 0; i < 200; i++) {
      if (i === 100) await c.kill(leader);
      await p.send({ topic: name, messages: [{ value: String(i) }] });
    }
    await until('the consumer to read everything', () => seen.length >= 200, 10_000);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });

  it('a restarted broker (empty memory) copies its partitions back from the leader and rejoins the ISR', async () => {
    const c = await cluster();
    const name = await topic(c, 3);
    await c.controller.settled();
    const p = await producer(c, { retries: 0 });
    await p.send({ topic: name, messages: Array.from({ length: 500 }, (_, i) => ({ value: `r${i}` })), acks: -1 });
    const { leader, replicas } = state(c, name);
    const victim = replicas.find((r) => r !== leader)!;
    await c.kill(victim);
    expect(state(c, name).isr).not.toContain(victim);
    await c.restart(victim);
    await until('the restarted broker to rejoin the ISR', () => state(c, name).isr.includes(victim));
    expect((await offsets(c, victim, name)).logEndOffset).toBe(500);
  });
});
