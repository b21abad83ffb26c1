/**
 * F01–F14: replication and failover on real broker threads, checked against what Kafka documents
 * (ACKS_DOC, design.html, KIP-101/279, Partition.scala, ProducerConfig). Each check reads every
 * replica's own log end offset, high watermark and records from its broker, so "the new leader
 * lacks the record" or "the old leader truncated" is observed, not inferred.
 *
 * The loss scenarios are made deterministic with the cluster's fault injection instead of races:
 * a follower whose fetching is stopped (setFetchDelay -1) has exactly what it had, a paused broker
 * keeps its memory and comes back to truncate, a killed one loses it. F15 (the Jepsen-style run)
 * lives in jepsen.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ClientContext } from '../../core/client/context.js';
import { brokerDefaults, type ProduceResult, type ProduceWaiter } from '../../core/cluster/index.js';
import { producerDefaults } from '../../core/client/kafka/index.js';
import { RecordBatchBuilder, type BatchFields } from '../../core/log/index.js';
import { NO_SPACE } from '../../core/memory/index.js';
import { ProducerStateTable } from '../../core/stream/producer-state.js';
import { rejection } from '../support/kafka.js';
import { numbered, replicationSession, sleep, until, type ReplicationSession } from '../support/replication.js';

/** Long enough that no follower leaves the ISR on its own while a check runs. */
const NO_LAG_SHRINK = { replicaLagTimeMaxMs: 30_000 };

class Answer implements ProduceWaiter {
  resolve!: (result: ProduceResult) => void;
  reject!: (error: Error) => void;
  readonly promise = new Promise<ProduceResult>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
  settle(result: ProduceResult | Error): void {
    if (result instanceof Error) this.reject(result);
    else this.resolve(result);
  }
}

/**
 * One hand-built record batch (producer id, epoch and base sequence as given) sent with acks=all
 * on the leader's connection: the broker's answer as it is, error code included.
 */
async function sendBatch(ctx: ClientContext, topic: string, fields: BatchFields, values: readonly string[]): Promise<ProduceResult> {
  const meta = await ctx.topic(topic, false, true);
  const connection = await ctx.leaderConnection(meta, 0);
  const room = 1024;
  let at = connection.beginProduce(room);
  while (at === NO_SPACE) {
    await connection.waitForSpace(room);
    at = connection.beginProduce(room);
  }
  const builder = new RecordBatchBuilder();
  builder.begin(connection.requests.data, at, at + room, fields);
  for (const v of values) if (!builder.append(null, Buffer.from(v))) throw new Error('test batch overflowed its frame');
  const length = builder.finish();
  const answer = new Answer();
  connection.endProduce(meta.topicId, 0, -1, 5_000, length, answer);
  return answer.promise;
}

/** Waits until the controller has moved the partition's leadership away from `old` (or off every broker). */
async function newLeader(s: ReplicationSession, topic: string, old: number): Promise<number> {
  await until('a new leader', () => s.view(topic).leader !== old);
  await s.cluster.controller.settled();
  return s.view(topic).leader;
}

describe('replication and failover', () => {
  it('F01 acks=0: the answer offset is -1, and a leader crash loses what no follower copied, with no error', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3, config: NO_LAG_SHRINK });
    const topic = await s.createTopic('f01', { replicationFactor: 3 });
    const producer = await s.producer({ retries: 0 });
    const [meta] = await producer.send({ topic, acks: 0, messages: [{ value: 'kept' }] });
    expect(meta).toMatchObject({ partition: 0, baseOffset: '-1' });
    const { leader } = s.view(topic);
    await until('every replica to copy the first record', async () => {
      for (const id of s.view(topic).replicas) if ((await s.offsets(id, topic)).logEndOffset !== 1) return false;
      return true;
    });
    for (const f of s.followers(topic)) s.cluster.setFetchDelay(f, -1);
    await producer.send({ topic, acks: 0, messages: numbered('unreplicated', 3) });
    await until('the leader to append the acks=0 records', async () => (await s.offsets(leader, topic)).logEndOffset === 4);
    const followers = s.followers(topic);
    await s.cluster.kill(leader);
    for (const f of followers) s.cluster.setFetchDelay(f, 0);
    const next = await newLeader(s, topic, leader);
    expect(followers).toContain(next);
    expect((await s.offsets(next, topic)).logEndOffset).toBe(1);
    // The lost records' offsets go to the next write.
    const retrying = await s.producer({ retries: 10 });
    const [after] = await retrying.send({ topic, acks: -1, messages: [{ value: 'after' }] });
    expect(after?.baseOffset).toBe('1');
    expect(await s.replicaValues(next, topic)).toEqual(['kept', 'after']);
  });

  it('F02 acks=1: the leader acks, crashes before any follower fetched; the new leader lacks the record and the old leader truncates it on rejoin', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3, config: NO_LAG_SHRINK });
    const topic = await s.createTopic('f02', { replicationFactor: 3 });
    const producer = await s.producer({ retries: 0 });
    await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
    const old = s.view(topic);
    const followers = s.followers(topic);
    for (const f of followers) s.cluster.setFetchDelay(f, -1);
    const [acked] = await producer.send({ topic, acks: 1, messages: [{ value: 'x' }] });
    expect(acked?.baseOffset).toBe('2');
    expect(await s.offsets(old.leader, topic)).toMatchObject({ logEndOffset: 3, highWatermark: 2 });
    // A crash that keeps the broker's memory (a stalled process), so that it can come back and truncate.
    s.cluster.pause(old.leader);
    for (const f of followers) s.cluster.setFetchDelay(f, 0);
    const next = await newLeader(s, topic, old.leader);
    expect(s.view(topic).leaderEpoch).toBe(old.leaderEpoch + 1);
    expect((await s.offsets(next, topic)).logEndOffset).toBe(2);
    const retrying = await s.producer({ retries: 10 });
    const [reused] = await retrying.send({ topic, acks: -1, messages: [{ value: 'y' }] });
    expect(reused?.baseOffset).toBe('2');
    expect(await s.replicaValues(next, topic)).toEqual(['a', 'b', 'y']);
    s.cluster.resume(old.leader);
    await until('the old leader to rejoin the ISR', () => s.view(topic).isr.includes(old.leader));
    await until('the old leader to learn the high watermark', async () => (await s.offsets(old.leader, topic)).highWatermark === 3);
    expect(await s.offsets(old.leader, topic)).toMatchObject({ logEndOffset: 3 });
    expect(await s.replicaValues(old.leader, topic)).toEqual(['a', 'b', 'y']);
  });

  it('F03 acks=all answers once every current ISR member has the record; with RF=2 and one replica dead the ISR is {leader} and acks=all is answered', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3, config: NO_LAG_SHRINK });
    const topic = await s.createTopic('f03', { replicationFactor: 3 });
    const producer = await s.producer({ retries: 0 });
    const [slow, fast] = s.followers(topic) as [number, number];
    s.cluster.setFetchDelay(slow, -1);
    let answered = false;
    const send = producer.send({ topic, acks: -1, messages: [{ value: 'r0' }] }).then((m) => {
      answered = true;
      return m;
    });
    await until('the fast follower to copy the record', async () => (await s.offsets(fast, topic)).logEndOffset === 1);
    await sleep(100);
    // The slow follower is still in the ISR and lacks the record: no answer yet.
    expect(s.view(topic).isr).toContain(slow);
    expect(answered).toBe(false);
    s.cluster.setFetchDelay(slow, 0);
    const [meta] = await send;
    expect(meta?.baseOffset).toBe('0');
    for (const id of s.view(topic).isr) expect((await s.offsets(id, topic)).logEndOffset).toBeGreaterThanOrEqual(1);

    const two = await replicationSession(ctx, { brokers: 2, config: NO_LAG_SHRINK });
    const t2 = await two.createTopic('f03-rf2', { replicationFactor: 2 });
    const p2 = await two.producer({ retries: 0 });
    const { leader } = two.view(t2);
    const [follower] = two.followers(t2) as [number];
    await two.cluster.kill(follower);
    await two.isrApplied(t2, [leader]);
    const [alone] = await p2.send({ topic: t2, acks: -1, messages: [{ value: 'only the leader is in sync' }] });
    expect(alone?.baseOffset).toBe('0');
    expect(two.view(t2).isr).toEqual([leader]);
    expect(await two.offsets(leader, t2)).toMatchObject({ logEndOffset: 1, highWatermark: 1 });
  });

  it('F04 acks=all with the ISR below min.insync.replicas is NOT_ENOUGH_REPLICAS (19) and appends nothing; acks=0 and acks=1 still append', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3 });
    const topic = await s.createTopic('f04', { replicationFactor: 3, minInsyncReplicas: 2 });
    const producer = await s.producer({ retries: 0 });
    await producer.send({ topic, acks: -1, messages: [{ value: 'in sync' }] });
    const { leader } = s.view(topic);
    for (const f of s.followers(topic)) await s.cluster.kill(f);
    await s.isrApplied(topic, [leader]);
    const before = await s.offsets(leader, topic);
    expect(await rejection(producer.send({ topic, acks: -1, messages: [{ value: 'refused' }] }))).toMatchObject({ type: 'NOT_ENOUGH_REPLICAS', code: 19 });
    expect((await s.offsets(leader, topic)).logEndOffset).toBe(before.logEndOffset);
    await producer.send({ topic, acks: 1, messages: [{ value: 'acks=1' }] });
    await producer.send({ topic, acks: 0, messages: [{ value: 'acks=0' }] });
    await until('the acks=0 record to be appended', async () => (await s.offsets(leader, topic)).logEndOffset === before.logEndOffset + 2);
  });

  it('F05 an ISR that shrinks below min.insync.replicas before the high watermark reaches the record is NOT_ENOUGH_REPLICAS_AFTER_APPEND (20); the record stays in the log', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 2 });
    const topic = await s.createTopic('f05', { replicationFactor: 2, minInsyncReplicas: 2 });
    const producer = await s.producer({ retries: 0 });
    const { leader } = s.view(topic);
    const [follower] = s.followers(topic) as [number];
    s.cluster.setFetchDelay(follower, -1);
    expect(await rejection(producer.send({ topic, acks: -1, messages: [{ value: 'appended, never committed' }] }))).toMatchObject({ type: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', code: 20 });
    expect(s.view(topic).isr).toEqual([leader]);
    expect(await s.offsets(leader, topic)).toMatchObject({ logEndOffset: 1, highWatermark: 0 });
    expect((await s.offsets(follower, topic)).logEndOffset).toBe(0);
  });

  it('F06 readers never see offsets at or above the high watermark (read_uncommitted; with no transactions LSO = HW)', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3, config: NO_LAG_SHRINK });
    const topic = await s.createTopic('f06', { replicationFactor: 3 });
    const producer = await s.producer({ retries: 0 });
    await producer.send({ topic, acks: -1, messages: numbered('c', 2) });
    const { leader } = s.view(topic);
    const followers = s.followers(topic);
    for (const f of followers) s.cluster.setFetchDelay(f, -1);
    await producer.send({ topic, acks: 1, messages: numbered('u', 3) });
    expect(await s.offsets(leader, topic)).toMatchObject({ logEndOffset: 5, highWatermark: 2 });

    const reader = await s.kafka(0).partitionReader(topic, 0, { fromOffset: 'earliest' });
    const seen: number[] = [];
    while (reader.cursor.next()) seen.push(reader.cursor.offset);
    expect(seen).toEqual([0, 1]);
    expect(reader.highWatermark).toBe(2);

    const consumed: number[] = [];
    const consumer = s.kafka(0).consumer({ groupId: `f06-${topic}`, heartbeatInterval: 100, sessionTimeout: 6_000, maxWaitTimeInMs: 50 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          consumed.push(Number(message.offset));
          return Promise.resolve();
        },
      });
      await until('the consumer to read the committed records', () => consumed.length >= 2);
      await sleep(200);
      expect(consumed).toEqual([0, 1]);
      for (const f of followers) s.cluster.setFetchDelay(f, 0);
      await until('the followers to copy the acks=1 records', async () => {
        for (const f of followers) if ((await s.offsets(f, topic)).logEndOffset !== 5) return false;
        return true;
      });
      await until("the leader's high watermark to reach its log end once every ISR member has the records", async () => (await s.offsets(leader, topic)).highWatermark === 5);
      await until('the consumer to read the rest once committed', () => consumed.length >= 5);
      expect(consumed).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await consumer.disconnect();
      reader.close();
    }
    await ctx.annotate('read_committed is the same view here: mqlab has no transactions, so the last stable offset equals the high watermark');
  });

  it('F07 HW = min LEO over the ISR, and it does not advance while the ISR is below min.insync.replicas (Kafka 3.7+)', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3, config: NO_LAG_SHRINK });
    const topic = await s.createTopic('f07', { replicationFactor: 3 });
    const producer = await s.producer({ retries: 0 });
    await producer.send({ topic, acks: -1, messages: numbered('m', 2) });
    const { leader } = s.view(topic);
    const [a, b] = s.followers(topic) as [number, number];
    s.cluster.setFetchDelay(a, -1);
    await producer.send({ topic, acks: 1, messages: numbered('m', 2, 2) });
    await until('follower b to copy up to 4', async () => (await s.offsets(b, topic)).logEndOffset === 4);
    s.cluster.setFetchDelay(b, -1);
    await producer.send({ topic, acks: 1, messages: numbered('m', 2, 4) });
    const leo = async (id: number): Promise<number> => (await s.offsets(id, topic)).logEndOffset;
    expect([await leo(leader), await leo(b), await leo(a)]).toEqual([6, 4, 2]);
    expect((await s.offsets(leader, topic)).highWatermark).toBe(2);
    s.cluster.setFetchDelay(a, 0);
    await until('follower a to copy everything', async () => (await leo(a)) === 6);
    await until('the high watermark to reach min LEO of the ISR (follower b, 4) after follower a caught up', async () => (await s.offsets(leader, topic)).highWatermark === 4);
    await sleep(50);
    expect((await s.offsets(leader, topic)).highWatermark).toBe(4);
    s.cluster.setFetchDelay(b, 0);
    await until('the high watermark to reach the log end', async () => (await s.offsets(leader, topic)).highWatermark === 6);

    const u = await replicationSession(ctx, { brokers: 3 });
    const t2 = await u.createTopic('f07-min', { replicationFactor: 3, minInsyncReplicas: 2 });
    const p2 = await u.producer({ retries: 0 });
    await p2.send({ topic: t2, acks: -1, messages: numbered('k', 2) });
    const l2 = u.view(t2).leader;
    const [f1, f2] = u.followers(t2) as [number, number];
    u.cluster.setFetchDelay(f1, -1);
    u.cluster.setFetchDelay(f2, -1);
    await until('both followers to leave the ISR', async () => {
      await p2.send({ topic: t2, acks: 1, messages: [{ value: 'tick' }] });
      return u.view(t2).isr.length === 1;
    });
    await u.isrApplied(t2, [l2]);
    await p2.send({ topic: t2, acks: 1, messages: numbered('under-min', 3) });
    const under = await u.offsets(l2, t2);
    // The ISR is {leader}: the old rule would put the HW at the leader's LEO. Kafka 3.7+ keeps it.
    expect(under.highWatermark).toBe(2);
    expect(under.logEndOffset).toBeGreaterThan(5);
    u.cluster.setFetchDelay(f1, 0);
    await until('a follower to rejoin', () => u.view(t2).isr.length === 2);
    await until('the high watermark to move again', async () => (await u.offsets(l2, t2)).highWatermark === under.logEndOffset);
  });

  it('F08 a follower not caught up within replica.lag.time.max.ms leaves the ISR and rejoins only once caught up to the leader (default 30 s)', async (ctx) => {
    expect(brokerDefaults.replicaLagTimeMaxMs).toBe(30_000);
    const lag = 300;
    const s = await replicationSession(ctx, { brokers: 3, config: { replicaLagTimeMaxMs: lag } });
    const topic = await s.createTopic('f08', { replicationFactor: 3 });
    const producer = await s.producer({ retries: 0 });
    const { leader } = s.view(topic);
    const [slow] = s.followers(topic) as [number];
    s.cluster.setFetchDelay(slow, -1);
    const stopped = Date.now();
    let n = 0;
    await until(
      'the stopped follower to leave the ISR',
      async () => {
        await producer.send({ topic, acks: 1, messages: [{ value: `v${n++}` }] });
        await sleep(10);
        return !s.view(topic).isr.includes(slow);
      },
      10_000,
    );
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(lag - 20);
    // Still not fetching, so never caught up: it stays out however long it waits.
    for (let i = 0; i < 6; i++) {
      await producer.send({ topic, acks: 1, messages: [{ value: `v${n++}` }] });
      await sleep(lag / 2);
      expect(s.view(topic).isr).not.toContain(slow);
    }
    const leaderEnd = (await s.offsets(leader, topic)).logEndOffset;
    expect((await s.offsets(slow, topic)).logEndOffset).toBeLessThan(leaderEnd);
    s.cluster.setFetchDelay(slow, 0);
    await until('the follower to rejoin the ISR', () => s.view(topic).isr.includes(slow));
    expect((await s.offsets(slow, topic)).logEndOffset).toBe(leaderEnd);
  });

  it('F09 clean election: only ISR members are eligible; with no ISR member alive and unclean election off the partition goes offline', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3 });
    const topic = await s.createTopic('f09', { replicationFactor: 3, uncleanLeaderElection: false });
    const producer = await s.producer({ retries: 0 });
    const first = s.view(topic);
    const [outOfSync, inSync] = s.followers(topic) as [number, number];
    s.cluster.setFetchDelay(outOfSync, -1);
    await until('one follower to leave the ISR', async () => {
      await producer.send({ topic, acks: 1, messages: [{ value: 'x' }] });
      return !s.view(topic).isr.includes(outOfSync);
    });
    await s.cluster.kill(first.leader);
    expect(s.view(topic)).toMatchObject({ leader: inSync, leaderEpoch: first.leaderEpoch + 1 });
    await s.cluster.controller.settled();
    await s.cluster.kill(inSync);
    expect(s.view(topic).leader).toBe(-1);
    // The out-of-sync replica is alive, but never eligible: the partition stays offline.
    await sleep(3 * 150);
    expect(s.view(topic).leader).toBe(-1);
    expect(s.view(topic).isr).not.toContain(outOfSync);
    expect(await rejection(producer.send({ topic, acks: 1, messages: [{ value: 'offline' }] }))).toMatchObject({ type: 'LEADER_NOT_AVAILABLE', code: 5 });
  });

  it('F10 unclean election: an out-of-sync replica leads, committed records beyond its LEO are lost, and their offsets are reused with new data', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 2 });
    const topic = await s.createTopic('f10', { replicationFactor: 2, uncleanLeaderElection: true });
    const producer = await s.producer({ retries: 0 });
    await producer.send({ topic, acks: -1, messages: [{ value: 'shared' }] });
    const { leader, leaderEpoch } = s.view(topic);
    const [follower] = s.followers(topic) as [number];
    s.cluster.setFetchDelay(follower, -1);
    await until('the follower to leave the ISR', async () => {
      await producer.send({ topic, acks: 1, messages: [{ value: 'leader only' }] });
      return !s.view(topic).isr.includes(follower);
    });
    await s.isrApplied(topic, [leader]);
    const [committed] = await producer.send({ topic, acks: -1, messages: [{ value: 'committed, then lost' }] });
    const before = await s.offsets(leader, topic);
    expect(before.highWatermark).toBe(before.logEndOffset);
    expect(Number(committed?.baseOffset)).toBe(before.logEndOffset - 1);
    expect((await s.offsets(follower, topic)).logEndOffset).toBe(1);
    await s.cluster.kill(leader);
    s.cluster.setFetchDelay(follower, 0);
    expect(s.view(topic)).toMatchObject({ leader: follower, isr: [follower], leaderEpoch: leaderEpoch + 1 });
    await s.cluster.controller.settled();
    const after = await s.producer({ retries: 5 });
    const [reused] = await after.send({ topic, acks: -1, messages: [{ value: 'new data' }] });
    expect(reused?.baseOffset).toBe('1');
    expect(await s.replicaValues(follower, topic)).toEqual(['shared', 'new data']);
  });

  it('F11 each failover bumps the leader epoch; a returning ex-leader truncates to the divergence point (double failover)', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3, config: NO_LAG_SHRINK });
    const topic = await s.createTopic('f11', { replicationFactor: 3 });
    const producer = await s.producer({ retries: 0 });
    await producer.send({ topic, acks: -1, messages: [{ value: 'm0' }] });
    const e0 = s.view(topic);
    const a = e0.leader;
    const followers = s.followers(topic);
    for (const f of followers) s.cluster.setFetchDelay(f, -1);
    await producer.send({ topic, acks: 1, messages: [{ value: 'a1' }, { value: 'a2' }] });
    expect((await s.offsets(a, topic)).logEndOffset).toBe(3);
    // First failover: A stalls with m0, a1, a2 (epoch e); the others have only m0.
    s.cluster.pause(a);
    for (const f of followers) s.cluster.setFetchDelay(f, 0);
    const b = await newLeader(s, topic, a);
    expect(s.view(topic).leaderEpoch).toBe(e0.leaderEpoch + 1);
    const retrying = await s.producer({ retries: 10 });
    const [n1] = await retrying.send({ topic, acks: -1, messages: [{ value: 'b1' }] });
    expect(n1?.baseOffset).toBe('1');
    // Second failover: B stalls too; C leads in epoch e+2.
    s.cluster.pause(b);
    const c = await newLeader(s, topic, b);
    expect(c).not.toBe(a);
    expect(s.view(topic).leaderEpoch).toBe(e0.leaderEpoch + 2);
    const [n2] = await retrying.send({ topic, acks: -1, messages: [{ value: 'c2' }] });
    expect(n2?.baseOffset).toBe('2');
    // A diverged at offset 1 (its epoch e ends there on C); B agrees with C up to offset 2.
    s.cluster.resume(a);
    s.cluster.resume(b);
    await until('both ex-leaders to rejoin the ISR', () => s.view(topic).isr.length === 3, 10_000);
    for (const id of [a, b]) {
      await until(`broker ${id} to learn the high watermark`, async () => (await s.offsets(id, topic)).highWatermark === 3);
      expect(await s.replicaValues(id, topic)).toEqual(['m0', 'b1', 'c2']);
    }
    expect(await s.replicaValues(c, topic)).toEqual(['m0', 'b1', 'c2']);
  });

  it('F12 with ISR >= 2 and acks=all, killing any single replica loses no acknowledged record', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3 });
    const topic = await s.createTopic('f12', { replicationFactor: 3, minInsyncReplicas: 2 });
    const producer = await s.producer({ idempotent: true, retries: 50 });
    const acked: string[] = [];
    const replicas = s.view(topic).replicas;
    for (const victim of replicas) {
      for (let i = 0; i < 60; i++) {
        if (i === 20) await s.cluster.kill(victim);
        const value = `b${victim}-${i}`;
        await producer.send({ topic, acks: -1, messages: [{ value }] });
        acked.push(value);
      }
      await s.cluster.restart(victim);
      await until(`broker ${victim} to rejoin the ISR`, () => s.view(topic).isr.length === 3, 10_000);
    }
    const { leader } = s.view(topic);
    expect(await s.replicaValues(leader, topic)).toEqual(acked);
    for (const id of replicas) {
      await until(`broker ${id} to commit everything`, async () => (await s.offsets(id, topic)).highWatermark === acked.length);
      expect(await s.replicaValues(id, topic)).toEqual(acked);
    }
  });

  it('F13 idempotence: a duplicate batch gets its original offset and no second copy (also after failover); a sequence gap is 45; a new epoch starts at 0; sequences wrap at Int32 max', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 3 });
    const topic = await s.createTopic('f13', { replicationFactor: 3, minInsyncReplicas: 2 });
    const { producerId } = s.cluster.controller.initProducerId();
    const batch = (producerEpoch: number, baseSequence: number, values: readonly string[]): Promise<ProduceResult> => sendBatch(s.context, topic, { producerId, producerEpoch, baseSequence }, values);
    const leo = async (): Promise<number> => (await s.offsets(s.view(topic).leader, topic)).logEndOffset;

    expect(await batch(0, 0, ['a0', 'a1', 'a2'])).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await batch(0, 0, ['a0', 'a1', 'a2'])).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await batch(0, 3, ['b3', 'b4'])).toMatchObject({ errorCode: 0, baseOffset: 3 });
    expect(await batch(0, 0, ['a0', 'a1', 'a2'])).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await leo()).toBe(5);
    expect(await batch(0, 9, ['gap'])).toMatchObject({ errorCode: 45 });
    expect(await leo()).toBe(5);

    // The producer state travels with the records: a new leader dedups a retry of what the old one stored.
    const old = s.view(topic).leader;
    await s.cluster.kill(old);
    await newLeader(s, topic, old);
    expect(await batch(0, 3, ['b3', 'b4'])).toMatchObject({ errorCode: 0, baseOffset: 3 });
    expect(await leo()).toBe(5);

    expect(await batch(1, 5, ['epoch 1 must start at 0'])).toMatchObject({ errorCode: 45 });
    expect(await batch(1, 0, ['e1-0'])).toMatchObject({ errorCode: 0, baseOffset: 5 });
    expect(await batch(0, 5, ['fenced'])).toMatchObject({ errorCode: 47 });
    expect(await leo()).toBe(6);
    expect(await s.replicaValues(s.view(topic).leader, topic)).toEqual(['a0', 'a1', 'a2', 'b3', 'b4', 'e1-0']);

    // Reaching Int32 max through a broker takes 2^31 records: the wrap is checked on the broker's
    // own producer-state rules (core/stream/producer-state.ts), the table each replica keeps.
    const max = 0x7fff_ffff;
    const table = new ProducerStateTable();
    table.record(7, 0, max - 2, 3, 100);
    expect(table.check(7, 0, 0, 2)).toBe(-1);
    expect(() => table.check(7, 0, 1, 1)).toThrow(expect.objectContaining({ code: 45 }) as Error);
    table.record(7, 0, 0, 2, 103);
    expect(table.check(7, 0, max - 2, 3)).toBe(100);
    // A batch across the wrap: max-1, max, 0; the next starts at 1.
    table.record(8, 0, max - 1, 3, 0);
    expect(table.check(8, 0, 1, 1)).toBe(-1);
    expect(() => table.check(8, 0, 2, 1)).toThrow(expect.objectContaining({ code: 45 }) as Error);
    await ctx.annotate('sequence wrap (Int32 max -> 0) checked on the broker producer-state table, not end to end');
  });

  it('F14 idempotence config: acks other than all or more than 5 in flight is a config error; defaults follow kafkajs (idempotent off, acks=all); a non-idempotent retry duplicates', async (ctx) => {
    const s = await replicationSession(ctx, { brokers: 2, config: NO_LAG_SHRINK });
    const topic = await s.createTopic('f14', { replicationFactor: 2 });
    const idempotent = await s.producer({ idempotent: true, retries: 5 });
    for (const acks of [0, 1]) {
      expect(await rejection(idempotent.send({ topic, acks, messages: [{ value: 'v' }] })), `acks=${acks}`).toMatchObject({ name: 'KafkaJSNonRetriableError', code: 40 });
    }
    expect(() => s.kafka(0).producer({ idempotent: true, maxInFlightRequests: 6 })).toThrow(expect.objectContaining({ code: 40 }) as Error);
    expect(s.kafka(0).producer({ idempotent: true, maxInFlightRequests: 5 }).isIdempotent()).toBe(true);
    // kafkajs defaults: idempotent=false, acks=-1. (The Java client defaults to enable.idempotence=true since 3.0.)
    expect(s.kafka(0).producer().isIdempotent()).toBe(false);
    expect(producerDefaults.acks).toBe(-1);

    // A retry whose first attempt was appended but not answered in time: a second copy without
    // idempotence, the original offset with it.
    const { leader } = s.view(topic);
    const [follower] = s.followers(topic) as [number];
    // The follower copies nothing while acks=all waits, so each attempt times out (REQUEST_TIMED_OUT,
    // retriable) and is retried; fetching resumes once a retry has reached the leader.
    const copies = async (idempotentProducer: boolean, value: string): Promise<{ start: number; baseOffset: string | undefined; count: number }> => {
      const start = (await s.offsets(leader, topic)).logEndOffset;
      const producer = s.kafka(0).producer({ idempotent: idempotentProducer, retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 50 } });
      await producer.connect();
      try {
        s.cluster.setFetchDelay(follower, -1);
        const sent = producer.send({ topic, acks: -1, timeout: 200, messages: [{ value }] });
        await until('the first attempt to be appended', async () => (await s.offsets(leader, topic)).logEndOffset > start);
        // Without idempotence the retry shows as a second append; with it, nothing shows: give it
        // past two timeouts, so at least one retry has been answered as a duplicate and is waiting.
        if (idempotentProducer) await sleep(600);
        else await until('the retry to be appended again', async () => (await s.offsets(leader, topic)).logEndOffset > start + 1);
        s.cluster.setFetchDelay(follower, 0);
        const [meta] = await sent;
        const values = await s.replicaValues(leader, topic);
        return { start, baseOffset: meta?.baseOffset, count: values.filter((v) => v === value).length };
      } finally {
        s.cluster.setFetchDelay(follower, 0);
        await producer.disconnect();
      }
    };
    const plain = await copies(false, 'retried without idempotence');
    expect(plain.count).toBeGreaterThanOrEqual(2);
    const deduped = await copies(true, 'retried with idempotence');
    expect(deduped.count).toBe(1);
    expect(deduped.baseOffset).toBe(String(deduped.start));
    await ctx.annotate(
      `mqlab follows kafkajs: a producer is idempotent only when asked (the Java client defaults to enable.idempotence=true); ` +
        `a timed-out retry stored ${plain.count} copies without idempotence, ${deduped.count} with it (answered at its original offset ${deduped.baseOffset ?? '?'})`,
    );
  });
});
